//! The builders are drop-ins for reqwest's: every public method of the resolved reqwest
//! is here under the same cargo gate, and a chain of all the settings the enabled
//! features allow builds a client.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

/// Methods of reqwest's builders that cannot be mirrored, and why.
const NOT_MIRRORED: &[(&str, &str, &str)] = &[(
    "ClientBuilder",
    "connector_layer",
    "its bounds name reqwest types that are not exported; set it with `with_inner`",
)];

/// A type's public methods in `source`, each with its `#[cfg(...)]` gate (whitespace and
/// trailing commas normalized), from every `impl Type {` block.
fn public_methods(source: &str, type_name: &str) -> BTreeMap<String, Vec<String>> {
    let mut methods = BTreeMap::new();
    let opening = format!("\nimpl {type_name} {{\n");
    let mut rest = source;
    while let Some(start) = rest.find(&opening) {
        let block = &rest[start + opening.len()..];
        let end = block.find("\n}\n").unwrap_or(block.len());
        let mut gates = Vec::new();
        let mut lines = block[..end].lines();
        while let Some(line) = lines.next() {
            if let Some(attribute) = line.strip_prefix("    #[") {
                let mut attribute = format!("#[{attribute}");
                while attribute.matches('[').count() > attribute.matches(']').count() {
                    attribute.push_str(lines.next().unwrap_or_default().trim());
                }
                if attribute.starts_with("#[cfg(") {
                    gates.push(normalized(&attribute));
                }
            } else if let Some(signature) = line.strip_prefix("    pub fn ") {
                let name: String = signature
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                methods.insert(name, std::mem::take(&mut gates));
            } else if line.starts_with("    fn ") || line.starts_with("    pub(crate) fn ") {
                gates.clear();
            }
        }
        rest = &block[end..];
    }
    methods
}

fn normalized(attribute: &str) -> String {
    let compact: String = attribute.chars().filter(|c| !c.is_whitespace()).collect();
    compact.replace(",)", ")")
}

/// The platform rustc builds for by default, from `rustc -vV`.
fn host_triple() -> String {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_owned());
    let output = std::process::Command::new(rustc)
        .arg("-vV")
        .output()
        .expect("rustc -vV runs");
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .find_map(|line| line.strip_prefix("host: "))
        .expect("rustc names its host")
        .to_owned()
}

/// The source directory of the reqwest this crate builds against, from `cargo metadata`
/// (for this platform only: other platforms' dependencies may not be downloaded).
fn reqwest_source() -> PathBuf {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let output = std::process::Command::new(cargo)
        .args([
            "metadata",
            "--format-version",
            "1",
            "--offline",
            "--filter-platform",
        ])
        .arg(host_triple())
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo metadata runs");
    assert!(output.status.success(), "cargo metadata failed: {output:?}");
    let metadata: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("cargo metadata prints JSON");
    let ours = metadata["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .find(|package| package["name"] == "instrument-reqwest")
        .expect("this crate in the metadata");
    let wanted = ours["dependencies"]
        .as_array()
        .expect("dependencies")
        .iter()
        .find(|dependency| dependency["name"] == "reqwest" && dependency["kind"].is_null())
        .expect("reqwest among the dependencies")["req"]
        .as_str()
        .expect("a version requirement")
        .trim_start_matches('^')
        .to_owned();
    let reqwest = metadata["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .find(|package| {
            package["name"] == "reqwest"
                && package["version"]
                    .as_str()
                    .is_some_and(|version| version.starts_with(&format!("{wanted}.")))
        })
        .expect("the resolved reqwest");
    PathBuf::from(reqwest["manifest_path"].as_str().expect("a manifest path"))
        .parent()
        .expect("the manifest's directory")
        .join("src/async_impl")
}

fn read(path: PathBuf) -> String {
    std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

/// The gate we expect for a reqwest method: its own, except that HTTP/3 settings also
/// need the `reqwest_unstable` flag here (reqwest checks the flag in a `compile_error!`
/// instead).
fn expected_gates(gates: &[String]) -> Vec<String> {
    gates
        .iter()
        .map(|gate| match gate.as_str() {
            r#"#[cfg(feature="http3")]"# => {
                r#"#[cfg(all(reqwest_unstable,feature="http3"))]"#.to_owned()
            }
            _ => gate.clone(),
        })
        .collect()
}

