//! [`RequestBuilder`]: reqwest's, sent as a span.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use futures_util::FutureExt as _;
use futures_util::future::Either;
use http::HeaderMap;
use reqwest::Body;

use crate::options::Options;

/// A drop-in for [`reqwest::RequestBuilder`]: the same builder methods, and
/// [`send`](Self::send) as a CLIENT span whose context goes along in the request's
/// headers (`traceparent`, `tracestate`, `baggage`, as `OTEL_PROPAGATORS` says), unless
/// [`without_trace_context`](Self::without_trace_context) says not to.
///
/// The span starts before the request is sent and ends when the response body has been
/// read (or failed, or was dropped): see the [crate docs](crate).
#[derive(Debug)]
#[must_use = "a RequestBuilder does nothing until it is sent"]
pub struct RequestBuilder {
    inner: reqwest::RequestBuilder,
    propagate: bool,
    options: Arc<Options>,
}

impl RequestBuilder {
    #[inline]
    pub(crate) fn new(inner: reqwest::RequestBuilder, options: Arc<Options>) -> Self {
        RequestBuilder {
            inner,
            propagate: true,
            options,
        }
    }

    #[inline]
    fn map(self, f: impl FnOnce(reqwest::RequestBuilder) -> reqwest::RequestBuilder) -> Self {
        RequestBuilder {
            inner: f(self.inner),
            ..self
        }
    }

    /// Like [`reqwest::RequestBuilder::from_parts`]: a builder for `request`, sent
    /// through `client`.
    pub fn from_parts(client: crate::Client, request: reqwest::Request) -> Self {
        RequestBuilder::new(
            reqwest::RequestBuilder::from_parts(client.inner, request),
            client.options,
        )
    }

    /// Sends no trace context with this request (a call to a third party, which need
    /// not learn your trace ids); the span is still recorded.
    pub fn without_trace_context(mut self) -> Self {
        self.propagate = false;
        self
    }

    /// Like [`reqwest::RequestBuilder::header`].
    pub fn header<K, V>(self, key: K, value: V) -> Self
    where
        http::HeaderName: TryFrom<K>,
        <http::HeaderName as TryFrom<K>>::Error: Into<http::Error>,
        http::HeaderValue: TryFrom<V>,
        <http::HeaderValue as TryFrom<V>>::Error: Into<http::Error>,
    {
        self.map(|inner| inner.header(key, value))
    }

    /// Like [`reqwest::RequestBuilder::headers`].
    pub fn headers(self, headers: HeaderMap) -> Self {
        self.map(|inner| inner.headers(headers))
    }

    /// Like [`reqwest::RequestBuilder::basic_auth`].
    pub fn basic_auth<U, P>(self, username: U, password: Option<P>) -> Self
    where
        U: std::fmt::Display,
        P: std::fmt::Display,
    {
        self.map(|inner| inner.basic_auth(username, password))
    }

    /// Like [`reqwest::RequestBuilder::bearer_auth`].
    pub fn bearer_auth<T: std::fmt::Display>(self, token: T) -> Self {
        self.map(|inner| inner.bearer_auth(token))
    }

    /// Like [`reqwest::RequestBuilder::body`].
    pub fn body<T: Into<Body>>(self, body: T) -> Self {
        self.map(|inner| inner.body(body))
    }

    /// Like [`reqwest::RequestBuilder::timeout`].
    pub fn timeout(self, timeout: Duration) -> Self {
        self.map(|inner| inner.timeout(timeout))
    }

    /// Like [`reqwest::RequestBuilder::version`].
    pub fn version(self, version: http::Version) -> Self {
        self.map(|inner| inner.version(version))
    }

    /// Like [`reqwest::RequestBuilder::multipart`] (feature `multipart`).
    #[cfg(feature = "multipart")]
    #[cfg_attr(docsrs, doc(cfg(feature = "multipart")))]
    pub fn multipart(self, multipart: reqwest::multipart::Form) -> Self {
        self.map(|inner| inner.multipart(multipart))
    }

    /// Like [`reqwest::RequestBuilder::query`] (feature `query`).
    #[cfg(feature = "query")]
    pub fn query<T: serde::Serialize + ?Sized>(self, query: &T) -> Self {
        self.map(|inner| inner.query(query))
    }

    /// Like [`reqwest::RequestBuilder::form`] (feature `form`).
    #[cfg(feature = "form")]
    pub fn form<T: serde::Serialize + ?Sized>(self, form: &T) -> Self {
        self.map(|inner| inner.form(form))
    }

    /// Like [`reqwest::RequestBuilder::json`] (feature `json`).
    #[cfg(feature = "json")]
    pub fn json<T: serde::Serialize + ?Sized>(self, json: &T) -> Self {
        self.map(|inner| inner.json(json))
    }

    /// Like [`reqwest::RequestBuilder::build`]: the request, to send with
    /// [`Client::execute`](crate::Client::execute).
    pub fn build(self) -> Result<reqwest::Request, reqwest::Error> {
        self.inner.build()
    }

    /// Like [`reqwest::RequestBuilder::build_split`]: the client (traced, with this
    /// builder's options) and the request, to send with
    /// [`Client::execute`](crate::Client::execute).
    pub fn build_split(self) -> (crate::Client, Result<reqwest::Request, reqwest::Error>) {
        let (inner, request) = self.inner.build_split();
        let client = crate::Client {
            inner,
            options: self.options,
        };
        (client, request)
    }

    /// Like [`reqwest::RequestBuilder::try_clone`].
    pub fn try_clone(&self) -> Option<Self> {
        Some(RequestBuilder {
            inner: self.inner.try_clone()?,
            propagate: self.propagate,
            options: self.options.clone(),
        })
    }

    /// Like [`reqwest::RequestBuilder::send`], as a span. Switched off, it is reqwest's
    /// own future, behind one test per poll.
    #[inline]
    pub fn send(self) -> impl Future<Output = Result<reqwest::Response, reqwest::Error>> {
        if !instrument_core::enabled(instrument_core::Library::Reqwest) {
            return Either::Left(self.inner.send());
        }
        // Boxed, so that the future is as small to move as reqwest's when switched off.
        Either::Right(Box::pin(
            futures_util::future::lazy(move |_| {
                let (client, request) = self.inner.build_split();
                match request {
                    Ok(request) => Either::Left(crate::send::execute(
                        &client,
                        request,
                        self.propagate,
                        &self.options,
                    )),
                    // What reqwest's `send` answers for a request that failed to build.
                    Err(error) => Either::Right(std::future::ready(Err(error))),
                }
            })
            .flatten(),
        ))
    }
}
