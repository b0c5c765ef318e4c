//! [`HttpClientCall`] and [`HttpServerCall`]: descriptions of HTTP requests, from which
//! core makes CLIENT and SERVER spans.

use std::borrow::Cow;

use opentelemetry::KeyValue;
use opentelemetry::trace::{SpanBuilder, SpanKind};

use crate::intern::intern;
use crate::metrics::{CallMetricKind, Identity, MetricShape};
use crate::recent::shared_value;
use crate::redact::{redact_query, redact_url};
use crate::span::{CallKind, CallSpan};
use crate::{Library, emit};

/// The methods `http.request.method` may carry as they are; any other is `_OTHER`.
const KNOWN_METHODS: [&str; 10] = [
    "CONNECT", "DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT", "QUERY", "TRACE",
];

/// `http.request.method` and, for an unknown method, `http.request.method_original`.
fn method_attributes(method: &str) -> (&'static str, Option<&str>) {
    match KNOWN_METHODS.iter().find(|known| **known == method) {
        Some(known) => (known, None),
        None => ("_OTHER", Some(method)),
    }
}

/// The HTTP versions and their `network.protocol.version` names (a `static`: one
/// address per name, which metrics use to find their attributes, see `Identity`).
static PROTOCOL_VERSIONS: [(::http::Version, &str); 5] = [
    (::http::Version::HTTP_09, "0.9"),
    (::http::Version::HTTP_10, "1.0"),
    (::http::Version::HTTP_11, "1.1"),
    (::http::Version::HTTP_2, "2"),
    (::http::Version::HTTP_3, "3"),
];

/// `network.protocol.version` of an HTTP version: `1.1`, `2`, ...
pub fn protocol_version_name(version: ::http::Version) -> Option<&'static str> {
    PROTOCOL_VERSIONS
        .iter()
        .find(|(known, _)| *known == version)
        .map(|(_, name)| *name)
}

/// `version` as an attribute value: one of the names above as it is (a few
/// compares, where interning looked it up in the thread's recent strings), any other
/// interned.
pub(crate) fn protocol_version_value(version: &str) -> Cow<'static, str> {
    match PROTOCOL_VERSIONS.iter().find(|(_, name)| *name == version) {
        Some((_, name)) => Cow::Borrowed(name),
        None => intern(version),
    }
}

/// Describes one outgoing HTTP request; [`start`](HttpClientCall::start) makes its CLIENT span.
///
/// ```
/// use instrument_core::{HttpClientCall, Library};
///
/// let span = HttpClientCall::new(Library::Reqwest, "GET", "https://user:pw@api.example.com/items?sig=abc")
///     .server("api.example.com", 443)
///     .start();
/// span.record_http_status(200);
/// ```
#[derive(Debug, Clone)]
#[must_use = "an HttpClientCall does nothing until `start` makes its span"]
pub struct HttpClientCall<'a> {
    library: Library,
    method: &'a str,
    url: &'a str,
    server: Option<(&'a str, u16)>,
    protocol_version: Option<&'a str>,
    url_template: Option<&'a str>,
    name: Option<String>,
}

/// Attributes every HTTP response adds to a client span: `http.response.status_code`
/// and `network.protocol.version`.
const RESPONSE_ATTRIBUTES: usize = 2;

impl<'a> HttpClientCall<'a> {
    /// A request with this method and full URL, sent through `library`'s wrapper.
    pub fn new(library: Library, method: &'a str, url: &'a str) -> Self {
        HttpClientCall {
            library,
            method,
            url,
            server: None,
            protocol_version: None,
            url_template: None,
            name: None,
        }
    }

    /// Names the span, instead of the method or `{method} {template}` (an
    /// application's [`NameSpan`](crate::hooks::NameSpan) hook).
    pub fn name(mut self, name: String) -> Self {
        self.name = Some(name);
        self
    }

    /// `url.template`: the URL's route with its variable parts named (`/users/{id}`).
    /// The span is then named `{method} {template}`, as the conventions advise.
    pub fn url_template(mut self, template: &'a str) -> Self {
        self.url_template = Some(template);
        self
    }

    /// `server.address` and `server.port` (always recorded for HTTP).
    pub fn server(mut self, address: &'a str, port: u16) -> Self {
        self.server = Some((address, port));
        self
    }

    /// `network.protocol.version` when known before sending (`1.1`, `2`).
    pub fn protocol_version(mut self, version: &'a str) -> Self {
        self.protocol_version = Some(version);
        self
    }

