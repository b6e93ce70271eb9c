//! Nothing leaves by a side door: a redirect from whatever answers at the gateway's
//! address is never followed (the password and the Guid would go with it), and a proxy
//! never sees a plain-HTTP session unless the user named it insecure.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use ccgw::{Client, ErrorKind, SignIn};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use crate::common;
use crate::common::names;

/// A listener that records every byte that reaches it and never answers.
struct Recorder {
    addr: std::net::SocketAddr,
    bytes: Arc<std::sync::Mutex<Vec<u8>>>,
    connections: Arc<AtomicUsize>,
}

async fn recorder() -> Recorder {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let bytes = Arc::new(std::sync::Mutex::new(Vec::new()));
    let connections = Arc::new(AtomicUsize::new(0));
    let (kept, counted) = (bytes.clone(), connections.clone());
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            counted.fetch_add(1, Ordering::SeqCst);
            let kept = kept.clone();
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                while let Ok(n) = stream.read(&mut buf).await {
                    if n == 0 {
                        break;
                    }
                    kept.lock().unwrap().extend_from_slice(&buf[..n]);
                }
            });
        }
    });
    Recorder {
        addr,
        bytes,
        connections,
    }
}

/// A stand-in gateway: the sign-in is answered (with a Guid) when `sign_in_ok`, and every
/// other request (or every request) with `status` pointing at `to`. Counts the requests
/// per path.
async fn redirector(
    status: u16,
    to: String,
    sign_in_ok: bool,
) -> (String, Arc<std::sync::Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let kept = seen.clone();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let kept = kept.clone();
            let to = to.clone();
            tokio::spawn(async move {
                while let Some(head) = common::read_request_head(&mut stream).await {
                    let line = head.lines().next().unwrap_or_default().to_owned();
                    kept.lock().unwrap().push(line.clone());
                    let reply = if sign_in_ok
                        && line.contains("/onlineagent/")
                        && line.starts_with("PUT")
                    {
                        let body = r#"{"message":"","retcode":"0","result":{}}"#;
                        format!(
                            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\
                             set-guid: JSESSIONID=0123456789abcdef0123456789abcdef\r\n\
                             content-length: {}\r\n\r\n{body}",
                            body.len()
                        )
                    } else {
                        format!(
                            "HTTP/1.1 {status} Moved\r\nlocation: {to}/agentgateway/x?guid=1\r\n\
                             content-length: 0\r\n\r\n"
                        )
                    };
                    if stream.write_all(reply.as_bytes()).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    (base, seen)
}

fn client(base: &str) -> Client {
    Client::builder(base)
        .request_timeout(Duration::from_secs(5))
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_redirected_sign_in_is_sent_once_and_nothing_reaches_the_other_host() {
    for status in [307, 302, 308, 301] {
        let elsewhere = recorder().await;
        let (base, seen) = redirector(status, format!("http://{}", elsewhere.addr), false).await;
        let error = client(&base)
            .sign_in(SignIn::new(common::agent("101"), "Secret@123").poll_events(false))
            .await
            .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::HttpStatus(status), "{error}");
        assert!(error.may_have_reached_gateway(), "a redirect is an answer");
        let text = format!("{error} {error:?}");
        assert!(text.contains("127.0.0.1"), "names the host: {text}");
        assert!(!text.contains("guid=1"), "never the path or query: {text}");
        assert!(!text.contains("Secret@123"), "{text}");
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert_eq!(seen.lock().unwrap().len(), 1, "the sign-in was sent once");
        assert_eq!(elsewhere.connections.load(Ordering::SeqCst), 0, "{status}");
        assert!(elsewhere.bytes.lock().unwrap().is_empty());
    }
}

#[tokio::test]
async fn a_redirect_to_a_host_that_is_down_is_not_taken_for_nothing_sent() {
    // Nothing listens on the discard port of loopback.
    let (base, seen) = redirector(307, "http://127.0.0.1:9".to_owned(), false).await;
    let error = client(&base)
        .sign_in(SignIn::new(common::agent("101"), "Secret@123").poll_events(false))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::HttpStatus(307));
    assert!(error.may_have_reached_gateway());
    assert_eq!(
        seen.lock().unwrap().len(),
        1,
        "not retried as a connect failure"
    );
}

#[tokio::test]
async fn a_guid_never_follows_a_redirect_of_a_later_request() {
    let elsewhere = recorder().await;
    let (base, seen) = redirector(307, format!("http://{}", elsewhere.addr), true).await;
    let session = client(&base)
        .sign_in(SignIn::new(common::agent("101"), "Secret@123").poll_events(false))
        .await
        .expect("the stand-in signs in");
    let error = session
        .force_busy(&common::agent("1001"))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::HttpStatus(307));
    assert!(
        error.may_have_reached_gateway(),
        "a state change is never resent"
    );
    let _ = session.sign_out().await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let seen = seen.lock().unwrap().clone();
    assert_eq!(
        seen.iter().filter(|l| l.contains("forcebusy")).count(),
        1,
        "{seen:?}"
    );
    assert_eq!(elsewhere.connections.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn a_redirect_set_through_configure_http_is_still_not_followed() {
    let elsewhere = recorder().await;
    let (base, _) = redirector(307, format!("http://{}", elsewhere.addr), false).await;
    let client = Client::builder(&base)
        .configure_http(|http| http.redirect(reqwest::redirect::Policy::limited(10)))
        .build()
        .unwrap();
    let error = client
        .sign_in(SignIn::new(common::agent("101"), "Secret@123").poll_events(false))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::HttpStatus(307));
    assert_eq!(elsewhere.connections.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn an_explicit_proxy_for_plain_http_needs_the_insecure_opt_in() {
    let proxy = recorder().await;
    let sim = common::sim(common::quick()).await;
    let refused = Client::builder(sim.base_url())
        .proxy(format!("http://{}", proxy.addr))
        .build()
        .unwrap_err();
    assert_eq!(refused.kind(), ErrorKind::InvalidInput);
    assert!(refused.to_string().contains("insecure_http"), "{refused}");
    assert_eq!(sim.received_total(), 0);
    Client::builder("https://gateway.example:8043")
        .proxy(format!("http://{}", proxy.addr))
        .build()
        .expect("https through a proxy is a TLS tunnel");
    Client::builder(sim.base_url())
        .proxy(format!("http://{}", proxy.addr))
        .insecure_http(true)
        .build()
        .expect("named insecure");
    assert_eq!(proxy.connections.load(Ordering::SeqCst), 0);
}

#[cfg(unix)]
#[tokio::test]
async fn a_download_target_that_is_no_new_regular_file_is_refused_with_nothing_sent() {
    let sim = common::sim(common::quick()).await;
    let (_, session) = common::inspector(&sim).await;
    let recording = ccgw::Recording::new(sim.recording_of("1001").unwrap()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let kept = dir.path().join("kept.txt");
    std::fs::write(&kept, "untouched").unwrap();
    let link = dir.path().join("link.v3");
    std::os::unix::fs::symlink(&kept, &link).unwrap();
    let fifo = dir.path().join("fifo.v3");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let folder = dir.path().join("folder.v3");
    std::fs::create_dir(&folder).unwrap();
    let existing = dir.path().join("existing.v3");
    std::fs::write(&existing, "an earlier recording").unwrap();
    let before = names(dir.path());
    for target in [&link, &fifo, &folder, &existing] {
        for overwrite in [false, true] {
            if overwrite && target == &existing {
                continue;
            }
            let options = ccgw::DownloadOptions::default().overwrite(overwrite);
            let e = session
                .download_recording_with(&recording, target, options)
                .await
                .unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidInput, "{target:?}: {e}");
        }
    }
    assert_eq!(sim.received("downloadRecording"), 0, "nothing was sent");
    assert_eq!(names(dir.path()), before, "no file was added or removed");
    assert_eq!(std::fs::read_to_string(&kept).unwrap(), "untouched");
    assert_eq!(
        std::fs::read_to_string(&existing).unwrap(),
        "an earlier recording"
    );
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );

    // Replacing a regular file is the user's explicit choice.
    let options = ccgw::DownloadOptions::default().overwrite(true);
    session
        .download_recording_with(&recording, &existing, options)
        .await
        .expect("replaces the file when asked");
    assert_ne!(std::fs::read(&existing).unwrap(), b"an earlier recording");
    session.sign_out().await.unwrap();
}

#[tokio::test]
async fn a_trickling_download_ends_at_its_deadline_and_leaves_nothing() {
    // A byte now and then: each piece comes well within the request timeout.
    let trickle =
        ccgw_sim::RecordingConfig::new("y:/1/0/20261207/trickle.V3", 1, 1 << 20).rate(2000);
    let sim = common::sim(common::quick().recording(trickle)).await;
    let (_, session) = common::inspector(&sim).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("trickle.v3");
    let recording = ccgw::Recording::new("y:/1/0/20261207/trickle.V3").unwrap();
    let started = std::time::Instant::now();
    let options = ccgw::DownloadOptions::default().max_time(Duration::from_millis(1500));
    let e = tokio::time::timeout(
        Duration::from_secs(10),
        session.download_recording_with(&recording, &path, options),
    )
    .await
    .expect("the deadline ended it, not the test's limit")
    .unwrap_err();
    assert_eq!(
        e.kind(),
        ErrorKind::Transport(ccgw::TransportKind::Timeout),
        "{e}"
    );
    assert!(e.to_string().contains("max_time"), "{e}");
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(names(dir.path()).is_empty(), "{:?}", names(dir.path()));
    session.sign_out().await.unwrap();
}

#[tokio::test]
async fn a_crashed_downloads_leftover_is_removed_by_the_next_download_into_its_folder() {
    let sim = common::sim(common::quick()).await;
    let (_, session) = common::inspector(&sim).await;
    let dir = tempfile::tempdir().unwrap();
    // What a download killed halfway leaves: nobody holds it any more.
    let leftover = dir.path().join(".call.v3.part-999999-0");
    std::fs::write(&leftover, b"half a call").unwrap();
    let old = std::time::SystemTime::now() - Duration::from_secs(60);
    std::fs::File::options()
        .write(true)
        .open(&leftover)
        .unwrap()
        .set_modified(old)
        .unwrap();
    // A download still running in another process holds its part locked: it stays.
    let running = dir.path().join(".other.v3.part-999998-0");
    std::fs::write(&running, b"being written").unwrap();
    let holder = std::fs::File::options().write(true).open(&running).unwrap();
    holder.set_modified(old).unwrap();
    holder.lock().unwrap();
    let recording = ccgw::Recording::new(sim.recording_of("1001").unwrap()).unwrap();
    session
        .download_recording(&recording, dir.path().join("next.v3"))
        .await
        .unwrap();
    assert_eq!(
        names(dir.path()),
        [".other.v3.part-999998-0", "next.v3"],
        "the leftover is gone, the running download's file stays"
    );
    drop(holder);
    session.sign_out().await.unwrap();
}

#[tokio::test]
async fn a_stop_playback_that_never_answers_does_not_keep_the_sign_out_from_going_out() {
    let sim = common::sim(common::quick()).await;
    let (_, session) = common::inspector_with_timeout(&sim, Duration::from_secs(8)).await;
    let recording = ccgw::Recording::new(sim.recording_of("1001").unwrap()).unwrap();
    let _playing = session.play(&recording).await.unwrap();
    sim.faults().inject(ccgw_sim::FaultRule::on(
        "stopPlayback",
        ccgw_sim::Fault::Hang,
    ));
    let limit = session.longest_sign_out();
    assert!(limit < Duration::from_secs(12), "{limit:?}");
    let started = std::time::Instant::now();
    let signed_out = tokio::time::timeout(limit, session.sign_out()).await;
    assert!(signed_out.is_ok(), "the sign-out ended within {limit:?}");
    assert!(
        started.elapsed() < ccgw::PLAYBACK_STOP_LIMIT + Duration::from_secs(2),
        "the stop had its short limit: {:?}",
        started.elapsed()
    );
    assert_eq!(sim.received("stopPlayback"), 1);
    assert_eq!(sim.received("signOut"), 1, "the logout went out");
    assert_eq!(sim.current_guid("101"), None, "signed out on the gateway");
}

#[tokio::test]
async fn a_playback_dropped_just_before_the_sign_out_is_still_stopped_then_signed_out() {
    for _ in 0..3 {
        let sim = common::sim(common::quick()).await;
        let (_, session) = common::inspector(&sim).await;
        let recording = ccgw::Recording::new(sim.recording_of("1001").unwrap()).unwrap();
        let playing = session.play(&recording).await.unwrap();
        drop(playing);
        session.sign_out().await.unwrap();
        assert_eq!(sim.received("stopPlayback"), 1, "the playback was stopped");
        assert_eq!(sim.received("signOut"), 1);
        assert_eq!(sim.current_guid("101"), None);
    }
}
