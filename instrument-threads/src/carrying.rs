//! [`Carrying`]: a task's future, run in its spawner's context, and dropped under its
//! spawner's dispatcher and span (not the rest of its OpenTelemetry context: a
//! cancelled task's destructors see the span's own, as `WithContext` attaches only
//! while polling).

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use tracing::Dispatch;

type InContext<F> = tracing::instrument::Instrumented<opentelemetry::context::WithContext<F>>;

pin_project_lite::pin_project! {
    /// A future carrying its spawner's context (see [`Carried::wrap`](crate::carry::Carried::wrap)). tracing's own
    /// `WithDispatch` sets the dispatcher only while polling; this also drops the
    /// future, and so its span, under it (see `Drop for Carried`).
    pub(crate) struct Carrying<F> {
        #[pin]
        future: Option<InContext<F>>,
        dispatch: Option<Dispatch>,
    }

    impl<F> PinnedDrop for Carrying<F> {
        fn drop(this: Pin<&mut Self>) {
            let this = this.project();
            let mut future = this.future;
            match this.dispatch {
                Some(dispatch) => {
                    tracing::dispatcher::with_default(dispatch, || future.set(None));
                }
                None => future.set(None),
            }
        }
    }
}

impl<F> Carrying<F> {
    pub(crate) fn new(future: InContext<F>, dispatch: Option<Dispatch>) -> Self {
        Carrying {
            future: Some(future),
            dispatch,
        }
    }
}

impl<F: Future> Future for Carrying<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        let Some(future) = this.future.as_pin_mut() else {
            unreachable!("the future is only taken out when dropped");
        };
        match this.dispatch {
            Some(dispatch) => tracing::dispatcher::with_default(dispatch, || future.poll(cx)),
            None => future.poll(cx),
        }
    }
}
