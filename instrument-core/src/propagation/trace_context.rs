//! `traceparent` and `tracestate`.

use std::sync::Arc;

use opentelemetry::Context;
use opentelemetry::propagation::text_map_propagator::FieldIter;
use opentelemetry::propagation::{Extractor, Injector, TextMapPropagator};
use opentelemetry::trace::{
    SpanContext, SpanId, TraceContextExt as _, TraceFlags, TraceId, TraceState,
};

const TRACEPARENT: &str = "traceparent";
const TRACESTATE: &str = "tracestate";

/// Most `tracestate` list-members; a longer list is invalid and dropped whole.
pub const MAX_TRACESTATE_MEMBERS: usize = 32;

/// The longest `tracestate` that can be valid: 32 members of a 256-byte key, `=` and a
/// 256-byte value, and the commas between them. A longer one is dropped unread.
pub const MAX_TRACESTATE_BYTES: usize = MAX_TRACESTATE_MEMBERS * (256 + 1 + 256) + 31;

/// The most of a `traceparent` read: version `00` is 55 bytes, and a later version is
/// read by its first 55 bytes and the `-` after them.
pub const MAX_TRACEPARENT_BYTES: usize = 512;

/// The flags this version knows: sampled (0x01) and random trace id (0x02). Others are
/// not passed on.
const KNOWN_FLAGS: u8 = 0x03;
const SAMPLED: u8 = 0x01;
const RANDOM: u8 = 0x02;

/// What the incoming `traceparent` and `tracestate` said of a trace, kept in the context
/// beside the remote parent and read back at injection, for two things the
/// OpenTelemetry types lose:
/// - the random-trace-id flag: the SDK gives a span its sampler drops default flags, and
///   Level 2 says the flag MUST stay set in every `traceparent` sent with that trace id;
/// - the `tracestate` as received: opentelemetry's `TraceState` still applies the older
///   tenant/system key grammar (one `@`, at most 13 characters after it) and rejects
///   keys the current grammar allows (`foo@@bar`, a 241-character tenant with a
///   14-character system), so the list is carried here, in its own validated text.
#[derive(Debug, Clone)]
struct Incoming {
    trace_id: TraceId,
    random: bool,
    state: Option<Arc<str>>,
}

/// W3C Trace Context Level 2: reads and writes `traceparent` and `tracestate`.
///
/// Extraction ignores the incoming context (the request starts a new trace) when
/// `traceparent` is missing, repeated, of version `ff`, of version `00` but not exactly
/// 55 characters, not lower-case hex where hex is due, or carries an all-zero trace or
/// parent id. A later version is read by its first four fields when the character after
/// them ends the value or is `-`, and is sent on as version `00`.
///
/// The random-trace-id flag (Level 2) is sent on with every `traceparent` of a trace
/// that arrived with it, whether or not the sampler kept the span, and set on the traces
/// this process starts (the SDK's trace ids are random). `tracestate` headers are
/// combined in order; a later duplicate of a key is discarded; an invalid list (a key or
/// value outside the grammar, more than 32 members) is dropped whole, keeping the
/// `traceparent`. Keys follow the current grammar: a lower-case letter or digit, then
/// up to 255 of `a-z 0-9 _ - * / @`.
#[derive(Debug, Default, Clone, Copy)]
pub struct TraceContextPropagator {
    _private: (),
}

impl TraceContextPropagator {
    /// The propagator.
    pub fn new() -> Self {
        Self::default()
    }
}

impl TextMapPropagator for TraceContextPropagator {
    fn inject_context(&self, cx: &Context, injector: &mut dyn Injector) {
        let span = cx.span();
        let context = span.span_context();
        if !context.is_valid() {
            return;
        }
        let incoming = cx
            .get::<Incoming>()
            .filter(|incoming| incoming.trace_id == context.trace_id());
        let flags = context.trace_flags().to_u8();
        // A local span of a trace no `traceparent` brought in: the trace was started
        // here, and the SDK's trace ids are random. A remote parent made by other means
        // keeps its own flags.
        let random = flags & RANDOM != 0
            || incoming.map_or(!context.is_remote(), |incoming| incoming.random);
        injector.set(
            TRACEPARENT,
            traceparent(
                context.trace_id(),
                context.span_id(),
                (flags & SAMPLED) | if random { RANDOM } else { 0 },
            ),
        );
        let state = merged_state(
            context.trace_state(),
            incoming.and_then(|incoming| incoming.state.as_deref()),
        );
        if !state.is_empty() {
            injector.set(TRACESTATE, state);
        }
    }

