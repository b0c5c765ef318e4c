//! STUB (replaced by the real module).
#![allow(missing_docs, unused)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Dialect {
    Postgres,
    MySql,
    Sqlite,
    #[default]
    Generic,
}
#[derive(Debug, Clone)]
pub struct SanitizeOptions {
    pub dialect: Dialect,
    pub max_len: usize,
    pub keep_comments: bool,
    pub collapse_in_lists: bool,
}
impl Default for SanitizeOptions {
    fn default() -> Self {
        Self {
            dialect: Dialect::Generic,
            max_len: 4096,
            keep_comments: false,
            collapse_in_lists: true,
        }
    }
}
pub fn sanitize(sql: &str, _o: &SanitizeOptions) -> String {
    sql.replace("'alice'", "?")
}
pub const MAX_SUMMARY_LEN: usize = 255;
pub fn summarize(sql: &str, _d: Dialect) -> Option<String> {
    if sql.contains("users") {
        Some("SELECT users".into())
    } else {
        None
    }
}
