//! Histograms bound once to each attribute set a service's calls repeat.
//!
//! The SDK's `Histogram::record` finds the aggregator of an attribute set by hashing the
//! whole set with SipHash: about 1,300 of the 2,000 instructions it costs per call. The
//! calls of a service repeat a few hundred sets, so each set is bound once with the
//! SDK's bound instruments (which skip that lookup) and found again here, cheaply.
//!
//! A call's metric attributes come in two parts:
//! - the *base*, known when the call starts (system, namespace, operation, server): found
//!   at the start, straight from the span's attributes without copying them, by a cheap
//!   hash (each value's length and a few of its bytes) and a comparison of the whole set,
//!   pointers first, since the names and most values are the same interned strings call
//!   after call: no false match;
//! - the *outcome*, known at its end (a status code, `error.type`; none for a database
//!   call that succeeds): found in its base's short list ([`Outcome`]).
//!
//! A base is found first by the [`Identity`] its call description wrote down (where its
//! keys and values live, compared as integers), and by content only when there is none
//! or it is new.
//!
//! A call's connection wait is measured for the pool it took the connection from, named
//! from the call's attributes: that base is found once per call base and kept on it.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::{Arc, Mutex, OnceLock};

use opentelemetry::metrics::{BoundCounter, BoundHistogram, Counter, Histogram};
use opentelemetry::{KeyValue, Value};

use super::identity::Identity;
use super::outcome::Outcome;

/// The most bases a histogram keeps bound; past it, measurements take the SDK's own
/// lookup (which has its own limit of distinct sets).
const MAX_BASES: usize = 2000;
/// The most outcomes a base keeps bound (status codes times error types, in practice a
/// handful); past it, the same fallback.
const MAX_OUTCOMES: usize = 64;

/// A histogram, and its instruments bound to each base seen so far.
pub(super) struct BoundHistograms {
    histogram: Histogram<f64>,
    bases: Mutex<Bases>,
    /// Unique per histogram ever made, for [`LastFound`] (an address could be reused).
    id: u64,
}

/// The base a thread last found by identity, and in which histograms: a service repeats
/// its calls, and a repeat is then found without the lock and the hashing (93
/// instructions fewer per Redis `GET`). Kept only for what [`Bases::by_identity`] holds,
/// so it finds exactly what the map would.
struct LastFound {
    histograms: u64,
    words: Box<[usize]>,
    base: Arc<Base>,
}

thread_local! {
    static LAST_FOUND: std::cell::RefCell<Option<LastFound>> =
        const { std::cell::RefCell::new(None) };
}

/// The base [`LastFound`] holds for `words` in the histograms `histograms`, if any.
fn last_found(histograms: u64, words: &[usize]) -> Option<Arc<Base>> {
    LAST_FOUND
        .try_with(|last| {
            let last = last.try_borrow().ok()?;
            let last = last.as_ref()?;
            (last.histograms == histograms && *last.words == *words).then(|| Arc::clone(&last.base))
        })
        .ok()
        .flatten()
}

/// Keeps `base` as the one this thread found last for `words` in `histograms`.
fn remember_found(histograms: u64, words: &[usize], base: &Arc<Base>) {
    let _ = LAST_FOUND.try_with(|last| {
        if let Ok(mut last) = last.try_borrow_mut() {
            match last.as_mut() {
                // The same length (the usual case: the same kind of call): no allocation.
                Some(kept) if kept.words.len() == words.len() => {
                    kept.histograms = histograms;
                    kept.words.copy_from_slice(words);
                    kept.base = Arc::clone(base);
                }
                _ => {
                    *last = Some(LastFound {
                        histograms,
                        words: words.into(),
                        base: Arc::clone(base),
                    });
                }
            }
        }
    });
}

/// The bases bound so far, by the hash of their attributes, and by the [`Identity`] of
/// the calls that found them.
#[derive(Default)]
struct Bases {
    by_hash: HashMap<u64, Vec<Arc<Base>>, BuildHasherDefault<Fold>>,
    by_identity: HashMap<Box<[usize]>, Arc<Base>, BuildHasherDefault<Fold>>,
}

