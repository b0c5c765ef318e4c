//! The checks each fuzz target runs, shared with the corpus replay test that runs in
//! `scripts/test` on stable (`instrument/tests/fuzz_corpus.rs` includes `checks.rs`).

pub mod checks;
