//! [`assert_parity`]: the same work through the raw client, the traced client, and the
//! traced client switched off must come to the same results and errors.

use std::fmt::{Debug, Write as _};
use std::future::Future;

use super::{Spans, capture_async};
use crate::Library;

/// What [`assert_parity`] hands back once the three runs agreed: the spans of the
/// traced run (the switched-off run made none: that is checked), for assertions of
/// your own.
#[derive(Debug)]
pub struct Parity<R> {
    /// The result all three runs came to.
    pub result: R,
    /// The spans the traced run made.
    pub traced_spans: Spans,
}

/// Runs the same work three times: with `raw` (the raw client), with `traced` (the
/// traced client), and with `traced` again while `library` is switched off; panics
/// with a line diff of their `{:#?}` when the results differ, or when the switched-off
/// run made a span.
///
/// The work is usually one function of yours, generic over the client, called with
/// each:
///
/// ```
/// use instrument_core::testing::assert_parity;
/// use instrument_core::{DbCall, DbSystem, Library};
///
/// // Stand-ins for a raw client and its traced wrapper (redis-rs and instrument-redis).
/// struct RawClient;
/// struct TracedClient(RawClient);
///
/// trait Get {
///     async fn get(&self, key: &str) -> Result<Option<String>, String>;
/// }
/// impl Get for RawClient {
///     async fn get(&self, key: &str) -> Result<Option<String>, String> {
///         Ok((key == "user:1").then(|| "alice".to_owned()))
///     }
/// }
/// impl Get for TracedClient {
///     async fn get(&self, key: &str) -> Result<Option<String>, String> {
///         let _span = DbCall::new(Library::Redis, DbSystem::Redis).operation("GET").start();
///         self.0.get(key).await
///     }
/// }
///
/// // The calls the application makes, written once for both clients.
/// async fn lookups(client: &impl Get) -> Vec<Result<Option<String>, String>> {
///     vec![client.get("user:1").await, client.get("user:2").await]
/// }
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let (raw, traced) = (RawClient, TracedClient(RawClient));
/// let parity = assert_parity(
///     Library::Redis,
///     || lookups(&raw),
///     || lookups(&traced),
/// )
/// .await;
/// assert_eq!(parity.traced_spans.all_named("GET").len(), 2);
/// # });
/// ```
///
/// Compare values that say what the caller can observe: an error's `Display` and
/// kind rather than its whole `Debug`, when that holds addresses or timings.
///
/// The switch is process-wide: in a test binary, keep the parity test of a library
/// apart from its other tests, or in a binary of its own, as a switched-off run would
/// leave the other tests' calls of that library untraced while it runs.
pub async fn assert_parity<R, Raw, RawFuture, Traced, TracedFuture>(
    library: Library,
    raw: Raw,
    mut traced: Traced,
) -> Parity<R>
where
    R: Debug,
    Raw: FnOnce() -> RawFuture,
    RawFuture: Future<Output = R>,
    Traced: FnMut() -> TracedFuture,
    TracedFuture: Future<Output = R>,
{
    let raw_result = raw().await;
    let (traced_result, traced_spans) = capture_async(traced()).await;
    let was_enabled = crate::enabled(library);
    crate::set_library_enabled(library, false);
    let (off_result, off_spans) = capture_async(traced()).await;
    crate::set_library_enabled(library, was_enabled);

    let raw_text = format!("{raw_result:#?}");
    let mut problems = String::new();
    for (run, result) in [("traced", &traced_result), ("switched off", &off_result)] {
        let text = format!("{result:#?}");
        if text != raw_text {
            let _ = write!(
                problems,
                "\nthe {run} run differs from the raw one (- raw, + {run}):\n{}",
                line_diff(&raw_text, &text)
            );
        }
    }
    if !off_spans.is_empty() {
        let _ = write!(
            problems,
            "\nswitched off, {} still made spans: {:?}",
            library.name(),
            off_spans.names()
        );
    }
    assert!(
        problems.is_empty(),
        "parity of {} failed:{problems}",
        library.name()
    );
    Parity {
        result: traced_result,
        traced_spans,
    }
}

/// Longest texts diffed line by line; past this only the first differing line is shown.
const MAX_DIFF_LINES: usize = 2_000;

/// The lines of `before` and `after`, each marked `-` (only before), `+` (only after)
/// or ` ` (both), from their longest common subsequence.
fn line_diff(before: &str, after: &str) -> String {
    let old: Vec<&str> = before.lines().collect();
    let new: Vec<&str> = after.lines().collect();
    if old.len() > MAX_DIFF_LINES || new.len() > MAX_DIFF_LINES {
        let first = old.iter().zip(&new).position(|(a, b)| a != b).unwrap_or(0);
        return format!(
            "  (long output; first difference at line {})\n- {}\n+ {}\n",
            first + 1,
            old.get(first).unwrap_or(&""),
            new.get(first).unwrap_or(&"")
        );
    }
    // common[i][j]: the longest common subsequence of old[i..] and new[j..].
    let mut common = vec![vec![0_usize; new.len() + 1]; old.len() + 1];
    for i in (0..old.len()).rev() {
        for j in (0..new.len()).rev() {
            common[i][j] = if old[i] == new[j] {
                common[i + 1][j + 1] + 1
            } else {
                common[i + 1][j].max(common[i][j + 1])
            };
        }
    }
    let (mut i, mut j, mut diff) = (0, 0, String::new());
    while i < old.len() || j < new.len() {
        if i < old.len() && j < new.len() && old[i] == new[j] {
            let _ = writeln!(diff, "  {}", old[i]);
            (i, j) = (i + 1, j + 1);
        } else if j < new.len() && (i == old.len() || common[i][j + 1] >= common[i + 1][j]) {
            let _ = writeln!(diff, "+ {}", new[j]);
            j += 1;
        } else {
            let _ = writeln!(diff, "- {}", old[i]);
            i += 1;
        }
    }
    diff
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_diff_marks_what_each_side_alone_has() {
        let diff = line_diff("Ok(\n    1,\n)", "Err(\n    1,\n)");
        assert_eq!(diff, "+ Err(\n- Ok(\n      1,\n  )\n");
    }
}
