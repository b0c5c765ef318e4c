//! URLs and query strings without credentials: userinfo replaced, the fragment dropped,
//! the values of sensitive query keys replaced by `REDACTED`.

use std::borrow::Cow;
use std::sync::{LazyLock, RwLock};

use super::REDACTED;

/// The environment variable that adds query keys to redact (a comma list), or redacts
/// every query value (`*`).
pub const OTEL_RUST_REDACTED_QUERY_KEYS: &str = "OTEL_RUST_REDACTED_QUERY_KEYS";

/// Which query values are replaced by `REDACTED` in `url.full`, `url.query` and the URLs
/// inside recorded error messages. Set for the process with [`set_query_redaction`];
/// read from [`OTEL_RUST_REDACTED_QUERY_KEYS`] until then.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueryRedaction {
    /// The values of the built-in sensitive keys (see [`is_sensitive_query_key`]) and of
    /// these extra keys, compared as the built-in ones are: after percent-decoding,
    /// ignoring case, `-` and `_`.
    SensitiveKeys(Vec<String>),
    /// Every value of every key: only the keys are recorded.
    AllValues,
}

impl Default for QueryRedaction {
    fn default() -> Self {
        QueryRedaction::SensitiveKeys(Vec::new())
    }
}

impl QueryRedaction {
    /// Parses a value of [`OTEL_RUST_REDACTED_QUERY_KEYS`]: `*` for every value, else a
    /// comma list of extra keys (empty entries ignored). A `*` among keys
    /// (`token,*`) also means every value: whoever wrote it asked for at least that
    /// much, and redacting less than asked would leak.
    pub fn parse(value: &str) -> QueryRedaction {
        let keys = value
            .split(',')
            .map(str::trim)
            .filter(|key| !key.is_empty());
        if keys.clone().any(|key| key == "*") {
            return QueryRedaction::AllValues;
        }
        QueryRedaction::SensitiveKeys(keys.map(normalized_key).collect())
    }

    fn redacts(&self, key: &str) -> bool {
        match self {
            QueryRedaction::AllValues => true,
            QueryRedaction::SensitiveKeys(extra) => with_normalized_key(key, |key| {
                is_sensitive_normalized(key) || extra.iter().any(|e| e.as_bytes() == key)
            }),
        }
    }
}

static REDACTION: LazyLock<RwLock<QueryRedaction>> = LazyLock::new(|| {
    let redaction = crate::env::read_var(OTEL_RUST_REDACTED_QUERY_KEYS)
        .map(|value| QueryRedaction::parse(&value))
        .unwrap_or_default();
    RwLock::new(redaction)
});

/// Sets which query values are redacted, for the whole process (`instrument::init()`
/// does, from its builder). Replaces what [`OTEL_RUST_REDACTED_QUERY_KEYS`] said.
pub fn set_query_redaction(redaction: QueryRedaction) {
    let redaction = match redaction {
        QueryRedaction::SensitiveKeys(keys) => {
            QueryRedaction::SensitiveKeys(keys.iter().map(|key| normalized_key(key)).collect())
        }
        all => all,
    };
    if let Ok(mut current) = REDACTION.write() {
        *current = redaction;
    }
}

/// The query redaction in force.
pub fn query_redaction() -> QueryRedaction {
    with_query_redaction(QueryRedaction::clone)
}

/// Runs `f` with the query redaction in force, without copying it: URLs are redacted
/// on every traced request.
fn with_query_redaction<T>(f: impl FnOnce(&QueryRedaction) -> T) -> T {
    match REDACTION.read() {
        Ok(current) => f(&current),
        // A writer panicked: the safe reading.
        Err(_) => f(&QueryRedaction::AllValues),
    }
}

/// Keys whose values are credentials wherever they appear, compared after
/// [`normalized_key`]: the semantic conventions' list (`AWSAccessKeyId`, `Signature`,
/// `sig`, `X-Goog-Signature`) and the usual names of tokens, keys, secrets, passwords
/// and sessions.
const SENSITIVE_KEYS: [&str; 17] = [
    "sig",
    "key",
    "code",
    "auth",
    "authorization",
    "pwd",
    "pass",
    "passwd",
    "sid",
    "jwt",
    "otp",
    "session",
    "assertion",
    "clientassertion",
    "samlresponse",
    "samlrequest",
    "ticket",
];

