//! [`Client`] and [`ClientBuilder`]: reqwest's, with every request a span.

use std::time::Duration;

use std::sync::Arc;

use http::HeaderMap;
use reqwest::{IntoUrl, Method};

use crate::RequestBuilder;
use crate::options::Options;
use crate::resend;

/// A drop-in for [`reqwest::Client`]: the same methods, returning reqwest's own
/// [`Response`](reqwest::Response) and [`Error`](reqwest::Error); each request is a
/// CLIENT span and carries the trace context in its headers. Cheap to clone, as
/// reqwest's.
///
/// It does not deref to reqwest's client (requests there would escape the tracing);
/// [`inner`](Self::inner) is the explicit way.
#[derive(Debug, Clone)]
pub struct Client {
    inner: reqwest::Client,
    options: Arc<Options>,
}

impl Default for Client {
    fn default() -> Self {
        Self::new()
    }
}

impl Client {
    /// Like [`reqwest::Client::new`] (the redirect policy counts resends).
    ///
    /// # Panics
    ///
    /// As reqwest's: when the TLS backend or the system configuration cannot be loaded.
    /// Use [`Client::builder`] to handle that error.
    pub fn new() -> Self {
        #[allow(clippy::expect_used)] // reqwest's `Client::new` panics the same way
        ClientBuilder::new().build().expect("reqwest client")
    }

    /// Like [`reqwest::Client::builder`].
    pub fn builder() -> ClientBuilder {
        ClientBuilder::new()
    }

    /// Wraps a client built elsewhere. Its redirects are followed, but not counted on
    /// the span: build through [`ClientBuilder`] for that.
    pub fn from_reqwest(inner: reqwest::Client) -> Self {
        Client {
            inner,
            options: Arc::default(),
        }
    }

    /// Like [`reqwest::Client::get`].
    pub fn get<U: IntoUrl>(&self, url: U) -> RequestBuilder {
        self.request(Method::GET, url)
    }

    /// Like [`reqwest::Client::post`].
    pub fn post<U: IntoUrl>(&self, url: U) -> RequestBuilder {
        self.request(Method::POST, url)
    }

    /// Like [`reqwest::Client::put`].
    pub fn put<U: IntoUrl>(&self, url: U) -> RequestBuilder {
        self.request(Method::PUT, url)
    }

    /// Like [`reqwest::Client::patch`].
    pub fn patch<U: IntoUrl>(&self, url: U) -> RequestBuilder {
        self.request(Method::PATCH, url)
    }

    /// Like [`reqwest::Client::delete`].
    pub fn delete<U: IntoUrl>(&self, url: U) -> RequestBuilder {
        self.request(Method::DELETE, url)
    }

    /// Like [`reqwest::Client::head`].
    pub fn head<U: IntoUrl>(&self, url: U) -> RequestBuilder {
        self.request(Method::HEAD, url)
    }

    /// Like [`reqwest::Client::request`].
    pub fn request<U: IntoUrl>(&self, method: Method, url: U) -> RequestBuilder {
        RequestBuilder::new(self.inner.request(method, url), self.options.clone())
    }

    /// Like [`reqwest::Client::execute`], as a span, with the trace context added to the
    /// request's headers.
    pub fn execute(
        &self,
        request: reqwest::Request,
    ) -> impl Future<Output = Result<reqwest::Response, reqwest::Error>> + Send + 'static {
        if !instrument_core::enabled(instrument_core::Library::Reqwest) {
            return futures_util::future::Either::Left(self.inner.execute(request));
        }
        // Owned, as reqwest's future is: it may be spawned. Boxed, so that the future is
        // as small to move as reqwest's when switched off.
        let (client, options) = (self.inner.clone(), self.options.clone());
        futures_util::future::Either::Right(Box::pin(async move {
            crate::send::execute(&client, request, true, &options).await
        }))
    }

    /// The reqwest client: requests made on it directly are not traced.
    pub fn inner(&self) -> &reqwest::Client {
        &self.inner
    }
}

