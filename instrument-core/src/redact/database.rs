//! Database error messages without the values the server echoes back.
//!
//! PostgreSQL, MySQL/MariaDB and SQLite quote the data a statement failed on inside
//! their messages (`invalid input syntax for type integer: "…"`, `Duplicate entry '…'
//! for key 'email'`, `Key (email)=(…) already exists`, `near "…": syntax error`). The
//! recorded message keeps the wording, the codes and the names of tables, columns,
//! constraints and types, and replaces every value with `?`:
//!
//! - a quoted string (`"…"`, `'…'`, `` `…` ``) is kept only when it is a name: it looks
//!   like an identifier and follows a word that introduces one (`relation`, `column`,
//!   `constraint`, `table`, `key`, `type`, `index`, …) — or, for backticks, MySQL's
//!   identifier quotes, whenever it looks like an identifier;
//! - the values of a key (`Key (email)=(…)`) and a failing row (`Failing row contains
//!   (…)`) are masked whole;
//! - a number is masked unless it counts something in the message itself (`at row 1`,
//!   `line 3`, `column 0`, `errno: 150`, `code: 2067`, a type's `varchar(10)`, a
//!   MySQL `1062 (23000):` prefix);
//! - a message the application raised itself (PostgreSQL `RAISE EXCEPTION`, SQLSTATE
//!   `P0001`, and `ASSERT`, `P0004`; MySQL `SIGNAL`, error 1644; SQLite `RAISE()` in a
//!   trigger, result code 1811) is written by the application with its values
//!   unquoted, and is not recorded at all. A `RAISE` with a code of its own choosing
//!   is recognised by the wrappers from the error's routine
//!   ([`ErrorInfo::raised_by_application`](crate::ErrorInfo::raised_by_application)).
//!
//! Work is linear in the message, which is cut at [`MAX_MESSAGE_BYTES`] first.

use std::borrow::Cow;

/// Longest message masked; the rest is dropped (the recorded message is cut shorter
/// still).
pub const MAX_MESSAGE_BYTES: usize = 8192;

/// What is recorded instead of a message the application raised itself.
pub const RAISED_BY_APPLICATION: &str =
    "error raised by the application's SQL (message not recorded: it may quote data)";

/// Status codes of errors whose message the application wrote: PostgreSQL
/// `raise_exception` and `assert_failure`, MySQL/MariaDB `ER_SIGNAL_EXCEPTION` (and the SQLSTATE `SIGNAL`
/// uses by default), SQLite `SQLITE_CONSTRAINT_TRIGGER`.
const RAISED_CODES: [&str; 5] = ["P0001", "P0004", "1644", "45000", "1811"];

/// Words after which a quoted identifier is a name, not data.
const NAME_WORDS: [&str; 40] = [
    "relation",
    "table",
    "tables",
    "column",
    "columns",
    "constraint",
    "index",
    "key",
    "type",
    "function",
    "procedure",
    "routine",
    "schema",
    "database",
    "sequence",
    "view",
    "trigger",
    "extension",
    "operator",
    "cursor",
    "statement",
    "savepoint",
    "collation",
    "domain",
    "tablespace",
    "rule",
    "policy",
    "publication",
    "subscription",
    "aggregate",
    "language",
    "parameter",
    "attribute",
    "field",
    "name",
    "portal",
    "enum",
    "event",
    "encoding",
    "references",
];

/// Words after which a number counts something in the message (a row, a position, a
/// code) instead of being data.
const COUNTING_WORDS: [&str; 13] = [
    "row",
    "rows",
    "line",
    "position",
    "character",
    "column",
    "errno",
    "code",
    "error",
    "index",
    "level",
    "version",
    "database",
];

/// `message`, with the values it quotes masked (see the module docs). `status_code` is
/// the system's own code (SQLSTATE, MySQL error number, SQLite result code), when known.
pub fn mask_database_message<'m>(message: &'m str, status_code: Option<&str>) -> Cow<'m, str> {
    if status_code.is_some_and(|code| RAISED_CODES.contains(&code)) {
        return Cow::Borrowed(RAISED_BY_APPLICATION);
    }
    let message = cut(message, MAX_MESSAGE_BYTES);
    if !message
        .bytes()
        .any(|b| b.is_ascii_digit() || matches!(b, b'"' | b'\'' | b'`' | b'(' | b'\n'))
    {
        return Cow::Borrowed(message);
    }
    Cow::Owned(Masker::new(message).run())
}

