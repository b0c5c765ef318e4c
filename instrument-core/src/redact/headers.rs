//! Captured HTTP headers, with the values of credential headers replaced by `REDACTED`.

use http::{HeaderMap, HeaderName};

use super::REDACTED;
use crate::CallSpan;

/// Headers that carry credentials whatever their value looks like.
const SENSITIVE_HEADERS: [&str; 6] = [
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
    "www-authenticate",
    "proxy-authenticate",
];

/// A header whose name holds any of these (lower-cased, without `-` and `_`) is taken
/// for a credential: `x-api-key`, `x-auth-token`, `x-amz-security-token`,
/// `x-csrf-token`, `x-goog-api-key`, `x-session-id`, `x-client-secret`,
/// `x-access-key`, `x-jwt`, ...
const SENSITIVE_PARTS: [&str; 14] = [
    "apikey",
    "token",
    "secret",
    "passw",
    "passcode",
    "auth",
    "session",
    "signature",
    "credential",
    "cookie",
    "accesskey",
    "privatekey",
    "jwt",
    "otp",
];

/// Is the value of header `name` a credential, to be recorded as `REDACTED` even when
/// the header is named for capture? `authorization`, `proxy-authorization`, `cookie`,
/// `set-cookie`, any name ending in `-key` or `_key` (`x-functions-key`,
/// `ocp-apim-subscription-key`), and any name holding `api-key`, `token`, `secret`,
/// `password`, `passcode`, `auth`, `session`, `signature`, `credential`, `cookie`,
/// `access-key`, `private-key`, `jwt` or `otp`.
pub fn is_sensitive_header(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    if SENSITIVE_HEADERS.contains(&lower.as_str())
        || lower.ends_with("-key")
        || lower.ends_with("_key")
    {
        return true;
    }
    let squashed: String = lower.chars().filter(|c| !matches!(c, '-' | '_')).collect();
    SENSITIVE_PARTS.iter().any(|part| squashed.contains(part))
}

/// A captured value as recorded: for the headers whose values are URLs or hold some,
/// the URLs redacted as `url.full` is (a `Location` to an OAuth callback carries its
/// `code`, a `Referer` a reset link's `token`).
fn recorded_value(name: &HeaderName, value: &http::HeaderValue) -> String {
    let text = String::from_utf8_lossy(value.as_bytes());
    match name.as_str() {
        // The whole value is one URL, absolute or relative.
        "location" | "content-location" | "referer" => super::redact_url(&text).into_owned(),
        // URLs inside (`<https://…>; rel="next"`, `5; url=https://…`).
        "link" | "refresh" => super::redact_urls_in_text(&text).into_owned(),
        _ => text.into_owned(),
    }
}

/// Which headers a wrapper records, as `http.request.header.<name>` or
/// `http.response.header.<name>` string arrays. The values of sensitive headers (see
/// [`is_sensitive_header`]) are recorded as `REDACTED` unless named in
/// [`unredacted`](Self::unredacted).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HeaderCapture {
    names: Vec<(HeaderName, bool)>,
}

impl HeaderCapture {
    /// Captures these headers (names in any case). A name that is not a valid header
    /// name gives one warning naming `library` and is left out.
    pub fn new<I, N>(library: &str, names: I) -> Self
    where
        I: IntoIterator<Item = N>,
        N: AsRef<str>,
    {
        let names = names
            .into_iter()
            .filter_map(|name| {
                let name = name.as_ref();
                match HeaderName::from_bytes(name.to_ascii_lowercase().as_bytes()) {
                    Ok(header) => {
                        let redact = is_sensitive_header(header.as_str());
                        Some((header, redact))
                    }
                    Err(_) => {
                        crate::warn_config(&format!(
                            "{library}: {name:?} is not a header name; not captured"
                        ));
                        None
                    }
                }
            })
            .collect();
        HeaderCapture { names }
    }

