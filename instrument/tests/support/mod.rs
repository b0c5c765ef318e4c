//! Runs one test of this binary in a child process with its own environment: the
//! switches are read from the process environment once, so each scenario needs a process.
// Each test binary uses a different part of this module.
#![allow(dead_code)]

pub mod collector;
pub mod grpc_collector;

use std::process::{Command, Output};

/// Set in the child so the scenario test knows it is the child.
pub const CHILD: &str = "INSTRUMENT_TEST_CHILD";

/// Is this process a child started by [`run_child`]?
pub fn in_child() -> bool {
    std::env::var_os(CHILD).is_some()
}

/// Runs `test` (its full name) in a child with `vars` set and every `OTEL_*` variable of
/// this process removed; panics with the child's output when it fails.
pub fn run_child(test: &str, vars: &[(&str, &str)]) -> Output {
    let exe = std::env::current_exe().expect("the test binary");
    let mut command = Command::new(exe);
    command
        .args(["--exact", test, "--nocapture", "--test-threads=1"])
        .env(CHILD, "1");
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("OTEL_") || key == "RUST_LOG" {
            command.env_remove(key);
        }
    }
    for (key, value) in vars {
        command.env(key, value);
    }
    let output = command.output().expect("the child ran");
    assert!(
        output.status.success(),
        "child {test} failed\nstdout:\n{}\nstderr:\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// The child's stderr as text.
pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}
