//! What a client records beyond the conventions' defaults, set on its builder.

use std::sync::Arc;

use instrument_core::CallSpan;
use instrument_core::redact::HeaderCapture;

type UrlTemplate = dyn Fn(&reqwest::Request) -> Option<String> + Send + Sync;
type Skip = dyn Fn(&reqwest::Request) -> bool + Send + Sync;
type OnRequest = dyn Fn(&reqwest::Request, &CallSpan) + Send + Sync;
type OnResponse = dyn Fn(&reqwest::Response, &CallSpan) + Send + Sync;

/// A client's recording options, shared by its requests.
#[derive(Clone, Default)]
pub(crate) struct Options {
    pub(crate) request_headers: HeaderCapture,
    pub(crate) response_headers: HeaderCapture,
    /// Headers named to be recorded as they are even though they carry credentials.
    pub(crate) unredacted_headers: Vec<String>,
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
            .field("unredacted_headers", &self.unredacted_headers)
            .field("url_template", &self.url_template.is_some())
            .field("skip", &self.skip.is_some())
            .field("on_request", &self.on_request.is_some())
            .field("on_response", &self.on_response.is_some())
            .finish()
    }
}

impl Options {
    /// Captures these headers, with the opt-outs named so far.
    pub(crate) fn header_capture<I, N>(&self, names: I) -> HeaderCapture
    where
        I: IntoIterator<Item = N>,
        N: AsRef<str>,
    {
        HeaderCapture::new("instrument-reqwest", names).unredacted(&self.unredacted_headers)
    }

    /// Records these credential headers as they are, in both directions.
    pub(crate) fn record_sensitive_header_values<I, N>(&mut self, names: I)
    where
        I: IntoIterator<Item = N>,
        N: AsRef<str>,
    {
        self.unredacted_headers.extend(
            names
                .into_iter()
                .map(|name| name.as_ref().to_ascii_lowercase()),
        );
        self.request_headers = self
            .request_headers
            .clone()
            .unredacted(&self.unredacted_headers);
        self.response_headers = self
            .response_headers
            .clone()
            .unredacted(&self.unredacted_headers);
    }
}

/// The option setters, with their docs, for a builder whose `options_mut()` gives its
/// [`Options`]: the client builder and the middleware offer the same.
macro_rules! option_setters {
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
            let options = self.options_mut();
            options.request_headers = options.header_capture(names);
            self
        }

        /// Records these response headers, by name, as `http.response.header.<name>`,
        /// with credential headers (`set-cookie`, ...) `REDACTED` as for requests.
        pub fn capture_response_headers<I, N>(mut self, names: I) -> Self
        where
            I: IntoIterator<Item = N>,
            N: AsRef<str>,
        {
            let options = self.options_mut();
            options.response_headers = options.header_capture(names);
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
            self.options_mut().record_sensitive_header_values(names);
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
