//! [`GenericClient`]: code generic over a client and a transaction.

use std::future::Future;

use tokio_postgres::types::{BorrowToSql, ToSql, Type};
use tokio_postgres::{Error, Row, SimpleQueryMessage};

use crate::{Client, RowStream, Statement, ToStatement, Transaction};

/// What [`Client`] and [`Transaction`] have in common, for functions that take either,
/// like tokio-postgres's own `GenericClient` (which is sealed, so it cannot be
/// implemented for this crate's types). Sealed too.
pub trait GenericClient: sealed::Sealed + Sync {
    /// Like [`Client::execute`].
    fn execute<T>(
        &self,
        statement: &T,
        params: &[&(dyn ToSql + Sync)],
    ) -> impl Future<Output = Result<u64, Error>> + Send
    where
        T: ?Sized + ToStatement + Sync;

    /// Like [`Client::query`].
    fn query<T>(
        &self,
        statement: &T,
        params: &[&(dyn ToSql + Sync)],
    ) -> impl Future<Output = Result<Vec<Row>, Error>> + Send
    where
        T: ?Sized + ToStatement + Sync;

    /// Like [`Client::query_one`].
    fn query_one<T>(
        &self,
        statement: &T,
        params: &[&(dyn ToSql + Sync)],
    ) -> impl Future<Output = Result<Row, Error>> + Send
    where
        T: ?Sized + ToStatement + Sync;

    /// Like [`Client::query_opt`].
    fn query_opt<T>(
        &self,
        statement: &T,
        params: &[&(dyn ToSql + Sync)],
    ) -> impl Future<Output = Result<Option<Row>, Error>> + Send
    where
        T: ?Sized + ToStatement + Sync;

    /// Like [`Client::query_raw`].
    fn query_raw<T, P, I>(
        &self,
        statement: &T,
        params: I,
    ) -> impl Future<Output = Result<RowStream, Error>> + Send
    where
        T: ?Sized + ToStatement + Sync,
        P: BorrowToSql + Send,
        I: IntoIterator<Item = P> + Send,
        I::IntoIter: ExactSizeIterator + Send;

    /// Like [`Client::execute_raw`].
    fn execute_raw<T, P, I>(
        &self,
        statement: &T,
        params: I,
    ) -> impl Future<Output = Result<u64, Error>> + Send
    where
        T: ?Sized + ToStatement + Sync,
        P: BorrowToSql + Send,
        I: IntoIterator<Item = P> + Send,
        I::IntoIter: ExactSizeIterator + Send;

    /// Like [`Client::execute_typed`].
    fn execute_typed(
        &self,
        query: &str,
        params: &[(&(dyn ToSql + Sync), Type)],
    ) -> impl Future<Output = Result<u64, Error>> + Send;

    /// Like [`Client::query_typed`].
    fn query_typed(
        &self,
        query: &str,
        params: &[(&(dyn ToSql + Sync), Type)],
    ) -> impl Future<Output = Result<Vec<Row>, Error>> + Send;

    /// Like [`Client::query_typed_one`].
    fn query_typed_one(
        &self,
        query: &str,
        params: &[(&(dyn ToSql + Sync), Type)],
    ) -> impl Future<Output = Result<Row, Error>> + Send;

    /// Like [`Client::query_typed_opt`].
    fn query_typed_opt(
        &self,
        query: &str,
        params: &[(&(dyn ToSql + Sync), Type)],
    ) -> impl Future<Output = Result<Option<Row>, Error>> + Send;

    /// Like [`Client::query_typed_raw`].
    fn query_typed_raw<P, I>(
        &self,
        query: &str,
        params: I,
    ) -> impl Future<Output = Result<RowStream, Error>> + Send
    where
        P: BorrowToSql + Send,
        I: IntoIterator<Item = (P, Type)> + Send,
        I::IntoIter: Send;

    /// Like [`Client::prepare`].
    fn prepare(&self, query: &str) -> impl Future<Output = Result<Statement, Error>> + Send;

    /// Like [`Client::prepare_typed`].
    fn prepare_typed(
        &self,
        query: &str,
        parameter_types: &[Type],
    ) -> impl Future<Output = Result<Statement, Error>> + Send;

    /// Like [`Client::batch_execute`].
    fn batch_execute(&self, query: &str) -> impl Future<Output = Result<(), Error>> + Send;

    /// Like [`Client::simple_query`].
    fn simple_query(
        &self,
        query: &str,
    ) -> impl Future<Output = Result<Vec<SimpleQueryMessage>, Error>> + Send;

    /// Like [`Client::transaction`]: on a transaction, a nested one.
    fn transaction(&mut self) -> impl Future<Output = Result<Transaction<'_>, Error>> + Send;
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for crate::Client {}
    impl Sealed for crate::Transaction<'_> {}
}

