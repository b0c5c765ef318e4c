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
//! A call's connection wait is measured for the pool it took the connection from, named
//! from the call's attributes: that base is found once per call base and kept on it.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::{Arc, Mutex, OnceLock};

use opentelemetry::metrics::{BoundCounter, BoundHistogram, Counter, Histogram};
use opentelemetry::{KeyValue, Value};

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
    bases: Mutex<HashMap<u64, Vec<Arc<Base>>, BuildHasherDefault<PassThrough>>>,
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
        BoundHistograms {
            histogram,
            bases: Mutex::new(HashMap::default()),
        }
    }

    /// The base made of `attributes`.
    pub(super) fn base(&self, attributes: &[KeyValue]) -> CallBase {
        self.base_as(attributes, <[KeyValue]>::to_vec)
    }

    /// The base found by `found_by`, bound to the attributes `bound_to` maps them to
    /// (called once per base, or each time past [`MAX_BASES`]).
    pub(super) fn base_as(
        &self,
        found_by: &[KeyValue],
        bound_to: fn(&[KeyValue]) -> Vec<KeyValue>,
    ) -> CallBase {
        let hash = hash_set(found_by);
        let Ok(mut bases) = self.bases.lock() else {
            return CallBase::Unbound(bound_to(found_by));
        };
        if let Some(base) = bases.get(&hash).and_then(|same_hash| {
            same_hash
                .iter()
                .find(|base| same_set(&base.found_by, found_by))
        }) {
            return CallBase::Bound(Arc::clone(base));
        }
        // Counted only on a miss: a service's sets are found far more often than added.
        let count: usize = bases.values().map(Vec::len).sum();
        if count >= MAX_BASES {
            return CallBase::Unbound(bound_to(found_by));
        }
        let base = Arc::new(Base {
            found_by: found_by.to_vec(),
            attributes: bound_to(found_by),
            bound: OnceLock::new(),
            first_outcome: OnceLock::new(),
            outcomes: Mutex::new(Vec::new()),
            related: OnceLock::new(),
            counted: OnceLock::new(),
        });
        bases.entry(hash).or_default().push(Arc::clone(&base));
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
    /// that succeed, the SDK's own lookup for the (rarer) failures.
    pub(super) fn count(&self, counter: &Counter<u64>, base: &CallBase, outcome: &Outcome) {
        match base {
            CallBase::Bound(base) if outcome.is_empty() => base
                .counted
                .get_or_init(|| counter.bind(&base.attributes))
                .add(1),
            _ => counter.add(1, &with_outcome(base.attributes(), &outcome.attributes())),
        }
    }
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

/// Is `call` the same set, in the same order, as `kept`?
fn same_set(kept: &[KeyValue], call: &[KeyValue]) -> bool {
    fn same_text(a: &str, b: &str) -> bool {
        (a.as_ptr() == b.as_ptr() && a.len() == b.len()) || a == b
    }
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

/// The map's hasher for keys that are a [`hash_set`] already.
#[derive(Default)]
struct PassThrough(u64);

impl Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only `u64` keys are hashed; any other input is still folded in.
        for &byte in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(byte);
        }
    }

    fn write_u64(&mut self, hash: u64) {
        self.0 = hash;
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
