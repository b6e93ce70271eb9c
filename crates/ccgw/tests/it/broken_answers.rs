//! Answers broken in ways only a stand-in gateway shows: a body cut short after its head,
//! and an error page that stops after its first bytes and keeps the connection open.
//! Each is the error it is, not another one, and never holds the caller.

use ccgw::{ErrorKind, TransportKind};

use crate::common::agent;
use crate::common::stand_in::{self, Step};

#[tokio::test]
async fn an_answer_cut_short_is_a_transport_error_that_may_have_reached() {
    let session = stand_in::session_where("/forcebusy", || {
        vec![
            stand_in::head(200, &["content-type: application/json"], Some(100)),
            Step::Send(br#"{"message""#.to_vec()),
            Step::Close,
        ]
    })
    .await;
    let e = session.force_busy(&agent("1001")).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Transport(TransportKind::Other), "{e}");
    assert!(e.may_have_reached_gateway());
}

#[tokio::test]
async fn an_error_page_that_stalls_after_its_excerpt_is_told_at_once() {
    // 512 bytes are all an error's excerpt reads: the rest never comes.
    let session = stand_in::session_where("/forcebusy", || {
        vec![
            stand_in::head(503, &["content-type: text/html"], Some(5_000)),
            Step::Send(b"<html>".repeat(512 / 6 + 1)[..512].to_vec()),
            Step::Hang,
        ]
    })
    .await;
    let e = session.force_busy(&agent("1001")).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::HttpStatus(503), "{e}");
}