fn assert_mirrors(type_name: &str, theirs: &str, ours: &str) {
    let theirs = public_methods(theirs, type_name);
    let ours = public_methods(ours, type_name);
    assert!(
        !theirs.is_empty(),
        "no public methods of reqwest's {type_name} found"
    );
    let mut problems = Vec::new();
    for (name, gates) in &theirs {
        let exception = NOT_MIRRORED
            .iter()
            .any(|(owner, method, _)| *owner == type_name && method == name);
        match ours.get(name) {
            None if exception => {}
            None => problems.push(format!("{type_name}::{name} is missing")),
            Some(_) if exception => problems.push(format!(
                "{type_name}::{name} is mirrored now: take it off NOT_MIRRORED"
            )),
            Some(our_gates) if *our_gates != expected_gates(gates) => problems.push(format!(
                "{type_name}::{name} is gated by {our_gates:?}, reqwest's by {gates:?}"
            )),
            Some(_) => {}
        }
    }
    for (owner, method, _) in NOT_MIRRORED {
        if *owner == type_name && !theirs.contains_key(*method) {
            problems.push(format!(
                "{owner}::{method} is gone from reqwest: take it off NOT_MIRRORED"
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "instrument-reqwest's {type_name} differs from the resolved reqwest's:\n  {}",
        problems.join("\n  ")
    );
}

#[test]
fn client_builder_has_every_method_of_reqwest() {
    let source = reqwest_source();
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let ours = read(manifest.join("src/builder.rs"))
        + &read(manifest.join("src/builder/reqwest_settings.rs"));
    assert_mirrors("ClientBuilder", &read(source.join("client.rs")), &ours);
}

#[test]
fn request_builder_and_client_have_every_method_of_reqwest() {
    let source = reqwest_source();
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    assert_mirrors(
        "RequestBuilder",
        &read(source.join("request.rs")),
        &read(manifest.join("src/request.rs")),
    );
    assert_mirrors(
        "Client",
        &read(source.join("client.rs")),
        &read(manifest.join("src/client.rs")),
    );
}

#[test]
fn the_completeness_check_sees_a_missing_method_and_a_wrong_gate() {
    let theirs = "\nimpl ClientBuilder {\n    pub fn timeout(self) {}\n    #[cfg(feature = \"gzip\")]\n    pub fn gzip(self) {}\n    pub fn brand_new(self) {}\n}\n";
    let ours = "\nimpl ClientBuilder {\n    pub fn timeout(self) {}\n    pub fn gzip(self) {}\n}\n";
    let failure = std::panic::catch_unwind(|| assert_mirrors("ClientBuilder", theirs, ours))
        .expect_err("a missing method fails the check");
    let message = failure
        .downcast_ref::<String>()
        .expect("a formatted message");
    assert!(
        message.contains("ClientBuilder::brand_new is missing"),
        "{message}"
    );
    assert!(
        message.contains("ClientBuilder::gzip is gated by []"),
        "{message}"
    );
}

/// Every setting the enabled features allow, in one chain, as an application swapping
/// `reqwest::` for `instrument_reqwest::` would write it.
#[test]
fn a_chain_of_every_setting_builds_a_client() {
    let address: std::net::SocketAddr = ([127, 0, 0, 1], 9).into();
    let mut headers = http::HeaderMap::new();
    headers.insert("x-team", http::HeaderValue::from_static("checkout"));
    let builder = instrument_reqwest::Client::builder()
        .user_agent("orders/1.0")
        .default_headers(headers)
        .no_gzip()
        .no_brotli()
        .no_zstd()
        .no_deflate()
        .referer(false)
        .retry(instrument_reqwest::retry::never())
        .proxy(reqwest::Proxy::http("http://127.0.0.1:3128").expect("a proxy URL"))
        .no_proxy()
        .timeout(Duration::from_secs(30))
        .read_timeout(Duration::from_secs(10))
        .connect_timeout(Duration::from_secs(5))
        .connection_verbose(false)
        .pool_idle_timeout(Duration::from_secs(60))
        .pool_max_idle_per_host(8)
        .http1_title_case_headers()
        .http1_allow_obsolete_multiline_headers_in_responses(true)
        .http1_ignore_invalid_headers_in_responses(true)
        .http1_allow_spaces_after_header_name_in_responses(true)
        .http1_max_headers(200)
        .http1_only()
        .http09_responses()
        .tcp_nodelay(true)
        .local_address(None)
        .tcp_keepalive(Duration::from_secs(15))
        .tcp_keepalive_interval(Duration::from_secs(15))
        .tcp_keepalive_retries(3)
        .https_only(false)
        .no_hickory_dns()
        .resolve("inventory.test", address)
        .resolve_to_addrs("billing.test", &[address])
        .dns_resolver(std::sync::Arc::new(FixedResolver(address)))
        .redirect(reqwest::redirect::Policy::limited(5));
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
    let builder = builder.interface("lo");
    #[cfg(any(target_os = "android", target_os = "fuchsia", target_os = "linux"))]
    let builder = builder.tcp_user_timeout(Duration::from_secs(30));
    #[cfg(unix)]
    let builder = builder.unix_socket(std::env::temp_dir().join("instrument-reqwest.sock"));
    #[cfg(feature = "cookies")]
    let builder = builder
        .cookie_store(true)
        .cookie_provider(std::sync::Arc::new(reqwest::cookie::Jar::default()));
    #[cfg(feature = "gzip")]
    let builder = builder.gzip(true);
    #[cfg(feature = "brotli")]
    let builder = builder.brotli(true);
    #[cfg(feature = "zstd")]
    let builder = builder.zstd(true);
    #[cfg(feature = "deflate")]
    let builder = builder.deflate(true);
    #[cfg(feature = "http2")]
    let builder = builder
        .http2_prior_knowledge()
        .http2_initial_stream_window_size(65_535)
        .http2_initial_connection_window_size(None)
        .http2_adaptive_window(false)
        .http2_max_frame_size(16_384)
        .http2_max_header_list_size(16_384)
        .http2_keep_alive_interval(Duration::from_secs(20))
        .http2_keep_alive_timeout(Duration::from_secs(5))
        .http2_keep_alive_while_idle(false);
    #[cfg(feature = "hickory-dns")]
    let builder = builder.hickory_dns(false);
    #[cfg(feature = "__tls")]
    let builder = {
        let certificate =
            reqwest::Certificate::from_pem(include_bytes!("fixtures/test-only-ca.pem"))
                .expect("the fixture certificate");
        builder
            .tls_certs_merge([certificate.clone()])
            .tls_certs_only([certificate.clone()])
            .add_root_certificate(certificate)
            .tls_danger_accept_invalid_hostnames(false)
            .danger_accept_invalid_hostnames(false)
            .tls_danger_accept_invalid_certs(false)
            .danger_accept_invalid_certs(false)
            .tls_sni(true)
            .tls_version_min(reqwest::tls::Version::TLS_1_2)
            .min_tls_version(reqwest::tls::Version::TLS_1_2)
            .tls_version_max(reqwest::tls::Version::TLS_1_3)
            .max_tls_version(reqwest::tls::Version::TLS_1_3)
            .tls_info(true)
    };
    // A preconfigured backend of an unknown type fails the build; a backend chosen
    // after it replaces it.
    #[cfg(any(feature = "__native-tls", feature = "__rustls"))]
    let builder = builder
        .tls_backend_preconfigured(())
        .use_preconfigured_tls(());
    #[cfg(feature = "__native-tls")]
    let builder = builder.tls_backend_native().use_native_tls();
    #[cfg(feature = "__rustls")]
    let builder = {
        let crl = || {
            reqwest::tls::CertificateRevocationList::from_pem(include_bytes!(
                "fixtures/test-only-ca-crl.pem"
            ))
            .expect("the fixture revocation list")
        };
        let mut pem = include_bytes!("fixtures/test-only-ca.pem").to_vec();
        pem.extend_from_slice(include_bytes!("fixtures/test-only-ca-key.pem"));
        builder
            .tls_crls_only([crl()])
            .add_crl(crl())
            .add_crls([crl()])
            .identity(reqwest::Identity::from_pem(&pem).expect("the fixture identity"))
            .tls_sslkeylogfile(false)
            .tls_backend_rustls()
            .use_rustls_tls()
    };
    #[cfg(all(reqwest_unstable, feature = "http3"))]
    let builder = builder
        .http3_prior_knowledge()
        .tls_early_data(false)
        .http3_max_idle_timeout(Duration::from_secs(30))
        .http3_stream_receive_window(1 << 20)
        .http3_conn_receive_window(1 << 22)
        .http3_send_window(1 << 20)
        .http3_congestion_bbr()
        .http3_max_field_section_size(1 << 16)
        .http3_send_grease(true);
    builder
        .build()
        .expect("every setting together builds a client");
}

/// A resolver that answers every name with one address.
struct FixedResolver(std::net::SocketAddr);

impl reqwest::dns::Resolve for FixedResolver {
    fn resolve(&self, _name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let address = self.0;
        Box::pin(async move {
            let addresses: reqwest::dns::Addrs = Box::new(std::iter::once(address));
            Ok(addresses)
        })
    }
}
