//! What a download accepts and refuses: its options (their defaults, the kind of
//! recording asked for, the check of a target before anything is sent), a file of exactly
//! the size allowed, and a failure's answer that arrives slowly.

use std::time::Duration;

use crate::common::stand_in::{self, Step};
use crate::common::{inspector, names, quick, sim};
use ccgw::{DownloadOptions, ErrorKind, Recording, RecordingKind};

#[test]
fn the_options_tell_their_defaults_and_check_a_target_without_a_session() {
    assert_eq!(
        format!("{:?}", DownloadOptions::default()),
        "DownloadOptions { kind: Call, max_bytes: 1073741824, max_time: 1800s, \
         overwrite: false, progress: false }"
    );
    let dir = tempfile::tempdir().unwrap();
    let there = dir.path().join("there.v3");
    std::fs::write(&there, b"kept").unwrap();
    let options = DownloadOptions::default();
    let refused = options.check_target(&there).unwrap_err();
    assert_eq!(refused.kind(), ErrorKind::InvalidInput, "{refused}");
    assert_eq!(
        options.check_target(dir.path()).unwrap_err().kind(),
        ErrorKind::InvalidInput,
        "a folder"
    );
    options.check_target(dir.path().join("new.v3")).unwrap();
    let options = DownloadOptions::default().overwrite(true);
    options.check_target(&there).unwrap();
    assert_eq!(std::fs::read(&there).unwrap(), b"kept", "only looked at");
}

#[tokio::test]
async fn a_voice_message_is_asked_for_as_one() {
    let sim = sim(quick()).await;
    let (_, session) = inspector(&sim).await;
    let dir = tempfile::tempdir().unwrap();
    let call = Recording::new(sim.recording_of("1001").unwrap()).unwrap();
    // The simulator holds call recordings only: no voice message has the call's name.
    let options = DownloadOptions::default().kind(RecordingKind::VoiceMessage);
    let e = session
        .download_recording_with(&call, dir.path().join("vm.v3"), options)
        .await
        .unwrap_err();
    assert_eq!(e.retcode().unwrap().code(), "104-005", "{e}");
    session
        .download_recording(&call, dir.path().join("call.v3"))
        .await
        .unwrap();
    assert_eq!(names(dir.path()), ["call.v3"]);
    session.sign_out().await.unwrap();
}

#[tokio::test]
async fn a_file_of_exactly_the_size_allowed_is_taken() {
    let sim = sim(quick()).await;
    let (_, session) = inspector(&sim).await;
    let dir = tempfile::tempdir().unwrap();
    let call = Recording::new(sim.recording_of("1001").unwrap()).unwrap();
    let size = ccgw_sim::CALL_RECORDING_SECONDS * ccgw_sim::ALAW_BYTES_PER_SECOND;
    let below = DownloadOptions::default().max_bytes(size - 1);
    let e = session
        .download_recording_with(&call, dir.path().join("small.v3"), below)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::AnswerTooLarge);
    let exact = DownloadOptions::default().max_bytes(size);
    let done = session
        .download_recording_with(&call, dir.path().join("exact.v3"), exact)
        .await
        .unwrap();
    assert_eq!(done.bytes, size);
    assert_eq!(names(dir.path()), ["exact.v3"]);
    session.sign_out().await.unwrap();
}

#[tokio::test]
async fn a_failure_whose_answer_comes_slowly_is_still_read() {
    let body = r#"{"message":"the recording file does not exist","retcode":"104-005"}"#;
    let session = stand_in::session_where("/recordfile/", move || {
        vec![
            stand_in::head(200, &["content-type: application/json"], Some(body.len())),
            Step::Wait(Duration::from_millis(300)),
            Step::Send(body.into()),
        ]
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let missing = Recording::new("y:/1/0/20200101/404.V3").unwrap();
    let e = session
        .download_recording(&missing, dir.path().join("x.v3"))
        .await
        .unwrap_err();
    let retcode = e.retcode().unwrap();
    assert_eq!(retcode.code(), "104-005", "{e}");
    assert_eq!(retcode.message(), "the recording file does not exist");
    assert!(names(dir.path()).is_empty());
    session.sign_out().await.unwrap();
}

/// A file sent in pieces of 1,000 bytes without a `Content-Length` (chunked), as a gateway
/// may: the size limit holds as the pieces come.
fn unsized_file(size: usize) -> Vec<Step> {
    let mut steps = vec![stand_in::head(
        200,
        &[
            "content-type: application/octet-stream",
            "transfer-encoding: chunked",
        ],
        None,
    )];
    for _ in 0..size / 1000 {
        steps.push(Step::Send(
            format!("3e8\r\n{}\r\n", "x".repeat(1000)).into(),
        ));
    }
    steps.push(Step::Send(b"0\r\n\r\n".to_vec()));
    steps
}

#[tokio::test]
async fn a_file_without_a_length_is_held_to_the_size_allowed_as_it_comes() {
    let session = stand_in::session_where("/recordfile/", || unsized_file(20_000)).await;
    let dir = tempfile::tempdir().unwrap();
    let recording = Recording::new("y:/1/0/20200101/1.V3").unwrap();
    let below = DownloadOptions::default().max_bytes(19_999);
    let e = session
        .download_recording_with(&recording, dir.path().join("small.v3"), below)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::AnswerTooLarge, "{e}");
    assert!(names(dir.path()).is_empty(), "nothing left behind");
    let exact = DownloadOptions::default().max_bytes(20_000);
    let done = session
        .download_recording_with(&recording, dir.path().join("exact.v3"), exact)
        .await
        .unwrap();
    assert_eq!(done.bytes, 20_000);
    assert_eq!(
        std::fs::read(dir.path().join("exact.v3")).unwrap().len(),
        20_000
    );
    session.sign_out().await.unwrap();
}
