//! What the layer records beyond the conventions' defaults: the application's hooks
//! ([`instrument_core::hooks`]) and captured headers, set on [`TracingLayer`](crate::TracingLayer).

use std::sync::Arc;

use instrument_core::hooks::{NameSpan, OnEnd, OnStart, SkipIf};
use instrument_core::redact::HeaderCaptures;

/// What a hook sees of a request: its method, URI, version, headers and extensions
/// (where axum's `MatchedPath` is: [`route`](Self::route)).
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct RequestHead<'a> {
    /// The method.
    pub method: &'a http::Method,
    /// The URI.
    pub uri: &'a http::Uri,
    /// The HTTP version.
    pub version: http::Version,
    /// The headers.
    pub headers: &'a http::HeaderMap,
    /// The extensions the layers before this one added.
    pub extensions: &'a http::Extensions,
}

impl<'a> RequestHead<'a> {
    pub(crate) fn of<B>(request: &'a http::Request<B>) -> Self {
        RequestHead {
            method: request.method(),
            uri: request.uri(),
            version: request.version(),
            headers: request.headers(),
            extensions: request.extensions(),
        }
    }

    /// The route the router matched (`/users/{id}`), when known (axum's `MatchedPath`,
    /// with the `axum` feature).
    pub fn route(&self) -> Option<&'a str> {
        crate::describe::route(self.extensions)
    }
}

/// What a hook sees of a response: its status, version and headers.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct ResponseHead<'a> {
    /// The status.
    pub status: http::StatusCode,
    /// The HTTP version.
    pub version: http::Version,
    /// The headers.
    pub headers: &'a http::HeaderMap,
}

impl<'a> ResponseHead<'a> {
    pub(crate) fn of<B>(response: &'a http::Response<B>) -> Self {
        ResponseHead {
            status: response.status(),
            version: response.version(),
            headers: response.headers(),
        }
    }
}

type ForceSampling = dyn Fn(&RequestHead<'_>) -> bool + Send + Sync;
type Skip = dyn for<'a> SkipIf<RequestHead<'a>>;
type Name = dyn for<'a> NameSpan<RequestHead<'a>>;
type OnRequest = dyn for<'a> OnStart<RequestHead<'a>>;
type OnResponse = dyn for<'a> OnEnd<ResponseHead<'a>>;

/// A layer's options, shared by its services.
#[derive(Clone)]
pub(crate) struct Options {
    pub(crate) force_sampling: Option<Arc<ForceSampling>>,
    pub(crate) skip: Option<Arc<Skip>>,
    pub(crate) name: Option<Arc<Name>>,
    pub(crate) on_request: Option<Arc<OnRequest>>,
    pub(crate) on_response: Option<Arc<OnResponse>>,
    pub(crate) headers: HeaderCaptures,
}

impl std::fmt::Debug for Options {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Options")
            .field("force_sampling", &self.force_sampling.is_some())
            .field("skip", &self.skip.is_some())
            .field("name", &self.name.is_some())
            .field("on_request", &self.on_request.is_some())
            .field("on_response", &self.on_response.is_some())
            .field("headers", &self.headers)
            .finish()
    }
}

impl Default for Options {
    fn default() -> Self {
        Options {
            force_sampling: None,
            skip: None,
            name: None,
            on_request: None,
            on_response: None,
            headers: HeaderCaptures::new("instrument-tower"),
        }
    }
}

impl Options {
    /// Whether the response needs looking at beyond its status.
    pub(crate) fn watches_responses(&self) -> bool {
        self.on_response.is_some() || self.headers.captures_responses()
    }
}
