//! `baggage`.

use opentelemetry::Context;
use opentelemetry::baggage::{BaggageExt as _, KeyValueMetadata};
use opentelemetry::propagation::text_map_propagator::FieldIter;
use opentelemetry::propagation::{Extractor, Injector, TextMapPropagator};
use percent_encoding::{AsciiSet, CONTROLS, percent_decode_str, utf8_percent_encode};

const BAGGAGE: &str = "baggage";

/// Most list-members propagated.
pub const MAX_BAGGAGE_MEMBERS: usize = 64;

/// Most bytes of `baggage` propagated.
pub const MAX_BAGGAGE_BYTES: usize = 8192;

/// What a value may not hold unencoded: anything but `baggage-octet`
/// (`%x21 / %x23-2B / %x2D-3A / %x3C-5B / %x5D-7E`).
const NOT_BAGGAGE_OCTET: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b',')
    .add(b';')
    .add(b'\\')
    .add(b'%');

/// W3C Baggage: reads and writes `baggage`.
///
/// Repeated headers are combined in order. Everything is propagated up to 64
/// list-members and 8,192 bytes; a member that would pass either limit is left out
/// whole, never cut. A member that does not parse (no `=`, a key that is not a token) is
/// left out; the others are kept. Percent-encoded bytes of a value that are not UTF-8
/// become U+FFFD, as the specification says. Properties after `;` are kept as the
/// member's metadata.
///
/// Injection writes only what the grammar allows: a member whose key is not a token is
/// left out, and metadata that is not a `;` list of properties (`key` or
/// `key=value`, values of baggage octets) is left off its member, so no value can add
/// members of its own or make the receiver drop the header.
#[derive(Debug, Default, Clone, Copy)]
pub struct BaggagePropagator {
    _private: (),
}

impl BaggagePropagator {
    /// The propagator.
    pub fn new() -> Self {
        Self::default()
    }
}

impl TextMapPropagator for BaggagePropagator {
    fn inject_context(&self, cx: &Context, injector: &mut dyn Injector) {
        let mut header = String::new();
        let mut members = 0;
        for (key, (value, metadata)) in cx.baggage() {
            if !is_token(key.as_str()) {
                continue;
            }
            let mut member = format!(
                "{}={}",
                key.as_str(),
                utf8_percent_encode(value.as_str(), NOT_BAGGAGE_OCTET)
            );
            let metadata = metadata.as_str().trim_matches([' ', '\t']);
            if !metadata.is_empty() && are_properties(metadata) {
                member.push(';');
                member.push_str(metadata);
            }
            if !fits(&header, &member, members) {
                continue;
            }
            if members > 0 {
                header.push(',');
            }
            header.push_str(&member);
            members += 1;
        }
        if !header.is_empty() {
            injector.set(BAGGAGE, header);
        }
    }

    fn extract_with_context(&self, cx: &Context, extractor: &dyn Extractor) -> Context {
        let Some(values) = extractor.get_all(BAGGAGE) else {
            return cx.clone();
        };
        let mut kept = Vec::new();
        let mut length = String::new();
        // Input read, bounded like what is kept: a megabyte of members costs what
        // 8 KiB does.
        let mut read = 0usize;
        for member in values.iter().flat_map(|value| value.split(',')) {
            read += member.len() + 1;
            if read > MAX_BAGGAGE_BYTES + 1 || kept.len() == MAX_BAGGAGE_MEMBERS {
                break;
            }
            let member = member.trim_matches([' ', '\t']);
            let Some(parsed) = parse_member(member) else {
                continue;
            };
            if !fits(&length, member, kept.len()) {
                continue;
            }
            if !length.is_empty() {
                length.push(',');
            }
            length.push_str(member);
            kept.push(parsed);
        }
        if kept.is_empty() {
            return cx.clone();
        }
        cx.with_baggage(kept)
    }

