//! Property tests for the sanitizer and the summarizer.

use proptest::prelude::*;

use super::lexer::{Lexer, TokenKind};
use super::summary::summary_parts;
use super::{Dialect, MAX_SUMMARY_LEN, SanitizeOptions, sanitize, summarize};

const DIALECTS: [Dialect; 4] = [
    Dialect::Postgres,
    Dialect::MySql,
    Dialect::Sqlite,
    Dialect::Generic,
];

/// Fragments that exercise every lexer rule when glued together at random.
#[rustfmt::skip]
const FRAGMENTS: &[&str] = &[
    "SELECT", "FROM", "WHERE", "JOIN", "LEFT", "ON", "AS", "WITH", "RECURSIVE", "INSERT", "INTO",
    "VALUES", "UPDATE", "SET", "DELETE", "MERGE", "USING", "CREATE", "TABLE", "DROP", "INDEX",
    "EXPLAIN", "CALL", "BEGIN", "IN", "NOT", "NULL", "TRUE", "false", "UNION", "DISTINCT", "IS",
    "t1", "users", "x", "é", "日本", " ", "  ", "\n", "\t", "(", ")", ",", ";", ".", "::", ":", "=",
    "-", "+", "*", "/", "'", "''", "\"", "`", "[", "]", "{", "}", "$", "$$", "$a$", "$1", "?", "?2",
    ":n", "@p", "@@", "#", "#>", "--", "-- ", "/*", "*/", "\\", "\\'", "E'", "e'", "X'", "b'", "N'",
    "U&'", "U&\"", "_utf8'", "0x", "1", "12345", "1.5", ".5", "e5", "E-3", "1_0",
];

fn sql_ish() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(FRAGMENTS), 0..48).prop_map(|v| v.concat())
}

/// Arbitrary strings, arbitrary bytes made into strings, and SQL-like soup.
fn any_input() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        prop::collection::vec(any::<u8>(), 0..256)
            .prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
        sql_ish(),
        sql_ish(),
    ]
}

/// End offsets of the non-whitespace tokens of `s`.
fn token_ends(s: &str, dialect: Dialect) -> Vec<usize> {
    let mut ends = Vec::new();
    let mut pos = 0;
    for t in Lexer::new(s, dialect) {
        pos += t.text.len();
        if t.kind != TokenKind::Whitespace {
            ends.push(pos);
        }
    }
    ends
}

fn has_digit_run(s: &str, n: usize) -> bool {
    let mut run = 0;
    for b in s.bytes() {
        if b.is_ascii_digit() {
            run += 1;
            if run >= n {
                return true;
            }
        } else {
            run = 0;
        }
    }
    false
}

// ---------------------------------------------------------------------------
// Random SQL whose literals all carry a marker ("zq" or a run of 5+ digits)
// that identifiers, keywords and placeholders never contain.
// ---------------------------------------------------------------------------

/// Raw material of one literal.
#[derive(Debug, Clone)]
struct Lit {
    form: u8,
    body: String,
    tricky: String,
    digits: String,
}

fn lit() -> impl Strategy<Value = Lit> {
    (
        0u8..12,
        "[a-zA-Z0-9 ]{0,6}",
        "['\"\\\\$;(),#*/\n -]{0,4}",
        "[1-9][0-9]{4,9}",
    )
        .prop_map(|(form, body, tricky, digits)| Lit {
            form,
            body,
            tricky,
            digits,
        })
}

/// Separators between tokens (a comment counts as one).
#[derive(Debug, Clone)]
enum Sep {
    Space,
    Tight,
    Newline,
    Block(String),
    Line(String),
}

fn sep() -> impl Strategy<Value = Sep> {
    prop_oneof![
        4 => Just(Sep::Space),
        2 => Just(Sep::Tight),
        1 => Just(Sep::Newline),
        1 => "[a-z0-9 '\"$\\\\;#-]{0,8}".prop_map(Sep::Block),
        1 => "[a-z0-9 '\"$\\\\;/*#-]{0,8}".prop_map(Sep::Line),
    ]
}

