//! The error-message masker against real messages: 377 errors that PostgreSQL 15,
//! MariaDB 10.11 and SQLite 3.40 produced for statements carrying marked values
//! (`tests/data/database_errors.jsonl`: the message, PostgreSQL's DETAIL and HINT, and
//! the exact substrings of data each one echoes). Masked as the wrappers record them,
//! none of those substrings may remain.

use instrument_core::redact::mask_database_message;

#[derive(Debug)]
struct Record {
    system: String,
    code: Option<String>,
    family: String,
    text: String,
    secrets: Vec<String>,
}

fn records() -> Vec<Record> {
    let data = include_str!("data/database_errors.jsonl");
    data.lines()
        .map(|line| {
            let value: serde_json::Value = serde_json::from_str(line).expect("a JSON record");
            let field = |name: &str| value[name].as_str().map(str::to_owned);
            // As tokio-postgres shows a server error: message, then DETAIL and HINT.
            let mut text = field("message").unwrap_or_default();
            if let Some(detail) = field("detail") {
                text.push_str("\nDETAIL: ");
                text.push_str(&detail);
            }
            if let Some(hint) = field("hint") {
                text.push_str("\nHINT: ");
                text.push_str(&hint);
            }
            Record {
                system: field("system").unwrap_or_default(),
                code: field("code"),
                family: field("family").unwrap_or_default(),
                text,
                secrets: value["secrets"]
                    .as_array()
                    .map(|all| {
                        all.iter()
                            .filter_map(|s| s.as_str().map(str::to_owned))
                            .collect()
                    })
                    .unwrap_or_default(),
            }
        })
        .collect()
}

/// Families where the server puts a value where a name belongs (a value cast to
/// `regclass`, a misspelt column, an unknown database at connect): the masker keeps
/// names, so these keep the value too. A name is recorded as a name.
const VALUE_IN_A_NAME: &[&str] = &[
    "value used as identifier",
    "regtype",
    "regproc",
    "undefined_column/in UPDATE SET",
    "config parameter",
    "unknown encoding name",
    "database does not exist",
    "ER_BAD_FIELD_ERROR",
    "ER_BAD_DB_ERROR",
    "no such table (value as schema)",
    "no such column",
    "no such collation",
    "no such savepoint",
    "no such database",
];

/// Messages the application's SQL raised with a code of its choosing (`RAISE ...
/// USING ERRCODE`, a `RAISE WARNING`): the text cannot tell them, the wrappers do, from
/// the error's routine (tested in the facade's privacy tests).
const RAISED_WITH_ANY_CODE: &[&str] = &[
    "raise_exception with detail/hint",
    "RAISE in DO block",
    "RAISE WARNING/INFO",
    "RAISE custom sqlstate",
];

/// Echoes too short to tell from the message's own wording (`"S"`, `"!"`, `"S3"`) are
/// not searched for: they are fragments of a value, not a value.
const SHORTEST_SEARCHED: usize = 4;

#[test]
fn no_echoed_value_survives_masking() {
    let mut leaks = Vec::new();
    let records = records();
    assert!(records.len() > 300, "the corpus is there");
    for record in &records {
        let known = |families: &[&str]| families.iter().any(|f| record.family.contains(f));
        if known(VALUE_IN_A_NAME) || known(RAISED_WITH_ANY_CODE) {
            continue;
        }
        let masked = mask_database_message(&record.text, record.code.as_deref());
        for secret in &record.secrets {
            if secret.len() >= SHORTEST_SEARCHED && masked.contains(secret.as_str()) {
                leaks.push(format!(
                    "{} {:?} [{}]: {secret:?}\n    {}\n    -> {}",
                    record.system, record.code, record.family, record.text, masked
                ));
            }
        }
    }
    assert!(
        leaks.is_empty(),
        "{} leaks:\n{}",
        leaks.len(),
        leaks.join("\n")
    );
}