    /// Records the real values of these captured headers even though their names mark
    /// them as credentials: an explicit opt-out, header by header (names in any case).
    #[must_use]
    pub fn unredacted<I, N>(mut self, names: I) -> Self
    where
        I: IntoIterator<Item = N>,
        N: AsRef<str>,
    {
        let names: Vec<String> = names
            .into_iter()
            .map(|name| name.as_ref().to_ascii_lowercase())
            .collect();
        for (header, redact) in &mut self.names {
            if names.iter().any(|name| name == header.as_str()) {
                *redact = false;
            }
        }
        self
    }

    /// Are no headers captured?
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// Records the captured headers present in `headers` on `span`, as
    /// `{prefix}.{name}` (`prefix` is `http.request.header` or `http.response.header`).
    pub fn record(&self, span: &CallSpan, prefix: &str, headers: &HeaderMap) {
        if !span.is_recording() {
            return;
        }
        for (name, redact) in &self.names {
            let values: Vec<opentelemetry::StringValue> = headers
                .get_all(name)
                .iter()
                .map(|value| {
                    if *redact {
                        REDACTED.into()
                    } else {
                        recorded_value(name, value).into()
                    }
                })
                .collect();
            if !values.is_empty() {
                span.set_dynamic_attribute(
                    format!("{prefix}.{name}"),
                    opentelemetry::Value::Array(values.into()),
                );
            }
        }
    }
}

/// The headers an HTTP wrapper records in both directions, with the credential headers
/// named to be recorded as they are: what a client's or a server layer's
/// `capture_request_headers`, `capture_response_headers` and
/// `record_sensitive_header_values` set.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HeaderCaptures {
    library: &'static str,
    request: HeaderCapture,
    response: HeaderCapture,
    unredacted: Vec<String>,
}

impl HeaderCaptures {
    /// None captured yet; `library` names the wrapper in warnings.
    pub fn new(library: &'static str) -> Self {
        HeaderCaptures {
            library,
            ..Self::default()
        }
    }

    /// Records these request headers (replacing any named before).
    pub fn capture_request<I, N>(&mut self, names: I)
    where
        I: IntoIterator<Item = N>,
        N: AsRef<str>,
    {
        self.request = HeaderCapture::new(self.library, names).unredacted(&self.unredacted);
    }

    /// Records these response headers (replacing any named before).
    pub fn capture_response<I, N>(&mut self, names: I)
    where
        I: IntoIterator<Item = N>,
        N: AsRef<str>,
    {
        self.response = HeaderCapture::new(self.library, names).unredacted(&self.unredacted);
    }

    /// Records the real values of these credential headers, in both directions, when
    /// they are captured.
    pub fn record_sensitive_values<I, N>(&mut self, names: I)
    where
        I: IntoIterator<Item = N>,
        N: AsRef<str>,
    {
        self.unredacted.extend(
            names
                .into_iter()
                .map(|name| name.as_ref().to_ascii_lowercase()),
        );
        self.request = std::mem::take(&mut self.request).unredacted(&self.unredacted);
        self.response = std::mem::take(&mut self.response).unredacted(&self.unredacted);
    }

    /// Whether any response header is captured.
    pub fn captures_responses(&self) -> bool {
        !self.response.is_empty()
    }

    /// Records the captured request headers as `http.request.header.<name>`.
    pub fn record_request(&self, span: &CallSpan, headers: &HeaderMap) {
        self.request.record(span, "http.request.header", headers);
    }

    /// Records the captured response headers as `http.response.header.<name>`.
    pub fn record_response(&self, span: &CallSpan, headers: &HeaderMap) {
        self.response.record(span, "http.response.header", headers);
    }
}

