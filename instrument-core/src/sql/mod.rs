//! SQL text handling for database spans: literal sanitization for
//! `db.query.text` and the low-cardinality `db.query.summary`.
//!
//! Both work from one tokenizer (see [`Dialect`] for how each dialect reads
//! quotes, comments and backslashes), in a single left-to-right pass, in time
//! linear in the input whatever it contains, without panicking.
//!
//! * [`sanitize`] replaces every literal (strings, numbers, booleans) with `?`.
//! * [`summarize`] lists the operations and the collections they touch, such as
//!   `SELECT users` or `INSERT shipping_details SELECT orders`.

//!
//! # Reading per dialect
//!
//! | | PostgreSQL | MySQL | SQLite | Generic |
//! |---|---|---|---|---|
//! | `'..'` backslash escapes | no (`E'..'` yes) | yes | no | yes |
//! | `".."` | identifier | string | identifier | identifier |
//! | `` `..` `` | identifier | identifier | identifier | identifier |
//! | `[..]` | punctuation | punctuation | identifier | punctuation |
//! | `$tag$..$tag$` | string | - | - | string |
//! | `/* /* */ */` nests | yes | no | no | yes |
//! | `--` comment | always | only before whitespace | always | always |
//! | `#` comment | no (operator) | yes | no | yes, except `#>`, `#-` |
//!
//! String prefixes: `E B X N U&` (PostgreSQL, generic), `N X B _charset`
//! (MySQL), `X` (SQLite). Placeholders everywhere: `?`, `?N`, `$N`, `$name`,
//! `:name`, `@name`, `@@name`.

#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod lexer;
mod sanitize;
mod statements;
mod summary;

#[cfg(test)]
mod proptests;

pub use sanitize::{MAX_TEXT_LEN, SanitizeOptions, sanitize};
pub use statements::split_statements;
pub use summary::{MAX_SUMMARY_LEN, summarize};

/// SQL dialect: decides how quotes and backslashes are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Dialect {
    /// PostgreSQL: '...' with '' doubling and no backslash escapes (standard_conforming_strings),
    /// E'...' / e'...' with backslash escapes, $$...$$ and $tag$...$tag$ dollar quotes, "..." identifiers,
    /// B'0101', X'ff', U&'...' literals.
    Postgres,
    /// MySQL / MariaDB: '...' and "..." are both string literals with backslash escapes and doubling,
    /// `backtick` identifiers, X'ff', 0xff, b'01', _utf8'..' introducers, `#` line comments.
    MySql,
    /// SQLite: '...' strings with '' doubling (no backslash escapes), "..." / `...` / [...] identifiers, X'ff' blobs.
    Sqlite,
    /// Unknown: the safest reading (treat backslash as an escape inside '...', "..." as identifier).
    #[default]
    Generic,
}