    fn extract_with_context(&self, cx: &Context, extractor: &dyn Extractor) -> Context {
        match extract(extractor) {
            Some((context, incoming)) => cx.with_remote_span_context(context).with_value(incoming),
            None => cx.clone(),
        }
    }

    fn fields(&self) -> FieldIter<'_> {
        static NAMES: std::sync::OnceLock<[String; 2]> = std::sync::OnceLock::new();
        FieldIter::new(NAMES.get_or_init(|| [TRACEPARENT.to_owned(), TRACESTATE.to_owned()]))
    }
}

/// `00-{trace id}-{span id}-{flags}` in lower-case hex: it is sent with every outgoing
/// request, and `format!` spends ten times as long on it.
fn traceparent(trace_id: TraceId, span_id: SpanId, flags: u8) -> String {
    let trace_id = u128::from_be_bytes(trace_id.to_bytes());
    let mut out = *b"00-00000000000000000000000000000000-0000000000000000-00";
    out[3..19].copy_from_slice(&hex_digits((trace_id >> 64) as u64));
    out[19..35].copy_from_slice(&hex_digits(trace_id as u64));
    out[36..52].copy_from_slice(&hex_digits(u64::from_be_bytes(span_id.to_bytes())));
    out[53..55].copy_from_slice(&hex_digits(u64::from(flags))[14..]);
    // Only ASCII hex digits and dashes are in it.
    String::from_utf8(out.to_vec()).unwrap_or_default()
}

/// The sixteen lower-case hex digits of `value`, most significant first, made all at
/// once rather than a nibble at a time (a quarter of the instructions): each nibble is
/// spread into a byte of its own, then every byte becomes its digit by adding `'0'`,
/// and 39 more (from `'9' + 1` to `'a'`) where the nibble is over 9, which adding 6
/// carries into the byte's fifth bit.
fn hex_digits(value: u64) -> [u8; 16] {
    const EVERY_BYTE: u128 = u128::MAX / 0xff; // 0x0101...01
    let mut spread = u128::from(value);
    spread = (spread | (spread << 32)) & 0x0000_0000_ffff_ffff_0000_0000_ffff_ffff;
    spread = (spread | (spread << 16)) & 0x0000_ffff_0000_ffff_0000_ffff_0000_ffff;
    spread = (spread | (spread << 8)) & 0x00ff_00ff_00ff_00ff_00ff_00ff_00ff_00ff;
    spread = (spread | (spread << 4)) & (EVERY_BYTE * 0x0f);
    let letters = ((spread + EVERY_BYTE * 6) >> 4) & EVERY_BYTE;
    (spread + EVERY_BYTE * u128::from(b'0') + letters * 39).to_be_bytes()
}

fn extract(extractor: &dyn Extractor) -> Option<(SpanContext, Incoming)> {
    let values = extractor.get_all(TRACEPARENT)?;
    let [value] = values.as_slice() else {
        return None; // none, or more than one
    };
    let (trace_id, span_id, flags) = parse_traceparent(value.trim_matches([' ', '\t']))?;
    let members = extractor
        .get_all(TRACESTATE)
        .and_then(|values| parse_tracestate(&values))
        .unwrap_or_default();
    // The SDK's own type holds the list when it can (samplers read it there, and may
    // change or delete members: what they leave is what is sent on). Only a list it
    // cannot hold is kept in the context's record, to be sent on beside the span's own.
    let (sdk_state, state) = match TraceState::from_key_value(members.iter().copied()) {
        Ok(sdk_state) => (sdk_state, None),
        Err(_) => {
            let text: Vec<String> = members
                .iter()
                .map(|(key, value)| format!("{key}={value}"))
                .collect();
            (TraceState::default(), Some(Arc::from(text.join(","))))
        }
    };
    let context = SpanContext::new(
        trace_id,
        span_id,
        TraceFlags::new(flags & KNOWN_FLAGS),
        true,
        sdk_state,
    );
    let incoming = Incoming {
        trace_id,
        random: flags & RANDOM != 0,
        state,
    };
    Some((context, incoming))
}

