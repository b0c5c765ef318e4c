//! [`Text`]: a string a call description records, borrowed for the call or kept for
//! the life of the process.

use std::borrow::Cow;

use crate::intern::intern;

/// A string given to a call description ([`DbCall`](crate::DbCall)): borrowed for the
/// call, or kept for the life of the process.
///
/// A span outlives its call, so a borrowed string is kept for it by interning (a lookup
/// per call, about 60 instructions), or copied past the interning bound. A string the
/// wrapper keeps anyway is recorded as it is: a literal, a name from a static table, or
/// a server address interned once, when its connection was made ([`Text::interned`]).
///
/// ```
/// use instrument_core::Text;
///
/// let command = Text::kept("GET");
/// // Interned while the set of interned strings has room; else borrowed per call.
/// let host = String::from("cache.internal");
/// let address = Text::interned(&host).unwrap_or(Text::from(&host));
/// assert_eq!(address.as_str(), "cache.internal");
/// assert_eq!(command.as_str(), "GET");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Text<'a>(Repr<'a>);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Repr<'a> {
    Borrowed(&'a str),
    Kept(&'static str),
}

impl<'a> Text<'a> {
    /// A string kept for the life of the process: recorded without a lookup.
    pub const fn kept(text: &'static str) -> Self {
        Text(Repr::Kept(text))
    }

    /// `text`, interned: kept for the life of the process from now on. `None` when it
    /// cannot be (too long, or the bounded set of interned strings is full): borrow it
    /// per call instead.
    pub fn interned(text: &str) -> Option<Text<'static>> {
        match intern(text) {
            Cow::Borrowed(kept) => Some(Text::kept(kept)),
            Cow::Owned(_) => None,
        }
    }

    /// The string.
    pub fn as_str(&self) -> &'a str {
        match self.0 {
            Repr::Borrowed(text) => text,
            Repr::Kept(text) => text,
        }
    }

    /// The string as a span keeps it: as it is when kept, else interned (or copied).
    pub(crate) fn keep(self) -> Cow<'static, str> {
        match self.0 {
            Repr::Kept(text) => Cow::Borrowed(text),
            Repr::Borrowed(text) => intern(text),
        }
    }
}

impl<'a> From<&'a str> for Text<'a> {
    fn from(text: &'a str) -> Self {
        Text(Repr::Borrowed(text))
    }
}

impl<'a> From<&'a String> for Text<'a> {
    fn from(text: &'a String) -> Self {
        Text(Repr::Borrowed(text))
    }
}

/// A `Cow` that borrows a `&'static str` is kept: recorded without a lookup.
impl<'a> From<&'a Cow<'static, str>> for Text<'a> {
    fn from(text: &'a Cow<'static, str>) -> Self {
        match text {
            Cow::Borrowed(text) => Text(Repr::Kept(text)),
            Cow::Owned(text) => Text(Repr::Borrowed(text)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kept_and_borrowed_text_keep_the_same_string() {
        assert_eq!(Text::kept("GET").keep(), "GET");
        assert_eq!(Text::from("GET").keep(), "GET");
        let interned = Text::interned("text.example").expect("short strings are interned");
        assert!(matches!(interned.keep(), Cow::Borrowed("text.example")));
    }

    #[test]
    fn long_strings_are_not_interned() {
        assert_eq!(Text::interned(&"x".repeat(4096)), None);
    }
}
