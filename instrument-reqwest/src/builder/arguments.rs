//! The argument traits of reqwest's builder that reqwest does not export (it seals
//! them, and names them only in its docs), rebuilt for the same argument types so that
//! [`ClientBuilder`](crate::ClientBuilder)'s methods accept what reqwest's accept.

use std::sync::Arc;

/// What [`ClientBuilder::dns_resolver`](crate::ClientBuilder::dns_resolver) takes, as
/// reqwest's: an `Arc` of a [`reqwest::dns::Resolve`], sized or `dyn`.
pub trait IntoResolve: sealed::Sealed {
    #[doc(hidden)]
    fn set_on(self, builder: reqwest::ClientBuilder) -> reqwest::ClientBuilder;
}

impl<R: reqwest::dns::Resolve + 'static> IntoResolve for Arc<R> {
    fn set_on(self, builder: reqwest::ClientBuilder) -> reqwest::ClientBuilder {
        builder.dns_resolver(self)
    }
}

impl IntoResolve for Arc<dyn reqwest::dns::Resolve> {
    fn set_on(self, builder: reqwest::ClientBuilder) -> reqwest::ClientBuilder {
        builder.dns_resolver(self)
    }
}

/// What [`ClientBuilder::unix_socket`](crate::ClientBuilder::unix_socket) takes, as
/// reqwest's: a path as `String`, `&str`, `&Path`, `PathBuf` or `Arc<Path>`.
#[cfg(unix)]
pub trait UnixSocketProvider: sealed::Sealed {
    #[doc(hidden)]
    fn path(&self) -> &std::path::Path;
}

#[cfg(unix)]
macro_rules! unix_socket_paths {
    ($($path:ty),+) => {$(
        impl sealed::Sealed for $path {}
        impl UnixSocketProvider for $path {
            fn path(&self) -> &std::path::Path {
                self.as_ref()
            }
        }
    )+};
}

#[cfg(unix)]
unix_socket_paths!(
    String,
    &str,
    &std::path::Path,
    std::path::PathBuf,
    Arc<std::path::Path>
);

/// What [`ClientBuilder::windows_named_pipe`](crate::ClientBuilder::windows_named_pipe)
/// takes, as reqwest's: a pipe name as `String`, `&str`, `PathBuf`, `&Path`,
/// `OsString` or `&OsStr`.
#[cfg(target_os = "windows")]
pub trait WindowsNamedPipeProvider: sealed::Sealed {
    #[doc(hidden)]
    fn name(&self) -> &std::ffi::OsStr;
}

#[cfg(target_os = "windows")]
macro_rules! windows_pipe_names {
    ($($name:ty),+) => {$(
        #[cfg(not(unix))]
        impl sealed::Sealed for $name {}
        impl WindowsNamedPipeProvider for $name {
            fn name(&self) -> &std::ffi::OsStr {
                self.as_ref()
            }
        }
    )+};
}

#[cfg(target_os = "windows")]
windows_pipe_names!(
    String,
    &str,
    std::path::PathBuf,
    &std::path::Path,
    std::ffi::OsString,
    &std::ffi::OsStr
);

mod sealed {
    /// Keeps the argument traits to the types reqwest accepts.
    pub trait Sealed {}

    impl<R: reqwest::dns::Resolve + 'static> Sealed for std::sync::Arc<R> {}
    impl Sealed for std::sync::Arc<dyn reqwest::dns::Resolve> {}
}
