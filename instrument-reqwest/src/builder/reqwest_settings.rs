//! reqwest's builder settings, each passed through to reqwest's builder as it is.
//!
//! Written from the public methods of `reqwest::ClientBuilder` 0.13, with their cfg
//! attributes; `tests/builder.rs` fails when the resolved reqwest has a method that is
//! not here.

use crate::ClientBuilder;

impl ClientBuilder {
    /// Like [`reqwest::ClientBuilder::user_agent`].
    pub fn user_agent<V>(self, value: V) -> Self
    where
        V: TryInto<http::HeaderValue>,
        V::Error: Into<http::Error>,
    {
        self.with_inner(|inner| inner.user_agent(value))
    }

    /// Like [`reqwest::ClientBuilder::default_headers`].
    pub fn default_headers(self, headers: http::HeaderMap) -> Self {
        self.with_inner(|inner| inner.default_headers(headers))
    }

    /// Like [`reqwest::ClientBuilder::cookie_store`].
    #[cfg(feature = "cookies")]
    #[cfg_attr(docsrs, doc(cfg(feature = "cookies")))]
    pub fn cookie_store(self, enable: bool) -> Self {
        self.with_inner(|inner| inner.cookie_store(enable))
    }

    /// Like [`reqwest::ClientBuilder::cookie_provider`].
    #[cfg(feature = "cookies")]
    #[cfg_attr(docsrs, doc(cfg(feature = "cookies")))]
    pub fn cookie_provider<C: reqwest::cookie::CookieStore + 'static>(
        self,
        cookie_store: std::sync::Arc<C>,
    ) -> Self {
        self.with_inner(|inner| inner.cookie_provider(cookie_store))
    }

    /// Like [`reqwest::ClientBuilder::gzip`].
    #[cfg(feature = "gzip")]
    #[cfg_attr(docsrs, doc(cfg(feature = "gzip")))]
    pub fn gzip(self, enable: bool) -> Self {
        self.with_inner(|inner| inner.gzip(enable))
    }

    /// Like [`reqwest::ClientBuilder::brotli`].
    #[cfg(feature = "brotli")]
    #[cfg_attr(docsrs, doc(cfg(feature = "brotli")))]
    pub fn brotli(self, enable: bool) -> Self {
        self.with_inner(|inner| inner.brotli(enable))
    }

    /// Like [`reqwest::ClientBuilder::zstd`].
    #[cfg(feature = "zstd")]
    #[cfg_attr(docsrs, doc(cfg(feature = "zstd")))]
    pub fn zstd(self, enable: bool) -> Self {
        self.with_inner(|inner| inner.zstd(enable))
    }

    /// Like [`reqwest::ClientBuilder::deflate`].
    #[cfg(feature = "deflate")]
    #[cfg_attr(docsrs, doc(cfg(feature = "deflate")))]
    pub fn deflate(self, enable: bool) -> Self {
        self.with_inner(|inner| inner.deflate(enable))
    }

    /// Like [`reqwest::ClientBuilder::no_gzip`].
    pub fn no_gzip(self) -> Self {
        self.with_inner(reqwest::ClientBuilder::no_gzip)
    }

    /// Like [`reqwest::ClientBuilder::no_brotli`].
    pub fn no_brotli(self) -> Self {
        self.with_inner(reqwest::ClientBuilder::no_brotli)
    }

    /// Like [`reqwest::ClientBuilder::no_zstd`].
    pub fn no_zstd(self) -> Self {
        self.with_inner(reqwest::ClientBuilder::no_zstd)
    }

    /// Like [`reqwest::ClientBuilder::no_deflate`].
    pub fn no_deflate(self) -> Self {
        self.with_inner(reqwest::ClientBuilder::no_deflate)
    }

    /// Like [`reqwest::ClientBuilder::referer`].
    pub fn referer(self, enable: bool) -> Self {
        self.with_inner(|inner| inner.referer(enable))
    }

    /// Like [`reqwest::ClientBuilder::retry`]. Retries are counted as resends when the
    /// policy comes from [`crate::retry`].
    pub fn retry(self, policy: reqwest::retry::Builder) -> Self {
        self.with_inner(|inner| inner.retry(policy))
    }

    /// Like [`reqwest::ClientBuilder::proxy`].
    pub fn proxy(self, proxy: reqwest::Proxy) -> Self {
        self.with_inner(|inner| inner.proxy(proxy))
    }

    /// Like [`reqwest::ClientBuilder::no_proxy`].
    pub fn no_proxy(self) -> Self {
        self.with_inner(reqwest::ClientBuilder::no_proxy)
    }

    /// Like [`reqwest::ClientBuilder::timeout`].
    pub fn timeout(self, timeout: std::time::Duration) -> Self {
        self.with_inner(|inner| inner.timeout(timeout))
    }

    /// Like [`reqwest::ClientBuilder::read_timeout`].
    pub fn read_timeout(self, timeout: std::time::Duration) -> Self {
        self.with_inner(|inner| inner.read_timeout(timeout))
    }

    /// Like [`reqwest::ClientBuilder::connect_timeout`].
    pub fn connect_timeout(self, timeout: std::time::Duration) -> Self {
        self.with_inner(|inner| inner.connect_timeout(timeout))
    }

    /// Like [`reqwest::ClientBuilder::connection_verbose`].
    pub fn connection_verbose(self, verbose: bool) -> Self {
        self.with_inner(|inner| inner.connection_verbose(verbose))
    }

    /// Like [`reqwest::ClientBuilder::pool_idle_timeout`].
    pub fn pool_idle_timeout<D>(self, val: D) -> Self
    where
        D: Into<Option<std::time::Duration>>,
    {
        self.with_inner(|inner| inner.pool_idle_timeout(val))
    }

    /// Like [`reqwest::ClientBuilder::pool_max_idle_per_host`].
    pub fn pool_max_idle_per_host(self, max: usize) -> Self {
        self.with_inner(|inner| inner.pool_max_idle_per_host(max))
    }

    /// Like [`reqwest::ClientBuilder::http1_title_case_headers`].
    pub fn http1_title_case_headers(self) -> Self {
        self.with_inner(reqwest::ClientBuilder::http1_title_case_headers)
    }

    /// Like [`reqwest::ClientBuilder::http1_allow_obsolete_multiline_headers_in_responses`].
    pub fn http1_allow_obsolete_multiline_headers_in_responses(self, value: bool) -> Self {
        self.with_inner(|inner| inner.http1_allow_obsolete_multiline_headers_in_responses(value))
    }

    /// Like [`reqwest::ClientBuilder::http1_ignore_invalid_headers_in_responses`].
    pub fn http1_ignore_invalid_headers_in_responses(self, value: bool) -> Self {
        self.with_inner(|inner| inner.http1_ignore_invalid_headers_in_responses(value))
    }

    /// Like [`reqwest::ClientBuilder::http1_allow_spaces_after_header_name_in_responses`].
    pub fn http1_allow_spaces_after_header_name_in_responses(self, value: bool) -> Self {
        self.with_inner(|inner| inner.http1_allow_spaces_after_header_name_in_responses(value))
    }

    /// Like [`reqwest::ClientBuilder::http1_max_headers`].
    pub fn http1_max_headers(self, max: usize) -> Self {
        self.with_inner(|inner| inner.http1_max_headers(max))
    }

    /// Like [`reqwest::ClientBuilder::http1_only`].
    pub fn http1_only(self) -> Self {
        self.with_inner(reqwest::ClientBuilder::http1_only)
    }

    /// Like [`reqwest::ClientBuilder::http09_responses`].
    pub fn http09_responses(self) -> Self {
        self.with_inner(reqwest::ClientBuilder::http09_responses)
    }

    /// Like [`reqwest::ClientBuilder::http2_prior_knowledge`].
    #[cfg(feature = "http2")]
    #[cfg_attr(docsrs, doc(cfg(feature = "http2")))]
    pub fn http2_prior_knowledge(self) -> Self {
        self.with_inner(reqwest::ClientBuilder::http2_prior_knowledge)
    }

    /// Like [`reqwest::ClientBuilder::http3_prior_knowledge`].
    #[cfg(all(reqwest_unstable, feature = "http3"))]
    #[cfg_attr(docsrs, doc(cfg(all(reqwest_unstable, feature = "http3",))))]
    pub fn http3_prior_knowledge(self) -> Self {
        self.with_inner(reqwest::ClientBuilder::http3_prior_knowledge)
    }

    /// Like [`reqwest::ClientBuilder::http2_initial_stream_window_size`].
    #[cfg(feature = "http2")]
    #[cfg_attr(docsrs, doc(cfg(feature = "http2")))]
    pub fn http2_initial_stream_window_size(self, sz: impl Into<Option<u32>>) -> Self {
        self.with_inner(|inner| inner.http2_initial_stream_window_size(sz))
    }

    /// Like [`reqwest::ClientBuilder::http2_initial_connection_window_size`].
    #[cfg(feature = "http2")]
    #[cfg_attr(docsrs, doc(cfg(feature = "http2")))]
    pub fn http2_initial_connection_window_size(self, sz: impl Into<Option<u32>>) -> Self {
        self.with_inner(|inner| inner.http2_initial_connection_window_size(sz))
    }

    /// Like [`reqwest::ClientBuilder::http2_adaptive_window`].
    #[cfg(feature = "http2")]
    #[cfg_attr(docsrs, doc(cfg(feature = "http2")))]
    pub fn http2_adaptive_window(self, enabled: bool) -> Self {
        self.with_inner(|inner| inner.http2_adaptive_window(enabled))
    }

    /// Like [`reqwest::ClientBuilder::http2_max_frame_size`].
    #[cfg(feature = "http2")]
    #[cfg_attr(docsrs, doc(cfg(feature = "http2")))]
    pub fn http2_max_frame_size(self, sz: impl Into<Option<u32>>) -> Self {
        self.with_inner(|inner| inner.http2_max_frame_size(sz))
    }

    /// Like [`reqwest::ClientBuilder::http2_max_header_list_size`].
    #[cfg(feature = "http2")]
    #[cfg_attr(docsrs, doc(cfg(feature = "http2")))]
    pub fn http2_max_header_list_size(self, max_header_size_bytes: u32) -> Self {
        self.with_inner(|inner| inner.http2_max_header_list_size(max_header_size_bytes))
    }

    /// Like [`reqwest::ClientBuilder::http2_keep_alive_interval`].
    #[cfg(feature = "http2")]
    #[cfg_attr(docsrs, doc(cfg(feature = "http2")))]
    pub fn http2_keep_alive_interval(
        self,
        interval: impl Into<Option<std::time::Duration>>,
    ) -> Self {
        self.with_inner(|inner| inner.http2_keep_alive_interval(interval))
    }

    /// Like [`reqwest::ClientBuilder::http2_keep_alive_timeout`].
    #[cfg(feature = "http2")]
    #[cfg_attr(docsrs, doc(cfg(feature = "http2")))]
    pub fn http2_keep_alive_timeout(self, timeout: std::time::Duration) -> Self {
        self.with_inner(|inner| inner.http2_keep_alive_timeout(timeout))
    }

    /// Like [`reqwest::ClientBuilder::http2_keep_alive_while_idle`].
    #[cfg(feature = "http2")]
    #[cfg_attr(docsrs, doc(cfg(feature = "http2")))]
    pub fn http2_keep_alive_while_idle(self, enabled: bool) -> Self {
        self.with_inner(|inner| inner.http2_keep_alive_while_idle(enabled))
    }

    /// Like [`reqwest::ClientBuilder::tcp_nodelay`].
    pub fn tcp_nodelay(self, enabled: bool) -> Self {
        self.with_inner(|inner| inner.tcp_nodelay(enabled))
    }

    /// Like [`reqwest::ClientBuilder::local_address`].
    pub fn local_address<T>(self, addr: T) -> Self
    where
        T: Into<Option<std::net::IpAddr>>,
    {
        self.with_inner(|inner| inner.local_address(addr))
    }

    /// Like [`reqwest::ClientBuilder::interface`].
    #[cfg(any(
        target_os = "android",
        target_os = "fuchsia",
        target_os = "illumos",
        target_os = "ios",
        target_os = "linux",
        target_os = "macos",
        target_os = "solaris",
        target_os = "tvos",
        target_os = "visionos",
        target_os = "watchos",
    ))]
    pub fn interface(self, interface: &str) -> Self {
        self.with_inner(|inner| inner.interface(interface))
    }

    /// Like [`reqwest::ClientBuilder::tcp_keepalive`].
    pub fn tcp_keepalive<D>(self, val: D) -> Self
    where
        D: Into<Option<std::time::Duration>>,
    {
        self.with_inner(|inner| inner.tcp_keepalive(val))
    }

    /// Like [`reqwest::ClientBuilder::tcp_keepalive_interval`].
    pub fn tcp_keepalive_interval<D>(self, val: D) -> Self
    where
        D: Into<Option<std::time::Duration>>,
    {
        self.with_inner(|inner| inner.tcp_keepalive_interval(val))
    }

    /// Like [`reqwest::ClientBuilder::tcp_keepalive_retries`].
    pub fn tcp_keepalive_retries<C>(self, retries: C) -> Self
    where
        C: Into<Option<u32>>,
    {
        self.with_inner(|inner| inner.tcp_keepalive_retries(retries))
    }

    /// Like [`reqwest::ClientBuilder::tcp_user_timeout`].
    #[cfg(any(target_os = "android", target_os = "fuchsia", target_os = "linux"))]
    pub fn tcp_user_timeout<D>(self, val: D) -> Self
    where
        D: Into<Option<std::time::Duration>>,
    {
        self.with_inner(|inner| inner.tcp_user_timeout(val))
    }

    /// Like [`reqwest::ClientBuilder::unix_socket`].
    #[cfg(unix)]
    pub fn unix_socket(self, path: impl super::UnixSocketProvider) -> Self {
        self.with_inner(|inner| inner.unix_socket(path.path()))
    }

    /// Like [`reqwest::ClientBuilder::windows_named_pipe`].
    #[cfg(target_os = "windows")]
    pub fn windows_named_pipe(self, pipe: impl super::WindowsNamedPipeProvider) -> Self {
        self.with_inner(|inner| inner.windows_named_pipe(pipe.name()))
    }

    /// Like [`reqwest::ClientBuilder::tls_certs_merge`].
    #[cfg(feature = "__tls")]
    #[cfg_attr(
        docsrs,
        doc(cfg(any(feature = "default-tls", feature = "native-tls", feature = "rustls")))
    )]
    pub fn tls_certs_merge(self, certs: impl IntoIterator<Item = reqwest::Certificate>) -> Self {
        self.with_inner(|inner| inner.tls_certs_merge(certs))
    }

    /// Like [`reqwest::ClientBuilder::tls_certs_only`].
    #[cfg(feature = "__tls")]
    #[cfg_attr(
        docsrs,
        doc(cfg(any(feature = "default-tls", feature = "native-tls", feature = "rustls")))
    )]
    pub fn tls_certs_only(self, certs: impl IntoIterator<Item = reqwest::Certificate>) -> Self {
        self.with_inner(|inner| inner.tls_certs_only(certs))
    }

    /// Like [`reqwest::ClientBuilder::add_root_certificate`].
    #[cfg(feature = "__tls")]
    pub fn add_root_certificate(self, cert: reqwest::Certificate) -> Self {
        self.with_inner(|inner| inner.add_root_certificate(cert))
    }

    /// Like [`reqwest::ClientBuilder::tls_crls_only`].
    #[cfg(feature = "__rustls")]
    #[cfg_attr(docsrs, doc(cfg(feature = "rustls")))]
    pub fn tls_crls_only(
        self,
        crls: impl IntoIterator<Item = reqwest::tls::CertificateRevocationList>,
    ) -> Self {
        self.with_inner(|inner| inner.tls_crls_only(crls))
    }

    /// Like [`reqwest::ClientBuilder::add_crl`].
    #[cfg(feature = "__rustls")]
    #[cfg_attr(docsrs, doc(cfg(feature = "rustls")))]
    pub fn add_crl(self, crl: reqwest::tls::CertificateRevocationList) -> Self {
        self.with_inner(|inner| inner.add_crl(crl))
    }

    /// Like [`reqwest::ClientBuilder::add_crls`].
    #[cfg(feature = "__rustls")]
    #[cfg_attr(docsrs, doc(cfg(feature = "rustls")))]
    pub fn add_crls(
        self,
        crls: impl IntoIterator<Item = reqwest::tls::CertificateRevocationList>,
    ) -> Self {
        self.with_inner(|inner| inner.add_crls(crls))
    }

    /// Like [`reqwest::ClientBuilder::identity`].
    #[cfg(any(feature = "__native-tls", feature = "__rustls"))]
    #[cfg_attr(docsrs, doc(cfg(any(feature = "native-tls", feature = "rustls"))))]
    pub fn identity(self, identity: reqwest::Identity) -> Self {
        self.with_inner(|inner| inner.identity(identity))
    }

    /// Like [`reqwest::ClientBuilder::tls_danger_accept_invalid_hostnames`].
    #[cfg(feature = "__tls")]
    #[cfg_attr(
        docsrs,
        doc(cfg(any(feature = "default-tls", feature = "native-tls", feature = "rustls")))
    )]
    pub fn tls_danger_accept_invalid_hostnames(self, accept_invalid_hostname: bool) -> Self {
        self.with_inner(|inner| inner.tls_danger_accept_invalid_hostnames(accept_invalid_hostname))
    }

    /// Like [`reqwest::ClientBuilder::danger_accept_invalid_hostnames`].
    #[cfg(feature = "__tls")]
    pub fn danger_accept_invalid_hostnames(self, accept_invalid_hostname: bool) -> Self {
        self.with_inner(|inner| inner.danger_accept_invalid_hostnames(accept_invalid_hostname))
    }

    /// Like [`reqwest::ClientBuilder::tls_danger_accept_invalid_certs`].
    #[cfg(feature = "__tls")]
    #[cfg_attr(
        docsrs,
        doc(cfg(any(feature = "default-tls", feature = "native-tls", feature = "rustls")))
    )]
    pub fn tls_danger_accept_invalid_certs(self, accept_invalid_certs: bool) -> Self {
        self.with_inner(|inner| inner.tls_danger_accept_invalid_certs(accept_invalid_certs))
    }

    /// Like [`reqwest::ClientBuilder::danger_accept_invalid_certs`].
    #[cfg(feature = "__tls")]
    pub fn danger_accept_invalid_certs(self, accept_invalid_certs: bool) -> Self {
        self.with_inner(|inner| inner.danger_accept_invalid_certs(accept_invalid_certs))
    }

    /// Like [`reqwest::ClientBuilder::tls_sni`].
    #[cfg(feature = "__tls")]
    #[cfg_attr(
        docsrs,
        doc(cfg(any(feature = "default-tls", feature = "native-tls", feature = "rustls")))
    )]
    pub fn tls_sni(self, tls_sni: bool) -> Self {
        self.with_inner(|inner| inner.tls_sni(tls_sni))
    }

    /// Like [`reqwest::ClientBuilder::tls_sslkeylogfile`].
    #[cfg(feature = "__rustls")]
    #[cfg_attr(docsrs, doc(cfg(feature = "rustls")))]
    pub fn tls_sslkeylogfile(self, on: bool) -> Self {
        self.with_inner(|inner| inner.tls_sslkeylogfile(on))
    }

    /// Like [`reqwest::ClientBuilder::tls_version_min`].
    #[cfg(feature = "__tls")]
    #[cfg_attr(
        docsrs,
        doc(cfg(any(feature = "default-tls", feature = "native-tls", feature = "rustls")))
    )]
    pub fn tls_version_min(self, version: reqwest::tls::Version) -> Self {
        self.with_inner(|inner| inner.tls_version_min(version))
    }

    /// Like [`reqwest::ClientBuilder::min_tls_version`].
    #[cfg(feature = "__tls")]
    pub fn min_tls_version(self, version: reqwest::tls::Version) -> Self {
        self.with_inner(|inner| inner.min_tls_version(version))
    }

    /// Like [`reqwest::ClientBuilder::tls_version_max`].
    #[cfg(feature = "__tls")]
    #[cfg_attr(
        docsrs,
        doc(cfg(any(feature = "default-tls", feature = "native-tls", feature = "rustls")))
    )]
    pub fn tls_version_max(self, version: reqwest::tls::Version) -> Self {
        self.with_inner(|inner| inner.tls_version_max(version))
    }

    /// Like [`reqwest::ClientBuilder::max_tls_version`].
    #[cfg(feature = "__tls")]
    pub fn max_tls_version(self, version: reqwest::tls::Version) -> Self {
        self.with_inner(|inner| inner.max_tls_version(version))
    }

    /// Like [`reqwest::ClientBuilder::tls_backend_native`].
    #[cfg(feature = "__native-tls")]
    #[cfg_attr(docsrs, doc(cfg(feature = "native-tls")))]
    pub fn tls_backend_native(self) -> Self {
        self.with_inner(reqwest::ClientBuilder::tls_backend_native)
    }

    /// Like [`reqwest::ClientBuilder::use_native_tls`].
    #[cfg(feature = "__native-tls")]
    pub fn use_native_tls(self) -> Self {
        self.with_inner(reqwest::ClientBuilder::use_native_tls)
    }

    /// Like [`reqwest::ClientBuilder::tls_backend_rustls`].
    #[cfg(feature = "__rustls")]
    #[cfg_attr(docsrs, doc(cfg(feature = "rustls")))]
    pub fn tls_backend_rustls(self) -> Self {
        self.with_inner(reqwest::ClientBuilder::tls_backend_rustls)
    }

    /// Like [`reqwest::ClientBuilder::use_rustls_tls`].
    #[cfg(feature = "__rustls")]
    #[cfg_attr(docsrs, doc(cfg(feature = "rustls")))]
    pub fn use_rustls_tls(self) -> Self {
        self.with_inner(reqwest::ClientBuilder::use_rustls_tls)
    }

    /// Like [`reqwest::ClientBuilder::tls_backend_preconfigured`].
    #[cfg(any(feature = "__native-tls", feature = "__rustls",))]
    #[cfg_attr(docsrs, doc(cfg(any(feature = "native-tls", feature = "rustls"))))]
    pub fn tls_backend_preconfigured(self, tls: impl std::any::Any) -> Self {
        self.with_inner(|inner| inner.tls_backend_preconfigured(tls))
    }

    /// Like [`reqwest::ClientBuilder::use_preconfigured_tls`].
    #[cfg(any(feature = "__native-tls", feature = "__rustls",))]
    pub fn use_preconfigured_tls(self, tls: impl std::any::Any) -> Self {
        self.with_inner(|inner| inner.use_preconfigured_tls(tls))
    }

    /// Like [`reqwest::ClientBuilder::tls_info`].
    #[cfg(feature = "__tls")]
    #[cfg_attr(
        docsrs,
        doc(cfg(any(feature = "default-tls", feature = "native-tls", feature = "rustls")))
    )]
    pub fn tls_info(self, tls_info: bool) -> Self {
        self.with_inner(|inner| inner.tls_info(tls_info))
    }

    /// Like [`reqwest::ClientBuilder::https_only`].
    pub fn https_only(self, enabled: bool) -> Self {
        self.with_inner(|inner| inner.https_only(enabled))
    }

    /// Like [`reqwest::ClientBuilder::hickory_dns`].
    #[cfg(feature = "hickory-dns")]
    #[cfg_attr(docsrs, doc(cfg(feature = "hickory-dns")))]
    pub fn hickory_dns(self, enable: bool) -> Self {
        self.with_inner(|inner| inner.hickory_dns(enable))
    }

    /// Like [`reqwest::ClientBuilder::no_hickory_dns`].
    pub fn no_hickory_dns(self) -> Self {
        self.with_inner(reqwest::ClientBuilder::no_hickory_dns)
    }

    /// Like [`reqwest::ClientBuilder::resolve`].
    pub fn resolve(self, domain: &str, addr: std::net::SocketAddr) -> Self {
        self.with_inner(|inner| inner.resolve(domain, addr))
    }

    /// Like [`reqwest::ClientBuilder::resolve_to_addrs`].
    pub fn resolve_to_addrs(self, domain: &str, addrs: &[std::net::SocketAddr]) -> Self {
        self.with_inner(|inner| inner.resolve_to_addrs(domain, addrs))
    }

    /// Like [`reqwest::ClientBuilder::dns_resolver`].
    pub fn dns_resolver<R>(self, resolver: R) -> Self
    where
        R: super::IntoResolve,
    {
        self.with_inner(|inner| resolver.set_on(inner))
    }

    /// Like [`reqwest::ClientBuilder::tls_early_data`].
    #[cfg(all(reqwest_unstable, feature = "http3"))]
    #[cfg_attr(docsrs, doc(cfg(all(reqwest_unstable, feature = "http3",))))]
    pub fn tls_early_data(self, enabled: bool) -> Self {
        self.with_inner(|inner| inner.tls_early_data(enabled))
    }

    /// Like [`reqwest::ClientBuilder::http3_max_idle_timeout`].
    #[cfg(all(reqwest_unstable, feature = "http3"))]
    #[cfg_attr(docsrs, doc(cfg(all(reqwest_unstable, feature = "http3",))))]
    pub fn http3_max_idle_timeout(self, value: std::time::Duration) -> Self {
        self.with_inner(|inner| inner.http3_max_idle_timeout(value))
    }

    /// Like [`reqwest::ClientBuilder::http3_stream_receive_window`].
    #[cfg(all(reqwest_unstable, feature = "http3"))]
    #[cfg_attr(docsrs, doc(cfg(all(reqwest_unstable, feature = "http3",))))]
    pub fn http3_stream_receive_window(self, value: u64) -> Self {
        self.with_inner(|inner| inner.http3_stream_receive_window(value))
    }

    /// Like [`reqwest::ClientBuilder::http3_conn_receive_window`].
    #[cfg(all(reqwest_unstable, feature = "http3"))]
    #[cfg_attr(docsrs, doc(cfg(all(reqwest_unstable, feature = "http3",))))]
    pub fn http3_conn_receive_window(self, value: u64) -> Self {
        self.with_inner(|inner| inner.http3_conn_receive_window(value))
    }

    /// Like [`reqwest::ClientBuilder::http3_send_window`].
    #[cfg(all(reqwest_unstable, feature = "http3"))]
    #[cfg_attr(docsrs, doc(cfg(all(reqwest_unstable, feature = "http3",))))]
    pub fn http3_send_window(self, value: u64) -> Self {
        self.with_inner(|inner| inner.http3_send_window(value))
    }

    /// Like [`reqwest::ClientBuilder::http3_congestion_bbr`].
    #[cfg(all(reqwest_unstable, feature = "http3"))]
    #[cfg_attr(docsrs, doc(cfg(all(reqwest_unstable, feature = "http3",))))]
    pub fn http3_congestion_bbr(self) -> Self {
        self.with_inner(reqwest::ClientBuilder::http3_congestion_bbr)
    }

    /// Like [`reqwest::ClientBuilder::http3_max_field_section_size`].
    #[cfg(all(reqwest_unstable, feature = "http3"))]
    #[cfg_attr(docsrs, doc(cfg(all(reqwest_unstable, feature = "http3",))))]
    pub fn http3_max_field_section_size(self, value: u64) -> Self {
        self.with_inner(|inner| inner.http3_max_field_section_size(value))
    }

    /// Like [`reqwest::ClientBuilder::http3_send_grease`].
    #[cfg(all(reqwest_unstable, feature = "http3"))]
    #[cfg_attr(docsrs, doc(cfg(all(reqwest_unstable, feature = "http3",))))]
    pub fn http3_send_grease(self, enabled: bool) -> Self {
        self.with_inner(|inner| inner.http3_send_grease(enabled))
    }
}
