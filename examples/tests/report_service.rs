//! The report service runs against the servers of `scripts/test`: only the debug
//! requests' traces are kept, each one trace across the three services and the queue,
//! and the failing data service shows inside the failing report's trace.

use std::process::Command;

fn run() -> (String, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_report-service"));
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("OTEL_") || key == "RUST_LOG" {
            command.env_remove(key);
        }
    }
    command.env("NO_COLOR", "1").env("COLUMNS", "100");
    let output = command.output().expect("the report service ran");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(
        output.status.success(),
        "report-service failed (are scripts/test's servers up?):\n{stdout}\n{stderr}"
    );
    (stdout, stderr)
}

/// A printed span line: (depth, failed, name).
type Line = (usize, bool, String);

/// Each printed trace with its trace id.
fn traces_with_ids(stderr: &str) -> Vec<(String, Vec<Line>)> {
    let mut traces = Vec::new();
    let mut current: Option<(String, Vec<Line>)> = None;
    for line in stderr.lines() {
        if let Some(header) = line.strip_prefix("trace ") {
            traces.extend(current.take());
            let id = header.split(' ').next().unwrap_or_default().to_owned();
            current = Some((id, Vec::new()));
            continue;
        }
        let Some((_, spans)) = current.as_mut() else {
            continue;
        };
        if !line.contains('▕') {
            traces.extend(current.take());
            continue;
        }
        let depth = (line.len() - line.trim_start().len()) / 2;
        let text = line.trim_start();
        let (failed, text) = match text.strip_prefix("✗ ") {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let name = text.split("  ").next().unwrap_or("").to_owned();
        spans.push((depth, failed, name));
    }
    traces.extend(current);
    traces
}

#[test]
fn only_debug_requests_are_traced_and_each_trace_crosses_the_services() {
    let (stdout, stderr) = run();
    assert!(
        stdout.contains("report 1 (debug: false): 200 OK Q3 sales: 2870"),
        "{stdout}"
    );
    assert!(
        stdout.contains("report 1 (debug: true): 200 OK Q3 sales: 2870"),
        "{stdout}"
    );
    assert!(stdout.contains("report 13 (debug: true): 502"), "{stdout}");

    assert_eq!(
        stdout.matches("mailed: report 1 generated").count(),
        2,
        "the mailer processed both generated reports: {stdout}"
    );

    let with_ids = traces_with_ids(&stderr);
    // The mailer processes the message while the next request runs: its trace may be
    // drawn before or after the failing report's.
    let find = |root: (usize, bool, &str)| {
        with_ids.iter().find(|(_, spans)| {
            spans
                .first()
                .is_some_and(|first| (first.0, first.1, first.2.as_str()) == root)
        })
    };
    let (ok_id, ok) = find((0, false, "GET /reports/{id}"))
        .unwrap_or_else(|| panic!("no trace of the debug report:\n{stderr}"));
    let (_, failed) = find((0, true, "GET /reports/{id}"))
        .unwrap_or_else(|| panic!("no trace of the failing report:\n{stderr}"));
    assert!(
        ok.contains(&(1, false, "publish amq.default".to_owned())),
        "{stderr}"
    );
    // The message carried the report's trace to the mailer, on another connection,
    // under the same trace id. Usually the broker's confirm ends `publish` first and
    // the mailer's spans are drawn on their own (their parent ended before them); when
    // the mailer is done before the confirm arrives, the console keeps its spans for the
    // request's trace and draws them there, under `publish`. Both drawings are right.
    let mailer = |depth: usize| {
        vec![
            (depth, false, "process example.reports.generated".to_owned()),
            (depth + 1, false, "mail report".to_owned()),
            (depth + 1, false, "ack example.reports.generated".to_owned()),
        ]
    };
    match find((0, false, "process example.reports.generated")) {
        Some((mailed_id, mailed)) => {
            assert_eq!(mailed_id, ok_id, "{stderr}");
            assert_eq!(mailed, &mailer(0), "{stderr}");
            assert_eq!(
                with_ids.len(),
                3,
                "the sampler kept only the debug requests, and the mailer's processing \
                 of the debug report's message:\n{stderr}"
            );
        }
        None => {
            let publish = ok
                .iter()
                .position(|line| *line == (1, false, "publish amq.default".to_owned()))
                .unwrap_or_default();
            assert_eq!(
                ok[publish + 1..].get(..3),
                Some(&mailer(2)[..]),
                "the mailer's spans, drawn under the publish that sent its message:\n{stderr}"
            );
            assert_eq!(
                with_ids.len(),
                2,
                "the sampler kept only the debug requests:\n{stderr}"
            );
        }
    }

    let root = |trace: &Vec<(usize, bool, String)>| trace[0].clone();
    assert_eq!(
        root(ok),
        (0, false, "GET /reports/{id}".to_owned()),
        "{stderr}"
    );
    assert_eq!(
        root(failed),
        (0, true, "GET /reports/{id}".to_owned()),
        "{stderr}"
    );
    for trace in [ok, failed] {
        assert!(
            trace.contains(&(1, false, "authorize".to_owned())),
            "{stderr}"
        );
        // Both data services answer inside the report's trace, under their client spans.
        let data_spans = trace
            .iter()
            .filter(|(d, _, n)| *d == 2 && n == "GET /data/{id}");
        assert_eq!(data_spans.count(), 2, "{stderr}");
    }
    assert!(
        ok.contains(&(1, false, "prepare report".to_owned())),
        "{stderr}"
    );
    // The failure deep inside: pricing's server span and the client span that called it.
    assert!(
        failed.contains(&(2, true, "GET /data/{id}".to_owned())),
        "{stderr}"
    );
    assert!(failed.contains(&(1, true, "GET".to_owned())), "{stderr}");
    // The cache is emptied at start: report 1 was read from PostgreSQL by the first,
    // untraced request and cached; report 13 misses the cache inside its trace.
    assert!(ok.contains(&(1, false, "GET".to_owned())), "{stderr}");
    assert!(
        failed.contains(&(1, false, "SELECT example_reports".to_owned())),
        "{stderr}"
    );
    assert!(failed.contains(&(1, false, "SET".to_owned())), "{stderr}");
}