/// Implements [`GenericClient`] by calling the type's own methods of the same names.
macro_rules! generic_client {
    ($ty:ty) => {
        impl GenericClient for $ty {
            fn execute<T>(
                &self,
                statement: &T,
                params: &[&(dyn ToSql + Sync)],
            ) -> impl Future<Output = Result<u64, Error>> + Send
            where
                T: ?Sized + ToStatement + Sync,
            {
                <$ty>::execute(self, statement, params)
            }

            fn query<T>(
                &self,
                statement: &T,
                params: &[&(dyn ToSql + Sync)],
            ) -> impl Future<Output = Result<Vec<Row>, Error>> + Send
            where
                T: ?Sized + ToStatement + Sync,
            {
                <$ty>::query(self, statement, params)
            }

            fn query_one<T>(
                &self,
                statement: &T,
                params: &[&(dyn ToSql + Sync)],
            ) -> impl Future<Output = Result<Row, Error>> + Send
            where
                T: ?Sized + ToStatement + Sync,
            {
                <$ty>::query_one(self, statement, params)
            }

            fn query_opt<T>(
                &self,
                statement: &T,
                params: &[&(dyn ToSql + Sync)],
            ) -> impl Future<Output = Result<Option<Row>, Error>> + Send
            where
                T: ?Sized + ToStatement + Sync,
            {
                <$ty>::query_opt(self, statement, params)
            }

            fn query_raw<T, P, I>(
                &self,
                statement: &T,
                params: I,
            ) -> impl Future<Output = Result<RowStream, Error>> + Send
            where
                T: ?Sized + ToStatement + Sync,
                P: BorrowToSql + Send,
                I: IntoIterator<Item = P> + Send,
                I::IntoIter: ExactSizeIterator + Send,
            {
                <$ty>::query_raw(self, statement, params)
            }

            fn execute_raw<T, P, I>(
                &self,
                statement: &T,
                params: I,
            ) -> impl Future<Output = Result<u64, Error>> + Send
            where
                T: ?Sized + ToStatement + Sync,
                P: BorrowToSql + Send,
                I: IntoIterator<Item = P> + Send,
                I::IntoIter: ExactSizeIterator + Send,
            {
                <$ty>::execute_raw(self, statement, params)
            }

            fn execute_typed(
                &self,
                query: &str,
                params: &[(&(dyn ToSql + Sync), Type)],
            ) -> impl Future<Output = Result<u64, Error>> + Send {
                <$ty>::execute_typed(self, query, params)
            }

            fn query_typed(
                &self,
                query: &str,
                params: &[(&(dyn ToSql + Sync), Type)],
            ) -> impl Future<Output = Result<Vec<Row>, Error>> + Send {
                <$ty>::query_typed(self, query, params)
            }

            fn query_typed_one(
                &self,
                query: &str,
                params: &[(&(dyn ToSql + Sync), Type)],
            ) -> impl Future<Output = Result<Row, Error>> + Send {
                <$ty>::query_typed_one(self, query, params)
            }

            fn query_typed_opt(
                &self,
                query: &str,
                params: &[(&(dyn ToSql + Sync), Type)],
            ) -> impl Future<Output = Result<Option<Row>, Error>> + Send {
                <$ty>::query_typed_opt(self, query, params)
            }

            fn query_typed_raw<P, I>(
                &self,
                query: &str,
                params: I,
            ) -> impl Future<Output = Result<RowStream, Error>> + Send
            where
                P: BorrowToSql + Send,
                I: IntoIterator<Item = (P, Type)> + Send,
                I::IntoIter: Send,
            {
                <$ty>::query_typed_raw(self, query, params)
            }

            fn prepare(
                &self,
                query: &str,
            ) -> impl Future<Output = Result<Statement, Error>> + Send {
                <$ty>::prepare(self, query)
            }

            fn prepare_typed(
                &self,
                query: &str,
                parameter_types: &[Type],
            ) -> impl Future<Output = Result<Statement, Error>> + Send {
                <$ty>::prepare_typed(self, query, parameter_types)
            }

            fn batch_execute(&self, query: &str) -> impl Future<Output = Result<(), Error>> + Send {
                <$ty>::batch_execute(self, query)
            }

            fn simple_query(
                &self,
                query: &str,
            ) -> impl Future<Output = Result<Vec<SimpleQueryMessage>, Error>> + Send {
                <$ty>::simple_query(self, query)
            }

            fn transaction(
                &mut self,
            ) -> impl Future<Output = Result<Transaction<'_>, Error>> + Send {
                <$ty>::transaction(self)
            }
        }
    };
}

generic_client!(Client);
generic_client!(Transaction<'_>);
