//! The parity helper: equal results pass, a difference fails with a readable diff. A
//! binary of its own: the helper switches a library off process-wide for a moment.

use instrument_core::testing::assert_parity;
use instrument_core::{DbCall, DbSystem, Library};

#[tokio::test]
async fn equal_results_pass_and_hand_back_the_traced_spans() {
    let parity = assert_parity(
        Library::Redis,
        || async { Ok::<_, String>(3) },
        || async {
            drop(
                DbCall::new(Library::Redis, DbSystem::Redis)
                    .operation("DBSIZE")
                    .start(),
            );
            Ok::<_, String>(3)
        },
    )
    .await;
    assert_eq!(parity.result, Ok(3));
    parity.traced_spans.named("DBSIZE");
    assert!(instrument_core::enabled(Library::Redis), "switched back on");
}

#[tokio::test]
async fn a_difference_fails_with_a_diff_of_the_results() {
    let failure =
        futures_util::FutureExt::catch_unwind(std::panic::AssertUnwindSafe(assert_parity(
            Library::Sqlx,
            || async { vec!["alice", "bob"] },
            || async { vec!["alice", "carol"] },
        )))
        .await
        .expect_err("different results fail");
    let message = failure
        .downcast_ref::<String>()
        .cloned()
        .unwrap_or_default();
    assert!(message.contains("the traced run differs"), "{message}");
    assert!(message.contains("-     \"bob\","), "{message}");
    assert!(message.contains("+     \"carol\","), "{message}");
}

#[tokio::test]
async fn a_span_made_while_switched_off_fails() {
    let failure =
        futures_util::FutureExt::catch_unwind(std::panic::AssertUnwindSafe(assert_parity(
            Library::Tower,
            || async { 1 },
            || async {
                // Made through another library's switch: still on.
                drop(
                    DbCall::new(Library::TokioPostgres, DbSystem::Postgresql)
                        .sql("SELECT 1", true)
                        .start(),
                );
                1
            },
        )))
        .await
        .expect_err("a span while switched off fails");
    let message = failure
        .downcast_ref::<String>()
        .cloned()
        .unwrap_or_default();
    assert!(message.contains("still made spans"), "{message}");
}
