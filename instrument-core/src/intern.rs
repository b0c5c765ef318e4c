//! Interning of the few strings a service names its spans and peers with: summaries
//! (`SELECT users`), database names, server addresses. Each interned string is kept for
//! the life of the process, so a span takes it as a `&'static str` attribute or name
//! without allocating a copy per call.

use std::borrow::Cow;
use std::collections::HashSet;
use std::sync::{LazyLock, RwLock};

/// Distinct strings kept for the life of the process; any later one is copied per use,
/// so a service that puts ids in these (a host per tenant) cannot grow memory without
/// bound: at most this many strings of at most [`MAX_INTERNED_LEN`] bytes.
const MAX_INTERNED: usize = 1024;
/// Longer strings are never kept.
const MAX_INTERNED_LEN: usize = 255;

type Strings = HashSet<&'static str, foldhash::fast::RandomState>;

static STRINGS: LazyLock<RwLock<Strings>> = LazyLock::new(RwLock::default);

/// `text`, as a string kept for the process when it is (or can still be) interned, else
/// as a copy.
pub(crate) fn intern(text: &str) -> Cow<'static, str> {
    // A wrapper names the same few strings on every call, from the same memory: the
    // last ones this thread interned answer without a lock or a hash.
    thread_local! {
        static RECENT: std::cell::Cell<[&'static str; RECENT_SLOTS]> =
            const { std::cell::Cell::new([""; RECENT_SLOTS]) };
    }
    let recent = RECENT.get();
    if let Some(kept) = recent
        .iter()
        .find(|kept| **kept == text && !kept.is_empty())
    {
        return Cow::Borrowed(kept);
    }
    let interned = intern_shared(text);
    if let Cow::Borrowed(kept) = interned {
        let mut updated = recent;
        updated.rotate_right(1);
        updated[0] = kept;
        RECENT.set(updated);
    }
    interned
}

/// The strings a thread remembers interning last.
const RECENT_SLOTS: usize = 4;

/// [`intern`] through the process-wide set.
fn intern_shared(text: &str) -> Cow<'static, str> {
    if let Ok(strings) = STRINGS.read()
        && let Some(kept) = strings.get(text)
    {
        return Cow::Borrowed(kept);
    }
    if text.len() > MAX_INTERNED_LEN {
        return Cow::Owned(text.to_owned());
    }
    let Ok(mut strings) = STRINGS.write() else {
        return Cow::Owned(text.to_owned());
    };
    if let Some(kept) = strings.get(text) {
        return Cow::Borrowed(kept);
    }
    if strings.len() >= MAX_INTERNED {
        return Cow::Owned(text.to_owned());
    }
    // Leaked on purpose: kept for the process, and bounded above.
    let kept: &'static str = Box::leak(text.into());
    strings.insert(kept);
    Cow::Borrowed(kept)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_text_is_the_same_kept_string() {
        let (Cow::Borrowed(first), Cow::Borrowed(second)) = (
            intern("interned.example"),
            intern(&String::from("interned.example")),
        ) else {
            panic!("short strings are kept");
        };
        assert!(std::ptr::eq(first, second));
    }

    #[test]
    fn long_strings_are_copied_not_kept() {
        let long = "x".repeat(MAX_INTERNED_LEN + 1);
        assert!(matches!(intern(&long), Cow::Owned(copy) if copy == long));
    }
}