/// The attributes a call knows when it starts, and the histogram bound to them alone
/// and to them with each outcome seen so far, each bound at its first measurement (a
/// bound set is exported even when nothing was recorded for it).
pub(super) struct Base {
    /// What the base is found by: the call's attributes.
    found_by: Vec<KeyValue>,
    /// What it is bound to: the same, or what they map to (see [`BoundHistograms::base_as`]).
    attributes: Vec<KeyValue>,
    bound: OnceLock<BoundHistogram<f64>>,
    /// The histogram bound to the first outcome seen with this base.
    first_outcome: OnceLock<(Outcome, BoundHistogram<f64>)>,
    /// Bound to each later outcome seen.
    outcomes: Mutex<Vec<(Outcome, BoundHistogram<f64>)>>,
    /// The base of another histogram [`BoundHistograms::with_related`] found for this
    /// one (a database call's pool, for its connection waits), at its first use.
    related: OnceLock<CallBase>,
    /// The message counter of the calls of this base that succeed (a base's calls
    /// count in one counter: sent, or consumed), bound at its first count.
    counted: OnceLock<BoundCounter<u64>>,
}

/// A call's base: bound, or (past [`MAX_BASES`]) its attributes alone.
pub(super) enum CallBase {
    Bound(Arc<Base>),
    Unbound(Vec<KeyValue>),
}

impl CallBase {
    /// The attributes the base is bound to.
    pub(super) fn attributes(&self) -> &[KeyValue] {
        match self {
            CallBase::Bound(base) => &base.attributes,
            CallBase::Unbound(attributes) => attributes,
        }
    }
}

impl BoundHistograms {
    pub(super) fn new(histogram: Histogram<f64>) -> Self {
        static NEXT_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        BoundHistograms {
            histogram,
            bases: Mutex::default(),
            id: NEXT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
        }
    }

    /// The base made of `attributes`.
    pub(super) fn base(&self, attributes: &[KeyValue]) -> CallBase {
        self.base_as(attributes, None, <[KeyValue]>::to_vec)
    }

    /// The base found by `found_by` (which `identity`, when given, tells by address),
    /// bound to the attributes `bound_to` maps them to (called once per base, or each
    /// time past [`MAX_BASES`]).
    pub(super) fn base_as(
        &self,
        found_by: &[KeyValue],
        identity: Option<&Identity>,
        bound_to: fn(&[KeyValue]) -> Vec<KeyValue>,
    ) -> CallBase {
        let words = identity.and_then(Identity::words);
        if let Some(base) = words.and_then(|words| last_found(self.id, words)) {
            return CallBase::Bound(base);
        }
        let Ok(mut bases) = self.bases.lock() else {
            return CallBase::Unbound(bound_to(found_by));
        };
        if let Some(words) = words
            && let Some(base) = bases.by_identity.get(words)
        {
            remember_found(self.id, words, base);
            return CallBase::Bound(Arc::clone(base));
        }
        let hash = hash_set(found_by);
        let known = bases.by_hash.get(&hash).and_then(|same_hash| {
            same_hash
                .iter()
                .find(|base| same_set(&base.found_by, found_by))
                .cloned()
        });
        let base = match known {
            // Found by content: the call's identity may be kept for it only when no
            // value it tells by could be freed and its address reused.
            Some(base) if identity.is_some_and(Identity::borrows) => return CallBase::Bound(base),
            Some(base) => base,
            None => {
                // Counted only on a miss: a service's sets are found far more often
                // than added.
                let count: usize = bases.by_hash.values().map(Vec::len).sum();
                if count >= MAX_BASES {
                    return CallBase::Unbound(bound_to(found_by));
                }
                // The base holds a clone of each value: what the identity borrows
                // stays alive, at its address, as long as the base.
                let base = Arc::new(Base {
                    found_by: found_by.to_vec(),
                    attributes: bound_to(found_by),
                    bound: OnceLock::new(),
                    first_outcome: OnceLock::new(),
                    outcomes: Mutex::new(Vec::new()),
                    related: OnceLock::new(),
                    counted: OnceLock::new(),
                });
                bases
                    .by_hash
                    .entry(hash)
                    .or_default()
                    .push(Arc::clone(&base));
                base
            }
        };
        if let Some(words) = words
            && bases.by_identity.len() < 2 * MAX_BASES
        {
            bases.by_identity.insert(words.into(), Arc::clone(&base));
            remember_found(self.id, words, &base);
        }
        CallBase::Bound(base)
    }

