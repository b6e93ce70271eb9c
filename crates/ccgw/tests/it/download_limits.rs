//! What a download accepts and refuses: its options (their defaults, the kind of
//! recording asked for, the check of a target before anything is sent), a file of exactly
//! the size allowed, and a failure's answer that arrives slowly.

use std::time::Duration;

use ccgw::{DownloadOptions, ErrorKind, Recording, RecordingKind};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpListener;

use crate::common::{self, inspector, names, quick, sim};

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

/// A stand-in gateway that signs in, answers a download with a JSON failure whose body
/// comes `delay` after its head, and anything else with success.
async fn slow_failure(delay: Duration) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                while let Some(head) = common::read_request_head(&mut stream).await {
                    let download = head
                        .lines()
                        .next()
                        .unwrap_or_default()
                        .contains("/recordfile/");
                    let body = if download {
                        r#"{"message":"the recording file does not exist","retcode":"104-005"}"#
                    } else {
                        r#"{"message":"","retcode":"0","result":{}}"#
                    };
                    let head = format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\
                         set-guid: JSESSIONID=0123456789abcdef0123456789abcdef\r\n\
                         content-length: {}\r\n\r\n",
                        body.len()
                    );
                    if stream.write_all(head.as_bytes()).await.is_err() {
                        return;
                    }
                    if download {
                        let _ = stream.flush().await;
                        tokio::time::sleep(delay).await;
                    }
                    if stream.write_all(body.as_bytes()).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    base
}

#[tokio::test]
async fn a_failure_whose_answer_comes_slowly_is_still_read() {
    let base = slow_failure(Duration::from_millis(300)).await;
    let client = ccgw::Client::builder(&base)
        .request_timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let session = client
        .sign_in(common::inspector_101().poll_events(false))
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let missing = Recording::new("y:/1/0/20200101/404.V3").unwrap();
    let e = session
        .download_recording(&missing, dir.path().join("x.v3"))
        .await
        .unwrap_err();
    assert_eq!(e.retcode().map(|r| r.code()), Some("104-005"), "{e}");
    assert!(names(dir.path()).is_empty());
    session.sign_out().await.unwrap();
}