/// The `tracestate` to send: the span's own list (a sampler may have changed it), then,
/// when the SDK's type could not hold the list received, the members received that the
/// span's list does not hold, at most 32 in all.
fn merged_state(own: &TraceState, received: Option<&str>) -> String {
    let own = own.header();
    let Some(received) = received else {
        return own;
    };
    if own == received {
        return own;
    }
    let mut members: Vec<&str> = own.split(',').filter(|member| !member.is_empty()).collect();
    let key = |member: &str| {
        member
            .split_once('=')
            .map_or(member, |(key, _)| key)
            .to_owned()
    };
    let own_keys: Vec<String> = members.iter().map(|member| key(member)).collect();
    for member in received.split(',') {
        if members.len() == MAX_TRACESTATE_MEMBERS {
            break;
        }
        if !own_keys.contains(&key(member)) {
            members.push(member);
        }
    }
    members.join(",")
}

fn is_lower_hex(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// `version-traceid-parentid-flags`, by the rules above.
fn parse_traceparent(value: &str) -> Option<(TraceId, SpanId, u8)> {
    const LEN: usize = 55;
    let bytes = value.as_bytes();
    // Every valid traceparent is ASCII; checking first makes the slicing below safe.
    // Only the bytes read are checked: a long value costs no more than a short one.
    if bytes.len() < LEN || !bytes[..bytes.len().min(LEN + 1)].is_ascii() {
        return None;
    }
    let version = &value[0..2];
    if !is_lower_hex(version) || version == "ff" {
        return None;
    }
    match (version, bytes.get(LEN)) {
        ("00", None) => {}
        ("00", Some(_)) => return None,
        (_, None | Some(b'-')) => {}
        (_, Some(_)) => return None,
    }
    if bytes[2] != b'-' || bytes[35] != b'-' || bytes[52] != b'-' {
        return None;
    }
    let (trace_id, span_id, flags) = (&value[3..35], &value[36..52], &value[53..55]);
    if !is_lower_hex(trace_id) || !is_lower_hex(span_id) || !is_lower_hex(flags) {
        return None;
    }
    let trace_id = TraceId::from_hex(trace_id).ok()?;
    let span_id = SpanId::from_hex(span_id).ok()?;
    if trace_id == TraceId::INVALID || span_id == SpanId::INVALID {
        return None;
    }
    let flags = u8::from_str_radix(flags, 16).ok()?;
    Some((trace_id, span_id, flags))
}

/// Every `tracestate` header, in order, as one list of members, later duplicates of a
/// key discarded; `None` when the list is invalid.
fn parse_tracestate<'a>(values: &[&'a str]) -> Option<Vec<(&'a str, &'a str)>> {
    let joined_len = values.iter().map(|value| value.len() + 1).sum::<usize>();
    if joined_len > MAX_TRACESTATE_BYTES + 1 {
        return None; // longer than any valid list: not read
    }
    let mut members: Vec<(&str, &str)> = Vec::new();
    let mut count = 0;
    for member in values.iter().flat_map(|value| value.split(',')) {
        let member = member.trim_matches([' ', '\t']);
        if member.is_empty() {
            continue; // empty list-members are allowed, and mean nothing
        }
        let (key, value) = member.split_once('=')?;
        if !valid_key(key) || !valid_value(value) {
            return None;
        }
        count += 1;
        if count > MAX_TRACESTATE_MEMBERS {
            return None;
        }
        // The specification allows passing a duplicate on or discarding it: discarded.
        if !members.iter().any(|(kept, _)| *kept == key) {
            members.push((key, value));
        }
    }
    Some(members)
}

/// `key = (lcalpha / DIGIT) 0*255(keychar)`, `keychar = lcalpha / DIGIT / _ - * / @`
/// (Trace Context Level 2; `@` no longer splits a key into tenant and system).
fn valid_key(key: &str) -> bool {
    let bytes = key.as_bytes();
    (1..=256).contains(&bytes.len())
        && (bytes[0].is_ascii_lowercase() || bytes[0].is_ascii_digit())
        && bytes.iter().all(|b| {
            b.is_ascii_lowercase()
                || b.is_ascii_digit()
                || matches!(b, b'_' | b'-' | b'*' | b'/' | b'@')
        })
}