/// Is `routine` (a PostgreSQL error's `routine` field) one of PL/pgSQL's `RAISE` and
/// `ASSERT`, whose message the application's code wrote, with any SQLSTATE it chose?
pub fn is_raise_routine(routine: Option<&str>) -> bool {
    matches!(routine, Some("exec_stmt_raise" | "exec_stmt_assert"))
}

/// One field of a database error (its message, `DETAIL` or `HINT`), to be joined with
/// the others under their labels and masked by [`mask_database_message`]: a line
/// break inside it (a value the server echoes can hold one) is followed by a space,
/// so that no label can start the line after it (`…\nDETAIL: <value>` would be read
/// as the error's own part and kept) and the line is masked whole, as echoed input is.
pub fn database_error_field(text: &str) -> Cow<'_, str> {
    if text.contains('\n') {
        Cow::Owned(text.replace('\n', "\n "))
    } else {
        Cow::Borrowed(text)
    }
}

fn cut(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

struct Masker<'m> {
    text: &'m str,
    out: String,
    at: usize,
    /// Where MySQL's `near '…' at line N` ends, for `'` and `"`: found once.
    last_at_line: [Option<Option<usize>>; 2],
}

impl<'m> Masker<'m> {
    fn new(text: &'m str) -> Self {
        Masker {
            text,
            out: String::with_capacity(text.len()),
            at: 0,
            last_at_line: [None, None],
        }
    }

    fn run(mut self) -> String {
        let bytes = self.text.as_bytes();
        while self.at < bytes.len() {
            let b = bytes[self.at];
            if self.at > 0
                && bytes[self.at - 1] == b'\n'
                && !starts_labelled_line(&self.text[self.at..])
            {
                self.continuation_line();
                continue;
            }
            match b {
                // An apostrophe inside a word (`doesn't`) is wording, not a quote.
                b'"' | b'\'' | b'`' if !self.follows_letter() => self.quoted(b),
                b'(' => self.parenthesized(),
                b'0'..=b'9' if !self.follows_word_char() => self.number(),
                _ => self.copy_char(),
            }
        }
        self.out
    }

    /// A line after the first that is not a labelled part of the error (`DETAIL:`,
    /// `HINT:`, ...): PostgreSQL puts the raw input there (an XML document, a caret
    /// under it). Masked whole.
    fn continuation_line(&mut self) {
        let end = self.text[self.at..]
            .find('\n')
            .map_or(self.text.len(), |i| self.at + i);
        if end > self.at {
            self.out.push('?');
        }
        self.at = end;
        if self.at < self.text.len() {
            self.out.push('\n');
            self.at += 1;
        }
    }

    /// Copies one character as it is.
    fn copy_char(&mut self) {
        let len = self.text[self.at..]
            .chars()
            .next()
            .map_or(1, char::len_utf8);
        self.out.push_str(&self.text[self.at..self.at + len]);
        self.at += len;
    }

    /// Is the current position inside a word (`int4`, `utf8`, `x2`)? Every decision
    /// reads the masked text written so far, not the input, so that a masked message
    /// masks to itself.
    fn follows_word_char(&self) -> bool {
        self.out
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$')
    }

    /// Does the current position follow a letter?
    fn follows_letter(&self) -> bool {
        self.out
            .chars()
            .next_back()
            .is_some_and(char::is_alphabetic)
    }

    /// The word written last, lower-cased, skipping spaces and one `:`, `=` or `(`.
    fn word_before(&self) -> String {
        last_word(&self.out)
    }