    fn fields(&self) -> FieldIter<'_> {
        static NAMES: std::sync::OnceLock<[String; 1]> = std::sync::OnceLock::new();
        FieldIter::new(NAMES.get_or_init(|| [BAGGAGE.to_owned()]))
    }
}

/// Would `member` still fit after `header` (which holds `members` members)?
fn fits(header: &str, member: &str, members: usize) -> bool {
    let separator = usize::from(!header.is_empty());
    members < MAX_BAGGAGE_MEMBERS && header.len() + separator + member.len() <= MAX_BAGGAGE_BYTES
}

/// A `baggage` header for a request that already carries one of the caller's: the
/// caller's members, then `context`'s (what injection writes) whose keys the caller's
/// do not hold, as long as the whole stays within [`MAX_BAGGAGE_BYTES`].
pub(super) fn merged_with_callers(callers: &str, context: &str) -> String {
    let callers_keys: Vec<&str> = callers.split(',').map(member_key).collect();
    let mut merged = callers.trim().to_owned();
    for member in context.split(',') {
        if callers_keys.contains(&member_key(member)) {
            continue;
        }
        if merged.len() + 1 + member.len() > MAX_BAGGAGE_BYTES {
            break;
        }
        if !merged.is_empty() {
            merged.push(',');
        }
        merged.push_str(member);
    }
    merged
}

/// The key of a list-member as written (`k` of ` k = v;p`).
fn member_key(member: &str) -> &str {
    member.split(['=', ';']).next().unwrap_or_default().trim()
}

/// `key = value *( ; property )`.
fn parse_member(member: &str) -> Option<KeyValueMetadata> {
    let (pair, properties) = match member.split_once(';') {
        Some((pair, properties)) => (pair, properties.trim_matches([' ', '\t'])),
        None => (member, ""),
    };
    let (key, value) = pair.split_once('=')?;
    let key = key.trim_matches([' ', '\t']);
    let value = value.trim_matches([' ', '\t']);
    if !is_token(key) {
        return None;
    }
    let value = percent_decode_str(value).decode_utf8_lossy();
    Some(KeyValueMetadata::new(
        key.to_owned(),
        value.into_owned(),
        properties.to_owned(),
    ))
}

/// A non-empty run of RFC 9110 `tchar`: a baggage key, or a property's.
fn is_token(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(is_token_char)
}

/// `property *( OWS ";" OWS property )`, where `property = key OWS "=" OWS value / key`
/// and a value is baggage octets: what may follow a member's value.
fn are_properties(metadata: &str) -> bool {
    metadata.split(';').all(|property| {
        let property = property.trim_matches([' ', '\t']);
        match property.split_once('=') {
            Some((key, value)) => {
                is_token(key.trim_end_matches([' ', '\t']))
                    && value
                        .trim_start_matches([' ', '\t'])
                        .bytes()
                        .all(is_baggage_octet)
            }
            None => is_token(property),
        }
    })
}

/// `baggage-octet = %x21 / %x23-2B / %x2D-3A / %x3C-5B / %x5D-7E`.
fn is_baggage_octet(b: u8) -> bool {
    matches!(b, 0x21 | 0x23..=0x2b | 0x2d..=0x3a | 0x3c..=0x5b | 0x5d..=0x7e)
}