/// A key holding any of these (after [`normalized_key`]) is sensitive: `access_token`,
/// `X-Amz-Security-Token`, `client_secret`, `db_password`, `x-api-key`, `AWSAccessKeyId`,
/// `X-Amz-Credential`, `JSESSIONID`, `auth_key`, `authCode`, `verification_code`,
/// `otp_code`, `totp`, `session_key`, `subscription-key` (Azure API Management),
/// `passcode`, `passphrase`, `hmac`, `user_pass`, ...
const SENSITIVE_PARTS: [&str; 19] = [
    "token",
    "secret",
    "passw",
    "apikey",
    "signature",
    "credential",
    "sessionid",
    "sessid",
    "privatekey",
    "accesskey",
    "authkey",
    "authcode",
    "verificationcode",
    "otp",
    "sessionkey",
    "subscriptionkey",
    "passcode",
    "passphrase",
    "hmac",
];

/// Keys ending in one of these are sensitive too (`user_pass`, `admin_pwd`).
const SENSITIVE_ENDINGS: [&str; 2] = ["pass", "pwd"];

/// `key` percent-decoded (`+` is a space), ASCII lower-cased, without `-`, `_`, `.`
/// and spaces: the form sensitive keys are compared in, so `%73ig`, `SIG`, `Api-Key`
/// and `api_key` are all caught.
fn normalized_key(key: &str) -> String {
    with_normalized_key(key, |bytes| String::from_utf8_lossy(bytes).into_owned())
}

/// Runs `f` with [`normalized_key`]'s bytes, built on the stack for keys of usual size:
/// every query key of every traced request goes through this.
fn with_normalized_key<T>(key: &str, f: impl FnOnce(&[u8]) -> T) -> T {
    let bytes = percent_encoding::percent_decode_str(key)
        .filter(|b| !matches!(b, b'-' | b'_' | b' ' | b'+' | b'.'))
        .map(|b| b.to_ascii_lowercase());
    let mut stack = [0u8; 64];
    let mut len = 0;
    let mut heap: Option<Vec<u8>> = None;
    for byte in bytes {
        match &mut heap {
            Some(heap) => heap.push(byte),
            None if len < stack.len() => {
                stack[len] = byte;
                len += 1;
            }
            None => {
                let mut grown = stack.to_vec();
                grown.push(byte);
                heap = Some(grown);
            }
        }
    }
    match &heap {
        Some(heap) => f(heap),
        None => f(&stack[..len]),
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle)
}

fn is_sensitive_normalized(key: &[u8]) -> bool {
    SENSITIVE_KEYS.iter().any(|known| known.as_bytes() == key)
        || SENSITIVE_PARTS
            .iter()
            .any(|part| contains(key, part.as_bytes()))
        || SENSITIVE_ENDINGS
            .iter()
            .any(|ending| key.ends_with(ending.as_bytes()))
        || key.starts_with(b"xamz")
        || key.starts_with(b"xgoog")
}

/// Is `key` (as written in a query string, possibly percent-encoded) one whose value is
/// always redacted? Case, `-`, `_` and percent-encoding do not matter.
pub fn is_sensitive_query_key(key: &str) -> bool {
    with_normalized_key(key, is_sensitive_normalized)
}

/// `url` as `url.full` records it: userinfo replaced by `REDACTED:REDACTED`, the
/// fragment dropped, the values of sensitive query keys (see [`QueryRedaction`])
/// replaced by `REDACTED`. Works on the text alone and never fails: a string that is
/// not a URL comes back with the same rules applied as far as they fit.
pub fn redact_url(url: &str) -> Cow<'_, str> {
    // Most URLs have nothing to redact: answered before taking the settings' lock, with
    // memchr's vector search (a byte-by-byte loop cost 165 instructions for a short URL).
    if memchr::memchr3(b'@', b'?', b'#', url.as_bytes()).is_none() {
        return Cow::Borrowed(url);
    }
    with_query_redaction(|redaction| redact_url_with(url, redaction))
}