    /// Makes the CLIENT span named by the method (`HTTP` for an unknown one), never the path.
    pub fn start(self) -> CallSpan {
        if !crate::recording(self.library) {
            return CallSpan::none();
        }
        let (method, original) = method_attributes(self.method);
        let name = match self.name {
            Some(name) => Cow::Owned(name),
            None => span_name(method, original, self.url_template),
        };
        // Room for the attributes known now and the two every response adds (status
        // code, protocol version), no more: the vector lives as long as the request, and
        // a fixed eight left two spare for a `GET`'s whole life (112 bytes per request
        // in flight). A failure (`error.type`), a resend, a captured header or a hook's
        // attribute grows it once, to twice the room, for the rest of the request.
        let known_now = 2
            + 2 * usize::from(self.server.is_some())
            + usize::from(self.protocol_version.is_some())
            + usize::from(original.is_some())
            + usize::from(self.url_template.is_some());
        let mut attributes = Vec::with_capacity(known_now + RESPONSE_ATTRIBUTES);
        // The metric's attributes first (see `MetricShape`), then the span's own; where
        // they live written down as they are pushed (see `Identity`).
        let mut identity = Identity::for_metrics();
        identity.push_str(&mut attributes, "http.request.method", method.into());
        if let Some((address, port)) = self.server {
            identity.push_str(&mut attributes, "server.address", intern(address));
            identity.push_int(&mut attributes, "server.port", i64::from(port));
        }
        if let Some(version) = self.protocol_version {
            identity.push_str(
                &mut attributes,
                "network.protocol.version",
                protocol_version_value(version),
            );
        }
        let metric = MetricShape::new(CallMetricKind::HttpClient, &attributes, &identity);
        push_original_method(&mut attributes, original);
        attributes.push(KeyValue::new(
            "url.full",
            shared_value(&redact_url(self.url)),
        ));
        if let Some(template) = self.url_template {
            attributes.push(KeyValue::new("url.template", shared_value(template)));
        }
        debug_assert_eq!(attributes.len(), known_now, "the room counted above");
        let builder = SpanBuilder::from_name(name)
            .with_kind(SpanKind::Client)
            .with_attributes(attributes);
        emit::start_alone(self.library, builder, Some(metric), CallKind::HttpClient)
    }
}

/// Describes one incoming HTTP request; [`start`](HttpServerCall::start) makes its SERVER span.
#[derive(Debug, Clone)]
#[must_use = "an HttpServerCall does nothing until `start` makes its span"]
pub struct HttpServerCall<'a> {
    library: Library,
    method: &'a str,
    path: &'a str,
    scheme: Option<&'a str>,
    query: Option<&'a str>,
    route: Option<&'a str>,
    server: Option<(&'a str, Option<u16>)>,
    protocol_version: Option<&'a str>,
    remote_parent: Option<opentelemetry::Context>,
    sampling_priority: Option<i64>,
    name: Option<String>,
}

impl<'a> HttpServerCall<'a> {
    /// A request with this method and path, received through `library`'s layer.
    pub fn new(library: Library, method: &'a str, path: &'a str) -> Self {
        HttpServerCall {
            library,
            method,
            path,
            scheme: None,
            query: None,
            route: None,
            server: None,
            protocol_version: None,
            remote_parent: None,
            sampling_priority: None,
            name: None,
        }
    }

    /// Names the span, instead of `{method} {route}` (an application's
    /// [`NameSpan`](crate::hooks::NameSpan) hook).
    pub fn name(mut self, name: String) -> Self {
        self.name = Some(name);
        self
    }

    /// Asks for this trace to be kept whatever the sampler would decide
    /// (`sampling.priority = 1`, set at span start, which `instrument`'s sampler honours):
    /// a debug flag on a request.
    pub fn force_sampling(mut self) -> Self {
        self.sampling_priority = Some(1);
        self
    }

    /// The context extracted from the request's headers: the span becomes the child of
    /// the remote caller's span (when the context holds one) instead of the current
    /// span's. Extract it on top of the current context (as the global propagator's
    /// `extract` does), so that what the current context carries for the process, such
    /// as a test's capture, is kept.
    pub fn remote_parent(mut self, context: opentelemetry::Context) -> Self {
        self.remote_parent = Some(context);
        self
    }

    /// `url.scheme` (`http`, `https`).
    pub fn scheme(mut self, scheme: &'a str) -> Self {
        self.scheme = Some(scheme);
        self
    }

    /// `url.query`, without the `?`.
    pub fn query(mut self, query: &'a str) -> Self {
        self.query = Some(query);
        self
    }

    /// `http.route`: the matched route template (`/users/{id}`), never the raw path.
    pub fn route(mut self, route: &'a str) -> Self {
        self.route = Some(route);
        self
    }

    /// `server.address` and `server.port` as the client addressed them (`Host`).
    pub fn server(mut self, address: &'a str, port: Option<u16>) -> Self {
        self.server = Some((address, port));
        self
    }

