//! The one tokenizer shared by the sanitizer and the summarizer.
//!
//! The lexer walks the input bytes once, left to right, and never looks back:
//! every token is produced in time proportional to its own length (closing
//! delimiters are searched with linear-time substring search), so the whole
//! input is tokenized in linear time whatever it contains.
//!
//! Every token boundary lies either at an ASCII byte or at the end of the input.
//! Bytes of multi-byte UTF-8 characters are all `>= 0x80` and never act as
//! delimiters, so token texts are always whole `&str` slices.

use super::Dialect;

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenKind {
    /// A run of ASCII whitespace.
    Whitespace,
    /// `-- ...` or (MySQL) `# ...`, up to but excluding the line break.
    LineComment,
    /// `/* ... */`, nested in dialects that nest them.
    BlockComment,
    /// An unquoted identifier or keyword.
    Word,
    /// A quoted identifier: `"x"`, `` `x` ``, `[x]` (SQLite), `U&"x"` (PostgreSQL).
    QuotedIdent,
    /// A string literal of any form, including prefixed and dollar-quoted ones.
    String,
    /// A numeric literal (integers, decimals, exponents, hex and binary forms).
    Number,
    /// A bind placeholder or variable: `?`, `?1`, `$1`, `$name`, `:name`, `@p1`, `@@var`.
    Placeholder,
    /// Any other character, or the two-character cast operator `::`.
    Punct,
}

/// One token: its kind and its exact text in the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Token<'a> {
    /// What the token is.
    pub(crate) kind: TokenKind,
    /// The token's text, exactly as written.
    pub(crate) text: &'a str,
    /// False when a quoted token or block comment ran to the end of the input
    /// without its closing delimiter.
    pub(crate) terminated: bool,
}

impl Token<'_> {
    /// Whitespace and comments.
    pub(crate) fn is_trivia(&self) -> bool {
        matches!(
            self.kind,
            TokenKind::Whitespace | TokenKind::LineComment | TokenKind::BlockComment
        )
    }

    /// Whether this is the punctuation `p`.
    pub(crate) fn is_punct(&self, p: &str) -> bool {
        self.kind == TokenKind::Punct && self.text == p
    }

    /// Whether this is the unquoted word `kw`, compared ASCII-case-insensitively.
    pub(crate) fn is_word(&self, kw: &str) -> bool {
        self.kind == TokenKind::Word && self.text.eq_ignore_ascii_case(kw)
    }
}

/// Tokenizer over a SQL string for one dialect.
#[derive(Debug, Clone)]
pub(crate) struct Lexer<'a> {
    src: &'a str,
    bytes: &'a [u8],
    pos: usize,
    dialect: Dialect,
}

fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_' || b >= 0x80
}