    /// Runs `f` with the base of this histogram that `of`'s attributes map to through
    /// `bound_to` (`of` being a base of another histogram of the same instruments): for
    /// a bound `of`, found at the first call and kept on it.
    pub(super) fn with_related<T>(
        &self,
        of: &CallBase,
        bound_to: fn(&[KeyValue]) -> Vec<KeyValue>,
        f: impl FnOnce(&CallBase) -> T,
    ) -> T {
        match of {
            CallBase::Bound(of) => f(of
                .related
                .get_or_init(|| self.base(&bound_to(&of.attributes)))),
            CallBase::Unbound(attributes) => f(&self.base(&bound_to(attributes))),
        }
    }

    /// Records `value` for `base` with `outcome`'s attributes (which replace a base
    /// attribute of the same name).
    pub(super) fn record(&self, value: f64, base: &CallBase, outcome: &Outcome) {
        let base = match base {
            CallBase::Bound(base) => base,
            CallBase::Unbound(attributes) => {
                self.histogram
                    .record(value, &with_outcome(attributes, &outcome.attributes()));
                return;
            }
        };
        if outcome.is_empty() {
            base.bound
                .get_or_init(|| self.histogram.bind(&base.attributes))
                .record(value);
            return;
        }
        // The first outcome a base sees is almost always its usual one (`200`, `1.1`):
        // found again without a lock.
        let (first, bound) = base.first_outcome.get_or_init(|| {
            let attributes = with_outcome(&base.attributes, &outcome.attributes());
            (outcome.clone(), self.histogram.bind(&attributes))
        });
        if first.same(outcome) {
            bound.record(value);
            return;
        }
        if let Ok(mut outcomes) = base.outcomes.lock() {
            if let Some((_, bound)) = outcomes.iter().find(|(kept, _)| kept.same(outcome)) {
                bound.record(value);
                return;
            }
            if outcomes.len() < MAX_OUTCOMES {
                let bound = self
                    .histogram
                    .bind(&with_outcome(&base.attributes, &outcome.attributes()));
                bound.record(value);
                outcomes.push((outcome.clone(), bound));
                return;
            }
        }
        self.histogram.record(
            value,
            &with_outcome(&base.attributes, &outcome.attributes()),
        );
    }
}

impl BoundHistograms {
    /// Adds one to `counter` for a call of `base` with `outcome`: bound for the calls
    /// that succeed, the SDK's own lookup for the (rarer) failures. The message
    /// counters take the operation's attributes but its type, which the conventions
    /// list for its duration only (the counter's name says sent or consumed).
    pub(super) fn count(&self, counter: &Counter<u64>, base: &CallBase, outcome: &Outcome) {
        match base {
            CallBase::Bound(base) if outcome.is_empty() => base
                .counted
                .get_or_init(|| counter.bind(&without_operation_type(&base.attributes)))
                .add(1),
            _ => counter.add(
                1,
                &without_operation_type(&with_outcome(base.attributes(), &outcome.attributes())),
            ),
        }
    }
}

/// `attributes` without `messaging.operation.type`.
fn without_operation_type(attributes: &[KeyValue]) -> Vec<KeyValue> {
    attributes
        .iter()
        .filter(|kept| kept.key.as_str() != "messaging.operation.type")
        .cloned()
        .collect()
}

impl std::fmt::Debug for BoundHistograms {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BoundHistograms").finish_non_exhaustive()
    }
}

impl std::fmt::Debug for CallBase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.attributes()).finish()
    }
}

/// `base` with `outcome`'s attributes: each replaces the base's of the same name, or is added.
fn with_outcome(base: &[KeyValue], outcome: &[KeyValue]) -> Vec<KeyValue> {
    let mut all: Vec<KeyValue> = base
        .iter()
        .map(|kept| {
            outcome
                .iter()
                .find(|set| set.key == kept.key)
                .unwrap_or(kept)
                .clone()
        })
        .collect();
    all.extend(
        outcome
            .iter()
            .filter(|set| !base.iter().any(|kept| kept.key == set.key))
            .cloned(),
    );
    all
}