/// [`redact_url`] with the settings at hand. A URL without userinfo, query or fragment
/// comes back borrowed through the checks below; `redact_url` answers it before them.
fn redact_url_with<'u>(url: &'u str, redaction: &QueryRedaction) -> Cow<'u, str> {
    let url = url.split_once('#').map_or(url, |(url, _fragment)| url);
    // After `scheme://`; a `://` further on (in the query, say) starts nothing.
    let authority_start = match url.find("://") {
        Some(i) if is_scheme(&url[..i]) => i + 3,
        _ => 0,
    };
    let rest = &url[authority_start..];
    let authority_len = rest.find(['/', '?']).unwrap_or(rest.len());
    let userinfo_end = rest[..authority_len]
        .rfind('@')
        .map(|i| authority_start + i);
    let query_start = url[authority_start..]
        .find('?')
        .map(|start| authority_start + start + 1);
    let query_needs_redaction =
        query_start.is_some_and(|start| needs_redaction(&url[start..], redaction));
    if userinfo_end.is_none() && !query_needs_redaction {
        // The cut at `#` is a prefix: still borrowed.
        return Cow::Borrowed(url);
    }

    let mut out = String::with_capacity(url.len());
    let mut copied_to = 0;
    if let Some(end) = userinfo_end {
        out.push_str(&url[..authority_start]);
        out.push_str("REDACTED:REDACTED");
        copied_to = end;
    }
    match (query_start, query_needs_redaction) {
        (Some(start), true) => {
            out.push_str(&url[copied_to..start]);
            push_redacted_query(&mut out, &url[start..], redaction);
        }
        _ => out.push_str(&url[copied_to..]),
    }
    Cow::Owned(out)
}

/// `scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )` (RFC 3986).
fn is_scheme(text: &str) -> bool {
    text.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

/// A query string (a leading `?` is dropped) as `url.query` records it: the values of sensitive
/// keys replaced by `REDACTED`, as in [`redact_url`]. A fragment, if the text carries
/// one, is dropped.
pub fn redact_query(query: &str) -> Cow<'_, str> {
    let query = query.split_once('#').map_or(query, |(query, _)| query);
    let query = query.trim_start_matches('?');
    with_query_redaction(|redaction| {
        if !needs_redaction(query, redaction) {
            return Cow::Borrowed(query);
        }
        let mut out = String::with_capacity(query.len());
        push_redacted_query(&mut out, query, redaction);
        Cow::Owned(out)
    })
}

/// Does `query` hold a value to redact?
fn needs_redaction(query: &str, redaction: &QueryRedaction) -> bool {
    query.split('&').any(|pair| match pair.split_once('=') {
        Some((key, value)) if redacts_value(key, value, redaction) => true,
        _ => {
            nested_url(pair, redaction).is_some()
                || semicolon_pairs(pair).any(|(key, value)| redacts_value(key, value, redaction))
        }
    })
}

/// The `key=value` pairs after the first `;` of a pair: some servers take `;` as a
/// separator too (`?a=1;token=x`). Only for a pair whose own key is not sensitive (a
/// sensitive one is redacted whole, `;` and all).
fn semicolon_pairs(pair: &str) -> impl Iterator<Item = (&str, &str)> {
    pair.split(';')
        .skip(1)
        .filter_map(|part| part.split_once('='))
}

/// Is `value`, the value of `key` in a query, one to replace by `REDACTED`?
fn redacts_value(key: &str, value: &str, redaction: &QueryRedaction) -> bool {
    !value.is_empty() && redaction.redacts(key)
}