/// RFC 9110 `tchar`.
fn is_token_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    struct Headers(Vec<String>);

    impl Extractor for Headers {
        fn get(&self, _: &str) -> Option<&str> {
            self.0.first().map(String::as_str)
        }
        fn keys(&self) -> Vec<&str> {
            vec![BAGGAGE]
        }
        fn get_all(&self, key: &str) -> Option<Vec<&str>> {
            (key == BAGGAGE && !self.0.is_empty())
                .then(|| self.0.iter().map(String::as_str).collect())
        }
    }

    fn extracted(values: &[&str]) -> Context {
        BaggagePropagator::new().extract(&Headers(values.iter().map(|v| (*v).to_owned()).collect()))
    }

    fn injected(cx: &Context) -> Option<String> {
        let mut out = HashMap::new();
        BaggagePropagator::new().inject_context(cx, &mut out);
        out.remove(BAGGAGE)
    }

    #[test]
    fn members_of_repeated_headers_are_all_read_and_values_decoded() {
        let cx = extracted(&["user=alice, tier=gold;prop=1", "note=a%20b%2Cc"]);
        let baggage = cx.baggage();
        assert_eq!(baggage.get("user").map(|v| v.as_str()), Some("alice"));
        assert_eq!(
            baggage
                .get_with_metadata("tier")
                .map(|(v, m)| (v.as_str(), m.as_str())),
            Some(("gold", "prop=1"))
        );
        assert_eq!(baggage.get("note").map(|v| v.as_str()), Some("a b,c"));
    }

    #[test]
    fn a_member_that_does_not_parse_is_left_out_alone() {
        let cx = extracted(&["good=1,no-equals,bad key=2,also=2"]);
        let mut keys: Vec<_> = cx
            .baggage()
            .iter()
            .map(|(k, _)| k.as_str().to_owned())
            .collect();
        keys.sort();
        assert_eq!(keys, ["also", "good"]);
    }

    #[test]
    fn percent_encoded_bytes_that_are_not_utf8_become_replacement_characters() {
        let cx = extracted(&["a=1,bad=x%FFy%C3,b=2"]);
        let baggage = cx.baggage();
        assert_eq!(
            baggage.get("bad").map(|v| v.as_str()),
            Some("x\u{fffd}y\u{fffd}")
        );
        assert_eq!(baggage.len(), 3);
    }

    #[test]
    fn injection_never_writes_what_the_grammar_forbids() {
        let cx = Context::new().with_baggage([
            KeyValueMetadata::new("ok", "1", "p=1;flag"),
            KeyValueMetadata::new("comma", "2", "p=1,evil=x"),
            KeyValueMetadata::new("newline", "3", "a\nb"),
            KeyValueMetadata::new("accent", "4", "p=\u{e9}"),
            KeyValueMetadata::new("empty-property", "5", "p=1;;q"),
            KeyValueMetadata::new("bad key", "6", ""),
            KeyValueMetadata::new("a,b", "7", ""),
        ]);
        let header = injected(&cx).expect("baggage");
        let mut members: Vec<&str> = header.split(',').collect();
        members.sort_unstable();
        assert_eq!(
            members,
            [
                "accent=4",
                "comma=2",
                "empty-property=5",
                "newline=3",
                "ok=1;p=1;flag"
            ],
            "{header}"
        );
        assert!(http::HeaderValue::from_str(&header).is_ok());
        // What was sent reads back as what the application set, less what was left off.
        let back = extracted(&[&header]);
        assert_eq!(back.baggage().len(), 5);
    }

    #[test]
    fn at_most_64_members_and_8192_bytes_never_a_partial_member() {
        let many = (0..70)
            .map(|i| format!("k{i}=v"))
            .collect::<Vec<_>>()
            .join(",");
        assert_eq!(extracted(&[&many]).baggage().len(), MAX_BAGGAGE_MEMBERS);

        // Reading stops past 8192 bytes of input: `b` would pass the limit, and `c`
        // after it is not read.
        let big = format!("a={},b={},c=1", "x".repeat(5000), "y".repeat(5000));
        let cx = extracted(&[&big]);
        let baggage = cx.baggage();
        assert!(baggage.get("a").is_some());
        assert!(baggage.get("b").is_none() && baggage.get("c").is_none());
        let header = injected(&cx).expect("baggage");
        assert!(header.len() <= MAX_BAGGAGE_BYTES);
    }

    #[test]
    fn injection_encodes_values_and_keeps_properties() {
        let cx = Context::new().with_baggage([KeyValueMetadata::new("note", "a b,c;d", "p=1")]);
        assert_eq!(injected(&cx).as_deref(), Some("note=a%20b%2Cc%3Bd;p=1"));
        assert_eq!(injected(&Context::new()), None);
    }
}