/// `0*255(chr) nblk-chr`: printable ASCII without `,` and `=`, not ending in a space.
fn valid_value(value: &str) -> bool {
    let bytes = value.as_bytes();
    (1..=256).contains(&bytes.len())
        && bytes
            .iter()
            .all(|b| (0x20..=0x7e).contains(b) && *b != b',' && *b != b'=')
        && bytes.last().is_some_and(|b| *b != b' ')
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    proptest::proptest! {
        #[test]
        fn hex_digits_are_what_format_writes(value: u64) {
            proptest::prop_assert_eq!(
                String::from_utf8(hex_digits(value).to_vec()).expect("ASCII"),
                format!("{value:016x}")
            );
        }

        #[test]
        fn any_traceparent_is_written_as_format_would(trace: u128, span: u64, flags: u8) {
            let (trace, span) = (TraceId::from(trace), SpanId::from(span));
            proptest::prop_assert_eq!(
                traceparent(trace, span, flags),
                format!("00-{trace}-{span}-{flags:02x}")
            );
        }
    }

    #[test]
    fn traceparent_is_written_as_format_would() {
        for (trace, span, flags) in [
            (
                0x4bf9_2f35_77b3_4da6_a3ce_929d_0e0e_4736_u128,
                0x00f0_67aa_0ba9_02b7_u64,
                1_u8,
            ),
            (1, 1, 0),
            (u128::MAX, u64::MAX, 3),
        ] {
            let (trace, span) = (TraceId::from(trace), SpanId::from(span));
            assert_eq!(
                traceparent(trace, span, flags),
                format!("00-{trace}-{span}-{flags:02x}")
            );
        }
    }

    const TRACE: &str = "0af7651916cd43dd8448eb211c80319c";
    const PARENT: &str = "b7ad6b7169203331";

    /// Headers that may repeat.
    #[derive(Default)]
    struct Headers(Vec<(&'static str, String)>);

    impl Extractor for Headers {
        fn get(&self, key: &str) -> Option<&str> {
            self.0
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, v)| v.as_str())
        }
        fn keys(&self) -> Vec<&str> {
            self.0.iter().map(|(k, _)| *k).collect()
        }
        fn get_all(&self, key: &str) -> Option<Vec<&str>> {
            let all: Vec<_> = self
                .0
                .iter()
                .filter(|(k, _)| *k == key)
                .map(|(_, v)| v.as_str())
                .collect();
            (!all.is_empty()).then_some(all)
        }
    }

    fn extracted(headers: &[(&'static str, &str)]) -> SpanContext {
        let headers = Headers(headers.iter().map(|(k, v)| (*k, (*v).to_owned())).collect());
        TraceContextPropagator::new()
            .extract(&headers)
            .span()
            .span_context()
            .clone()
    }

    fn parent(value: &str) -> SpanContext {
        extracted(&[("traceparent", value)])
    }

    fn valid() -> String {
        format!("00-{TRACE}-{PARENT}-01")
    }

    #[test]
    fn a_valid_traceparent_is_the_remote_parent() {
        let context = parent(&valid());
        assert!(context.is_valid() && context.is_remote() && context.is_sampled());
        assert_eq!(context.trace_id().to_string(), TRACE);
        assert_eq!(context.span_id().to_string(), PARENT);
    }

    #[test]
    fn version_ff_is_ignored() {
        assert!(!parent(&format!("ff-{TRACE}-{PARENT}-01")).is_valid());
    }

    #[test]
    fn version_00_must_be_exactly_55_characters() {
        assert!(!parent(&format!("00-{TRACE}-{PARENT}-01-extra")).is_valid());
        assert!(!parent(&format!("00-{TRACE}-{PARENT}-1")).is_valid());
        assert!(!parent(&format!("00-{TRACE}0-{PARENT}-01")).is_valid());
    }

    #[test]
    fn a_later_version_is_read_by_its_first_four_fields() {
        assert!(parent(&format!("cc-{TRACE}-{PARENT}-01")).is_valid());
        assert!(parent(&format!("cc-{TRACE}-{PARENT}-01-what-comes-next")).is_valid());
        assert!(!parent(&format!("cc-{TRACE}-{PARENT}-01x")).is_valid());
    }

    #[test]
    fn upper_case_or_non_hex_digits_are_ignored() {
        assert!(!parent(&format!("00-{}-{PARENT}-01", TRACE.to_uppercase())).is_valid());
        assert!(!parent(&format!("00-{TRACE}-{}-01", PARENT.to_uppercase())).is_valid());
        assert!(!parent(&format!("0A-{TRACE}-{PARENT}-01")).is_valid());
        assert!(!parent(&format!("00-{TRACE}-{PARENT}-0g")).is_valid());
        assert!(!parent(&format!("00-{TRACE}-{PARENT}-0F")).is_valid());
        assert!(!parent(&format!("00-{}-{PARENT}-01", "g".repeat(32))).is_valid());
    }

    #[test]
    fn all_zero_ids_are_ignored() {
        assert!(!parent(&format!("00-{}-{PARENT}-01", "0".repeat(32))).is_valid());
        assert!(!parent(&format!("00-{TRACE}-{}-01", "0".repeat(16))).is_valid());
    }

    #[test]
    fn two_traceparent_headers_are_ignored() {
        let other = format!("00-{TRACE}-{}-01", "1".repeat(16));
        assert!(!extracted(&[("traceparent", &valid()), ("traceparent", &other)]).is_valid());
        // Also when a proxy folded them into one value.
        assert!(!parent(&format!("{},{other}", valid())).is_valid());
    }

    #[test]
    fn non_ascii_input_is_ignored_without_panicking() {
        assert!(!parent(&format!("\u{20ac}{}", &valid()[1..])).is_valid());
        assert!(!parent(&format!("00-{TRACE}-{PARENT}-\u{e9}")).is_valid());
        assert_eq!(
            state(&["a=1", "b=\u{e9}"]),
            "",
            "one bad header voids the list"
        );
    }

    #[test]
    fn surrounding_whitespace_is_allowed() {
        assert!(parent(&format!(" {}\t", valid())).is_valid());
    }

    #[test]
    fn the_random_flag_is_kept_and_unknown_flags_are_not() {
        let context = parent(&format!("00-{TRACE}-{PARENT}-ff"));
        assert_eq!(context.trace_flags().to_u8(), 0x03);
        let context = parent(&format!("00-{TRACE}-{PARENT}-02"));
        assert_eq!(context.trace_flags().to_u8(), 0x02);
        assert!(!context.is_sampled());
    }

    /// The `tracestate` sent on after receiving `values` (empty when none is).
    fn state(values: &[&str]) -> String {
        let mut headers = vec![("traceparent", valid())];
        headers.extend(values.iter().map(|v| ("tracestate", (*v).to_owned())));
        let cx = TraceContextPropagator::new().extract(&Headers(headers));
        assert!(
            cx.span().span_context().is_valid(),
            "tracestate never invalidates traceparent"
        );
        let mut out = HashMap::new();
        TraceContextPropagator::new().inject_context(&cx, &mut out);
        out.get("tracestate").cloned().unwrap_or_default()
    }

    #[test]
    fn repeated_tracestate_headers_are_combined_in_order() {
        assert_eq!(state(&["a=1,b=2", "c=3"]), "a=1,b=2,c=3");
        assert_eq!(state(&["a=1 , ,b=2\t"]), "a=1,b=2");
    }

    #[test]
    fn an_invalid_tracestate_is_dropped_whole() {
        assert_eq!(state(&["a=1", "B=2"]), "", "upper-case key");
        assert_eq!(state(&["a=1,b"]), "", "no value");
        assert_eq!(state(&["a=x,y"]), "", "a member without =");
        assert_eq!(state(&["a=caf\u{e9}"]), "", "not printable ASCII");
        assert_eq!(state(&["a=x\ty"]), "", "a tab inside the value");
        // A space after the value is the list's optional whitespace, not the value's.
        assert_eq!(state(&["a=spaced ", "b=1"]), "a=spaced,b=1");
        assert_eq!(
            state(&[&format!("a={}", "v".repeat(257))]),
            "",
            "long value"
        );
    }

    #[test]
    fn empty_headers_mean_nothing() {
        assert!(
            !parent("").is_valid(),
            "an empty traceparent starts a new trace"
        );
        assert!(!parent("   ").is_valid());
        assert_eq!(state(&[""]), "", "an empty tracestate sends none");
        assert_eq!(state(&[" , ,\t"]), "");
        assert_eq!(state(&["", "foo=1", ""]), "foo=1");
    }

    #[test]
    fn a_duplicated_key_is_discarded_not_the_list() {
        assert_eq!(state(&["foo=1,foo=1"]), "foo=1");
        assert_eq!(state(&["foo=1,bar=2", "foo=3"]), "foo=1,bar=2");
    }

    #[test]
    fn tracestate_keys_follow_the_current_grammar() {
        // A lower-case letter or digit, then up to 255 of a-z 0-9 _ - * / @.
        for key in [
            "vendor@sys",
            "1tenant@sys",
            "1simple",
            "t@1sys",
            "foo@",
            "foo@@bar",
            "foo@bar@baz",
            "a-_*/b",
        ] {
            assert_eq!(state(&[&format!("{key}=1")]), format!("{key}=1"), "{key}");
        }
        let tenant_and_system = format!("{}@{}", "t".repeat(241), "v".repeat(14));
        let long_tenant = format!("{}@v", "t".repeat(242));
        let long_system = format!("t@{}", "v".repeat(15));
        let longest = "z".repeat(256);
        for key in [&tenant_and_system, &long_tenant, &long_system, &longest] {
            assert_eq!(
                state(&["foo=1", &format!("{key}=1")]),
                format!("foo=1,{key}=1"),
                "{} characters",
                key.len()
            );
        }
        for key in ["@foo", "Foo", "foo.bar", "foo ", "_foo", "*", ""] {
            assert_eq!(state(&["bar=2", &format!("{key}=1")]), "", "{key:?}");
        }
        assert_eq!(
            state(&["foo=1", &format!("{}=1", "z".repeat(257))]),
            "",
            "long key"
        );
    }

    #[test]
    fn the_random_flag_goes_out_with_every_traceparent_of_its_trace() {
        use opentelemetry::trace::{Tracer as _, TracerProvider as _};
        use opentelemetry_sdk::trace::{Sampler, SdkTracerProvider};
        let sent = |incoming_flags: &str, sampler: Sampler| {
            let provider = SdkTracerProvider::builder().with_sampler(sampler).build();
            let tracer = provider.tracer("test");
            let remote = TraceContextPropagator::new().extract(&Headers(vec![(
                "traceparent",
                format!("00-{TRACE}-{PARENT}-{incoming_flags}"),
            )]));
            let span = tracer.start_with_context("child", &remote);
            let cx = remote.with_span(span);
            let mut out = HashMap::new();
            TraceContextPropagator::new().inject_context(&cx, &mut out);
            let header = out["traceparent"].clone();
            header[header.len() - 2..].to_owned()
        };
        let parent_based = || Sampler::ParentBased(Box::new(Sampler::AlwaysOn));
        assert_eq!(sent("02", parent_based()), "02", "dropped by the sampler");
        assert_eq!(sent("03", parent_based()), "03");
        assert_eq!(sent("03", Sampler::AlwaysOff), "02");
        assert_eq!(sent("01", parent_based()), "01", "not random: not claimed");
        assert_eq!(sent("00", Sampler::AlwaysOn), "01");
        // A trace started here: the SDK's ids are random.
        let provider = SdkTracerProvider::builder().build();
        let cx = Context::new().with_span(provider.tracer("test").start("root"));
        let mut out = HashMap::new();
        TraceContextPropagator::new().inject_context(&cx, &mut out);
        assert!(
            out["traceparent"].ends_with("-03"),
            "{}",
            out["traceparent"]
        );
    }

    #[test]
    fn a_member_the_span_deletes_from_tracestate_stays_deleted() {
        let cx = TraceContextPropagator::new().extract(&Headers(vec![
            ("traceparent", valid()),
            ("tracestate", "a=1,b=2".to_owned()),
        ]));
        let received = cx.span().span_context().clone();
        let sent = |state: TraceState| {
            let changed = SpanContext::new(
                received.trace_id(),
                SpanId::from(7),
                received.trace_flags(),
                false,
                state,
            );
            let mut out = HashMap::new();
            TraceContextPropagator::new()
                .inject_context(&cx.with_remote_span_context(changed), &mut out);
            out.get("tracestate").cloned().unwrap_or_default()
        };
        let state = received.trace_state();
        assert_eq!(sent(state.delete("b").expect("delete")), "a=1");
        assert_eq!(sent(state.insert("a", "9").expect("insert")), "a=9,b=2");
        assert_eq!(sent(TraceState::NONE), "");
    }

    #[test]
    fn at_most_32_tracestate_members() {
        let members = |n: usize| {
            (0..n)
                .map(|i| format!("k{i}=v"))
                .collect::<Vec<_>>()
                .join(",")
        };
        assert_eq!(state(&[&members(32)]), members(32));
        assert_eq!(state(&[&members(33)]), "");
    }

    #[test]
    fn injection_writes_version_00_and_the_state() {
        let later = format!("cc-{TRACE}-{PARENT}-03-future");
        let cx = TraceContextPropagator::new().extract(&Headers(vec![
            ("traceparent", later),
            ("tracestate", "a=1,b=2".to_owned()),
        ]));
        let mut out = HashMap::new();
        TraceContextPropagator::new().inject_context(&cx, &mut out);
        assert_eq!(out["traceparent"], format!("00-{TRACE}-{PARENT}-03"));
        assert_eq!(out["tracestate"], "a=1,b=2");
    }
}