/// A drop-in for [`reqwest::ClientBuilder`]. The common settings have their reqwest
/// names here; for the others use [`with_inner`](Self::with_inner). Set the redirect
/// policy with [`redirect`](Self::redirect): the built client wraps it to count
/// redirects.
#[derive(Debug)]
#[must_use]
pub struct ClientBuilder {
    inner: reqwest::ClientBuilder,
    redirect: Option<reqwest::redirect::Policy>,
    options: Options,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl ClientBuilder {
    /// Like [`reqwest::ClientBuilder::new`].
    pub fn new() -> Self {
        ClientBuilder {
            inner: reqwest::ClientBuilder::new(),
            redirect: None,
            options: Options::default(),
        }
    }

    /// Configures anything on reqwest's builder, for the settings not mirrored here.
    /// Except the redirect policy: one set here is replaced by the one of
    /// [`redirect`](Self::redirect) (the default if none), which the client wraps to count
    /// redirects.
    pub fn with_inner(
        mut self,
        configure: impl FnOnce(reqwest::ClientBuilder) -> reqwest::ClientBuilder,
    ) -> Self {
        self.inner = configure(self.inner);
        self
    }

    /// Like [`reqwest::ClientBuilder::redirect`]; the policy decides, the client counts.
    pub fn redirect(mut self, policy: reqwest::redirect::Policy) -> Self {
        self.redirect = Some(policy);
        self
    }

    /// Like [`reqwest::ClientBuilder::retry`]. Retries are counted as resends when the
    /// policy comes from [`crate::retry`].
    pub fn retry(self, policy: reqwest::retry::Builder) -> Self {
        self.with_inner(|inner| inner.retry(policy))
    }

    /// Like [`reqwest::ClientBuilder::user_agent`].
    pub fn user_agent<V>(self, value: V) -> Self
    where
        V: TryInto<http::HeaderValue>,
        V::Error: Into<http::Error>,
    {
        self.with_inner(|inner| inner.user_agent(value))
    }

    /// Like [`reqwest::ClientBuilder::default_headers`].
    pub fn default_headers(self, headers: HeaderMap) -> Self {
        self.with_inner(|inner| inner.default_headers(headers))
    }

    /// Like [`reqwest::ClientBuilder::timeout`].
    pub fn timeout(self, timeout: Duration) -> Self {
        self.with_inner(|inner| inner.timeout(timeout))
    }

    /// Like [`reqwest::ClientBuilder::connect_timeout`].
    pub fn connect_timeout(self, timeout: Duration) -> Self {
        self.with_inner(|inner| inner.connect_timeout(timeout))
    }

    /// Like [`reqwest::ClientBuilder::read_timeout`].
    pub fn read_timeout(self, timeout: Duration) -> Self {
        self.with_inner(|inner| inner.read_timeout(timeout))
    }

    /// Like [`reqwest::ClientBuilder::pool_idle_timeout`].
    pub fn pool_idle_timeout(self, timeout: impl Into<Option<Duration>>) -> Self {
        self.with_inner(|inner| inner.pool_idle_timeout(timeout))
    }

    /// Like [`reqwest::ClientBuilder::pool_max_idle_per_host`].
    pub fn pool_max_idle_per_host(self, max: usize) -> Self {
        self.with_inner(|inner| inner.pool_max_idle_per_host(max))
    }

    /// Like [`reqwest::ClientBuilder::no_proxy`].
    pub fn no_proxy(self) -> Self {
        self.with_inner(reqwest::ClientBuilder::no_proxy)
    }

    crate::options::option_setters!();

    fn options_mut(&mut self) -> &mut Options {
        &mut self.options
    }

    /// Like [`reqwest::ClientBuilder::build`].
    pub fn build(self) -> Result<Client, reqwest::Error> {
        let policy = self.redirect.unwrap_or_default();
        let inner = self
            .inner
            .redirect(resend::counting_redirects(policy))
            .build()?;
        Ok(Client {
            inner,
            options: Arc::new(self.options),
        })
    }
}
