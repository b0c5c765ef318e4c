//! [`Identity`]: a call's metric attributes told by where their strings live, written
//! down as the call description pushes them.
//!
//! The bound histogram of an attribute set is otherwise found by reading every key and
//! value back out of its `KeyValue` (through OpenTelemetry's private string enum),
//! hashing their bytes and comparing them with a kept set's: about 400 instructions for
//! a database call's five attributes. But a call description knows, as it makes them,
//! that its keys are literals and most values are interned strings: kept for the
//! process, one address per content. Two words per attribute then tell one set from
//! another exactly, and are hashed and compared as integers.
//!
//! A value whose address says nothing about its content (a copy made for this call)
//! makes the identity unusable; the call is then found by content. A value shared with
//! the cache of statements (an `Arc<str>` summary) tells the set only while its memory
//! is alive: the base found by it keeps a clone (see [`Identity::borrows`]).

use std::borrow::Cow;
use std::sync::Arc;

use opentelemetry::KeyValue;

/// The most attributes an identity holds; a description with more (none makes one) is
/// found by content.
const MAX_ATTRIBUTES: usize = 10;

/// Set in an attribute's first word when its value is an integer: no user-space
/// address has it.
const INTEGER: usize = 1 << (usize::BITS - 1);

/// Lengths up to this fit beside an address in one word (user-space addresses use the
/// low 48 bits).
const MAX_LEN: usize = 1 << 15;

/// A set of metric attributes by where their keys and values live.
#[derive(Debug, Clone)]
pub(crate) struct Identity {
    words: [usize; 2 * MAX_ATTRIBUTES],
    len: usize,
    /// False once a value could not be told by its address.
    usable: bool,
    /// A value lives only as long as someone holds it (see the module docs).
    borrows: bool,
}

impl Default for Identity {
    fn default() -> Self {
        Identity {
            words: [0; 2 * MAX_ATTRIBUTES],
            len: 0,
            usable: true,
            borrows: false,
        }
    }
}

impl Identity {
    /// An identity to write down when a metric may be recorded, else one that only
    /// pushes the attributes (see [`crate::emit::meters_may_record`]).
    #[inline]
    pub(crate) fn for_metrics() -> Self {
        Identity {
            usable: crate::emit::meters_may_record(),
            ..Identity::default()
        }
    }

    /// Pushes `key = value` on `attributes`, told by the value's address when it is a
    /// string kept for the process (a literal, or an interned one).
    #[inline(always)]
    pub(crate) fn push_str(
        &mut self,
        attributes: &mut Vec<KeyValue>,
        key: &'static str,
        value: Cow<'static, str>,
    ) {
        // The value made here, not by `Value::from(Cow)`: that conversion is not inlined
        // across crates, and this runs for most attributes of every call.
        let value = match value {
            Cow::Borrowed(kept) => {
                self.write_marked(key, 0, word_of(kept), false);
                opentelemetry::Value::String(kept.into())
            }
            Cow::Owned(copy) => {
                self.usable = false;
                opentelemetry::Value::String(copy.into())
            }
        };
        attributes.push(KeyValue::new(key, value));
    }

    /// Pushes `key = value` for a value shared with a cache: told by its address while
    /// the base found by it holds a clone.
    #[inline]
    pub(crate) fn push_shared(
        &mut self,
        attributes: &mut Vec<KeyValue>,
        key: &'static str,
        value: Arc<str>,
    ) {
        self.write_marked(key, 0, word_of(&value), true);
        attributes.push(KeyValue::new(
            key,
            opentelemetry::Value::String(value.into()),
        ));
    }

    /// Pushes `key = value` for an integer.
    #[inline]
    pub(crate) fn push_int(
        &mut self,
        attributes: &mut Vec<KeyValue>,
        key: &'static str,
        value: i64,
    ) {
        self.write_marked(key, INTEGER, Some(value as usize), false);
        attributes.push(KeyValue::new(key, value));
    }

    /// Pushes an attribute whose value is a copy made for this call: the set is found by
    /// content.
    #[inline]
    pub(crate) fn push_copy(&mut self, attributes: &mut Vec<KeyValue>, attribute: KeyValue) {
        self.usable = false;
        attributes.push(attribute);
    }