fn is_ident_continue(b: u8) -> bool {
    is_ident_start(b) || b.is_ascii_digit() || b == b'$'
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

impl<'a> Lexer<'a> {
    /// A lexer over `src` reading it as `dialect`.
    pub(crate) fn new(src: &'a str, dialect: Dialect) -> Self {
        Lexer {
            src,
            bytes: src.as_bytes(),
            pos: 0,
            dialect,
        }
    }

    fn at(&self, i: usize) -> Option<u8> {
        self.bytes.get(i).copied()
    }

    /// Advance `i` while `pred` holds.
    fn scan_while(&self, mut i: usize, pred: impl Fn(u8) -> bool) -> usize {
        while let Some(b) = self.at(i) {
            if !pred(b) {
                break;
            }
            i += 1;
        }
        i
    }

    fn token(&mut self, kind: TokenKind, end: usize, terminated: bool) -> Token<'a> {
        let start = self.pos;
        // Never move backwards and always make progress.
        let end = end.max(start + 1).min(self.bytes.len());
        self.pos = end;
        Token {
            kind,
            text: self.src.get(start..end).unwrap_or_default(),
            terminated,
        }
    }

    /// Whether `'...'` strings take backslash escapes in this dialect.
    fn backslash_in_plain_strings(&self) -> bool {
        matches!(self.dialect, Dialect::MySql | Dialect::Generic)
    }

    /// Scans a quoted run whose opening quote sits just before `i`.
    /// Returns the end (just past the closing quote) and whether it was closed.
    fn scan_quoted(&self, mut i: usize, quote: u8, backslash: bool) -> (usize, bool) {
        while let Some(b) = self.at(i) {
            if backslash && b == b'\\' {
                // Skip the escaped byte. If it starts a multi-byte character the
                // following continuation bytes are >= 0x80 and never delimiters.
                i += 2;
            } else if b == quote {
                if self.at(i + 1) == Some(quote) {
                    i += 2;
                } else {
                    return (i + 1, true);
                }
            } else {
                i += 1;
            }
        }
        (self.bytes.len(), false)
    }

    /// `[ident]` (SQLite): closes at the first `]`.
    fn scan_bracket(&self, i: usize) -> (usize, bool) {
        match self
            .bytes
            .get(i..)
            .and_then(|r| r.iter().position(|&b| b == b']'))
        {
            Some(off) => (i + off + 1, true),
            None => (self.bytes.len(), false),
        }
    }

    fn nested_comments(&self) -> bool {
        matches!(self.dialect, Dialect::Postgres | Dialect::Generic)
    }

    /// Block comment starting at `self.pos` (which holds `/*`).
    fn scan_block_comment(&self) -> (usize, bool) {
        let nested = self.nested_comments();
        let mut depth = 1usize;
        let mut i = self.pos + 2;
        while let Some(b) = self.at(i) {
            if b == b'*' && self.at(i + 1) == Some(b'/') {
                depth -= 1;
                i += 2;
                if depth == 0 {
                    return (i, true);
                }
            } else if nested && b == b'/' && self.at(i + 1) == Some(b'*') {
                depth += 1;
                i += 2;
            } else {
                i += 1;
            }
        }
        (self.bytes.len(), false)
    }

    fn line_end(&self, i: usize) -> usize {
        match self
            .bytes
            .get(i..)
            .and_then(|r| r.iter().position(|&b| b == b'\n'))
        {
            Some(off) => i + off,
            None => self.bytes.len(),
        }
    }

    /// Numeric literal starting at `self.pos` (a digit, or `.` before a digit).
    fn scan_number(&self) -> usize {
        let digit = |b: u8| b.is_ascii_digit();
        let mut i = self.pos;
        if self.at(i) == Some(b'.') {
            i = self.scan_while(i + 1, digit);
        } else {
            i = self.scan_while(i, digit);
            if self.at(i) == Some(b'.') && self.at(i + 1) != Some(b'.') {
                i = self.scan_while(i + 1, digit);
            }
        }
        if matches!(self.at(i), Some(b'e' | b'E')) {
            let j = if matches!(self.at(i + 1), Some(b'+' | b'-')) {
                i + 2
            } else {
                i + 1
            };
            if self.at(j).is_some_and(digit) {
                i = self.scan_while(j, digit);
            }
        }
        // Hex (0x1F), binary (0b01), digit separators (1_000) and trailing junk
        // such as MySQL's digit-led identifiers all stay inside the literal.
        self.scan_while(i, |b| is_ident_start(b) || b.is_ascii_digit())
    }

    /// Called after a word `[self.pos, end)`: if the word is a string prefix
    /// in this dialect and a quote follows, returns the literal kind, the quote
    /// position and whether backslashes escape.
    fn prefixed_literal(&self, end: usize) -> Option<(TokenKind, usize, u8, bool)> {
        let word = self.bytes.get(self.pos..end)?;
        let next = self.at(end)?;
        let is = |w: &[u8]| word.eq_ignore_ascii_case(w);
        match self.dialect {
            Dialect::Postgres | Dialect::Generic => {
                let generic = self.dialect == Dialect::Generic;
                if next == b'\'' && is(b"e") {
                    Some((TokenKind::String, end, b'\'', true))
                } else if next == b'\'' && (is(b"b") || is(b"x") || is(b"n")) {
                    Some((TokenKind::String, end, b'\'', generic))
                } else if next == b'&' && is(b"u") {
                    match self.at(end + 1) {
                        Some(b'\'') => Some((TokenKind::String, end + 1, b'\'', generic)),
                        Some(b'"') => Some((TokenKind::QuotedIdent, end + 1, b'"', false)),
                        _ => None,
                    }
                } else {
                    None
                }
            }
            Dialect::MySql => {
                let quote_ok = next == b'\'' || next == b'"';
                let known = is(b"n") || is(b"x") || is(b"b");
                let introducer = word.len() > 1 && word.first() == Some(&b'_');
                (quote_ok && (known || introducer)).then_some((TokenKind::String, end, next, true))
            }
            Dialect::Sqlite => {
                (is(b"x") && next == b'\'').then_some((TokenKind::String, end, b'\'', false))
            }
        }
    }

    /// In the generic dialect `#` starts a comment, except in PostgreSQL's
    /// JSON operators `#>`, `#>>` and `#-` (not `#--`, a comment either way).
    fn hash_is_operator(&self, i: usize) -> bool {
        match self.at(i + 1) {
            Some(b'>') => true,
            Some(b'-') => self.at(i + 2) != Some(b'-'),
            _ => false,
        }
    }

    /// `$` at `self.pos`: placeholder, dollar-quoted string or plain punctuation.
    fn lex_dollar(&mut self) -> Token<'a> {
        let start = self.pos;
        match self.at(start + 1) {
            Some(b) if b.is_ascii_digit() => {
                let end = self.scan_while(start + 1, |b| b.is_ascii_digit());
                return self.token(TokenKind::Placeholder, end, true);
            }
            _ => {}
        }
        let dollar_quotes = matches!(self.dialect, Dialect::Postgres | Dialect::Generic);
        // Tag: empty, or an identifier without `$`.
        let tag_end = match self.at(start + 1) {
            Some(b) if is_ident_start(b) => {
                self.scan_while(start + 1, |b| is_ident_start(b) || b.is_ascii_digit())
            }
            _ => start + 1,
        };
        if dollar_quotes && self.at(tag_end) == Some(b'$') {
            let body = tag_end + 1;
            let delim = self.src.get(start..body).unwrap_or("$$");
            let found = self.src.get(body..).and_then(|rest| rest.find(delim));
            return match found {
                Some(off) => self.token(TokenKind::String, body + off + delim.len(), true),
                None => self.token(TokenKind::String, self.bytes.len(), false),
            };
        }
        if tag_end > start + 1 {
            // `$name`: SQLite-style named parameter (harmless elsewhere).
            let end = self.scan_while(tag_end, is_ident_continue);
            return self.token(TokenKind::Placeholder, end, true);
        }
        self.token(TokenKind::Punct, start + 1, true)
    }
}