    /// A quoted string starting at the quote `quote`: kept when it is a name, else `?`.
    /// A name is short and closes at the first quote; a value may hold quotes of its
    /// own, which servers do not escape, and is masked up to the quote that the
    /// message's own wording follows (see [`value_end`]).
    fn quoted(&mut self, quote: u8) {
        let start = self.at + 1;
        let q = char::from(quote);
        let (name_end, name_closed) = closing_quote(self.text, start, quote);
        let name = &self.text[start..name_end];
        let word = self.word_before();
        let is_name = (is_identifier(name)
            && (self.introduces_a_name(&word) || self.qualifies(quote)))
            || is_clause_name(&word, name);
        if is_name {
            self.out.push(q);
            self.out.push_str(name);
            if name_closed {
                self.out.push(q);
            }
            self.at = if name_closed { name_end + 1 } else { name_end };
            return;
        }
        let (end, closed) = if word == "near" {
            self.near_text_end(start, quote)
        } else {
            value_end(self.text, start, quote)
        };
        self.out.push(q);
        if end > start {
            self.out.push('?');
        }
        if closed {
            self.out.push(q);
        }
        self.at = if closed { end + 1 } else { end };
    }

    /// MySQL's qualified names: `` `db`.`table`.`column` `` after the first part.
    fn qualifies(&self, quote: u8) -> bool {
        quote == b'`' && self.out.ends_with("`.")
    }

    /// [`near_text_end`], searching the message for its last `' at line` once.
    fn near_text_end(&mut self, start: usize, quote: u8) -> (usize, bool) {
        let index = usize::from(quote == b'"');
        let last = *self.last_at_line[index]
            .get_or_insert_with(|| self.text.rfind(&format!("{} at line", char::from(quote))));
        match last {
            Some(end) if end >= start => (end, true),
            _ => value_end(self.text, start, quote),
        }
    }

    /// Does `word`, the word before the current position, introduce a name? `key` does
    /// only in MySQL's `for key 'email'`: PostgreSQL's `does not contain key "…"` quotes
    /// data.
    fn introduces_a_name(&self, word: &str) -> bool {
        if word == "key" {
            // The word before `key`: `key` and what follows it are ASCII, so the cut
            // is at a character boundary.
            let before_quote = self.out.trim_end_matches([' ', ':', '=', '(']);
            let key_start = before_quote.len().saturating_sub(3);
            return before_quote.is_char_boundary(key_start)
                && last_word(&before_quote[..key_start]) == "for";
        }
        NAME_WORDS.contains(&word)
    }

    /// `(`: a key's or a failing row's values are masked whole; a SQLSTATE `(23000)` and
    /// a type modifier `varchar(10)` are kept; anything else is read on.
    fn parenthesized(&mut self) {
        let rest = &self.text[self.at..];
        let word = self.word_before();
        let after_equals = self.out.trim_end().ends_with('=');
        if after_equals || word == "contains" {
            let end = values_paren_end(self.text, self.at + 1);
            self.out
                .push_str(if end == self.at + 1 { "(" } else { "(?" });
            if self.text.as_bytes().get(end) == Some(&b')') {
                self.out.push(')');
                self.at = end + 1;
            } else {
                self.at = end; // the end of the line: what follows is read on
            }
            return;
        }
        let sqlstate =
            rest.len() >= 7 && rest.as_bytes()[6] == b')' && is_sqlstate(&rest.as_bytes()[1..6]);
        if sqlstate {
            self.out.push_str(&rest[..7]);
            self.at += 7;
            return;
        }
        // `varchar(10)`: a letter right before. (A digit would be masked, and the
        // masked text must read the same.)
        let type_modifier = self
            .out
            .chars()
            .next_back()
            .is_some_and(char::is_alphabetic);
        self.out.push('(');
        self.at += 1;
        if type_modifier {
            // `varchar(10)`, `numeric(5,2)`: digits, commas and spaces up to `)`.
            let len = self.text[self.at..]
                .find(|c: char| !(c.is_ascii_digit() || c == ',' || c == ' '))
                .unwrap_or(self.text.len() - self.at);
            if self.text[self.at + len..].starts_with(')') {
                self.out.push_str(&self.text[self.at..self.at + len]);
                self.at += len;
            }
        }
    }