    /// `network.protocol.version` (`1.1`, `2`).
    pub fn protocol_version(mut self, version: &'a str) -> Self {
        self.protocol_version = Some(version);
        self
    }

    /// Makes the SERVER span named `{method} {route}`, or `{method}` without a route.
    pub fn start(self) -> CallSpan {
        if !crate::recording(self.library) {
            return CallSpan::none();
        }
        let (method, original) = method_attributes(self.method);
        let name = match self.name {
            Some(name) => Cow::Owned(name),
            None => span_name(method, original, self.route),
        };
        // Room for the attributes known now and the status code every response adds,
        // as for a client span (a fixed ten left one to three spare for the request's
        // whole life).
        let known_now = 2
            + usize::from(self.route.is_some())
            + usize::from(self.scheme.is_some())
            + usize::from(self.protocol_version.is_some())
            + usize::from(original.is_some())
            + usize::from(self.query.is_some())
            + self
                .server
                .map_or(0, |(_, port)| 1 + usize::from(port.is_some()))
            + usize::from(self.sampling_priority.is_some());
        let mut attributes = Vec::with_capacity(known_now + 1);
        // The metric's attributes first (see `MetricShape`), then the span's own; where
        // they live written down as they are pushed (see `Identity`).
        let mut identity = Identity::for_metrics();
        identity.push_str(&mut attributes, "http.request.method", method.into());
        if let Some(route) = self.route {
            identity.push_str(&mut attributes, "http.route", intern(route));
        }
        if let Some(scheme) = self.scheme {
            identity.push_str(&mut attributes, "url.scheme", intern(scheme));
        }
        if let Some(version) = self.protocol_version {
            identity.push_str(
                &mut attributes,
                "network.protocol.version",
                protocol_version_value(version),
            );
        }
        let metric = MetricShape::new(CallMetricKind::HttpServer, &attributes, &identity);
        push_original_method(&mut attributes, original);
        attributes.push(KeyValue::new("url.path", shared_value(self.path)));
        if let Some(query) = self.query {
            // The query, with signature values redacted as in `url.full`.
            attributes.push(KeyValue::new(
                "url.query",
                shared_value(&redact_query(query)),
            ));
        }
        if let Some((address, port)) = self.server {
            attributes.push(KeyValue::new("server.address", intern(address)));
            if let Some(port) = port {
                attributes.push(KeyValue::new("server.port", i64::from(port)));
            }
        }
        if let Some(priority) = self.sampling_priority {
            attributes.push(KeyValue::new("sampling.priority", priority));
        }
        debug_assert_eq!(attributes.len(), known_now, "the room counted above");
        let builder = SpanBuilder::from_name(name)
            .with_kind(SpanKind::Server)
            .with_attributes(attributes);
        let (started, metric) = emit::start(
            self.library,
            builder,
            self.remote_parent.as_ref(),
            Some(metric),
        );
        CallSpan::in_context(started, CallKind::HttpServer, metric)
    }
}

/// `{method} {target}` (a route or URL template), or the method alone; an unknown method
/// shows as `HTTP`.
fn span_name(
    method: &'static str,
    original: Option<&str>,
    target: Option<&str>,
) -> Cow<'static, str> {
    let shown = if original.is_some() { "HTTP" } else { method };
    match target {
        Some(target) => Cow::Owned(format!("{shown} {target}")),
        None => Cow::Borrowed(shown),
    }
}

/// `http.request.method_original`, for a method the conventions do not know.
fn push_original_method(attributes: &mut Vec<KeyValue>, original: Option<&str>) {
    if let Some(original) = original {
        attributes.push(KeyValue::new(
            "http.request.method_original",
            original.to_owned(),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_methods_are_other_with_the_original_kept() {
        assert_eq!(method_attributes("GET"), ("GET", None));
        assert_eq!(method_attributes("get"), ("_OTHER", Some("get")));
        assert_eq!(method_attributes("PURGE"), ("_OTHER", Some("PURGE")));
    }

    #[test]
    fn protocol_versions_are_named_and_kept_as_they_are() {
        for version in [
            ::http::Version::HTTP_09,
            ::http::Version::HTTP_10,
            ::http::Version::HTTP_11,
            ::http::Version::HTTP_2,
            ::http::Version::HTTP_3,
        ] {
            let name = protocol_version_name(version).expect("a name for every version");
            assert!(matches!(protocol_version_value(name), Cow::Borrowed(kept) if kept == name));
        }
        assert_eq!(protocol_version_name(::http::Version::HTTP_11), Some("1.1"));
        assert_eq!(protocol_version_name(::http::Version::HTTP_2), Some("2"));
        // Any other name still makes a value, equal to it.
        assert_eq!(protocol_version_value("4"), "4");
    }
}
