//! [`HttpClientCall`] and [`HttpServerCall`]: descriptions of HTTP requests, from which
//! core makes CLIENT and SERVER spans.

use std::borrow::Cow;

use opentelemetry::KeyValue;
use opentelemetry::trace::{SpanBuilder, SpanKind};

use crate::intern::intern;
use crate::span::{CallKind, CallSpan};
use crate::{Library, emit};

/// The methods `http.request.method` may carry as they are; any other is `_OTHER`.
const KNOWN_METHODS: [&str; 10] = [
    "CONNECT", "DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT", "QUERY", "TRACE",
];

/// Query keys whose values never reach `url.full`.
const REDACTED_QUERY_KEYS: [&str; 7] = [
    "AWSAccessKeyId",
    "Signature",
    "sig",
    "X-Goog-Signature",
    "X-Amz-Signature",
    "X-Amz-Credential",
    "X-Amz-Security-Token",
];

const REDACTED: &str = "REDACTED";

/// `http.request.method` and, for an unknown method, `http.request.method_original`.
fn method_attributes(method: &str) -> (&'static str, Option<&str>) {
    match KNOWN_METHODS.iter().find(|known| **known == method) {
        Some(known) => (known, None),
        None => ("_OTHER", Some(method)),
    }
}

/// `url.full` with userinfo replaced by `REDACTED:REDACTED` and the values of signing query
/// keys replaced by `REDACTED`. Works on the text alone and never fails: a string that is
/// not a URL comes back with the same rules applied as far as they fit.
pub fn redact_url(url: &str) -> Cow<'_, str> {
    // Without userinfo or a query there is nothing to redact: one pass over the bytes
    // answers for most URLs.
    if !url.bytes().any(|byte| byte == b'@' || byte == b'?') {
        return Cow::Borrowed(url);
    }
    let authority_start = url
        .as_bytes()
        .windows(3)
        .position(|window| window == b"://")
        .map_or(0, |i| i + 3);
    let rest = &url[authority_start..];
    let authority_len = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let userinfo_end = rest[..authority_len]
        .rfind('@')
        .map(|i| authority_start + i);

    let query = url.find('?').map(|start| {
        let end = url[start..].find('#').map_or(url.len(), |i| start + i);
        (start + 1, end)
    });
    let query_needs_redaction = query.is_some_and(|(start, end)| needs_redaction(&url[start..end]));
    if userinfo_end.is_none() && !query_needs_redaction {
        return Cow::Borrowed(url);
    }

    let mut out = String::with_capacity(url.len());
    let mut copied_to = 0;
    if let Some(end) = userinfo_end {
        out.push_str(&url[..authority_start]);
        out.push_str("REDACTED:REDACTED");
        copied_to = end;
    }
    if let (Some((start, end)), true) = (query, query_needs_redaction) {
        out.push_str(&url[copied_to..start]);
        push_redacted_query(&mut out, &url[start..end]);
        copied_to = end;
    }
    out.push_str(&url[copied_to..]);
    Cow::Owned(out)
}

/// A query string (without `?`) with the values of signing keys replaced by `REDACTED`,
/// as in [`redact_url`].
pub fn redact_query(query: &str) -> Cow<'_, str> {
    if !needs_redaction(query) {
        return Cow::Borrowed(query);
    }
    let mut out = String::with_capacity(query.len());
    push_redacted_query(&mut out, query);
    Cow::Owned(out)
}

/// Does `query` hold a value of a signing key?
fn needs_redaction(query: &str) -> bool {
    query.split('&').any(|pair| {
        pair.split_once('=')
            .is_some_and(|(key, _)| REDACTED_QUERY_KEYS.contains(&key))
    })
}

/// Appends `query` to `out` with the values of signing keys replaced.
fn push_redacted_query(out: &mut String, query: &str) {
    for (i, pair) in query.split('&').enumerate() {
        if i > 0 {
            out.push('&');
        }
        match pair.split_once('=') {
            Some((key, _)) if REDACTED_QUERY_KEYS.contains(&key) => {
                out.push_str(key);
                out.push('=');
                out.push_str(REDACTED);
            }
            _ => out.push_str(pair),
        }
    }
}