    /// A number (`42`, `-1.5e3`, `0x1f`): kept after a counting word and in a MySQL
    /// `1062 (23000):` prefix, else `?`.
    fn number(&mut self) {
        let len = self.text[self.at..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '_'))
            .unwrap_or(self.text.len() - self.at);
        let number = &self.text[self.at..self.at + len];
        let after = &self.text[self.at + len..];
        let mysql_prefix = after.starts_with(" (")
            && after.len() >= 9
            && is_sqlstate(&after.as_bytes()[2..7])
            && after.as_bytes()[7] == b')'
            && after.as_bytes()[8] == b':';
        let keep = mysql_prefix || COUNTING_WORDS.contains(&self.word_before().as_str());
        self.out.push_str(if keep { number } else { "?" });
        self.at += len;
    }
}

/// The index of the quote closing a string that starts at `start`, and whether there is
/// one (else the end of the text). A doubled quote or a backslash escapes. Servers echo
/// a value without escaping the quotes inside it (`"S3"CR3T"`), so a quote followed by
/// more of a word does not close the string: the closing quote is one followed by the
/// end, white space or punctuation.
fn closing_quote(text: &str, start: usize, quote: u8) -> (usize, bool) {
    let bytes = text.as_bytes();
    let mut i = start;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if quote != b'`' => i += 2,
            b if b == quote => match bytes.get(i + 1) {
                Some(next) if *next == quote => i += 2,
                None => return (i, true),
                Some(next) if ends_quoted(*next) => return (i, true),
                Some(_) => i += 1,
            },
            _ => i += 1,
        }
    }
    (text.len(), false)
}

/// MySQL's `Unknown column 'x' in 'field list'` / `in 'where clause'`: `content` quoted
/// after `word` is wording.
fn is_clause_name(word: &str, content: &str) -> bool {
    word == "in"
        && content.len() <= 32
        && content.bytes().all(|b| b.is_ascii_lowercase() || b == b' ')
        && ["clause", "list", "statement"]
            .iter()
            .any(|tail| content.ends_with(tail))
}

/// Five digits or capital letters, as a SQLSTATE is written.
fn is_sqlstate(code: &[u8]) -> bool {
    code.len() == 5
        && code
            .iter()
            .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase())
}

/// The last word of `text`, lower-cased, skipping spaces and one `:`, `=` or `(`.
fn last_word(text: &str) -> String {
    let before = text.trim_end();
    let before = before
        .strip_suffix([':', '=', '('])
        .map_or(before, str::trim_end);
    let start = before
        .rfind(|c: char| !(c.is_alphanumeric() || c == '_'))
        .map_or(0, |i| {
            i + before[i..].chars().next().map_or(1, char::len_utf8)
        });
    before[start..].to_lowercase()
}

/// Does `line` start with one of the labels a server error's parts carry?
fn starts_labelled_line(line: &str) -> bool {
    [
        "DETAIL:",
        "HINT:",
        "CONTEXT:",
        "QUERY:",
        "WHERE:",
        "LINE ",
        "ERROR:",
        "Caused by",
    ]
    .iter()
    .any(|label| line.starts_with(label))
}

/// Can `next` follow a closing quote?
fn ends_quoted(next: u8) -> bool {
    next.is_ascii_whitespace()
        || matches!(
            next,
            b',' | b'.' | b';' | b':' | b')' | b']' | b'}' | b'@' | b'=' | b'/'
        )
}

/// What a server's message goes on with after a quoted value: the closing quote is the
/// first one these follow (`Duplicate entry '…' for key 'email'`, `value "…" is out
/// of range`, `'user'@'host'`), else the last one on the line.
const AFTER_A_QUOTED_VALUE: [&str; 14] = [
    " for key ",
    " for column ",
    " at row ",
    " at line ",
    " is out of range",
    " is invalid",
    " is not ",
    " does not ",
    ": syntax error",
    "@",
    " in ",
    " can't ",
    ", with ",
    ", expected ",
];

/// What follows the values of a key: `Key (…)=(…) already exists.` (a row's values,
/// `Failing row contains (…).`, end the line, or its full stop does: one inside them,
/// as in `(7, Loves cats (and dogs). Lives in Paris)`, is free text).
const AFTER_VALUES: [&str; 4] = [
    " already exists",
    " is not present",
    " is still referenced",
    " conflicts with",
];

