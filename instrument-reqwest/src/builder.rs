//! [`ClientBuilder`]: reqwest's, building a [`Client`] whose requests are spans.

mod arguments;
mod reqwest_settings;

pub use arguments::IntoResolve;
#[cfg(unix)]
pub use arguments::UnixSocketProvider;
#[cfg(target_os = "windows")]
pub use arguments::WindowsNamedPipeProvider;

use std::sync::Arc;

use crate::Client;
use crate::options::Options;
use crate::resend;

/// A drop-in for [`reqwest::ClientBuilder`]: every public method of reqwest's builder,
/// with the same signature, behind the same cargo features (enable on this crate the
/// reqwest features whose settings you use: `rustls`, `native-tls`, `gzip`, `cookies`,
/// `http2`, `hickory-dns`, ...), plus the recording options below. The redirect policy
/// set with [`redirect`](Self::redirect) is wrapped by the built client to count
/// redirects.
///
/// One method is not mirrored: `connector_layer`, whose bounds name types reqwest does
/// not export; set it through [`with_inner`](Self::with_inner).
#[derive(Debug)]
#[must_use]
pub struct ClientBuilder {
    inner: reqwest::ClientBuilder,
    redirect: Option<reqwest::redirect::Policy>,
    options: Options,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl ClientBuilder {
    /// Like [`reqwest::ClientBuilder::new`].
    pub fn new() -> Self {
        ClientBuilder {
            inner: reqwest::ClientBuilder::new(),
            redirect: None,
            options: Options::default(),
        }
    }

    /// Configures anything on reqwest's builder, for the settings not mirrored here.
    /// Except the redirect policy: one set here is replaced by the one of
    /// [`redirect`](Self::redirect) (the default if none), which the client wraps to count
    /// redirects.
    pub fn with_inner(
        mut self,
        configure: impl FnOnce(reqwest::ClientBuilder) -> reqwest::ClientBuilder,
    ) -> Self {
        self.inner = configure(self.inner);
        self
    }

    /// Like [`reqwest::ClientBuilder::redirect`]; the policy decides, the client counts.
    pub fn redirect(mut self, policy: reqwest::redirect::Policy) -> Self {
        self.redirect = Some(policy);
        self
    }

    crate::options::option_setters!();

    fn options_mut(&mut self) -> &mut Options {
        &mut self.options
    }

    /// Like [`reqwest::ClientBuilder::build`].
    pub fn build(self) -> Result<Client, reqwest::Error> {
        let policy = self.redirect.unwrap_or_default();
        let inner = self
            .inner
            .redirect(resend::counting_redirects(policy))
            .build()?;
        Ok(Client {
            inner,
            options: Arc::new(self.options),
        })
    }
}
