//! What a client records beyond the conventions' defaults, set on its builder.

use std::sync::Arc;

use instrument_core::hooks::{NameSpan, OnEnd, OnStart, SkipIf};
use instrument_core::redact::HeaderCaptures;

type UrlTemplate = dyn Fn(&reqwest::Request) -> Option<String> + Send + Sync;
type Skip = dyn SkipIf<reqwest::Request>;
type Name = dyn NameSpan<reqwest::Request>;
type OnRequest = dyn OnStart<reqwest::Request>;
type OnResponse = dyn OnEnd<reqwest::Response>;

/// A client's recording options, shared by its requests.
#[derive(Clone)]
pub(crate) struct Options {
    pub(crate) headers: HeaderCaptures,
    pub(crate) url_template: Option<Arc<UrlTemplate>>,
    pub(crate) skip: Option<Arc<Skip>>,
    pub(crate) name: Option<Arc<Name>>,
    pub(crate) on_request: Option<Arc<OnRequest>>,
    pub(crate) on_response: Option<Arc<OnResponse>>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            headers: HeaderCaptures::new("instrument-reqwest"),
            url_template: None,
            skip: None,
            name: None,
            on_request: None,
            on_response: None,
        }
    }
}

impl std::fmt::Debug for Options {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Options")
            .field("headers", &self.headers)
            .field("url_template", &self.url_template.is_some())
            .field("skip", &self.skip.is_some())
            .field("name", &self.name.is_some())
            .field("on_request", &self.on_request.is_some())
            .field("on_response", &self.on_response.is_some())
            .finish()
    }
}

/// The option setters, with their docs, for a builder whose `options_mut()` gives its
/// [`Options`]: the client builder and the middleware offer the same.
macro_rules! option_setters {
    () => {
        ::instrument_core::header_capture_methods!();

        fn header_captures_mut(&mut self) -> &mut ::instrument_core::redact::HeaderCaptures {
            &mut self.options_mut().headers
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
        /// they are sent as reqwest sends them, without trace context. A closure or any
        /// [`SkipIf`](::instrument_core::hooks::SkipIf) (the hooks' shape:
        /// [`instrument_core::hooks`]).
        pub fn skip_tracing_if(
            mut self,
            skip: impl ::instrument_core::hooks::SkipIf<reqwest::Request>,
        ) -> Self {
            self.options_mut().skip = Some(::std::sync::Arc::new(skip));
            self
        }

        /// Names the spans (`None` keeps the method, or `{method} {url.template}`).
        pub fn span_name(
            mut self,
            name: impl ::instrument_core::hooks::NameSpan<reqwest::Request>,
        ) -> Self {
            self.options_mut().name = Some(::std::sync::Arc::new(name));
            self
        }

        /// Called with each request and its span before it is sent, to add attributes
        /// (`span.set_dynamic_attribute`).
        pub fn on_request(
            mut self,
            hook: impl ::instrument_core::hooks::OnStart<reqwest::Request>,
        ) -> Self {
            self.options_mut().on_request = Some(::std::sync::Arc::new(hook));
            self
        }

        /// Called with each response and its span when the response head arrives.
        pub fn on_response(
            mut self,
            hook: impl ::instrument_core::hooks::OnEnd<reqwest::Response>,
        ) -> Self {
            self.options_mut().on_response = Some(::std::sync::Arc::new(hook));
            self
        }
    };
}

pub(crate) use option_setters;