/// The end of the line `start` is on.
fn line_end(text: &str, start: usize) -> usize {
    text[start..].find('\n').map_or(text.len(), |i| start + i)
}

/// The closing quote of a value starting at `start` (see [`AFTER_A_QUOTED_VALUE`]),
/// and whether there is one (else the end of the line: masked to there).
fn value_end(text: &str, start: usize, quote: u8) -> (usize, bool) {
    let end_of_line = line_end(text, start);
    let bytes = text.as_bytes();
    let mut last = None;
    let mut i = start;
    while i < end_of_line {
        match bytes[i] {
            b'\\' if quote != b'`' => i += 2,
            // Servers echo a value's own quotes as they are, doubled or not: every
            // quote is a candidate.
            b if b == quote => {
                let after = &text[i + 1..end_of_line];
                if after.is_empty() || after.as_bytes().first().is_some_and(|b| ends_quoted(*b)) {
                    if AFTER_A_QUOTED_VALUE
                        .iter()
                        .any(|next| after.starts_with(next))
                    {
                        return (i, true);
                    }
                    last = Some(i);
                }
                i += 1;
            }
            _ => i += 1,
        }
    }
    match last {
        Some(i) => (i, true),
        None => (end_of_line, false),
    }
}

/// The `)` closing the values of a key or a row whose `(` is just before `start`: the
/// first followed by [`AFTER_VALUES`], or by the end of the line or a full stop that
/// ends it; else the values run to the end of the line (masked to there: a
/// guess at a closer one could leave part of the values out, or mask differently the
/// second time).
fn values_paren_end(text: &str, start: usize) -> usize {
    let end_of_line = line_end(text, start);
    text[start..end_of_line]
        .match_indices(')')
        .map(|(offset, _)| start + offset)
        .find(|i| {
            let after = &text[i + 1..end_of_line];
            after.is_empty()
                || after == "."
                || AFTER_VALUES.iter().any(|next| after.starts_with(next))
        })
        .unwrap_or(end_of_line)
}

