//! What a statement's text yields for its span (summary, sanitized text, batch size),
//! computed once per distinct text and kept in a bounded cache: a service repeats a few
//! hundred statements, and summarizing or sanitizing one costs more than the rest of
//! its span.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex, OnceLock};

use crate::intern::intern;

use crate::sql::{self, Dialect, SanitizeOptions};

/// Distinct texts kept per dialect and kind; when full, the cache starts over (a
/// service that inlines values in its SQL makes a new text per call, and must not grow
/// memory for it).
const MAX_CACHED_TEXTS: usize = 1024;
/// Longer texts (bulk inserts, generated scripts) are described afresh each time rather
/// than kept.
const MAX_CACHED_TEXT_LEN: usize = 4096;

/// What one statement text yields.
#[derive(Debug)]
pub(crate) struct Statement {
    /// `db.query.summary`, also the span name.
    pub(crate) summary: Option<SpanName>,
    /// The text as written.
    pub(crate) text: Arc<str>,
    /// Statements in a script of two or more; `None` otherwise.
    pub(crate) batch_size: Option<u64>,
    dialect: Dialect,
    sanitized: OnceLock<Arc<str>>,
}

/// A summary, with the span name it gives.
#[derive(Debug, Clone)]
pub(crate) struct SpanName {
    /// The summary as an attribute value.
    pub(crate) summary: Arc<str>,
    /// The same text as a span name: interned when possible, so naming a span copies
    /// nothing.
    pub(crate) name: Cow<'static, str>,
}

impl Statement {
    fn describe(text: &str, dialect: Dialect, script: bool) -> Statement {
        let (summary, batch_size) = if script {
            script_summary(text, dialect)
        } else {
            (sql::summarize(text, dialect), None)
        };
        Statement {
            summary: summary.map(|summary| SpanName {
                name: intern(&summary),
                summary: summary.into(),
            }),
            text: text.into(),
            batch_size,
            dialect,
            sanitized: OnceLock::new(),
        }
    }

    /// The text with every literal replaced by `?`, computed on first use.
    pub(crate) fn sanitized(&self) -> Arc<str> {
        self.sanitized
            .get_or_init(|| {
                let options = SanitizeOptions {
                    dialect: self.dialect,
                    ..SanitizeOptions::default()
                };
                sql::sanitize(&self.text, &options).into()
            })
            .clone()
    }
}

/// A script's summary (`BATCH {summary}` when its statements share one, else `BATCH`)
/// and, for two or more statements, their number; a single statement's own summary.
fn script_summary(script: &str, dialect: Dialect) -> (Option<String>, Option<u64>) {
    let statements = sql::split_statements(script, dialect);
    if statements.len() < 2 {
        return (sql::summarize(script, dialect), None);
    }
    let mut summaries = statements
        .iter()
        .map(|statement| sql::summarize(statement, dialect));
    let first = summaries.next().flatten();
    let shared = first.filter(|first| summaries.all(|s| s.as_deref() == Some(first.as_str())));
    let summary = match shared {
        Some(shared) if shared.len() + "BATCH ".len() <= sql::MAX_SUMMARY_LEN => {
            format!("BATCH {shared}")
        }
        _ => "BATCH".to_owned(),
    };
    (Some(summary), u64::try_from(statements.len()).ok())
}

type Texts = HashMap<Box<str>, Arc<Statement>, foldhash::fast::RandomState>;

/// One cache per dialect, for single statements and for scripts.
static CACHES: LazyLock<[Mutex<Texts>; 8]> =
    LazyLock::new(|| std::array::from_fn(|_| Mutex::new(Texts::default())));

fn cache_index(dialect: Dialect, script: bool) -> usize {
    let dialect = match dialect {
        Dialect::Postgres => 0,
        Dialect::MySql => 1,
        Dialect::Sqlite => 2,
        Dialect::Generic => 3,
    };
    dialect * 2 + usize::from(script)
}

/// What `text` yields, from the cache when it was seen before.
pub(crate) fn describe(text: &str, dialect: Dialect, script: bool) -> Arc<Statement> {
    if text.len() > MAX_CACHED_TEXT_LEN {
        return Arc::new(Statement::describe(text, dialect, script));
    }
    let cache = &CACHES[cache_index(dialect, script)];
    if let Some(found) = cache.lock().ok().and_then(|texts| texts.get(text).cloned()) {
        return found;
    }
    // Described outside the lock: two threads may describe the same new text at once,
    // and the second insert wins; both answers are the same.
    let described = Arc::new(Statement::describe(text, dialect, script));
    if let Ok(mut texts) = cache.lock() {
        if texts.len() >= MAX_CACHED_TEXTS {
            texts.clear();
        }
        texts.insert(text.into(), described.clone());
    }
    described
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_repeated_text_is_described_once() {
        let text = "SELECT * FROM cache_test_users WHERE id = 1";
        let first = describe(text, Dialect::Postgres, false);
        let second = describe(text, Dialect::Postgres, false);
        assert!(Arc::ptr_eq(&first, &second));
        assert_eq!(
            first.summary.as_ref().map(|s| &*s.summary),
            Some("SELECT cache_test_users")
        );
        assert_eq!(
            &*first.sanitized(),
            "SELECT * FROM cache_test_users WHERE id = ?"
        );
    }

    #[test]
    fn dialects_and_scripts_are_cached_apart() {
        let text = "SELECT 1; SELECT 2";
        let script = describe(text, Dialect::Sqlite, true);
        let single = describe(text, Dialect::Sqlite, false);
        assert_eq!(script.batch_size, Some(2));
        assert_eq!(single.batch_size, None);
        assert!(!Arc::ptr_eq(&script, &describe(text, Dialect::MySql, true)));
    }

    #[test]
    fn the_cache_stays_bounded() {
        for i in 0..(MAX_CACHED_TEXTS + 10) {
            describe(&format!("SELECT {i} FROM bounded"), Dialect::Generic, false);
        }
        let texts = CACHES[cache_index(Dialect::Generic, false)]
            .lock()
            .map(|texts| texts.len())
            .unwrap_or(0);
        assert!(texts <= MAX_CACHED_TEXTS, "{texts}");
    }

    #[test]
    fn long_texts_are_described_but_not_kept() {
        let text = format!("SELECT {} FROM long_texts", "x, ".repeat(2000));
        let first = describe(&text, Dialect::Postgres, false);
        assert!(!Arc::ptr_eq(
            &first,
            &describe(&text, Dialect::Postgres, false)
        ));
    }
}
