//! Texts recorded by the last calls on a thread, shared by the next calls that record
//! the same text.
//!
//! A span's text attribute (a masked Redis command, a redacted URL, a request's path
//! or URL template) is its own copy, freed wherever the exporter drops the span: on
//! its thread, after its batch. A text that one of the last few calls on the thread
//! recorded too is instead copied once into an `Arc` that the spans recording it
//! share: no allocation per call, and nothing for the exporter's thread to free. With
//! glibc's allocator that also spares the calling thread the slow path of `malloc`
//! (memory it hands out and another thread frees does not come back to its per-thread
//! cache) and the heap consolidation that small chunks freed that way cause at its
//! next large allocation.
//!
//! A text seen for the first time is copied for its span as before (an exact-size
//! string: measured, a shared copy made for every text cost more than it saved when
//! texts do not repeat), and written down in a buffer of its own slot. Bounded: a few
//! slots per thread, none holding a text longer than [`MAX_SHARED_LEN`]. Telling a
//! text from the remembered ones costs a length compare and, for lengths that match,
//! a compare of the last eight bytes (where keys and ids differ) before the whole.

use std::cell::RefCell;
use std::sync::Arc;

use opentelemetry::Value;

/// Texts remembered per thread.
const REMEMBERED: usize = 4;

/// The longest text remembered: longer ones are copied for their span alone.
pub(crate) const MAX_SHARED_LEN: usize = 512;

/// One remembered text: the text, and its shared copy once a second call recorded it.
struct Slot {
    text: String,
    shared: Option<Arc<str>>,
}

struct Recent {
    slots: [Slot; REMEMBERED],
    /// The slot the next new text replaces (the oldest).
    next: usize,
}

thread_local! {
    static RECENT: RefCell<Recent> = const {
        RefCell::new(Recent {
            slots: [const { Slot { text: String::new(), shared: None } }; REMEMBERED],
            next: 0,
        })
    };
}

/// `text` as a span attribute's value: shared with recent calls' spans when one of
/// them recorded it too, else copied.
pub(crate) fn shared_value(text: &str) -> Value {
    if text.len() > MAX_SHARED_LEN {
        return Value::from(text.to_owned());
    }
    RECENT
        .try_with(|recent| {
            // Not re-entered (nothing here calls out), but never panic for it.
            let Ok(mut recent) = recent.try_borrow_mut() else {
                return Value::from(text.to_owned());
            };
            if let Some(slot) = recent.slots.iter_mut().find(|slot| same(&slot.text, text)) {
                let shared = slot.shared.get_or_insert_with(|| Arc::from(text));
                return Value::from(shared.clone());
            }
            let slot = recent.next;
            recent.next = (slot + 1) % REMEMBERED;
            let slot = &mut recent.slots[slot];
            slot.text.clear();
            slot.text.push_str(text);
            slot.shared = None;
            Value::from(text.to_owned())
        })
        // The thread is being torn down: no memory of recent texts.
        .unwrap_or_else(|_| Value::from(text.to_owned()))
}

/// `a == b`, telling most different texts of one length apart by their last 8 bytes.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.as_bytes().last_chunk::<8>() == b.as_bytes().last_chunk::<8>() && a == b
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Where a value's text is: the same place for values sharing one copy.
    fn address(value: &Value) -> *const u8 {
        match value {
            Value::String(text) => text.as_str().as_ptr(),
            other => panic!("a text value: {other:?}"),
        }
    }

    #[test]
    fn a_text_recorded_again_is_shared_from_its_second_call_on() {
        let first = shared_value("GET user:1");
        let second = shared_value(&String::from("GET user:1"));
        let third = shared_value("GET user:1");
        assert_ne!(address(&first), address(&second));
        assert_eq!(address(&second), address(&third));
        for value in [first, second, third] {
            assert_eq!(value.as_str(), "GET user:1");
        }
    }

    #[test]
    fn texts_of_one_length_that_differ_anywhere_are_told_apart() {
        let texts = [
            "GET user:12345678",
            "GET user:12345679",
            "GET xser:12345678",
        ];
        for text in texts {
            shared_value(text);
        }
        for text in texts {
            assert_eq!(shared_value(text).as_str(), text);
        }
        assert_eq!(shared_value("a").as_str(), "a");
        assert_eq!(shared_value("b").as_str(), "b");
        assert_eq!(shared_value("").as_str(), "");
    }

    #[test]
    fn the_oldest_text_is_forgotten_past_the_bound() {
        shared_value("recent:first");
        let shared = shared_value("recent:first");
        for n in 0..REMEMBERED {
            assert_eq!(
                shared_value(&format!("recent:other:{n}")).as_str(),
                format!("recent:other:{n}")
            );
        }
        let again = shared_value("recent:first");
        assert_ne!(address(&shared), address(&again));
        assert_eq!(again.as_str(), "recent:first");
    }

    #[test]
    fn long_texts_are_copied_not_remembered() {
        let long = "k".repeat(MAX_SHARED_LEN + 1);
        let values: Vec<Value> = (0..3).map(|_| shared_value(&long)).collect();
        assert_ne!(address(&values[1]), address(&values[2]));
        assert!(values.iter().all(|value| value.as_str() == long.as_str()));
    }

    #[test]
    fn each_thread_remembers_its_own() {
        shared_value("recent:threads");
        let here = shared_value("recent:threads");
        let there = std::thread::spawn(|| {
            shared_value("recent:threads");
            shared_value("recent:threads")
        })
        .join()
        .expect("the other thread recorded its text");
        assert_ne!(address(&here), address(&there));
        assert_eq!(here, there);
    }
}
