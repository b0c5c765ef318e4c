//! [`Carried`]: what follows work to another thread: the current span, the current
//! `tracing` dispatcher (a thread-local default included) and the current
//! OpenTelemetry context.

use instrument_core::Library;
use tracing::Dispatch;

/// The context of the code that hands work off, to run the work in.
#[derive(Debug, Clone)]
pub(crate) struct Carried {
    span: tracing::Span,
    dispatch: Dispatch,
    context: opentelemetry::Context,
}

impl Carried {
    /// The current context; `None` when threads are switched off, so that nothing is
    /// captured and the work runs exactly as it would without this crate.
    pub(crate) fn capture() -> Option<Self> {
        if !instrument_core::enabled(Library::Threads) {
            return None;
        }
        Some(Carried {
            span: tracing::Span::current(),
            dispatch: tracing::dispatcher::get_default(Clone::clone),
            context: opentelemetry::Context::current(),
        })
    }

    /// The span the work was handed off from.
    pub(crate) fn span(&self) -> &tracing::Span {
        &self.span
    }

    /// Runs `work` under the carried dispatcher, OpenTelemetry context and span.
    pub(crate) fn run<R>(&self, work: impl FnOnce() -> R) -> R {
        tracing::dispatcher::with_default(&self.dispatch, || {
            let _context = self.context.clone().attach();
            self.span.in_scope(work)
        })
    }

    /// Makes `future` run under the carried dispatcher, OpenTelemetry context and span
    /// at every poll.
    #[cfg(feature = "tokio")]
    pub(crate) fn wrap<F: std::future::Future>(
        self,
        future: F,
    ) -> impl std::future::Future<Output = F::Output> {
        use opentelemetry::context::FutureExt as _;
        use tracing::Instrument as _;
        use tracing::instrument::WithSubscriber as _;
        future
            .instrument(self.span)
            .with_context(self.context)
            .with_subscriber(self.dispatch)
    }
}

/// Runs `work` in `carried` when there is one, else as is.
pub(crate) fn run_in<R>(carried: Option<&Carried>, work: impl FnOnce() -> R) -> R {
    match carried {
        Some(carried) => carried.run(work),
        None => work(),
    }
}