    /// Writes one attribute: its key's word with `mark` set in it, and its value's.
    #[inline(always)]
    fn write_marked(
        &mut self,
        key: &'static str,
        mark: usize,
        value: Option<usize>,
        borrows: bool,
    ) {
        if !self.usable {
            return;
        }
        let (Some(key), Some(value)) = (word_of(key), value) else {
            self.usable = false;
            return;
        };
        match self.words.get_mut(self.len..self.len + 2) {
            Some([key_word, value_word]) => {
                *key_word = key | mark;
                *value_word = value;
                self.len += 2;
                self.borrows |= borrows;
            }
            _ => self.usable = false,
        }
    }

    /// The words that tell the set, when every value could be told by its address.
    #[inline]
    pub(crate) fn words(&self) -> Option<&[usize]> {
        self.usable.then(|| &self.words[..self.len])
    }

    /// Does a value live only while something holds it? Such an identity may be kept
    /// only beside a clone of the attributes it was made from.
    #[inline]
    pub(crate) fn borrows(&self) -> bool {
        self.borrows
    }
}

/// A string's address and length in one word; `None` when they do not fit.
#[inline(always)]
fn word_of(text: &str) -> Option<usize> {
    let address = text.as_ptr() as usize;
    (text.len() < MAX_LEN && address < (1 << 48)).then_some(address | text.len() << 48)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn identity(push: impl FnOnce(&mut Identity, &mut Vec<KeyValue>)) -> (Identity, Vec<KeyValue>) {
        let (mut identity, mut attributes) = (Identity::default(), Vec::new());
        push(&mut identity, &mut attributes);
        (identity, attributes)
    }

    #[test]
    fn the_same_kept_strings_make_the_same_identity() {
        let (a, attributes) = identity(|id, at| {
            id.push_str(at, "db.system.name", Cow::Borrowed("redis"));
            id.push_int(at, "server.port", 6380);
        });
        let (b, _) = identity(|id, at| {
            id.push_str(at, "db.system.name", Cow::Borrowed("redis"));
            id.push_int(at, "server.port", 6380);
        });
        assert_eq!(a.words(), b.words());
        assert_eq!(a.words().map(<[_]>::len), Some(4));
        assert_eq!(
            attributes,
            [
                KeyValue::new("db.system.name", "redis"),
                KeyValue::new("server.port", 6380_i64)
            ]
        );
        let (other_port, _) = identity(|id, at| {
            id.push_str(at, "db.system.name", Cow::Borrowed("redis"));
            id.push_int(at, "server.port", 6381);
        });
        assert_ne!(a.words(), other_port.words());
    }

    #[test]
    fn a_prefix_at_the_same_address_is_another_value() {
        let text: &'static str = "GETEX";
        let (short, _) =
            identity(|id, at| id.push_str(at, "db.operation.name", Cow::Borrowed(&text[..3])));
        let (long, _) =
            identity(|id, at| id.push_str(at, "db.operation.name", Cow::Borrowed(text)));
        assert_ne!(short.words(), long.words());
    }

    #[test]
    fn an_integer_and_a_string_at_its_value_differ() {
        let text: &'static str = "x";
        let address = text.as_ptr() as usize | 1 << 48;
        let (string, _) = identity(|id, at| id.push_str(at, "k", Cow::Borrowed(text)));
        let (integer, _) = identity(|id, at| id.push_int(at, "k", address as i64));
        assert_ne!(string.words(), integer.words());
    }

    #[test]
    fn copies_make_it_unusable_shared_values_borrow() {
        let (copied, _) = identity(|id, at| {
            id.push_str(at, "db.namespace", Cow::Owned("shop".to_owned()));
        });
        assert!(copied.words().is_none());
        let (shared, _) =
            identity(|id, at| id.push_shared(at, "db.query.summary", Arc::from("SELECT")));
        assert!(shared.words().is_some() && shared.borrows());
        let (too_many, _) = identity(|id, at| {
            for _ in 0..=MAX_ATTRIBUTES {
                id.push_int(at, "n", 1);
            }
        });
        assert!(too_many.words().is_none());
    }
}
