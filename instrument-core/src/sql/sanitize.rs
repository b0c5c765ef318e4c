//! Literal sanitizer for `db.query.text`.
//!
//! Output format:
//! * every string literal (all quoting forms of the dialect, prefixed forms such
//!   as `E'..'`, `X'..'`, `_utf8'..'`, dollar-quoted bodies, unterminated
//!   strings), every number (`42`, `-1.5e3` keeps its sign as `-?`, `.5`,
//!   `0x1F`) and the booleans `TRUE` / `FALSE` become `?`;
//! * `NULL`, keywords, identifiers (also those with digits, quoted or not),
//!   placeholders (`$1`, `?`, `:name`, `@p1`), operators and punctuation are
//!   kept exactly as written; an unterminated quoted identifier becomes `?`;
//! * every run of whitespace becomes one space and leading / trailing
//!   whitespace is dropped; a dropped comment counts as whitespace; a kept line
//!   comment is followed by a line break so that it cannot swallow what follows;
//!   in MySQL two adjacent minus signs that are not a comment are written `- -`
//!   so that they cannot read as one once a comment after them is dropped;
//! * with `collapse_in_lists`, `IN (1, 2, $3)` (a parenthesized list made only
//!   of literals, placeholders and `NULL`, optionally signed) becomes `IN (?)`.

use super::Dialect;
use super::lexer::{Lexer, Token, TokenKind};

/// Options of the literal sanitizer.
#[derive(Debug, Clone)]
pub struct SanitizeOptions {
    /// How quotes, backslashes and comments are read.
    pub dialect: Dialect,
    /// Longest output, in bytes. The output stops before the first token
    /// that would not fit whole; no ellipsis is added.
    pub max_len: usize,
    /// Keep comments as written instead of dropping them (they can carry data).
    pub keep_comments: bool,
    /// Collapse `IN (?, ?, ?)` lists of literals and placeholders to `IN (?)`.
    pub collapse_in_lists: bool,
}

/// The longest text recorded by default, sanitized or as written (bytes).
pub const MAX_TEXT_LEN: usize = 4096;

impl Default for SanitizeOptions {
    /// Generic dialect, `max_len` [`MAX_TEXT_LEN`], comments dropped, `IN` lists collapsed.
    fn default() -> Self {
        SanitizeOptions {
            dialect: Dialect::Generic,
            max_len: MAX_TEXT_LEN,
            keep_comments: false,
            collapse_in_lists: true,
        }
    }
}

/// Replaces every literal with `?`. Output at most `opts.max_len` bytes, never cut inside a token
/// (if the next token would exceed the cap, stop before it; do not add an ellipsis).
///
/// Whitespace runs are collapsed to one space; see the module notes above for
/// the exact output format. Runs in one pass, in linear time, and never panics.
pub fn sanitize(sql: &str, opts: &SanitizeOptions) -> String {
    let mut s = Sanitizer::new(opts);
    let mut tokens = Lexer::new(sql, opts.dialect).peekable();
    while let Some(tok) = tokens.next() {
        s.before_dot = tokens.peek().is_some_and(|next| next.is_punct("."));
        if !s.feed(tok) {
            break;
        }
    }
    s.finish()
}

/// What separates a piece of output from the previous one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Sep {
    None,
    Space,
    Newline,
}

impl Sep {
    fn as_str(self) -> &'static str {
        match self {
            Sep::None => "",
            Sep::Space => " ",
            Sep::Newline => "\n",
        }
    }
}

/// One output token with the separator written before it.
#[derive(Debug, Clone, Copy)]
struct Piece<'a> {
    sep: Sep,
    text: &'a str,
}

/// Where we stand in recognizing `IN ( literal , literal ... )`.
#[derive(Debug)]
enum InList<'a> {
    Idle,
    /// The last significant token was `IN`.
    AfterIn,
    /// Inside `IN (`: pieces held back until we know whether to collapse.
    Open {
        pieces: Vec<Piece<'a>>,
        expect_item: bool,
        saw_item: bool,
    },
}

