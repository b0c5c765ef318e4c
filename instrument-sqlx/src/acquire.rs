//! `sqlx::Acquire` for the connections and transactions this crate hands out, so code
//! generic over it (`migrator.run(&mut *tx)`, `fn save<'a>(db: impl Acquire<'a>)`)
//! takes them as it takes sqlx's.
//!
//! The trait requires the acquired connection to deref to sqlx's own, so queries run
//! on what `acquire()` returns are not traced; the `begin()` it offers is (a `BEGIN`
//! or `SAVEPOINT` span), though the transaction it returns is sqlx's.

/// Implements `Acquire` for `&mut $holder`, whose `parts()` gives how to trace it and
/// the connection; `$begin` names the statement its `begin()` sends.
macro_rules! traced_acquire {
    (impl[$($generics:tt)*] $holder:ty, $begin:literal) => {
        impl<'c, $($generics)*> sqlx::Acquire<'c> for &'c mut $holder {
            type Database = DB;
            type Connection = &'c mut DB::Connection;

            fn acquire(
                self,
            ) -> futures_core::future::BoxFuture<'c, Result<Self::Connection, sqlx::Error>> {
                let (_, connection) = self.parts();
                Box::pin(std::future::ready(Ok(connection)))
            }

            fn begin(
                self,
            ) -> futures_core::future::BoxFuture<
                'c,
                Result<sqlx::Transaction<'c, DB>, sqlx::Error>,
            > {
                let (target, connection) = self.parts();
                Box::pin($crate::traced::statement(
                    target,
                    $begin,
                    sqlx::Connection::begin(connection),
                ))
            }
        }
    };
}

pub(crate) use traced_acquire;