impl<'a> Iterator for Lexer<'a> {
    type Item = Token<'a>;

    fn next(&mut self) -> Option<Token<'a>> {
        let start = self.pos;
        let b = self.at(start)?;
        let next = self.at(start + 1);
        let tok = match b {
            _ if is_space(b) => {
                let end = self.scan_while(start, is_space);
                self.token(TokenKind::Whitespace, end, true)
            }
            b'-' if next == Some(b'-')
                && (self.dialect != Dialect::MySql
                    || self.at(start + 2).is_none_or(|c| c <= b' ')) =>
            {
                let end = self.line_end(start);
                self.token(TokenKind::LineComment, end, true)
            }
            b'#' if self.dialect == Dialect::MySql
                || (self.dialect == Dialect::Generic && !self.hash_is_operator(start)) =>
            {
                let end = self.line_end(start);
                self.token(TokenKind::LineComment, end, true)
            }
            b'/' if next == Some(b'*') => {
                let (end, closed) = self.scan_block_comment();
                self.token(TokenKind::BlockComment, end, closed)
            }
            b'\'' => {
                let (end, closed) =
                    self.scan_quoted(start + 1, b'\'', self.backslash_in_plain_strings());
                self.token(TokenKind::String, end, closed)
            }
            b'"' if self.dialect == Dialect::MySql => {
                let (end, closed) = self.scan_quoted(start + 1, b'"', true);
                self.token(TokenKind::String, end, closed)
            }
            b'"' | b'`' => {
                let (end, closed) = self.scan_quoted(start + 1, b, false);
                self.token(TokenKind::QuotedIdent, end, closed)
            }
            b'[' if self.dialect == Dialect::Sqlite => {
                let (end, closed) = self.scan_bracket(start + 1);
                self.token(TokenKind::QuotedIdent, end, closed)
            }
            b'0'..=b'9' => {
                let end = self.scan_number();
                self.token(TokenKind::Number, end, true)
            }
            b'.' if next.is_some_and(|c| c.is_ascii_digit()) => {
                let end = self.scan_number();
                self.token(TokenKind::Number, end, true)
            }
            b'$' => self.lex_dollar(),
            b'?' => {
                let end = self.scan_while(start + 1, |c| c.is_ascii_digit());
                self.token(TokenKind::Placeholder, end, true)
            }
            b':' if next == Some(b':') => self.token(TokenKind::Punct, start + 2, true),
            b':' if next.is_some_and(is_ident_start) => {
                let end = self.scan_while(start + 1, is_ident_continue);
                self.token(TokenKind::Placeholder, end, true)
            }
            b'@' if next.is_some_and(|c| c == b'@' || is_ident_start(c)) => {
                let end = self.scan_while(start + 1, |c| c == b'@');
                let end = self.scan_while(end, is_ident_continue);
                self.token(TokenKind::Placeholder, end, true)
            }
            _ if is_ident_start(b) => {
                let end = self.scan_while(start, is_ident_continue);
                match self.prefixed_literal(end) {
                    Some((kind, quote_at, quote, backslash)) => {
                        let (end, closed) = self.scan_quoted(quote_at + 1, quote, backslash);
                        self.token(kind, end, closed)
                    }
                    None => self.token(TokenKind::Word, end, true),
                }
            }
            _ => self.token(TokenKind::Punct, start + 1, true),
        };
        Some(tok)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(sql: &str, dialect: Dialect) -> Vec<(TokenKind, &str)> {
        Lexer::new(sql, dialect)
            .filter(|t| t.kind != TokenKind::Whitespace)
            .map(|t| (t.kind, t.text))
            .collect()
    }

