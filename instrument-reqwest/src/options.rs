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

/// The option setters, with their docs, for a builder whose `options_mut()` gives its
/// [`Options`]: the client builder and the middleware offer the same.
macro_rules! option_setters {
    () => {
        /// Records these request headers, by name, as `http.request.header.<name>` (a
        /// list of the values). Headers are recorded only when named: they often carry
        /// secrets.
        pub fn capture_request_headers<I, N>(mut self, names: I) -> Self
        where
            I: IntoIterator<Item = N>,
            N: AsRef<str>,
        {
            self.options_mut().request_headers = $crate::options::header_names(names);
            self
        }

        /// Records these response headers, by name, as `http.response.header.<name>`.
        pub fn capture_response_headers<I, N>(mut self, names: I) -> Self
        where
            I: IntoIterator<Item = N>,
            N: AsRef<str>,
        {
            self.options_mut().response_headers = $crate::options::header_names(names);
            self
        }

        /// Gives a request its `url.template` (`/users/{id}`): the span is then named
        /// `{method} {template}`, grouping requests that differ only in ids.
        pub fn url_template(
            mut self,
            template: impl Fn(&reqwest::Request) -> Option<String> + Send + Sync + 'static,
        ) -> Self {
            self.options_mut().url_template = Some(::std::sync::Arc::new(template));
            self
        }

        /// Makes no span for requests `skip` picks out (health checks, metrics scrapes);
        /// they are sent as reqwest sends them.
        pub fn skip_tracing_if(
            mut self,
            skip: impl Fn(&reqwest::Request) -> bool + Send + Sync + 'static,
        ) -> Self {
            self.options_mut().skip = Some(::std::sync::Arc::new(skip));
            self
        }

        /// Called with each request and its span before it is sent, to add attributes
        /// (`span.set_dynamic_attribute`).
        pub fn on_request(
            mut self,
            hook: impl Fn(&reqwest::Request, &::instrument_core::CallSpan) + Send + Sync + 'static,
        ) -> Self {
            self.options_mut().on_request = Some(::std::sync::Arc::new(hook));
            self
        }

        /// Called with each response and its span when the response head arrives.
        pub fn on_response(
            mut self,
            hook: impl Fn(&reqwest::Response, &::instrument_core::CallSpan) + Send + Sync + 'static,
        ) -> Self {
            self.options_mut().on_response = Some(::std::sync::Arc::new(hook));
            self
        }
    };
}

pub(crate) use option_setters;

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