/// A hash of an attribute set from what tells the sets of one service apart: how many,
/// and each value's length with its first, middle and last bytes. Equal sets hash
/// equal wherever their strings live; sets that collide are told apart by [`same_set`].
fn hash_set(attributes: &[KeyValue]) -> u64 {
    let count = attributes.len() as u64;
    let mut hash = 0_u64;
    for attribute in attributes {
        let word = match &attribute.value {
            Value::String(text) => {
                let text = text.as_str().as_bytes();
                match (text.first(), text.last()) {
                    (Some(&first), Some(&last)) => {
                        text.len() as u64
                            | u64::from(first) << 32
                            | u64::from(text[text.len() / 2]) << 40
                            | u64::from(last) << 48
                    }
                    _ => 0,
                }
            }
            Value::I64(number) => *number as u64,
            Value::Bool(flag) => u64::from(*flag) | 2,
            // Never among a call's metric attributes; equal sets still hash equal.
            _ => u64::MAX,
        };
        hash = (hash ^ word).rotate_left(29).wrapping_add(1);
    }
    // A multiply that folds its high half in: every input bit reaches the bits the map
    // uses.
    let product = u128::from(hash ^ count) * 0x9e37_79b9_7f4a_7c15;
    (product as u64) ^ ((product >> 64) as u64)
}

/// Are `a` and `b` the same text? Pointers first: most are the same interned string.
pub(super) fn same_text(a: &str, b: &str) -> bool {
    (a.as_ptr() == b.as_ptr() && a.len() == b.len()) || a == b
}

/// Is `call` the same set, in the same order, as `kept`?
fn same_set(kept: &[KeyValue], call: &[KeyValue]) -> bool {
    kept.len() == call.len()
        && kept.iter().zip(call).all(|(kept, attribute)| {
            same_text(kept.key.as_str(), attribute.key.as_str())
                && match (&kept.value, &attribute.value) {
                    (Value::String(a), Value::String(b)) => same_text(a.as_str(), b.as_str()),
                    (Value::I64(a), Value::I64(b)) => a == b,
                    (a, b) => a == b,
                }
        })
}

/// The maps' hasher: each word folded in with a multiply (a set's [`hash_set`], or an
/// [`Identity`]'s words).
#[derive(Default)]
struct Fold(u64);