/// What one significant token does to the `IN` list being recognized.
#[derive(Debug, Clone, Copy)]
enum ListStep {
    /// No list in progress: write the token normally.
    Normal,
    /// `(` right after `IN`: start holding pieces back.
    Open,
    /// Part of a plain list: hold it back too.
    Hold { item: bool, comma: bool },
    /// `)` ending a plain list: collapse it.
    Close,
    /// Anything else: release what was held, then write the token normally.
    Release,
}

struct Sanitizer<'a, 'o> {
    opts: &'o SanitizeOptions,
    out: String,
    full: bool,
    /// Separator owed before the next piece.
    pending: Sep,
    /// Whether any piece has been produced (leading whitespace is dropped).
    started: bool,
    in_list: InList<'a>,
    /// Text of the last piece produced.
    last: &'a str,
    /// Whether the token being fed is followed at once by `.` (`"t".col`).
    before_dot: bool,
    /// Where a value may stand, for SQLite's double-quoted strings.
    values: ValuePlaces,
}

/// Where SQLite may read a double-quoted token as a string: SQLite takes `"x"` for the
/// string `'x'` when no column is named `x` (the default of the SQLite sqlx bundles),
/// so `WHERE email = "alice@example.com"` or `PRAGMA key = "x'2DD2…'"` carries its
/// value in what looks like a name. Such a token is masked after an operator or a word
/// that a value follows (`=`, `<`, `||`, `LIKE`, `THEN`, ...), and after `(` or `,`
/// inside `IN (…)` or a `VALUES` list; names elsewhere (`"t"."c"`, column lists,
/// `SET "c" =`) are kept.
#[derive(Debug, Default)]
struct ValuePlaces {
    /// Parentheses open.
    depth: usize,
    /// The depth of the statement's `VALUES` clause, while inside it.
    values_clause: Option<usize>,
    /// The depths at which `IN (` lists were opened (a few: deeper ones are not
    /// followed, and their items are not masked by this rule).
    in_lists: Vec<usize>,
    /// Whether the last significant token was `IN`.
    after_in: bool,
}

impl ValuePlaces {
    /// The most nested `IN (` lists followed.
    const MAX_LISTS: usize = 16;

    /// Whether a token after `last` (the previous significant token) stands where a
    /// value does.
    fn is_value_place(&self, last: &str) -> bool {
        const BEFORE_A_VALUE: [&str; 9] = ["=", "<", ">", "|", "+", "-", "*", "/", "%"];
        const WORDS_BEFORE_A_VALUE: [&str; 9] = [
            "LIKE", "GLOB", "REGEXP", "MATCH", "THEN", "ELSE", "IS", "BETWEEN", "DEFAULT",
        ];
        if BEFORE_A_VALUE.contains(&last)
            || WORDS_BEFORE_A_VALUE
                .iter()
                .any(|word| last.eq_ignore_ascii_case(word))
        {
            return true;
        }
        let in_a_list = self.in_lists.last().is_some_and(|d| self.depth == d + 1)
            || self.values_clause.is_some_and(|d| self.depth > d);
        in_a_list && (last == "(" || last == ",")
    }

    /// Follows `tok`, a significant token.
    fn step(&mut self, tok: &Token<'_>) {
        if tok.is_punct("(") {
            if self.after_in && self.in_lists.len() < Self::MAX_LISTS {
                self.in_lists.push(self.depth);
            }
            self.depth += 1;
        } else if tok.is_punct(")") {
            self.depth = self.depth.saturating_sub(1);
            while self.in_lists.last() == Some(&self.depth) {
                self.in_lists.pop();
            }
            if self.values_clause.is_some_and(|d| self.depth < d) {
                self.values_clause = None;
            }
        } else if tok.is_word("VALUES") {
            self.values_clause = Some(self.depth);
        } else if self.values_clause == Some(self.depth) && !tok.is_punct(",") {
            // Past the rows: `ON CONFLICT`, `RETURNING`, `;`.
            self.values_clause = None;
        }
        self.after_in = tok.is_word("IN");
    }
}

impl<'a, 'o> Sanitizer<'a, 'o> {
    fn new(opts: &'o SanitizeOptions) -> Self {
        Sanitizer {
            opts,
            out: String::new(),
            full: false,
            pending: Sep::None,
            started: false,
            in_list: InList::Idle,
            last: "",
            before_dot: false,
            values: ValuePlaces::default(),
        }
    }