/// A URL inside a query pair (`next=https://user:pw@host/?token=…`, as written or
/// percent-encoded) that holds a credential: the pair's value becomes `REDACTED` whole
/// (`None` when there is nothing to redact). Replaced whole, not in place, so that a
/// redacted URL redacts to itself.
fn nested_url(pair: &str, redaction: &QueryRedaction) -> Option<String> {
    let as_written = pair.contains("://");
    if !as_written && !pair.to_ascii_lowercase().contains("%3a%2f%2f") {
        return None;
    }
    // URLs nested in URLs nested in URLs: past two levels the value counts as holding
    // a credential, so hostile input costs neither deep recursion nor quadratic work.
    thread_local! {
        static DEPTH: std::cell::Cell<u8> = const { std::cell::Cell::new(0) };
    }
    let depth = DEPTH.get();
    let holds_a_credential = depth >= 2 || {
        DEPTH.set(depth + 1);
        let text = if as_written {
            Cow::Borrowed(pair)
        } else {
            percent_encoding::percent_decode_str(pair).decode_utf8_lossy()
        };
        let changed = matches!(redact_urls_with(&text, redaction), Cow::Owned(r) if r != text);
        DEPTH.set(depth);
        changed
    };
    holds_a_credential.then(|| match pair.split_once('=') {
        Some((key, _)) => format!("{key}={REDACTED}"),
        None => REDACTED.to_owned(),
    })
}

/// Appends `query` to `out` with the values to redact replaced.
fn push_redacted_query(out: &mut String, query: &str, redaction: &QueryRedaction) {
    for (i, pair) in query.split('&').enumerate() {
        if i > 0 {
            out.push('&');
        }
        match pair.split_once('=') {
            Some((key, value)) if redacts_value(key, value, redaction) => {
                out.push_str(key);
                out.push('=');
                out.push_str(REDACTED);
            }
            _ => match nested_url(pair, redaction) {
                Some(redacted) => out.push_str(&redacted),
                None => push_semicolon_pairs(out, pair, redaction),
            },
        }
    }
}

/// `pair` with the values of sensitive keys after its `;`s redacted (see
/// [`semicolon_pairs`]).
fn push_semicolon_pairs(out: &mut String, pair: &str, redaction: &QueryRedaction) {
    for (i, part) in pair.split(';').enumerate() {
        if i > 0 {
            out.push(';');
        }
        match part.split_once('=') {
            Some((key, value)) if i > 0 && redacts_value(key, value, redaction) => {
                out.push_str(key);
                out.push('=');
                out.push_str(REDACTED);
            }
            _ => out.push_str(part),
        }
    }
}

/// Where a URL found in text ends: at white space, `"`, `<`, `>`, a backtick, or a `)`
/// or `]` it did not open. `'` and balanced brackets may be part of a URL
/// (`?ids[]=1`, `/it's`, `?q=(a)`), so a URL quoted as `'…'` takes its closing quote
/// along: redacted with it, never leaking what follows.
fn url_end(text: &str, from: usize) -> usize {
    let (mut parens, mut brackets) = (0usize, 0usize);
    for (i, c) in text[from..].char_indices() {
        match c {
            c if c.is_whitespace() => return from + i,
            '"' | '<' | '>' | '`' => return from + i,
            '(' => parens += 1,
            '[' => brackets += 1,
            ')' if parens == 0 => return from + i,
            ')' => parens -= 1,
            ']' if brackets == 0 => return from + i,
            ']' => brackets -= 1,
            _ => {}
        }
    }
    text.len()
}

/// `text` (an error message, say) with every URL in it redacted as [`redact_url`]
/// does. A URL starts at a scheme followed by `://` and ends at white space, `"`, `<`,
/// `>`, a backtick, or a `)` or `]` it did not open.
pub fn redact_urls_in_text(text: &str) -> Cow<'_, str> {
    if !text.contains("://") {
        return Cow::Borrowed(text);
    }
    with_query_redaction(|redaction| redact_urls_with(text, redaction))
}

