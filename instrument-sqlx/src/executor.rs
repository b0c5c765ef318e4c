//! One traced `Executor` impl, stamped out for each connection this crate hands out.
//!
//! `impl<T> Executor for &mut T` over a helper trait would be the generic way, but the
//! orphan rule forbids implementing sqlx's trait for `&mut T` with `T` a parameter.

/// Implements `Executor` for `&mut $holder`, whose `parts()` gives how to trace it and
/// the connection.
macro_rules! traced_executor {
    (impl[$($generics:tt)*] $holder:ty) => {
        impl<'t, $($generics)*> sqlx::Executor<'t> for &'t mut $holder {
            type Database = DB;

            fn fetch_many<'e, 'q: 'e, E>(
                self,
                query: E,
            ) -> futures_core::stream::BoxStream<
                'e,
                Result<sqlx::Either<DB::QueryResult, DB::Row>, sqlx::Error>,
            >
            where
                't: 'e,
                E: 'q + sqlx::Execute<'q, DB>,
            {
                let (target, connection) = self.parts();
                $crate::traced::fetch_many(target, connection, query)
            }

            fn fetch_optional<'e, 'q: 'e, E>(
                self,
                query: E,
            ) -> futures_core::future::BoxFuture<'e, Result<Option<DB::Row>, sqlx::Error>>
            where
                't: 'e,
                E: 'q + sqlx::Execute<'q, DB>,
            {
                let (target, connection) = self.parts();
                $crate::traced::fetch_optional(target, connection, query)
            }

            fn prepare_with<'e>(
                self,
                sql: sqlx_core::sql_str::SqlStr,
                parameters: &'e [<DB as sqlx::Database>::TypeInfo],
            ) -> futures_core::future::BoxFuture<'e, Result<DB::Statement, sqlx::Error>>
            where
                't: 'e,
            {
                DB::connection_prepare_with(self.parts().1, sql, parameters)
            }

            fn describe<'e>(
                self,
                sql: sqlx_core::sql_str::SqlStr,
            ) -> futures_core::future::BoxFuture<
                'e,
                Result<sqlx_core::describe::Describe<DB>, sqlx::Error>,
            >
            where
                't: 'e,
            {
                DB::connection_describe(self.parts().1, sql)
            }
        }
    };
}

pub(crate) use traced_executor;