/// Does `content` look like a name (`users`, `public.users_email_key`, `PRIMARY`), not
/// data? Letters, digits, `_`, `$` and `.`, at most 128 bytes, not only digits.
fn is_identifier(content: &str) -> bool {
    !content.is_empty()
        && content.len() <= 128
        && content
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '$' | '.'))
        && content.chars().any(|c| c.is_alphabetic() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn masked(message: &str) -> String {
        mask_database_message(message, None).into_owned()
    }

    #[test]
    fn a_value_with_a_line_break_cannot_pass_for_a_part_of_the_error() {
        let failing_row = format!(
            "ERROR: new row violates check constraint \"age\"\nDETAIL: {}",
            database_error_field("Failing row contains (1, a)\nERROR: x@y.z S3CR3T, null).")
        );
        let message = database_error_field(
            "invalid input syntax for type integer: \"1\nDETAIL: x@y.z S3CR3T\"",
        );
        for text in [failing_row.as_str(), &message] {
            let masked = masked(text);
            assert!(!masked.contains("S3CR3T"), "{masked}");
            assert!(!masked.contains("x@y.z"), "{masked}");
        }
        assert_eq!(
            masked(&failing_row),
            "ERROR: new row violates check constraint \"age\"\nDETAIL: Failing row contains (?)\n?"
        );
        assert!(matches!(database_error_field("one line"), Cow::Borrowed(_)));
    }

    #[test]
    fn postgresql_values_are_masked_and_names_kept() {
        let cases = [
            (
                r#"invalid input syntax for type integer: "S3CR3T""#,
                r#"invalid input syntax for type integer: "?""#,
            ),
            (
                r#"duplicate key value violates unique constraint "users_email_key""#,
                r#"duplicate key value violates unique constraint "users_email_key""#,
            ),
            (
                "Key (email)=(S3CR3T@example.com) already exists.",
                "Key (email)=(?) already exists.",
            ),
            (
                r#"Key (user_id)=(987654321) is not present in table "users"."#,
                r#"Key (user_id)=(?) is not present in table "users"."#,
            ),
            (
                r#"null value in column "name" of relation "zz" violates not-null constraint"#,
                r#"null value in column "name" of relation "zz" violates not-null constraint"#,
            ),
            (
                "Failing row contains (1, S3CR3T, null).",
                "Failing row contains (?).",
            ),
            (
                "Failing row contains (7, Loves cats (and dogs). Lives in Paris, null).",
                "Failing row contains (?).",
            ),
            (
                "Key (title)=(Intro (part 1). Advanced topics) already exists.",
                "Key (title)=(?) already exists.",
            ),
            (
                "value too long for type character varying(10)",
                "value too long for type character varying(10)",
            ),
            (
                r#"value "987654321987" is out of range for type integer"#,
                r#"value "?" is out of range for type integer"#,
            ),
            (
                r#"syntax error at or near "'S3CR3T'""#,
                r#"syntax error at or near "?""#,
            ),
            (
                "db error: ERROR: invalid byte sequence for encoding \"UTF8\": 0x00",
                "db error: ERROR: invalid byte sequence for encoding \"UTF8\": ?",
            ),
        ];
        for (message, expected) in cases {
            assert_eq!(masked(message), expected, "{message}");
        }
    }

    #[test]
    fn mysql_values_are_masked_and_names_kept() {
        let cases = [
            (
                "1062 (23000): Duplicate entry 'S3CR3T@example.com' for key 'email'",
                "1062 (23000): Duplicate entry '?' for key 'email'",
            ),
            (
                "Incorrect integer value: 'S3CR3T' for column `test`.`t`.`age` at row 1",
                "Incorrect integer value: '?' for column `test`.`t`.`age` at row 1",
            ),
            (
                "Unknown column 'nope' in 'field list'",
                "Unknown column 'nope' in 'field list'",
            ),
            (
                "You have an error in your SQL syntax; check the manual that corresponds to \
                 your MariaDB server version for the right syntax to use near 'S3CR3T' at line 1",
                "You have an error in your SQL syntax; check the manual that corresponds to \
                 your MariaDB server version for the right syntax to use near '?' at line 1",
            ),
            (
                "Access denied for user 'S3CR3T'@'localhost' (using password: YES)",
                "Access denied for user '?'@'?' (using password: YES)",
            ),
        ];
        for (message, expected) in cases {
            assert_eq!(masked(message), expected, "{message}");
        }
    }

    #[test]
    fn sqlite_values_are_masked_and_names_kept() {
        assert_eq!(
            masked("(code: 2067) UNIQUE constraint failed: users.email"),
            "(code: 2067) UNIQUE constraint failed: users.email"
        );
        assert_eq!(
            masked(r#"near "S3CR3T": syntax error"#),
            r#"near "?": syntax error"#
        );
        assert_eq!(
            masked(r#"unrecognized token: "'S3CR3T""#),
            r#"unrecognized token: "?""#
        );
    }

    #[test]
    fn messages_the_application_raised_are_not_recorded() {
        for code in ["P0001", "1644", "45000", "1811"] {
            assert_eq!(
                mask_database_message("balance of S3CR3T is 987654321", Some(code)),
                RAISED_BY_APPLICATION
            );
        }
    }

    #[test]
    fn unclosed_quotes_and_parentheses_mask_to_the_end() {
        assert_eq!(masked("value: 'S3CR3T"), "value: '?");
        assert_eq!(masked("Key (a)=(S3CR3T"), "Key (a)=(?");
        assert_eq!(masked("x \"a\\\"S3CR3T\" y"), "x \"?\" y");
        assert_eq!(
            masked(r#"invalid input syntax for type integer: "S3"CR3T""#),
            r#"invalid input syntax for type integer: "?""#
        );
    }

    #[test]
    fn values_holding_quotes_or_parentheses_of_their_own_are_masked_whole() {
        let cases = [
            (
                "Duplicate entry 'O' S3CR3T' for key 'email'",
                "Duplicate entry '?' for key 'email'",
            ),
            (
                r#"invalid input syntax for type integer: "a" S3CR3T""#,
                r#"invalid input syntax for type integer: "?""#,
            ),
            (
                "Key (e)=(a) S3CR3T) already exists.",
                "Key (e)=(?) already exists.",
            ),
            (
                "Key (a, b)=(1, x) conflicts with existing key (a, b)=(1, y).",
                "Key (a, b)=(?) conflicts with existing key (a, b)=(?).",
            ),
            (
                "Access denied for user 'S3'CR3T'@'localhost' (using password: YES)",
                "Access denied for user '?'@'?' (using password: YES)",
            ),
        ];
        for (message, expected) in cases {
            assert_eq!(masked(message), expected, "{message}");
        }
    }

    #[test]
    fn apostrophes_in_words_are_wording_and_backticked_data_is_masked() {
        assert_eq!(
            masked("Field 'name' doesn't have a default value"),
            "Field 'name' doesn't have a default value"
        );
        assert_eq!(
            masked("Column count doesn't match value count at row 1"),
            "Column count doesn't match value count at row 1"
        );
        assert_eq!(
            masked("error occurred while decoding: unknown variant `S3CR3T`, expected `a`"),
            "error occurred while decoding: unknown variant `?`, expected `?`"
        );
        assert_eq!(
            masked("for column `test`.`t`.`age` at row 1"),
            "for column `test`.`t`.`age` at row 1"
        );
    }

    #[test]
    fn raw_input_lines_are_masked_even_with_nothing_else_to_mask() {
        assert_eq!(
            masked("invalid XML content\nDETAIL: line 1: bad tag\n<a>S3CR3T</b>"),
            "invalid XML content\nDETAIL: line 1: bad tag\n?"
        );
    }

    #[test]
    fn a_message_without_values_is_borrowed() {
        assert!(matches!(
            mask_database_message("division by zero", None),
            Cow::Borrowed(_)
        ));
    }

    proptest::proptest! {
        // Values that spell out a message's wording are skipped; leave room for them.
        #![proptest_config(proptest::prelude::ProptestConfig {
            max_global_rejects: 1_000_000,
            ..proptest::prelude::ProptestConfig::default()
        })]

        #[test]
        fn a_quoted_value_never_survives(
            secret in "[A-Za-z0-9@._ ()'\"-]{4,40}",
            template in 0usize..8,
        ) {
            // A value that spells out the message's own wording can end it early: such
            // values are not this property's business.
            // The character closing the value in `template`.
            let close = match template {
                0 | 5 => '"',
                1 | 4 | 6 => ')',
                _ => '\'',
            };
            // A `).` inside the values is not their end (only one that ends the line).
            proptest::prop_assume!(
                !AFTER_A_QUOTED_VALUE
                    .iter()
                    .chain(AFTER_VALUES.iter())
                    .any(|next| secret.contains(&format!("{close}{next}")))
                    && secret.chars().any(char::is_alphanumeric)
            );
            let message = match template {
                0 => format!(r#"invalid input syntax for type uuid: "{secret}""#),
                1 => format!("Key (email)=({secret}) already exists."),
                2 => format!("Duplicate entry '{secret}' for key 'users.email'"),
                3 => format!("Incorrect decimal value: '{secret}' for column `t`.`c` at row 1"),
                4 => format!("Failing row contains (7, {secret})."),
                5 => format!(r#"near "{secret}": syntax error"#),
                6 => format!("Key (a, b)=(1, {secret}) conflicts with existing key (a, b)=(1, x)."),
                _ => format!("Truncated incorrect DOUBLE value: '{secret}'"),
            };
            let out = masked(&message);
            proptest::prop_assert!(!out.contains(&secret), "{message} -> {out}");
        }

        #[test]
        fn a_data_number_never_survives(number in 1000u64..u64::MAX) {
            let message = format!("value {number} is out of range for type bigint");
            proptest::prop_assert!(!masked(&message).contains(&number.to_string()));
        }

        #[test]
        fn any_text_masks_without_panicking_and_stays_bounded(text in "\\PC{0,300}") {
            let once = masked(&text);
            proptest::prop_assert!(once.len() <= text.len());
            // Masking is stable: a masked message masks to itself.
            proptest::prop_assert_eq!(masked(&once), once.clone());
        }
    }
}
