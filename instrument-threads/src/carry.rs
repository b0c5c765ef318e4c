//! [`Carried`]: what follows work to another thread: the current span, the current
//! `tracing` dispatcher (a thread-local default included) and the current
//! OpenTelemetry context.

use instrument_core::{Library, WorkCall};
use tracing::Dispatch;
use tracing::subscriber::NoSubscriber;

/// The context of the code that hands work off, to run the work in.
#[derive(Debug, Clone)]
pub(crate) struct Carried {
    span: tracing::Span,
    /// `None` when there was no subscriber at all: the work then sees whatever default
    /// its thread has when it runs (a global one set later included), as a plain
    /// thread would, rather than being pinned to "none". So work handed off inside
    /// `with_default(NoSubscriber)` is not silenced on the other side, as with std.
    ///
    /// While carried work runs under a dispatcher, tracing looks the dispatcher up in a
    /// thread-local for the whole process instead of taking its global fast path (a
    /// few nanoseconds per span or event). tracing offers no way to tell a thread-local
    /// default from the global one, so it is carried either way.
    dispatch: Option<Dispatch>,
    context: opentelemetry::Context,
    /// The span was given ([`with_span`](Self::with_span)), not the one current at
    /// capture: the work runs in its context, not in the captured one.
    own_span: bool,
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
            dispatch: current_dispatch(),
            context: opentelemetry::Context::current(),
            own_span: false,
        })
    }

    /// For work that outlives its spawner: the current dispatcher; of the OpenTelemetry
    /// context, the baggage only ([`instrument_core::detached_context`]); and instead of
    /// the current span, a new span `name` starting a trace of its own, linked to the
    /// current span, as the context's span. It is made here, on the spawner's side, so
    /// that the work never holds the spawner's span open (nor, entering it, moves its end
    /// time).
    pub(crate) fn detached(name: &str) -> Option<Self> {
        let mut carried = Self::capture()?;
        // The span ends when the last copy of its context goes: when the work is done.
        carried.context = match WorkCall::new(Library::Threads, name)
            .detached()
            .start()
            .context()
        {
            Some(context) => context,
            None => instrument_core::detached_context(),
        };
        carried.span = tracing::Span::none();
        Some(carried)
    }

    /// The same context, with `span` to run in instead of the one current at capture.
    pub(crate) fn with_span(mut self, span: tracing::Span) -> Self {
        self.span = span;
        self.own_span = true;
        self
    }

    /// Runs `work` under the carried dispatcher, OpenTelemetry context and span.
    ///
    /// The captured context is attached inside the span: entering a `tracing` span
    /// makes the context saved with it current (tracing-opentelemetry's activation),
    /// which holds neither the baggage attached after the span was made nor a span of
    /// ours made inside it (a work span, a request's, a message's); the captured
    /// context, current at the hand-off, holds both. A span given with
    /// [`with_span`](Self::with_span) keeps its own, within the captured one.
    pub(crate) fn run<R>(&self, work: impl FnOnce() -> R) -> R {
        let in_context = || {
            if self.own_span {
                let _context = self.context.clone().attach();
                self.span.in_scope(work)
            } else {
                self.span.in_scope(|| {
                    let _context = self.context.clone().attach();
                    work()
                })
            }
        };
        match &self.dispatch {
            Some(dispatch) => tracing::dispatcher::with_default(dispatch, in_context),
            None => in_context(),
        }
    }

    /// Makes `future` run under the carried dispatcher, OpenTelemetry context and span
    /// at every poll, and be dropped under the dispatcher.
    #[cfg(feature = "tokio")]
    pub(crate) fn wrap<F: std::future::Future>(
        mut self,
        future: F,
    ) -> crate::carrying::Carrying<F> {
        use opentelemetry::context::FutureExt as _;
        use tracing::Instrument as _;
        debug_assert!(!self.own_span, "futures carry the span current at capture");
        let span = std::mem::replace(&mut self.span, tracing::Span::none());
        let context = std::mem::take(&mut self.context);
        // The context inside the span, as in `run`.
        crate::carrying::Carrying::new(
            future.with_context(context).instrument(span),
            self.dispatch.take(),
        )
    }
}

impl Drop for Carried {
    fn drop(&mut self) {
        // tracing-subscriber's registry, closing a span, lets go of its parent through
        // the dispatcher current *where the span closes*. Closed under another one (a
        // thread's own default, or none), the last handle to a span would leave its
        // parent open for ever, never exported. So the span goes under its dispatcher.
        if let Some(dispatch) = &self.dispatch {
            let span = std::mem::replace(&mut self.span, tracing::Span::none());
            tracing::dispatcher::with_default(dispatch, || drop(span));
        }
    }
}

/// The current dispatcher, unless there is no subscriber at all.
fn current_dispatch() -> Option<Dispatch> {
    tracing::dispatcher::get_default(|dispatch| {
        (!dispatch.is::<NoSubscriber>()).then(|| dispatch.clone())
    })
}

/// Runs `work` in `carried` when there is one, else as is.
pub(crate) fn run_in<R>(carried: Option<&Carried>, work: impl FnOnce() -> R) -> R {
    match carried {
        Some(carried) => carried.run(work),
        None => work(),
    }
}