/// The header-capture methods of an HTTP wrapper's builder (`capture_request_headers`,
/// `capture_response_headers`, `record_sensitive_header_values`), with their docs, for
/// a type whose `header_captures_mut()` gives its [`HeaderCaptures`]: the reqwest
/// client, its middleware and the tower layer offer the same.
#[doc(hidden)]
#[macro_export]
macro_rules! header_capture_methods {
    () => {
        /// Records these request headers, by name, as `http.request.header.<name>` (a
        /// list of the values). Headers are recorded only when named: they often carry
        /// secrets, and the values of credential headers (`authorization`, `cookie`,
        /// `x-api-key`, any name with `token`, `secret`, `session`, ...: see
        /// [`is_sensitive_header`](instrument_core::redact::is_sensitive_header)) are
        /// recorded as `REDACTED` even when named, unless named again in
        /// [`record_sensitive_header_values`](Self::record_sensitive_header_values).
        pub fn capture_request_headers<I, N>(mut self, names: I) -> Self
        where
            I: IntoIterator<Item = N>,
            N: AsRef<str>,
        {
            self.header_captures_mut().capture_request(names);
            self
        }

        /// Records these response headers, by name, as `http.response.header.<name>`,
        /// with credential headers (`set-cookie`, ...) `REDACTED` as for requests.
        pub fn capture_response_headers<I, N>(mut self, names: I) -> Self
        where
            I: IntoIterator<Item = N>,
            N: AsRef<str>,
        {
            self.header_captures_mut().capture_response(names);
            self
        }

        /// Records the real values of these captured headers although they carry
        /// credentials: an explicit opt-out, header by header. Naming a header here
        /// does not capture it; name it in `capture_request_headers` or
        /// `capture_response_headers` too.
        pub fn record_sensitive_header_values<I, N>(mut self, names: I) -> Self
        where
            I: IntoIterator<Item = N>,
            N: AsRef<str>,
        {
            self.header_captures_mut().record_sensitive_values(names);
            self
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credential_headers_are_sensitive_and_ordinary_ones_are_not() {
        for name in [
            "Authorization",
            "proxy-authorization",
            "Cookie",
            "set-cookie",
            "x-api-key",
            "X-Auth-Token",
            "x-amz-security-token",
            "x-csrf-token",
            "api_key",
            "x-session-id",
            "x-client-secret",
            "x-access-key",
            "x-private-key",
            "x-jwt",
            "x-functions-key",
            "Ocp-Apim-Subscription-Key",
            "x-github-otp",
            "x-passcode",
        ] {
            assert!(is_sensitive_header(name), "{name}");
        }
        for name in [
            "content-type",
            "x-request-id",
            "accept",
            "user-agent",
            "traceparent",
        ] {
            assert!(!is_sensitive_header(name), "{name}");
        }
    }

    #[test]
    fn urls_in_captured_headers_are_redacted_as_url_full_is() {
        let value = |name: &'static str, text: &'static str| {
            recorded_value(
                &HeaderName::from_static(name),
                &http::HeaderValue::from_static(text),
            )
        };
        assert_eq!(
            value("location", "https://app.example/cb?code=AUTHCODE&state=s1"),
            "https://app.example/cb?code=REDACTED&state=s1"
        );
        assert_eq!(
            value("location", "/cb?code=AUTHCODE"),
            "/cb?code=REDACTED",
            "a relative location"
        );
        assert_eq!(
            value("referer", "https://u:p@site.example/reset?token=T0KEN"),
            "https://REDACTED:REDACTED@site.example/reset?token=REDACTED"
        );
        assert_eq!(
            value(
                "link",
                r#"<https://api.example/items?page=2&sig=S1G>; rel="next""#
            ),
            r#"<https://api.example/items?page=2&sig=REDACTED>; rel="next""#
        );
        assert_eq!(value("x-request-id", "?code=kept"), "?code=kept");
    }

    #[test]
    fn only_an_explicit_opt_out_records_a_credential() {
        let capture =
            HeaderCapture::new("test", ["Authorization", "x-api-key", "x-id", "bad name"])
                .unredacted(["X-API-KEY"]);
        let redact: Vec<(&str, bool)> = capture
            .names
            .iter()
            .map(|(name, redact)| (name.as_str(), *redact))
            .collect();
        assert_eq!(
            redact,
            [
                ("authorization", true),
                ("x-api-key", false),
                ("x-id", false)
            ]
        );
    }
}
