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
/// an [`OwnedText`] (a database name or server address interned once, when its client
/// was made).
///
/// ```
/// use instrument_core::{OwnedText, Text};
///
/// let command = Text::kept("GET");
/// let address = OwnedText::new("cache.internal");
/// assert_eq!(Text::from(&address).as_str(), "cache.internal");
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

/// A string a wrapper gives its calls over and over (a database name, a server
/// address): interned once, when it is made, so that its calls record it without a
/// lookup ([`Text::kept`]). Past the interning bound (too long, or the bounded set of
/// interned strings full) it is held as it is and interned or copied per call, as any
/// borrowed [`Text`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OwnedText(Cow<'static, str>);

impl OwnedText {
    /// `text`, interned when there is room.
    pub fn new(text: impl AsRef<str> + Into<String>) -> Self {
        match intern(text.as_ref()) {
            Cow::Borrowed(kept) => OwnedText(Cow::Borrowed(kept)),
            Cow::Owned(_) => OwnedText(Cow::Owned(text.into())),
        }
    }

    /// The string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'a> From<&'a OwnedText> for Text<'a> {
    fn from(text: &'a OwnedText) -> Self {
        Text::from(&text.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kept_and_borrowed_text_keep_the_same_string() {
        assert_eq!(Text::kept("GET").keep(), "GET");
        assert_eq!(Text::from("GET").keep(), "GET");
        let interned = OwnedText::new("text.example");
        assert!(matches!(interned.0, Cow::Borrowed("text.example")));
        assert!(matches!(
            Text::from(&interned).keep(),
            Cow::Borrowed("text.example")
        ));
    }

    #[test]
    fn long_strings_are_held_not_interned() {
        let long = "x".repeat(4096);
        let held = OwnedText::new(long.clone());
        assert!(matches!(&held.0, Cow::Owned(text) if *text == long));
        assert_eq!(Text::from(&held).as_str(), long);
    }
}
