//! [`Client`]: reqwest's, with every request a span.

use std::sync::Arc;

use futures_util::FutureExt as _;
use reqwest::{IntoUrl, Method};

use crate::options::Options;
use crate::{ClientBuilder, RequestBuilder};

/// A drop-in for [`reqwest::Client`]: the same methods, returning reqwest's own
/// [`Response`](reqwest::Response) and [`Error`](reqwest::Error); each request is a
/// CLIENT span and carries the trace context in its headers. Cheap to clone, as
/// reqwest's.
///
/// It does not deref to reqwest's client (requests there would escape the tracing);
/// [`inner`](Self::inner) is the explicit way.
#[derive(Debug, Clone)]
pub struct Client {
    pub(crate) inner: reqwest::Client,
    pub(crate) options: Arc<Options>,
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
        futures_util::future::Either::Right(Box::pin(
            futures_util::future::lazy(move |_| {
                crate::send::execute(&client, request, true, &options)
            })
            .flatten(),
        ))
    }

    /// The reqwest client: requests made on it directly are not traced.
    pub fn inner(&self) -> &reqwest::Client {
        &self.inner
    }
}