/// `network.protocol.version` of an HTTP version: `1.1`, `2`, ...
pub fn protocol_version_name(version: ::http::Version) -> Option<&'static str> {
    match version {
        ::http::Version::HTTP_09 => Some("0.9"),
        ::http::Version::HTTP_10 => Some("1.0"),
        ::http::Version::HTTP_11 => Some("1.1"),
        ::http::Version::HTTP_2 => Some("2"),
        ::http::Version::HTTP_3 => Some("3"),
        _ => None,
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
}

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
        }
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
        let name = span_name(method, original, self.url_template);
        let mut attributes = Vec::with_capacity(8);
        push_method(&mut attributes, method, original);
        attributes.push(KeyValue::new("url.full", redact_url(self.url).into_owned()));
        if let Some((address, port)) = self.server {
            attributes.push(KeyValue::new("server.address", intern(address)));
            attributes.push(KeyValue::new("server.port", i64::from(port)));
        }
        if let Some(version) = self.protocol_version {
            attributes.push(KeyValue::new("network.protocol.version", intern(version)));
        }
        if let Some(template) = self.url_template {
            attributes.push(KeyValue::new("url.template", template.to_owned()));
        }
        let builder = SpanBuilder::from_name(name)
            .with_kind(SpanKind::Client)
            .with_attributes(attributes);
        CallSpan::new(
            emit::start(self.library, builder, None),
            CallKind::HttpClient,
        )
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
        }
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
        let name = span_name(method, original, self.route);
        let mut attributes = Vec::with_capacity(10);
        push_method(&mut attributes, method, original);
        if let Some(route) = self.route {
            attributes.push(KeyValue::new("http.route", intern(route)));
        }
        attributes.push(KeyValue::new("url.path", self.path.to_owned()));
        if let Some(scheme) = self.scheme {
            attributes.push(KeyValue::new("url.scheme", scheme.to_owned()));
        }
        if let Some(query) = self.query {
            // The query, with signature values redacted as in `url.full`.
            attributes.push(KeyValue::new("url.query", redact_query(query).into_owned()));
        }
        if let Some((address, port)) = self.server {
            attributes.push(KeyValue::new("server.address", intern(address)));
            if let Some(port) = port {
                attributes.push(KeyValue::new("server.port", i64::from(port)));
            }
        }
        if let Some(version) = self.protocol_version {
            attributes.push(KeyValue::new("network.protocol.version", intern(version)));
        }
        if let Some(priority) = self.sampling_priority {
            attributes.push(KeyValue::new("sampling.priority", priority));
        }
        let builder = SpanBuilder::from_name(name)
            .with_kind(SpanKind::Server)
            .with_attributes(attributes);
        CallSpan::new(
            emit::start(self.library, builder, self.remote_parent.as_ref()),
            CallKind::HttpServer,
        )
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

/// `http.request.method` and, for an unknown method, `http.request.method_original`.
fn push_method(attributes: &mut Vec<KeyValue>, method: &'static str, original: Option<&str>) {
    attributes.push(KeyValue::new("http.request.method", method));
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
    fn a_query_alone_is_redacted_and_borrowed_when_clean() {
        assert_eq!(redact_query("a=1&sig=x"), "a=1&sig=REDACTED");
        assert!(matches!(redact_query("a=1&b=2"), Cow::Borrowed("a=1&b=2")));
    }

    #[test]
    fn userinfo_is_redacted() {
        assert_eq!(
            redact_url("https://user:secret@example.com:8443/a?b=c#d"),
            "https://REDACTED:REDACTED@example.com:8443/a?b=c#d"
        );
    }

    #[test]
    fn signing_query_values_are_redacted_and_keys_kept() {
        assert_eq!(
            redact_url("https://s3.example.com/o?X-Amz-Signature=abc&x=1&sig=zz&Signature=q#frag"),
            "https://s3.example.com/o?X-Amz-Signature=REDACTED&x=1&sig=REDACTED&Signature=REDACTED#frag"
        );
    }

    #[test]
    fn a_plain_url_is_borrowed_unchanged() {
        let url = "http://127.0.0.1:8080/health?verbose=1";
        assert!(matches!(redact_url(url), Cow::Borrowed(u) if u == url));
    }

    #[test]
    fn an_at_sign_in_the_path_is_not_userinfo() {
        let url = "https://example.com/users/@me?sig=1";
        assert_eq!(
            redact_url(url),
            "https://example.com/users/@me?sig=REDACTED"
        );
    }

    #[test]
    fn text_that_is_not_a_url_does_not_panic() {
        for text in [
            "",
            "?",
            "@",
            "://",
            "a@b?sig",
            "?sig=1&&=&",
            "é@é?Signature=é",
        ] {
            let _ = redact_url(text);
        }
        assert_eq!(
            redact_url("é@é?Signature=é"),
            "REDACTED:REDACTED@é?Signature=REDACTED"
        );
    }

    #[test]
    fn unknown_methods_are_other_with_the_original_kept() {
        assert_eq!(method_attributes("GET"), ("GET", None));
        assert_eq!(method_attributes("get"), ("_OTHER", Some("get")));
        assert_eq!(method_attributes("PURGE"), ("_OTHER", Some("PURGE")));
    }
}
