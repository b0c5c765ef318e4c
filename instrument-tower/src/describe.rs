//! What a request says about itself, for its span.

use http::Request;
use instrument_core::propagation::HeaderExtractor;
use instrument_core::{CallSpan, HttpServerCall, Library};

/// Starts the SERVER span of `request`, child of the caller's context when its headers
/// carry one.
pub(crate) fn start_span<B>(
    request: &Request<B>,
    force_sampling: bool,
    name: Option<String>,
) -> CallSpan {
    let parent = opentelemetry::global::get_text_map_propagator(|propagator| {
        propagator.extract(&HeaderExtractor(request.headers()))
    });
    let uri = request.uri();
    let scheme = uri.scheme_str().unwrap_or("http");
    let (address, port) = server(request);
    let mut call = HttpServerCall::new(Library::Tower, request.method().as_str(), uri.path())
        .scheme(scheme)
        .remote_parent(parent);
    if let Some(query) = uri.query() {
        call = call.query(query);
    }
    if let Some(route) = route(request.extensions()) {
        call = call.route(route);
    }
    if let Some(name) = name {
        call = call.name(name);
    }
    if let Some(address) = address {
        call = call.server(address, port);
    }
    if let Some(version) = instrument_core::protocol_version_name(request.version()) {
        call = call.protocol_version(version);
    }
    if force_sampling {
        call = call.force_sampling();
    }
    call.start()
}

/// `server.address` and `server.port`: the URI's authority (HTTP/2, absolute-form), else
/// the `Host` header.
fn server<B>(request: &Request<B>) -> (Option<&str>, Option<u16>) {
    if let Some(authority) = request.uri().authority() {
        return (Some(authority.host()), authority.port_u16());
    }
    let Some(host) = request
        .headers()
        .get(http::header::HOST)
        .and_then(|value| value.to_str().ok())
    else {
        return (None, None);
    };
    split_host(host)
}

/// `host[:port]`, `[v6]:port`; the address without brackets. A port that is not a
/// number is left out.
fn split_host(host: &str) -> (Option<&str>, Option<u16>) {
    if let Some(rest) = host.strip_prefix('[') {
        let Some((address, after)) = rest.split_once(']') else {
            return (None, None);
        };
        let port = after.strip_prefix(':').and_then(|p| p.parse().ok());
        return (Some(address), port);
    }
    match host.rsplit_once(':') {
        Some((address, port)) => (Some(address), port.parse().ok()),
        None => (Some(host), None),
    }
}

/// The route the router matched (`/users/{id}`), when known.
#[cfg(feature = "axum")]
pub(crate) fn route(extensions: &http::Extensions) -> Option<&str> {
    extensions
        .get::<axum::extract::MatchedPath>()
        .map(axum::extract::MatchedPath::as_str)
}

#[cfg(not(feature = "axum"))]
pub(crate) fn route(_extensions: &http::Extensions) -> Option<&str> {
    None
}

#[cfg(test)]
mod tests {
    use super::split_host;

    #[test]
    fn host_headers_split_into_address_and_port() {
        assert_eq!(
            split_host("api.example.com"),
            (Some("api.example.com"), None)
        );
        assert_eq!(split_host("api:8080"), (Some("api"), Some(8080)));
        assert_eq!(split_host("[::1]:3000"), (Some("::1"), Some(3000)));
        assert_eq!(split_host("[::1]"), (Some("::1"), None));
        assert_eq!(split_host("api:x"), (Some("api"), None));
        assert_eq!(split_host("[::1"), (None, None));
    }
}
