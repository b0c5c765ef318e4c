//! What a client records beyond the conventions' defaults, set on its builder.

use std::sync::Arc;

use http::HeaderName;
use instrument_core::CallSpan;

type UrlTemplate = dyn Fn(&reqwest::Request) -> Option<String> + Send + Sync;
type Skip = dyn Fn(&reqwest::Request) -> bool + Send + Sync;
type OnRequest = dyn Fn(&reqwest::Request, &CallSpan) + Send + Sync;
type OnResponse = dyn Fn(&reqwest::Response, &CallSpan) + Send + Sync;

/// A client's recording options, shared by its requests.
#[derive(Clone, Default)]
pub(crate) struct Options {
    pub(crate) request_headers: Vec<HeaderName>,
    pub(crate) response_headers: Vec<HeaderName>,
    pub(crate) url_template: Option<Arc<UrlTemplate>>,
    pub(crate) skip: Option<Arc<Skip>>,
    pub(crate) on_request: Option<Arc<OnRequest>>,
    pub(crate) on_response: Option<Arc<OnResponse>>,
}

impl std::fmt::Debug for Options {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Options")
            .field("request_headers", &self.request_headers)
            .field("response_headers", &self.response_headers)
            .field("url_template", &self.url_template.is_some())
            .field("skip", &self.skip.is_some())
            .field("on_request", &self.on_request.is_some())
            .field("on_response", &self.on_response.is_some())
            .finish()
    }
}

/// Header names as given, lower-cased; a name that is not a valid header name is
/// reported once and left out.
pub(crate) fn header_names<I, N>(names: I) -> Vec<HeaderName>
where
    I: IntoIterator<Item = N>,
    N: AsRef<str>,
{
    names
        .into_iter()
        .filter_map(|name| {
            let name = name.as_ref();
            match HeaderName::from_bytes(name.to_ascii_lowercase().as_bytes()) {
                Ok(header) => Some(header),
                Err(_) => {
                    instrument_core::warn_config(&format!(
                        "instrument-reqwest: {name:?} is not a header name; not captured"
                    ));
                    None
                }
            }
        })
        .collect()
}

/// Records the named headers of `headers` as `{prefix}.{name}` string arrays.
pub(crate) fn capture_headers(
    span: &CallSpan,
    prefix: &str,
    names: &[HeaderName],
    headers: &http::HeaderMap,
) {
    for name in names {
        let values: Vec<opentelemetry::StringValue> = headers
            .get_all(name)
            .iter()
            .map(|value| {
                String::from_utf8_lossy(value.as_bytes())
                    .into_owned()
                    .into()
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