    #[test]
    fn tokens_cover_the_input_exactly() {
        let sql = "SELECT é, 'x''y', $a$ b $a$, \"q\" FROM t -- c\n/* d */";
        for d in [
            Dialect::Postgres,
            Dialect::MySql,
            Dialect::Sqlite,
            Dialect::Generic,
        ] {
            let joined: String = Lexer::new(sql, d).map(|t| t.text).collect();
            assert_eq!(joined, sql);
        }
    }

    #[test]
    fn a_doubled_quote_does_not_end_the_string() {
        assert_eq!(
            kinds("'it''s' x", Dialect::Sqlite),
            vec![(TokenKind::String, "'it''s'"), (TokenKind::Word, "x")]
        );
    }

    #[test]
    fn postgres_plain_strings_ignore_backslashes() {
        assert_eq!(
            kinds(r"'C:\' x", Dialect::Postgres),
            vec![(TokenKind::String, r"'C:\'"), (TokenKind::Word, "x")]
        );
    }

    #[test]
    fn postgres_escape_strings_honour_backslashes() {
        assert_eq!(
            kinds(r"E'it\'s' x", Dialect::Postgres),
            vec![(TokenKind::String, r"E'it\'s'"), (TokenKind::Word, "x")]
        );
    }

    #[test]
    fn dollar_tags_must_match_to_close() {
        assert_eq!(
            kinds("$a$ x $b$ y $a$ z", Dialect::Postgres),
            vec![
                (TokenKind::String, "$a$ x $b$ y $a$"),
                (TokenKind::Word, "z")
            ]
        );
    }

    #[test]
    fn dollar_digits_are_placeholders() {
        assert_eq!(
            kinds("$12", Dialect::Postgres),
            vec![(TokenKind::Placeholder, "$12")]
        );
    }

    #[test]
    fn identifiers_may_contain_dollars_without_opening_a_dollar_quote() {
        assert_eq!(
            kinds("a$b$ c", Dialect::Postgres),
            vec![(TokenKind::Word, "a$b$"), (TokenKind::Word, "c")]
        );
    }

    #[test]
    fn postgres_nests_block_comments_but_mysql_does_not() {
        assert_eq!(
            kinds("/* a /* b */ c */ d", Dialect::Postgres),
            vec![
                (TokenKind::BlockComment, "/* a /* b */ c */"),
                (TokenKind::Word, "d")
            ]
        );
        assert_eq!(
            kinds("/* a /* b */ c", Dialect::MySql)[0],
            (TokenKind::BlockComment, "/* a /* b */")
        );
    }

    #[test]
    fn mysql_needs_a_space_after_double_dash() {
        assert_eq!(
            kinds("1--2", Dialect::MySql),
            vec![
                (TokenKind::Number, "1"),
                (TokenKind::Punct, "-"),
                (TokenKind::Punct, "-"),
                (TokenKind::Number, "2")
            ]
        );
        assert_eq!(
            kinds("1-- 2", Dialect::MySql)[1],
            (TokenKind::LineComment, "-- 2")
        );
    }

    #[test]
    fn casts_are_not_named_placeholders() {
        assert_eq!(
            kinds("x::date :y", Dialect::Postgres),
            vec![
                (TokenKind::Word, "x"),
                (TokenKind::Punct, "::"),
                (TokenKind::Word, "date"),
                (TokenKind::Placeholder, ":y")
            ]
        );
    }

    #[test]
    fn numbers_absorb_hex_exponents_and_suffixes() {
        for n in ["0x1F", "1e10", "1.5E-3", ".5", "12abc", "1_000"] {
            assert_eq!(
                kinds(n, Dialect::Generic),
                vec![(TokenKind::Number, n)],
                "{n}"
            );
        }
    }

    #[test]
    fn mysql_introducers_belong_to_the_string() {
        assert_eq!(
            kinds("_utf8mb4'x'", Dialect::MySql),
            vec![(TokenKind::String, "_utf8mb4'x'")]
        );
        assert_eq!(kinds("_utf8mb4'x'", Dialect::Postgres).len(), 2);
    }

    #[test]
    fn sqlite_brackets_quote_identifiers() {
        assert_eq!(
            kinds("[a b]", Dialect::Sqlite),
            vec![(TokenKind::QuotedIdent, "[a b]")]
        );
        assert_eq!(kinds("[a b]", Dialect::Generic)[0], (TokenKind::Punct, "["));
    }

    #[test]
    fn unterminated_strings_run_to_the_end() {
        let toks: Vec<_> = Lexer::new("'abc", Dialect::Generic).collect();
        assert_eq!(toks.len(), 1);
        assert!(!toks[0].terminated);
    }
}