/// Doubles `quote`; with `backslash`, also escapes backslashes (and uses
/// `\'` instead of doubling when `alt`).
fn escape(content: &str, quote: char, backslash: bool, alt: bool) -> String {
    let mut out = String::new();
    for c in content.chars() {
        if backslash && c == '\\' {
            out.push_str("\\\\");
        } else if c == quote {
            if backslash && alt {
                out.push('\\');
                out.push(c);
            } else {
                out.push(c);
                out.push(c);
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn render_lit(l: &Lit, d: Dialect) -> String {
    let content = format!("zq{}{}{}", l.body, l.tricky, l.body);
    let alt = l.body.len() % 2 == 1;
    let plain = |content: &str| match d {
        Dialect::Postgres | Dialect::Sqlite => format!("'{}'", escape(content, '\'', false, false)),
        Dialect::MySql | Dialect::Generic => format!("'{}'", escape(content, '\'', true, alt)),
    };
    let n = &l.digits;
    match l.form {
        0 | 1 => plain(&content),
        2 => match d {
            Dialect::Postgres => format!("E'{}'", escape(&content, '\'', true, alt)),
            Dialect::MySql => format!("\"{}\"", escape(&content, '"', true, alt)),
            Dialect::Sqlite => format!("X'{n}'"),
            Dialect::Generic => format!("e'{}'", escape(&content, '\'', true, alt)),
        },
        3 => match d {
            Dialect::Postgres | Dialect::Generic => {
                let body = content.replace('$', "");
                if alt {
                    format!("$${body}$$")
                } else {
                    format!("$q${body}$q$")
                }
            }
            Dialect::MySql => format!("_utf8mb4'{}'", escape(&content, '\'', true, alt)),
            Dialect::Sqlite => plain(&content),
        },
        4 => match d {
            Dialect::Postgres => format!("{}::date", plain(&content)),
            _ => format!("CAST({} AS date)", plain(&content)),
        },
        5 => match d {
            Dialect::Postgres => format!("interval {}", plain(&content)),
            _ => format!("DATE {}", plain(&content)),
        },
        6 => match d {
            Dialect::Postgres => format!("B'{}'", n.replace(|c: char| c != '0', "1")),
            Dialect::MySql => format!("X'{n}'"),
            _ => format!("x'{n}'"),
        },
        7 => n.clone(),
        8 => format!("-{n}"),
        9 => {
            let (a, b) = n.split_at(n.len() / 2);
            if alt {
                format!("{n}.{n}")
            } else {
                format!("{a}.{b}e{n}")
            }
        }
        10 => format!(".{n}"),
        _ => format!("0x{n}abc"),
    }
}

/// Builds random statements from a seed (structure), a pool of literals and
/// a pool of separators.
struct Builder<'p> {
    state: u64,
    dialect: Dialect,
    lits: &'p [Lit],
    lit_i: usize,
    toks: Vec<String>,
}

const TABLES: &[&str] = &["users", "orders", "t1", "public.items", "col_2", "Table_3"];
const COLUMNS: &[&str] = &["id", "name", "col_2", "amount", "t1.id", "a1b2"];

impl Builder<'_> {
    fn roll(&mut self, n: u64) -> u64 {
        // xorshift64*
        self.state ^= self.state >> 12;
        self.state ^= self.state << 25;
        self.state ^= self.state >> 27;
        self.state.wrapping_mul(0x2545_F491_4F6C_DD1D) % n.max(1)
    }

    fn pick(&mut self, items: &[&str]) -> String {
        let i = self.roll(items.len() as u64) as usize;
        items.get(i).copied().unwrap_or("x").to_string()
    }

    fn kw(&mut self, s: &str) {
        self.toks.push(s.to_string());
    }

    fn table(&mut self) {
        let t = match self.roll(8) {
            0 => match self.dialect {
                Dialect::MySql => "`Table 3`".to_string(),
                Dialect::Sqlite => "[Table 3]".to_string(),
                _ => "\"Table 3\"".to_string(),
            },
            _ => self.pick(TABLES),
        };
        self.toks.push(t);
    }

    fn column(&mut self) {
        let c = self.pick(COLUMNS);
        self.toks.push(c);
    }

    fn placeholder(&mut self) {
        let p = match self.dialect {
            Dialect::Postgres => self.pick(&["$1", "$2", "$9"]),
            _ => self.pick(&["?", ":name", "@p1", "?3"]),
        };
        self.toks.push(p);
    }

    fn literal(&mut self) {
        let text = match self.lits.get(self.lit_i % self.lits.len().max(1)) {
            Some(l) => render_lit(l, self.dialect),
            None => "'zq'".to_string(),
        };
        self.lit_i += 1;
        self.toks.push(text);
    }

    fn value(&mut self) {
        match self.roll(10) {
            0 => self.placeholder(),
            1 => self.kw("NULL"),
            2 => self.kw("TRUE"),
            _ => self.literal(),
        }
    }

    fn list(&mut self) {
        self.kw("(");
        let n = 1 + self.roll(4);
        for i in 0..n {
            if i > 0 {
                self.kw(",");
            }
            self.value();
        }
        self.kw(")");
    }

    fn cond(&mut self, depth: u32) {
        let shapes = if depth > 2 { 6 } else { 8 };
        match self.roll(shapes) {
            0 | 1 => {
                self.column();
                let op = self.pick(&["=", "<>", ">=", "<", "LIKE"]);
                self.toks.push(op);
                self.value();
            }
            2 => {
                self.column();
                if self.roll(2) == 0 {
                    self.kw("NOT");
                }
                self.kw("IN");
                self.list();
            }
            3 => {
                self.column();
                self.kw("BETWEEN");
                self.literal();
                self.kw("AND");
                self.literal();
            }
            4 => {
                self.column();
                self.kw("IS");
                self.kw("NULL");
            }
            5 => {
                self.column();
                self.kw("=");
                self.placeholder();
            }
            6 => {
                self.kw("(");
                self.cond(depth + 1);
                self.kw("OR");
                self.cond(depth + 1);
                self.kw(")");
            }
            _ => {
                self.cond(depth + 1);
                self.kw("AND");
                self.cond(depth + 1);
            }
        }
    }

    fn select(&mut self) {
        self.kw("SELECT");
        match self.roll(3) {
            0 => self.kw("*"),
            1 => {
                self.column();
                self.kw(",");
                self.literal();
            }
            _ => {
                self.column();
                self.kw("AS");
                self.kw("c");
            }
        }
        self.kw("FROM");
        self.table();
        if self.roll(2) == 0 {
            self.kw("JOIN");
            self.table();
            self.kw("ON");
            self.column();
            self.kw("=");
            self.column();
        }
        self.kw("WHERE");
        self.cond(0);
        if self.roll(3) == 0 {
            self.kw("ORDER");
            self.kw("BY");
            self.column();
        }
        if self.roll(3) == 0 {
            self.kw("LIMIT");
            self.literal();
        }
    }

    fn statement(&mut self) {
        match self.roll(5) {
            0 => self.select(),
            1 => {
                self.kw("INSERT");
                self.kw("INTO");
                self.table();
                self.kw("(");
                self.column();
                self.kw(",");
                self.column();
                self.kw(")");
                if self.roll(3) == 0 {
                    self.select();
                } else {
                    self.kw("VALUES");
                    self.list();
                    self.kw(",");
                    self.list();
                }
            }
            2 => {
                self.kw("UPDATE");
                self.table();
                self.kw("SET");
                self.column();
                self.kw("=");
                self.value();
                self.kw(",");
                self.column();
                self.kw("=");
                self.literal();
                self.kw("WHERE");
                self.cond(0);
            }
            3 => {
                self.kw("DELETE");
                self.kw("FROM");
                self.table();
                self.kw("WHERE");
                self.cond(0);
            }
            _ => {
                self.select();
                self.kw("UNION");
                self.select();
            }
        }
    }
}

fn render_sep(s: &Sep, d: Dialect, left: &str, right: &str) -> String {
    let tight_ok = |t: &str| matches!(t, "(" | ")" | "," | "=" | ";");
    match s {
        Sep::Space => " ".to_string(),
        Sep::Newline => "\n".to_string(),
        Sep::Tight if tight_ok(left) || tight_ok(right) => String::new(),
        Sep::Tight => " ".to_string(),
        Sep::Block(c) => format!(" /* zq{c} */ "),
        Sep::Line(c) if matches!(d, Dialect::MySql | Dialect::Generic) && c.len() % 2 == 0 => {
            format!(" # zq{c}\n")
        }
        Sep::Line(c) => format!(" -- zq{c}\n"),
    }
}

fn random_sql(seed: u64, d: Dialect, lits: &[Lit], seps: &[Sep]) -> String {
    let mut b = Builder {
        state: seed | 1,
        dialect: d,
        lits,
        lit_i: 0,
        toks: Vec::new(),
    };
    let n = 1 + b.roll(3);
    for i in 0..n {
        if i > 0 {
            b.kw(";");
        }
        b.statement();
    }
    let mut out = String::new();
    for (i, t) in b.toks.iter().enumerate() {
        if i > 0 {
            let left = b.toks.get(i - 1).map(String::as_str).unwrap_or("");
            match seps.get(i % seps.len().max(1)) {
                Some(s) => out.push_str(&render_sep(s, d, left, t)),
                None => out.push(' '),
            }
        }
        out.push_str(t);
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 30_000, ..ProptestConfig::default() })]

    /// (1) The sanitizer never panics and honours `max_len`, in every dialect.
    #[test]
    fn sanitize_never_panics_and_respects_max_len(
        sql in any_input(),
        max_len in prop_oneof![0usize..400, Just(4096usize)],
        keep_comments in any::<bool>(),
        collapse_in_lists in any::<bool>(),
    ) {
        for dialect in DIALECTS {
            let opts = SanitizeOptions { dialect, max_len, keep_comments, collapse_in_lists };
            let out = sanitize(&sql, &opts);
            prop_assert!(out.len() <= max_len);
            if !keep_comments {
                prop_assert!(!out.starts_with(' ') && !out.ends_with(' '));
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 30_000, ..ProptestConfig::default() })]

    /// (2) The summarizer never panics, stays within 255 bytes and is made of
    /// whole operations and targets.
    #[test]
    fn summarize_never_panics_and_is_whole_tokens_within_255_bytes(sql in any_input()) {
        for dialect in DIALECTS {
            let summary = summarize(&sql, dialect);
            let capped = summary_parts(&sql, dialect, MAX_SUMMARY_LEN);
            let all = summary_parts(&sql, dialect, usize::MAX);
            match &summary {
                None => prop_assert!(capped.is_empty()),
                Some(s) => {
                    prop_assert!(s.len() <= MAX_SUMMARY_LEN);
                    prop_assert_eq!(s, &capped.join(" "));
                }
            }
            // Whole parts, the longest run of them that fits.
            prop_assert!(capped.len() <= all.len());
            prop_assert_eq!(&capped[..], &all[..capped.len()]);
            if let Some(next) = all.get(capped.len()) {
                let used = capped.join(" ").len();
                prop_assert!(used + usize::from(!capped.is_empty()) + next.len() > MAX_SUMMARY_LEN);
            }
            // Each part is an upper-case keyword or text taken from the input.
            for part in &capped {
                let keyword = part.bytes().all(|b| b.is_ascii_uppercase() || b == b'_');
                let from_input = sql.contains(part.as_ref())
                    || part.split('.').all(|seg| !seg.is_empty() && sql.contains(seg));
                prop_assert!(keyword || from_input, "part {:?} of {:?}", part, sql);
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 25_000, ..ProptestConfig::default() })]

    /// (3) No literal survives: random statements whose literals all carry a
    /// marker never show the marker once sanitized.
    #[test]
    fn no_literal_survives_sanitizing(
        seed in any::<u64>(),
        lits in prop::collection::vec(lit(), 1..12),
        seps in prop::collection::vec(sep(), 1..12),
        collapse_in_lists in any::<bool>(),
    ) {
        for dialect in DIALECTS {
            let sql = random_sql(seed, dialect, &lits, &seps);
            let opts = SanitizeOptions { dialect, collapse_in_lists, ..SanitizeOptions::default() };
            let out = sanitize(&sql, &SanitizeOptions { max_len: usize::MAX, ..opts });
            prop_assert!(!out.contains("zq"), "{:?}\n{}\n=> {}", dialect, sql, out);
            prop_assert!(!has_digit_run(&out, 5), "{:?}\n{}\n=> {}", dialect, sql, out);
            // The statements still summarize to something.
            prop_assert!(summarize(&sql, dialect).is_some(), "{:?}\n{}", dialect, sql);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 20_000, ..ProptestConfig::default() })]

    /// (4) A capped output is the uncapped one cut after its last whole token
    /// that fits.
    #[test]
    fn capped_output_is_a_whole_token_prefix_of_the_uncapped_output(
        sql in any_input(),
        max_len in 0usize..160,
        keep_comments in any::<bool>(),
        collapse_in_lists in any::<bool>(),
    ) {
        for dialect in DIALECTS {
            let opts = SanitizeOptions { dialect, max_len, keep_comments, collapse_in_lists };
            let capped = sanitize(&sql, &opts);
            let full = sanitize(&sql, &SanitizeOptions { max_len: usize::MAX, ..opts });
            prop_assert!(full.starts_with(&capped), "{:?} {:?} {:?}", dialect, capped, full);
            let expected = token_ends(&full, dialect)
                .into_iter()
                .take_while(|&e| e <= max_len)
                .last()
                .unwrap_or(0);
            prop_assert_eq!(capped.len(), expected, "{:?} {:?} {:?}", dialect, capped, full);
        }
    }
}

