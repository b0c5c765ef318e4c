//! The query methods, the same on [`Client`](crate::Client) and
//! [`Transaction`](crate::Transaction): stamped out for each from one definition. The
//! type provides `raw()` (the tokio-postgres client or transaction) and `target()`.
//!
//! The calls return tokio-postgres's own future inside an `instrument_core::LazyTraced`
//! rather than being `async fn`s: switched off, that costs one test per poll, where an
//! `async fn` around the raw future cost a few dozen instructions per call.

macro_rules! query_methods {
    () => {
        /// Like `prepare` of tokio-postgres, as a span (`db.operation.name = PREPARE`);
        /// the [`Statement`](crate::Statement) keeps its text for the spans of its runs.
        pub async fn prepare(
            &self,
            query: &str,
        ) -> Result<$crate::Statement, tokio_postgres::Error> {
            self.prepare_typed(query, &[]).await
        }

        /// Like `prepare_typed` of tokio-postgres; see [`prepare`](Self::prepare).
        pub async fn prepare_typed(
            &self,
            query: &str,
            parameter_types: &[tokio_postgres::types::Type],
        ) -> Result<$crate::Statement, tokio_postgres::Error> {
            $crate::traced::call(
                self.raw().prepare_typed(query, parameter_types),
                move || self.target().prepare_span(query),
                $crate::traced::nothing,
            )
            .await
            .map(|statement| $crate::Statement::new(statement, query))
        }

        /// Like `query` of tokio-postgres, as a span recording the rows returned.
        pub fn query<T>(
            &self,
            statement: &T,
            params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
        ) -> impl std::future::Future<
            Output = Result<Vec<tokio_postgres::Row>, tokio_postgres::Error>,
        >
        where
            T: ?Sized + $crate::ToStatement,
        {
            $crate::traced::call(
                self.raw().query(statement.raw_statement(), params),
                move || self.target().query_span(statement.sql(), params.len()),
                $crate::traced::rows,
            )
        }

        /// Like `query_one` of tokio-postgres: exactly one row, else an error.
        pub fn query_one<T>(
            &self,
            statement: &T,
            params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
        ) -> impl std::future::Future<Output = Result<tokio_postgres::Row, tokio_postgres::Error>>
        where
            T: ?Sized + $crate::ToStatement,
        {
            $crate::traced::call(
                self.raw().query_one(statement.raw_statement(), params),
                move || self.target().query_span(statement.sql(), params.len()),
                |_, span| span.record_returned_rows(1),
            )
        }

        /// Like `query_opt` of tokio-postgres: at most one row.
        pub fn query_opt<T>(
            &self,
            statement: &T,
            params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
        ) -> impl std::future::Future<
            Output = Result<Option<tokio_postgres::Row>, tokio_postgres::Error>,
        >
        where
            T: ?Sized + $crate::ToStatement,
        {
            $crate::traced::call(
                self.raw().query_opt(statement.raw_statement(), params),
                move || self.target().query_span(statement.sql(), params.len()),
                |row, span| span.record_returned_rows(u64::from(row.is_some())),
            )
        }

        /// Like `query_raw` of tokio-postgres: the span lasts until the returned stream
        /// ends or is dropped, and counts the rows read.
        pub async fn query_raw<T, P, I>(
            &self,
            statement: &T,
            params: I,
        ) -> Result<$crate::RowStream, tokio_postgres::Error>
        where
            T: ?Sized + $crate::ToStatement,
            P: tokio_postgres::types::BorrowToSql,
            I: IntoIterator<Item = P>,
            I::IntoIter: ExactSizeIterator,
        {
            let params = params.into_iter();
            if !instrument_core::recording(instrument_core::Library::TokioPostgres) {
                let rows = self.raw().query_raw(statement.raw_statement(), params).await?;
                return Ok($crate::RowStream::raw(rows));
            }
            let span = self.target().query_span(statement.sql(), params.len());
            $crate::RowStream::traced(span, async {
                self.raw().query_raw(statement.raw_statement(), params).await
            })
            .await
        }

        /// Like `query_typed` of tokio-postgres: parameters with their types, no prepare.
        pub fn query_typed(
            &self,
            query: &str,
            params: &[(
                &(dyn tokio_postgres::types::ToSql + Sync),
                tokio_postgres::types::Type,
            )],
        ) -> impl std::future::Future<
            Output = Result<Vec<tokio_postgres::Row>, tokio_postgres::Error>,
        > {
            $crate::traced::call(
                self.raw().query_typed(query, params),
                move || self.target().query_span(Some(query), params.len()),
                $crate::traced::rows,
            )
        }

        /// Like `query_typed_one` of tokio-postgres.
        pub fn query_typed_one(
            &self,
            query: &str,
            params: &[(
                &(dyn tokio_postgres::types::ToSql + Sync),
                tokio_postgres::types::Type,
            )],
        ) -> impl std::future::Future<Output = Result<tokio_postgres::Row, tokio_postgres::Error>> {
            $crate::traced::call(
                self.raw().query_typed_one(query, params),
                move || self.target().query_span(Some(query), params.len()),
                |_, span| span.record_returned_rows(1),
            )
        }

        /// Like `query_typed_opt` of tokio-postgres.
        pub fn query_typed_opt(
            &self,
            query: &str,
            params: &[(
                &(dyn tokio_postgres::types::ToSql + Sync),
                tokio_postgres::types::Type,
            )],
        ) -> impl std::future::Future<
            Output = Result<Option<tokio_postgres::Row>, tokio_postgres::Error>,
        > {
            $crate::traced::call(
                self.raw().query_typed_opt(query, params),
                move || self.target().query_span(Some(query), params.len()),
                |row, span| span.record_returned_rows(u64::from(row.is_some())),
            )
        }

        /// Like `execute_typed` of tokio-postgres.
        pub fn execute_typed(
            &self,
            query: &str,
            params: &[(
                &(dyn tokio_postgres::types::ToSql + Sync),
                tokio_postgres::types::Type,
            )],
        ) -> impl std::future::Future<Output = Result<u64, tokio_postgres::Error>> {
            $crate::traced::call(
                self.raw().execute_typed(query, params),
                move || self.target().query_span(Some(query), params.len()),
                $crate::traced::affected,
            )
        }

        /// Like `query_typed_raw` of tokio-postgres; the span ends when the stream does.
        pub async fn query_typed_raw<P, I>(
            &self,
            query: &str,
            params: I,
        ) -> Result<$crate::RowStream, tokio_postgres::Error>
        where
            P: tokio_postgres::types::BorrowToSql,
            I: IntoIterator<Item = (P, tokio_postgres::types::Type)>,
        {
            if !instrument_core::recording(instrument_core::Library::TokioPostgres) {
                let rows = self.raw().query_typed_raw(query, params).await?;
                return Ok($crate::RowStream::raw(rows));
            }
            // Counted up front: the parameters decide how the text is recorded.
            let params: Vec<(P, tokio_postgres::types::Type)> = params.into_iter().collect();
            let span = self.target().query_span(Some(query), params.len());
            $crate::RowStream::traced(span, self.raw().query_typed_raw(query, params)).await
        }

        /// Like `execute` of tokio-postgres: the number of rows modified.
        pub fn execute<T>(
            &self,
            statement: &T,
            params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
        ) -> impl std::future::Future<Output = Result<u64, tokio_postgres::Error>>
        where
            T: ?Sized + $crate::ToStatement,
        {
            $crate::traced::call(
                self.raw().execute(statement.raw_statement(), params),
                move || self.target().query_span(statement.sql(), params.len()),
                $crate::traced::affected,
            )
        }

        /// Like `execute_raw` of tokio-postgres.
        pub fn execute_raw<T, P, I>(
            &self,
            statement: &T,
            params: I,
        ) -> impl std::future::Future<Output = Result<u64, tokio_postgres::Error>>
        where
            T: ?Sized + $crate::ToStatement,
            P: tokio_postgres::types::BorrowToSql,
            I: IntoIterator<Item = P>,
            I::IntoIter: ExactSizeIterator,
        {
            let params = params.into_iter();
            let count = params.len();
            $crate::traced::call(
                self.raw().execute_raw(statement.raw_statement(), params),
                move || self.target().query_span(statement.sql(), count),
                $crate::traced::affected,
            )
        }

        /// Like `batch_execute` of tokio-postgres: one span, sanitized, a batch
        /// (`BATCH ...`, `db.operation.batch.size`) when it holds several statements.
        pub fn batch_execute(
            &self,
            query: &str,
        ) -> impl std::future::Future<Output = Result<(), tokio_postgres::Error>> {
            $crate::traced::call(
                self.raw().batch_execute(query),
                move || self.target().script_span(query),
                $crate::traced::nothing,
            )
        }

        /// Like `simple_query` of tokio-postgres: one span as for
        /// [`batch_execute`](Self::batch_execute), recording the rows returned.
        pub fn simple_query(
            &self,
            query: &str,
        ) -> impl std::future::Future<
            Output = Result<Vec<tokio_postgres::SimpleQueryMessage>, tokio_postgres::Error>,
        > {
            $crate::traced::call(
                self.raw().simple_query(query),
                move || self.target().script_span(query),
                |messages: &Vec<tokio_postgres::SimpleQueryMessage>, span| {
                    let rows = messages
                        .iter()
                        .filter(|m| matches!(m, tokio_postgres::SimpleQueryMessage::Row(_)))
                        .count();
                    span.record_returned_rows(rows as u64);
                },
            )
        }

        /// Like `copy_in` of tokio-postgres. The span covers starting the copy; the
        /// data written to the sink afterwards is not in it.
        pub fn copy_in<T, U>(
            &self,
            statement: &T,
        ) -> impl std::future::Future<
            Output = Result<tokio_postgres::CopyInSink<U>, tokio_postgres::Error>,
        >
        where
            T: ?Sized + $crate::ToStatement,
            U: bytes::Buf + 'static + Send,
        {
            $crate::traced::call(
                self.raw().copy_in(statement.raw_statement()),
                move || self.target().query_span(statement.sql(), 0),
                $crate::traced::nothing,
            )
        }

        /// Like `copy_out` of tokio-postgres. The span covers starting the copy; the
        /// data read from the stream afterwards is not in it.
        pub fn copy_out<T>(
            &self,
            statement: &T,
        ) -> impl std::future::Future<
            Output = Result<tokio_postgres::CopyOutStream, tokio_postgres::Error>,
        >
        where
            T: ?Sized + $crate::ToStatement,
        {
            $crate::traced::call(
                self.raw().copy_out(statement.raw_statement()),
                move || self.target().query_span(statement.sql(), 0),
                $crate::traced::nothing,
            )
        }

        /// Like `cancel_token` of tokio-postgres.
        pub fn cancel_token(&self) -> tokio_postgres::CancelToken {
            self.raw().cancel_token()
        }
    };
}

pub(crate) use query_methods;
