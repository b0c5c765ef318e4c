//! What one traced call costs on top of the call itself: switched off, switched on with
//! nobody listening, and exported through tracing-opentelemetry's batch pipeline.
//!
//! `cargo bench -p instrument-core --bench overhead`

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use instrument_core::testing::ExportToNowhere;
use instrument_core::{DbCall, DbSystem, Library};

const SQL: &str = "SELECT id, name FROM users WHERE id = $1";

/// The stand-in for the wrapped client's call.
#[inline(never)]
fn raw_call(id: u64) -> u64 {
    black_box(id).wrapping_mul(31)
}

/// What a wrapper does for one call: check the switch and interest, describe, run inside, record.
#[inline(never)]
fn wrapped_call(id: u64) -> u64 {
    if !instrument_core::recording(Library::Sqlx) {
        return raw_call(id);
    }
    let span = DbCall::new(Library::Sqlx, DbSystem::Postgresql)
        .namespace("shop")
        .sql(SQL, true)
        .server("db.internal", Some(5432))
        .start();
    let result = span.in_scope(|| raw_call(id));
    span.record_returned_rows(1);
    result
}

fn overhead(c: &mut Criterion) {
    let mut group = c.benchmark_group("db_call");
    group.bench_function("raw", |b| b.iter(|| raw_call(black_box(7))));

    instrument_core::set_library_enabled(Library::Sqlx, false);
    group.bench_function("switched_off", |b| b.iter(|| wrapped_call(black_box(7))));
    instrument_core::set_library_enabled(Library::Sqlx, true);

    group.bench_function("no_subscriber", |b| b.iter(|| wrapped_call(black_box(7))));

    let nowhere = ExportToNowhere::new();
    tracing::dispatcher::with_default(nowhere.dispatch(), || {
        group.bench_function("otel_batch_export", |b| {
            b.iter(|| wrapped_call(black_box(7)))
        });
    });
    group.finish();
}

criterion_group!(benches, overhead);
criterion_main!(benches);