    /// Appends `piece` if it fits whole; otherwise stops the output for good.
    fn write(&mut self, piece: Piece<'_>) -> bool {
        if self.full {
            return false;
        }
        let sep = piece.sep.as_str();
        let needed = self.out.len() + sep.len() + piece.text.len();
        if needed > self.opts.max_len {
            self.full = true;
            return false;
        }
        self.out.push_str(sep);
        self.out.push_str(piece.text);
        true
    }

    /// Turns `text` into a piece carrying the separator owed before it.
    fn piece(&mut self, text: &'a str) -> Piece<'a> {
        let mut sep = if self.started {
            self.pending
        } else {
            Sep::None
        };
        // MySQL reads `-- ` as a comment: keep two minus signs (a subtraction
        // of a negation) from turning into one once a comment is dropped.
        if self.opts.dialect == Dialect::MySql && text == "-" && self.last == "-" {
            sep = sep.max(Sep::Space);
        }
        self.started = true;
        self.pending = Sep::None;
        self.last = text;
        Piece { sep, text }
    }

    /// Sends a piece to the output, or to the held-back `IN` list.
    fn put(&mut self, piece: Piece<'a>) -> bool {
        match &mut self.in_list {
            InList::Open { pieces, .. } => {
                pieces.push(piece);
                true
            }
            _ => self.write(piece),
        }
    }

    /// Releases a held-back `IN` list unchanged.
    fn flush_list(&mut self) -> bool {
        if let InList::Open { pieces, .. } = std::mem::replace(&mut self.in_list, InList::Idle) {
            for p in pieces {
                if !self.write(p) {
                    return false;
                }
            }
        }
        true
    }

    /// Feeds one token; false once the output is full.
    fn feed(&mut self, tok: Token<'a>) -> bool {
        match tok.kind {
            TokenKind::Whitespace => {
                self.pending = self.pending.max(Sep::Space);
                true
            }
            TokenKind::LineComment | TokenKind::BlockComment => {
                if self.opts.keep_comments {
                    let p = self.piece(tok.text);
                    let ok = self.put(p);
                    if tok.kind == TokenKind::LineComment {
                        self.pending = Sep::Newline;
                    }
                    ok
                } else {
                    self.pending = self.pending.max(Sep::Space);
                    true
                }
            }
            _ => self.significant(tok),
        }
    }

    fn significant(&mut self, tok: Token<'a>) -> bool {
        let mut text = output_text(&tok);
        if self.opts.dialect == Dialect::Sqlite {
            if tok.kind == TokenKind::QuotedIdent
                && tok.text.starts_with('"')
                && !self.before_dot
                && self.values.is_value_place(self.last)
            {
                text = "?";
            }
            self.values.step(&tok);
        }
        if self.opts.collapse_in_lists {
            match self.list_step(&tok) {
                ListStep::Hold { item, comma } => {
                    let p = self.piece(text);
                    if let InList::Open {
                        pieces,
                        expect_item,
                        saw_item,
                    } = &mut self.in_list
                    {
                        pieces.push(p);
                        if item {
                            *expect_item = false;
                            *saw_item = true;
                        } else if comma {
                            *expect_item = true;
                        }
                    }
                    return true;
                }
                ListStep::Close => return self.collapse_list(text),
                ListStep::Open => {
                    let p = self.piece(text);
                    self.in_list = InList::Open {
                        pieces: vec![p],
                        expect_item: true,
                        saw_item: false,
                    };
                    return true;
                }
                ListStep::Release => {
                    // Not a plain list: release it and carry on normally.
                    if !self.flush_list() {
                        return false;
                    }
                }
                ListStep::Normal => self.in_list = InList::Idle,
            }
        }
        let p = self.piece(text);
        if !self.put(p) {
            return false;
        }
        if self.opts.collapse_in_lists && tok.is_word("IN") {
            self.in_list = InList::AfterIn;
        }
        true
    }

    /// Decides what `tok` does to the `IN` list being recognized.
    fn list_step(&self, tok: &Token<'_>) -> ListStep {
        match &self.in_list {
            InList::Idle => ListStep::Normal,
            InList::AfterIn if tok.is_punct("(") => ListStep::Open,
            InList::AfterIn => ListStep::Normal,
            InList::Open {
                expect_item,
                saw_item,
                ..
            } => {
                let (expect_item, saw_item) = (*expect_item, *saw_item);
                if is_list_item(tok) && expect_item {
                    ListStep::Hold {
                        item: true,
                        comma: false,
                    }
                } else if (tok.is_punct("-") || tok.is_punct("+")) && expect_item {
                    ListStep::Hold {
                        item: false,
                        comma: false,
                    }
                } else if tok.is_punct(",") && !expect_item {
                    ListStep::Hold {
                        item: false,
                        comma: true,
                    }
                } else if tok.is_punct(")") && saw_item && !expect_item {
                    ListStep::Close
                } else {
                    ListStep::Release
                }
            }
        }
    }

    /// Writes `(?)` in place of the held-back list, keeping the separator
    /// that was before the opening parenthesis.
    fn collapse_list(&mut self, close: &'a str) -> bool {
        let open = match std::mem::replace(&mut self.in_list, InList::Idle) {
            InList::Open { pieces, .. } => pieces.first().copied(),
            _ => None,
        };
        self.pending = Sep::None;
        self.last = close;
        let open = open.unwrap_or(Piece {
            sep: Sep::None,
            text: "(",
        });
        self.write(open)
            && self.write(Piece {
                sep: Sep::None,
                text: "?",
            })
            && self.write(Piece {
                sep: Sep::None,
                text: close,
            })
    }

    fn finish(mut self) -> String {
        if !self.full {
            self.flush_list();
        }
        self.out
    }
}

/// A literal: string, number or boolean.
fn is_literal(tok: &Token<'_>) -> bool {
    match tok.kind {
        TokenKind::String | TokenKind::Number => true,
        TokenKind::Word => tok.is_word("TRUE") || tok.is_word("FALSE"),
        _ => false,
    }
}

/// What may sit in a collapsible `IN` list.
fn is_list_item(tok: &Token<'_>) -> bool {
    is_literal(tok) || tok.kind == TokenKind::Placeholder || tok.is_word("NULL")
}

/// The sanitized text of a significant token.
fn output_text<'a>(tok: &Token<'a>) -> &'a str {
    if is_literal(tok) || (tok.kind == TokenKind::QuotedIdent && !tok.terminated) {
        "?"
    } else {
        tok.text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(sql: &str, dialect: Dialect) -> String {
        sanitize(
            sql,
            &SanitizeOptions {
                dialect,
                ..SanitizeOptions::default()
            },
        )
    }

    fn pg(sql: &str) -> String {
        s(sql, Dialect::Postgres)
    }

    fn my(sql: &str) -> String {
        s(sql, Dialect::MySql)
    }

    fn lite(sql: &str) -> String {
        s(sql, Dialect::Sqlite)
    }

    fn generic(sql: &str) -> String {
        s(sql, Dialect::Generic)
    }

    const ALL: [Dialect; 4] = [
        Dialect::Postgres,
        Dialect::MySql,
        Dialect::Sqlite,
        Dialect::Generic,
    ];

    #[test]
    fn the_defaults_are_generic_4096_no_comments_collapsed_lists() {
        let o = SanitizeOptions::default();
        assert_eq!(o.dialect, Dialect::Generic);
        assert_eq!(o.max_len, 4096);
        assert!(!o.keep_comments);
        assert!(o.collapse_in_lists);
    }

    #[test]
    fn plain_strings_and_numbers_become_question_marks() {
        for d in ALL {
            assert_eq!(
                s("SELECT * FROM users WHERE name = 'bob' AND age > 42", d),
                "SELECT * FROM users WHERE name = ? AND age > ?"
            );
        }
    }

    #[test]
    fn a_doubled_quote_does_not_end_the_string() {
        for d in ALL {
            assert_eq!(s("x = 'it''s secret' AND y", d), "x = ? AND y", "{d:?}");
        }
    }

    #[test]
    fn postgres_standard_strings_end_at_a_quote_after_a_backslash() {
        assert_eq!(pg(r"x = 'C:\' AND y = 'secret'"), "x = ? AND y = ?");
    }

    #[test]
    fn postgres_escape_strings_honour_backslash_escapes() {
        assert_eq!(pg(r"x = E'it\'s secret' AND y"), "x = ? AND y");
        assert_eq!(pg(r"x = e'a\\' AND y"), "x = ? AND y");
    }

    #[test]
    fn dollar_quoted_bodies_are_masked() {
        assert_eq!(
            pg("SELECT $$it's secret$$, $fn$ body $x$ more $fn$ FROM t"),
            "SELECT ?, ? FROM t"
        );
        assert_eq!(generic("SELECT $$secret$$"), "SELECT ?");
    }

    #[test]
    fn postgres_bit_hex_unicode_and_national_strings_are_masked() {
        assert_eq!(
            pg("SELECT B'0101', X'ff', U&'d\\0061t', N'zz', b'1'"),
            "SELECT ?, ?, ?, ?, ?"
        );
    }

    #[test]
    fn postgres_unicode_quoted_identifiers_are_kept() {
        assert_eq!(
            pg(r#"SELECT U&"d\0061t" FROM t"#),
            r#"SELECT U&"d\0061t" FROM t"#
        );
    }

    #[test]
    fn postgres_casts_keep_the_type() {
        assert_eq!(
            pg("SELECT '2024-01-01'::date, 5::int"),
            "SELECT ?::date, ?::int"
        );
    }

    #[test]
    fn typed_literals_keep_their_type_keyword() {
        assert_eq!(
            pg("SELECT interval '1 day', DATE '2020-01-01', TIMESTAMP '2020-01-01 10:00'"),
            "SELECT interval ?, DATE ?, TIMESTAMP ?"
        );
    }

    #[test]
    fn mysql_double_quotes_are_strings_with_backslash_escapes() {
        assert_eq!(
            my(r#"SELECT "it\"s", 'a\'b', 'c''d' FROM `t 1`"#),
            "SELECT ?, ?, ? FROM `t 1`"
        );
    }

    #[test]
    fn mysql_doubled_quotes_do_not_end_strings() {
        assert_eq!(my(r#"SELECT "a""b", 'c''d' FROM t"#), "SELECT ?, ? FROM t");
    }

    #[test]
    fn mysql_executable_comments_are_dropped() {
        assert_eq!(
            my("SELECT /*!40001 SQL_NO_CACHE */ a /*+ BKA(t) */ FROM t"),
            "SELECT a FROM t"
        );
    }

    #[test]
    fn mysql_block_comments_do_not_nest() {
        assert_eq!(my("SELECT /* a /* b */ c"), "SELECT c");
    }

    #[test]
    fn generic_hash_starts_a_comment_except_in_json_operators() {
        assert_eq!(
            generic("SELECT d #>> '{a}', d #- '{b}' FROM t # note 'x"),
            "SELECT d #>> ?, d #- ? FROM t"
        );
        assert_eq!(pg("SELECT a # 5"), "SELECT a # ?");
    }

    #[test]
    fn sqlite_question_numbers_and_dollar_names_are_placeholders() {
        assert_eq!(
            lite("WHERE a = ?12 AND b = $name AND c = :c"),
            "WHERE a = ?12 AND b = $name AND c = :c"
        );
    }

    #[test]
    fn mysql_hex_bit_and_introduced_strings_are_masked() {
        assert_eq!(
            my("SELECT X'ff', x'00', 0xff, b'01', 0b01, _utf8mb4'secret', N'nat'"),
            "SELECT ?, ?, ?, ?, ?, ?, ?"
        );
    }

    #[test]
    fn mysql_hash_comments_are_dropped() {
        assert_eq!(my("SELECT a # secret 'x\nFROM t"), "SELECT a FROM t");
    }

    #[test]
    fn mysql_double_dash_without_space_is_arithmetic() {
        assert_eq!(my("SELECT 5--3"), "SELECT ?- -?");
        assert_eq!(my("SELECT a--#c\nFROM t"), "SELECT a- - FROM t");
        assert_eq!(my("SELECT 5 -- 3"), "SELECT ?");
    }

    #[test]
    fn sqlite_identifier_quotes_are_kept() {
        assert_eq!(
            lite(r#"SELECT "col 1", `col 2`, [Table 3] FROM t WHERE x = 'v'"#),
            r#"SELECT "col 1", `col 2`, [Table 3] FROM t WHERE x = ?"#
        );
    }

    #[test]
    fn sqlite_double_quoted_values_are_masked_where_a_value_stands() {
        for (sql, sanitized) in [
            (
                r#"SELECT * FROM users WHERE email = "alice@example.com""#,
                "SELECT * FROM users WHERE email = ?",
            ),
            (r#"PRAGMA key = "x'2DD29CA8'""#, "PRAGMA key = ?"),
            (
                r#"INSERT INTO "t" ("a", "b") VALUES ("x", "y"), (1, "z") ON CONFLICT ("a") DO NOTHING"#,
                r#"INSERT INTO "t" ("a", "b") VALUES (?, ?), (?, ?) ON CONFLICT ("a") DO NOTHING"#,
            ),
            (
                r#"UPDATE "t" SET "name" = "bob", "note" = "n" || "x" WHERE "id" IN ("k1", "k2")"#,
                r#"UPDATE "t" SET "name" = ?, "note" = ? || ? WHERE "id" IN (?, ?)"#,
            ),
            (
                r#"SELECT CASE WHEN "a" LIKE "p%" THEN "yes" ELSE "no" END FROM "t""#,
                r#"SELECT CASE WHEN "a" LIKE ? THEN ? ELSE ? END FROM "t""#,
            ),
            // Names after an operator stay when qualified.
            (
                r#"SELECT "u"."id" FROM "u" JOIN "o" ON "o"."uid" = "u"."id""#,
                r#"SELECT "u"."id" FROM "u" JOIN "o" ON "o"."uid" = "u"."id""#,
            ),
        ] {
            assert_eq!(lite(sql), sanitized, "{sql}");
        }
        // Other dialects read `"…"` as a name (or, in MySQL, a string already).
        assert_eq!(
            pg(r#"SELECT * FROM t WHERE a = "b""#),
            r#"SELECT * FROM t WHERE a = "b""#
        );
    }

    #[test]
    fn sqlite_value_places_stay_bounded_on_hostile_nesting() {
        let sql = format!("{}\"v\"{}", "x IN (".repeat(10_000), ")".repeat(10_000));
        let out = lite(&sql);
        assert!(out.len() <= sql.len());
    }

    #[test]
    fn sqlite_strings_ignore_backslashes_and_blobs_are_masked() {
        assert_eq!(lite(r"SELECT 'a\', X'00ff', 'b'"), "SELECT ?, ?, ?");
    }

    #[test]
    fn generic_reads_backslash_as_an_escape() {
        assert_eq!(generic(r"x = 'it\'s secret' AND y"), "x = ? AND y");
    }

    #[test]
    fn double_quoted_identifiers_with_digits_are_kept() {
        for d in [Dialect::Postgres, Dialect::Sqlite, Dialect::Generic] {
            assert_eq!(
                s(r#"SELECT t1.col_2 FROM "Table 3" t1"#, d),
                r#"SELECT t1.col_2 FROM "Table 3" t1"#
            );
        }
    }

    #[test]
    fn unterminated_strings_mask_to_the_end() {
        for d in ALL {
            assert_eq!(s("SELECT 'abc FROM secret", d), "SELECT ?");
        }
        assert_eq!(pg("SELECT $x$ secret"), "SELECT ?");
    }

    #[test]
    fn unterminated_quoted_identifiers_are_masked() {
        assert_eq!(pg(r#"SELECT "abc secret"#), "SELECT ?");
    }

    #[test]
    fn number_forms_are_masked() {
        assert_eq!(
            generic("SELECT 1, 1.5, 1e10, 2.5E-3, .5, 0x1F, 1_000"),
            "SELECT ?, ?, ?, ?, ?, ?, ?"
        );
    }

    #[test]
    fn a_minus_sign_stays_but_the_digits_go() {
        assert_eq!(generic("x = -5 AND y=+7"), "x = -? AND y=+?");
    }

    #[test]
    fn booleans_are_masked_but_null_stays() {
        assert_eq!(
            generic("SET a = TRUE, b = false, c = NULL, d = trueish"),
            "SET a = ?, b = ?, c = NULL, d = trueish"
        );
    }

    #[test]
    fn placeholders_stay_as_written() {
        assert_eq!(pg("WHERE a = $1 AND b = ?"), "WHERE a = $1 AND b = ?");
        assert_eq!(
            generic("WHERE a = :name AND b = @p1 AND c = ?2 AND d = @@sql_mode"),
            "WHERE a = :name AND b = @p1 AND c = ?2 AND d = @@sql_mode"
        );
    }

    #[test]
    fn comments_are_dropped_by_default() {
        assert_eq!(
            pg("SELECT /* user=bob */ a -- pw=secret\nFROM t"),
            "SELECT a FROM t"
        );
        assert_eq!(pg("SELECT a/**/FROM t"), "SELECT a FROM t");
    }

    #[test]
    fn nested_postgres_comments_are_dropped_whole() {
        assert_eq!(pg("SELECT /* a /* b */ secret */ 1"), "SELECT ?");
    }

    #[test]
    fn kept_comments_are_written_as_is_and_line_comments_end_the_line() {
        let o = SanitizeOptions {
            keep_comments: true,
            ..SanitizeOptions::default()
        };
        assert_eq!(
            sanitize("SELECT /* hint */ 1 -- note\n  FROM t", &o),
            "SELECT /* hint */ ? -- note\nFROM t"
        );
    }

    #[test]
    fn whitespace_runs_collapse_and_ends_are_trimmed() {
        assert_eq!(
            generic("  SELECT\n\t a ,\r\n b   FROM t  \n"),
            "SELECT a , b FROM t"
        );
    }

    #[test]
    fn in_lists_of_literals_collapse() {
        assert_eq!(generic("WHERE id IN (1, 2, 3)"), "WHERE id IN (?)");
        assert_eq!(
            generic("WHERE id NOT IN('a','b') AND x in ( -1 , $2 , NULL )"),
            "WHERE id NOT IN(?) AND x in (?)"
        );
    }

    #[test]
    fn in_lists_with_expressions_or_subqueries_do_not_collapse() {
        assert_eq!(
            generic("WHERE id IN (SELECT id FROM t)"),
            "WHERE id IN (SELECT id FROM t)"
        );
        assert_eq!(generic("WHERE id IN (1, a + 2)"), "WHERE id IN (?, a + ?)");
        assert_eq!(generic("WHERE id IN ()"), "WHERE id IN ()");
        assert_eq!(generic("WHERE id IN (1,)"), "WHERE id IN (?,)");
    }

    #[test]
    fn in_lists_are_left_alone_when_collapse_is_off() {
        let o = SanitizeOptions {
            collapse_in_lists: false,
            ..SanitizeOptions::default()
        };
        assert_eq!(sanitize("WHERE id IN (1, 2)", &o), "WHERE id IN (?, ?)");
    }

    #[test]
    fn values_lists_keep_their_shape() {
        assert_eq!(
            generic("INSERT INTO t VALUES (1,'a'),(2,'b')"),
            "INSERT INTO t VALUES (?,?),(?,?)"
        );
    }

    #[test]
    fn the_cap_stops_before_a_token_that_does_not_fit() {
        let o = |max_len| SanitizeOptions {
            max_len,
            ..SanitizeOptions::default()
        };
        assert_eq!(sanitize("SELECT name FROM users", &o(11)), "SELECT name");
        assert_eq!(sanitize("SELECT name FROM users", &o(15)), "SELECT name");
        assert_eq!(
            sanitize("SELECT name FROM users", &o(16)),
            "SELECT name FROM"
        );
        assert_eq!(sanitize("SELECT name FROM users", &o(0)), "");
    }

    #[test]
    fn the_cap_applies_to_collapsed_lists_too() {
        let o = SanitizeOptions {
            max_len: 8,
            ..SanitizeOptions::default()
        };
        assert_eq!(sanitize("a IN (1, 2)", &o), "a IN (?)");
        let o = SanitizeOptions { max_len: 7, ..o };
        assert_eq!(sanitize("a IN (1, 2)", &o), "a IN (?");
    }

    #[test]
    fn non_ascii_text_is_kept_whole() {
        assert_eq!(
            generic("SELECT naïve, '秘密' FROM tablé"),
            "SELECT naïve, ? FROM tablé"
        );
    }
}
