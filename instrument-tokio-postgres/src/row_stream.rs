//! [`RowStream`]: the rows of `query_raw`, counted into their span.

use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;
use std::future::Future;

use instrument_core::{CallSpan, Traced, TracedStream};

use crate::outcome::{self, RowObserver};
use tokio_postgres::{Error, Row};

pin_project_lite::pin_project! {
    /// The rows of [`Client::query_raw`](crate::Client::query_raw), like
    /// [`tokio_postgres::RowStream`]. The query's span lasts until the stream ends or is
    /// dropped, and counts the rows read.
    pub struct RowStream {
        #[pin]
        rows: Rows,
    }
}

pin_project_lite::pin_project! {
    #[project = RowsProjection]
    enum Rows {
        // Not traced (switched off, or nobody listening).
        Raw { #[pin] rows: tokio_postgres::RowStream },
        // Inside its span.
        Traced { #[pin] rows: TracedStream<tokio_postgres::RowStream, RowObserver> },
    }
}

impl std::fmt::Debug for RowStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RowStream").finish_non_exhaustive()
    }
}

impl RowStream {
    pub(crate) fn raw(rows: tokio_postgres::RowStream) -> Self {
        RowStream {
            rows: Rows::Raw { rows },
        }
    }

    /// Starts the query with `start` inside `span`; the span then lasts as long as the
    /// rows are read.
    pub(crate) async fn traced(
        span: CallSpan,
        start: impl Future<Output = Result<tokio_postgres::RowStream, Error>>,
    ) -> Result<Self, Error> {
        let rows = Traced::new(span.clone(), start, outcome::record_result).await?;
        Ok(RowStream {
            rows: Rows::Traced {
                rows: TracedStream::new(span, rows, RowObserver::default()),
            },
        })
    }

    /// Like [`tokio_postgres::RowStream::rows_affected`]: known once the stream has ended.
    pub fn rows_affected(&self) -> Option<u64> {
        match &self.rows {
            Rows::Raw { rows } => rows.rows_affected(),
            Rows::Traced { rows } => rows.get_ref().rows_affected(),
        }
    }
}

impl Stream for RowStream {
    type Item = Result<Row, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        match self.project().rows.project() {
            RowsProjection::Raw { rows } => rows.poll_next(cx),
            RowsProjection::Traced { rows } => rows.poll_next(cx),
        }
    }
}
