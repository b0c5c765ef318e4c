//! Splitting a script (`batch_execute`, `simple_query`) into its statements.

use super::Dialect;
use super::lexer::Lexer;

/// The statements of `sql`, split at each `;` outside literals, comments and
/// parentheses, trimmed; empty statements (only whitespace or comments) are left out.
/// Linear in the input, like the rest of this module.
pub fn split_statements(sql: &str, dialect: Dialect) -> Vec<&str> {
    let mut statements = Vec::new();
    let (mut start, mut offset, mut depth) = (0, 0, 0usize);
    let mut significant = false;
    for token in Lexer::new(sql, dialect) {
        let end = offset + token.text.len();
        if token.is_punct("(") {
            depth += 1;
        } else if token.is_punct(")") {
            depth = depth.saturating_sub(1);
        }
        if depth == 0 && token.is_punct(";") {
            if significant {
                statements.push(sql[start..offset].trim());
            }
            start = end;
            significant = false;
        } else if !token.is_trivia() {
            significant = true;
        }
        offset = end;
    }
    if significant {
        statements.push(sql[start..].trim());
    }
    statements
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_split_at_semicolons_outside_literals_and_comments() {
        let script =
            "CREATE TABLE a (x text DEFAULT ';');\n-- one; two\nINSERT INTO a VALUES ('a;b'); ;  ";
        assert_eq!(
            split_statements(script, Dialect::Postgres),
            [
                "CREATE TABLE a (x text DEFAULT ';')",
                "-- one; two\nINSERT INTO a VALUES ('a;b')"
            ]
        );
        assert_eq!(
            split_statements("SELECT $$a;b$$", Dialect::Postgres),
            ["SELECT $$a;b$$"]
        );
        assert!(split_statements(" ; -- nothing\n", Dialect::Postgres).is_empty());
        assert_eq!(split_statements("SELECT 1", Dialect::Generic), ["SELECT 1"]);
    }
}
