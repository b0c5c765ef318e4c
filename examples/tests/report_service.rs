//! The report service runs against the servers of `scripts/test`: only the debug
//! requests' traces are kept, each one trace across the three services, and the
//! failing data service shows inside the failing report's trace.

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

/// Each printed trace: its lines, as (depth, failed, name).
fn traces(stderr: &str) -> Vec<Vec<(usize, bool, String)>> {
    let mut traces = Vec::new();
    let mut current: Option<Vec<(usize, bool, String)>> = None;
    for line in stderr.lines() {
        if line.starts_with("trace ") {
            traces.extend(current.take());
            current = Some(Vec::new());
            continue;
        }
        let Some(spans) = current.as_mut() else {
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

    let traces = traces(&stderr);
    assert_eq!(
        traces.len(),
        2,
        "the sampler kept only the debug requests:\n{stderr}"
    );
    let (ok, failed) = (&traces[0], &traces[1]);

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