#[test]
fn random_sql_looks_like_sql() {
    let lits = vec![Lit {
        form: 0,
        body: "ab".into(),
        tricky: "'\\".into(),
        digits: "12345".into(),
    }];
    for d in DIALECTS {
        let sql = random_sql(7, d, &lits, &[Sep::Space]);
        assert!(sql.contains("zq") || has_digit_run(&sql, 5), "{sql}");
    }
}

/// One megabyte of input built from `unit`.
fn mb(unit: &str) -> String {
    unit.repeat((1 << 20) / unit.len().max(1))
}

#[test]
fn one_megabyte_of_pathological_input_completes() {
    let inputs = [
        mb("'"),
        mb("''"),
        mb("$"),
        mb("$$"),
        mb("$a"),
        mb("$a$"),
        mb("("),
        mb(")"),
        mb("/*"),
        mb("*/"),
        mb("\\"),
        mb("\"\\'"),
        mb("-- \n"),
        mb("IN ("),
        mb("IN (1,"),
        mb("SELECT * FROM ("),
        mb("a."),
        mb("WITH a AS ("),
        mb("DELETE a "),
        mb("é"),
        format!("SELECT {}", mb("1,")),
    ];
    for sql in &inputs {
        for dialect in DIALECTS {
            let out = sanitize(
                sql,
                &SanitizeOptions {
                    dialect,
                    max_len: usize::MAX,
                    ..SanitizeOptions::default()
                },
            );
            assert!(out.len() <= sql.len() + 1);
            let _ = summarize(sql, dialect);
        }
    }
}