impl Hasher for Fold {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // An identity's words arrive as bytes, eight to a word.
        let mut words = bytes.chunks_exact(8);
        for word in &mut words {
            self.write_u64(u64::from_ne_bytes(word.try_into().unwrap_or_default()));
        }
        for &byte in words.remainder() {
            self.write_u64(u64::from(byte));
        }
    }

    fn write_u64(&mut self, word: u64) {
        let product = u128::from(self.0 ^ word) * 0x9e37_79b9_7f4a_7c15;
        self.0 = (product as u64) ^ ((product >> 64) as u64);
    }

    fn write_usize(&mut self, word: usize) {
        self.write_u64(word as u64);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sets_with_the_same_values_match_wherever_their_strings_live() {
        let interned = [
            KeyValue::new("db.system.name", "redis"),
            KeyValue::new("db.operation.name", "GET"),
        ];
        let owned = [
            KeyValue::new("db.system.name", String::from("redis")),
            KeyValue::new(String::from("db.operation.name"), String::from("GET")),
        ];
        assert!(same_set(&interned, &owned));
        assert_eq!(hash_set(&interned), hash_set(&owned));
    }

    #[test]
    fn sets_alike_in_the_bytes_hashed_still_differ() {
        let a = [KeyValue::new(
            "db.query.summary",
            "SELECT orders_archive_2024",
        )];
        let b = [KeyValue::new(
            "db.query.summary",
            "SELECT orders_brchive_2024",
        )];
        assert_eq!(
            hash_set(&a),
            hash_set(&b),
            "the cheap hash sees the same length and first, middle and last bytes"
        );
        assert!(!same_set(&a, &b));
        let c = [KeyValue::new("error.type", "500")];
        let d = [KeyValue::new("error.type", 500_i64)];
        assert!(!same_set(&c, &d));
        assert!(!same_set(&a, &[a[0].clone(), c[0].clone()]));
        assert!(!same_set(&[a[0].clone(), c[0].clone()], &a));
    }

    fn histograms() -> BoundHistograms {
        use opentelemetry::metrics::MeterProvider as _;
        let provider = opentelemetry_sdk::metrics::SdkMeterProvider::default();
        BoundHistograms::new(provider.meter("test").f64_histogram("h").build())
    }

    fn bound(base: CallBase) -> Arc<Base> {
        match base {
            CallBase::Bound(base) => base,
            CallBase::Unbound(_) => panic!("a first base is bound"),
        }
    }

    fn kept_identities(histograms: &BoundHistograms) -> usize {
        histograms
            .bases
            .lock()
            .map_or(0, |bases| bases.by_identity.len())
    }

    #[test]
    fn a_base_found_by_identity_is_the_one_found_by_content() {
        let histograms = histograms();
        let push = |identity: &mut Identity, attributes: &mut Vec<KeyValue>| {
            identity.push_str(attributes, "db.system.name", "redis".into());
            identity.push_int(attributes, "server.port", 6380);
        };
        let (mut identity, mut attributes) = (Identity::default(), Vec::new());
        push(&mut identity, &mut attributes);
        let by_content = bound(histograms.base(&attributes));
        let identified =
            |identity| bound(histograms.base_as(&attributes, Some(identity), <[KeyValue]>::to_vec));
        assert!(Arc::ptr_eq(&by_content, &identified(&identity)));
        assert!(Arc::ptr_eq(&by_content, &identified(&identity)));
        assert_eq!(kept_identities(&histograms), 1);

        // A summary shared with the statement cache: kept only beside its own clone,
        // so a base found by content does not keep it.
        let (mut shared, mut with_summary) = (Identity::default(), Vec::new());
        shared.push_shared(&mut with_summary, "db.query.summary", Arc::from("SELECT"));
        let first = bound(histograms.base(&with_summary));
        let again = bound(histograms.base_as(&with_summary, Some(&shared), <[KeyValue]>::to_vec));
        assert!(Arc::ptr_eq(&first, &again));
        assert_eq!(kept_identities(&histograms), 1);
    }

    #[test]
    fn the_last_base_a_thread_found_is_kept_apart_per_histogram() {
        // Two pipelines' histograms, one set of attributes told by the same identity:
        // each finds its own base, however the calls alternate on this thread.
        let (first, second) = (histograms(), histograms());
        let (mut identity, mut attributes) = (Identity::default(), Vec::new());
        identity.push_str(&mut attributes, "db.system.name", "redis".into());
        let find = |histograms: &BoundHistograms| {
            bound(histograms.base_as(&attributes, Some(&identity), <[KeyValue]>::to_vec))
        };
        let (a, b) = (find(&first), find(&second));
        assert!(!Arc::ptr_eq(&a, &b));
        for _ in 0..3 {
            assert!(Arc::ptr_eq(&find(&first), &a));
            assert!(Arc::ptr_eq(&find(&first), &a));
            assert!(Arc::ptr_eq(&find(&second), &b));
        }
        // Another set in the same histograms is not the one kept.
        let (mut other, mut other_attributes) = (Identity::default(), Vec::new());
        other.push_str(&mut other_attributes, "db.system.name", "postgresql".into());
        let c = bound(first.base_as(&other_attributes, Some(&other), <[KeyValue]>::to_vec));
        assert!(!Arc::ptr_eq(&c, &a));
        assert!(Arc::ptr_eq(&find(&first), &a));
    }

    #[test]
    fn an_outcome_replaces_the_base_attribute_of_its_name() {
        let base = [
            KeyValue::new("http.request.method", "GET"),
            KeyValue::new("network.protocol.version", "1.1"),
        ];
        let outcome = [
            KeyValue::new("http.response.status_code", 200_i64),
            KeyValue::new("network.protocol.version", "2"),
        ];
        assert_eq!(
            with_outcome(&base, &outcome),
            [
                KeyValue::new("http.request.method", "GET"),
                KeyValue::new("network.protocol.version", "2"),
                KeyValue::new("http.response.status_code", 200_i64),
            ]
        );
    }
}