fn redact_urls_with<'t>(text: &'t str, redaction: &QueryRedaction) -> Cow<'t, str> {
    let mut out = String::with_capacity(text.len());
    let mut copied_to = 0;
    let mut search_from = 0;
    while let Some(found) = text[search_from..].find("://") {
        let separator = search_from + found;
        let start = text[..separator]
            .rfind(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
            .map_or(0, |i| {
                i + text[i..].chars().next().map_or(1, char::len_utf8)
            })
            .max(copied_to);
        let end = url_end(text, separator);
        out.push_str(&text[copied_to..start]);
        out.push_str(&redact_url_with(&text[start..end], redaction));
        copied_to = end;
        search_from = end.max(separator + 3);
    }
    out.push_str(&text[copied_to..]);
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> QueryRedaction {
        QueryRedaction::default()
    }

    #[test]
    fn a_query_alone_is_redacted_and_borrowed_when_clean() {
        assert_eq!(redact_query("a=1&sig=x"), "a=1&sig=REDACTED");
        assert_eq!(redact_query("?sig=x"), "sig=REDACTED");
        assert!(matches!(redact_query("a=1&b=2"), Cow::Borrowed("a=1&b=2")));
    }

    #[test]
    fn userinfo_is_redacted_and_the_fragment_dropped() {
        assert_eq!(
            redact_url_with("https://user:secret@example.com:8443/a?b=c#d", &keys()),
            "https://REDACTED:REDACTED@example.com:8443/a?b=c"
        );
        assert_eq!(
            redact_url_with("https://example.com/cb#access_token=abc", &keys()),
            "https://example.com/cb"
        );
    }

    #[test]
    fn signing_query_values_are_redacted_and_keys_kept() {
        assert_eq!(
            redact_url_with(
                "https://s3.example.com/o?X-Amz-Signature=abc&x=1&sig=zz&Signature=q#frag",
                &keys()
            ),
            "https://s3.example.com/o?X-Amz-Signature=REDACTED&x=1&sig=REDACTED&Signature=REDACTED"
        );
    }

    #[test]
    fn credential_names_in_any_case_or_encoding_are_redacted() {
        for key in [
            "api_key",
            "apiKey",
            "API-KEY",
            "token",
            "access_token",
            "refresh_token",
            "id_token",
            "password",
            "Passwd",
            "client_secret",
            "SIG",
            "%73ig",
            "%53ignature",
            "session_id",
            "JSESSIONID",
            "auth",
            "X-Goog-Credential",
            "x-amz-date",
            "key",
            "code",
            "AWSAccessKeyId",
            "private_key",
            "credentials",
            "passcode",
            "auth_key",
            "authKey",
            "auth_code",
            "verification_code",
            "otp_code",
            "totp",
            "session_key",
            "subscription-key",
            "passphrase",
            "user_pass",
            "admin_pwd",
            "hmac",
        ] {
            assert!(is_sensitive_query_key(key), "{key}");
            let url = format!("https://h/p?{key}=s3cr3t&page=2");
            let redacted = redact_url_with(&url, &keys());
            assert!(!redacted.contains("s3cr3t"), "{key}: {redacted}");
            assert!(redacted.contains("page=2"), "{key}: {redacted}");
        }
        for key in [
            "page",
            "q",
            "limit",
            "sort",
            "id",
            "user",
            "country_code",
            "passenger_count",
            "keyword",
        ] {
            assert!(!is_sensitive_query_key(key), "{key}");
        }
    }

    #[test]
    fn extra_keys_and_every_value_can_be_redacted() {
        let extra = QueryRedaction::parse(" tenant , Customer-Email ,");
        assert_eq!(
            redact_url_with("http://h/?tenant=a&customer_email=b&page=1", &extra),
            "http://h/?tenant=REDACTED&customer_email=REDACTED&page=1"
        );
        let all = QueryRedaction::parse("*");
        assert_eq!(
            redact_url_with("http://h/?q=a&page=1&flag", &all),
            "http://h/?q=REDACTED&page=REDACTED&flag"
        );
    }

    #[test]
    fn a_star_among_keys_still_redacts_every_value() {
        for value in ["token,*", " * , tenant", "tenant,,*,"] {
            assert_eq!(
                QueryRedaction::parse(value),
                QueryRedaction::AllValues,
                "{value:?}"
            );
        }
        assert!(
            matches!(
                QueryRedaction::parse("*tenant"),
                QueryRedaction::SensitiveKeys(_)
            ),
            "a key that only starts with `*` is a key"
        );
    }

    #[test]
    fn pairs_separated_by_semicolons_are_redacted_too() {
        assert_eq!(
            redact_url_with("http://h/p?a=1;token=T0K;b=2&page=3", &keys()),
            "http://h/p?a=1;token=REDACTED;b=2&page=3"
        );
        // A sensitive value holding a `;` is redacted whole, as before.
        assert_eq!(
            redact_url_with("http://h/p?token=T0K;EN&page=3", &keys()),
            "http://h/p?token=REDACTED&page=3"
        );
        let plain = "http://h/p?q=a;b&page=3";
        assert!(matches!(redact_url_with(plain, &keys()), Cow::Borrowed(u) if u == plain));
    }

    #[test]
    fn a_plain_url_is_borrowed_unchanged() {
        let url = "http://127.0.0.1:8080/health?verbose=1";
        assert!(matches!(redact_url_with(url, &keys()), Cow::Borrowed(u) if u == url));
    }

    #[test]
    fn an_at_sign_in_the_path_is_not_userinfo() {
        assert_eq!(
            redact_url_with("https://example.com/users/@me?sig=1", &keys()),
            "https://example.com/users/@me?sig=REDACTED"
        );
    }

    #[test]
    fn urls_inside_a_message_are_redacted() {
        assert_eq!(
            redact_urls_in_text(
                "error sending request for url (https://u:p@h/x?token=abc#f): connection refused; \
                 redirected to http://h/y?api_key=def"
            ),
            "error sending request for url (https://REDACTED:REDACTED@h/x?token=REDACTED): \
             connection refused; redirected to http://h/y?api_key=REDACTED"
        );
        assert!(matches!(
            redact_urls_in_text("no url here"),
            Cow::Borrowed(_)
        ));
        // A URL inside a query value, as written or percent-encoded.
        assert_eq!(
            redact_url_with("http://h/?next=http://u:pw@i/?token=t&page=2", &keys()),
            "http://h/?next=REDACTED&page=2"
        );
        assert_eq!(
            redact_url_with("http://h/?next=http%3A%2F%2Fi%2F%3Fsig%3Dx&page=2", &keys()),
            "http://h/?next=REDACTED&page=2"
        );
        assert_eq!(
            redact_url_with("http://h/?next=http%3A%2F%2Fi%2Fhome&page=2", &keys()),
            "http://h/?next=http%3A%2F%2Fi%2Fhome&page=2"
        );
        // Brackets, parentheses and apostrophes inside a URL do not end it.
        for text in [
            "failed (http://h/p?ids[]=1&token=S3CR3T)",
            "failed (http://h/p?q=(a)&token=S3CR3T): x",
            "failed for url 'http://h/it's?token=S3CR3T': x",
        ] {
            let redacted = redact_urls_in_text(text);
            assert!(!redacted.contains("S3CR3T"), "{text} -> {redacted}");
            assert!(redacted.starts_with("failed"), "{redacted}");
        }
        assert_eq!(
            redact_urls_in_text(":// ://x?sig=1 a://"),
            ":// ://x?sig=REDACTED a://"
        );
        assert_eq!(redact_urls_in_text("é://x?sig=1"), "é://x?sig=REDACTED");
    }

    #[test]
    fn text_that_is_not_a_url_does_not_panic() {
        for text in [
            "",
            "?",
            "@",
            "#",
            "://",
            "a@b?sig",
            "?sig=1&&=&",
            "é@é?Signature=é#é",
            "h/?X-Amz-Signature=tp://a@b@c/",
            "?a://b@c?sig=1",
        ] {
            let _ = redact_url_with(text, &keys());
            let _ = redact_urls_in_text(text);
        }
        assert_eq!(
            redact_url_with("é@é?Signature=é", &keys()),
            "REDACTED:REDACTED@é?Signature=REDACTED"
        );
    }
}
