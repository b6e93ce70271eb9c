//! Post-call review against the simulator: downloads stream to a private file renamed
//! into place only when whole (never a file that looks complete after an error, a reset,
//! a stall or a dropped future), failures come typed with their meaning, and a playback
//! awaits its start, follows its events, is never resent and stops when dropped or when
//! the session signs out.

use std::time::Duration;

use ccgw::{ErrorKind, PlayStopCause, PlaybackState, Recording};
use ccgw_sim::{Fault, FaultRule, RecordingConfig, tone_second};

use crate::common::{inspector, inspector_with_timeout, names, quick, sim};

#[tokio::test]
async fn a_recording_downloads_whole_and_private_with_its_progress() {
    let sim = sim(quick()).await;
    let (_, session) = inspector(&sim).await;
    let name = sim.recording_of("1001").expect("the call is recorded");
    assert!(name.starts_with("y:/1/0/"), "{name}");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("call.v3");
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let progress = seen.clone();
    let options = ccgw::DownloadOptions::default()
        .on_progress(move |p| progress.lock().unwrap().push((p.received, p.total)));
    let recording = Recording::new(&name).unwrap();
    let done = session
        .download_recording_with(&recording, &path, options)
        .await
        .expect("downloads");
    let bytes = std::fs::read(&path).unwrap();
    let expected = ccgw_sim::CALL_RECORDING_SECONDS * ccgw_sim::ALAW_BYTES_PER_SECOND;
    assert_eq!(done.bytes, expected);
    assert_eq!(bytes.len() as u64, expected);
    assert_eq!(
        &bytes[..8000],
        tone_second(),
        "the file as the gateway sent it"
    );
    let last = seen.lock().unwrap().last().copied();
    assert_eq!(last, Some((expected, Some(expected))));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(
            mode, 0o600,
            "a recording is personal data: private to its owner"
        );
    }
    assert_eq!(names(dir.path()), ["call.v3"], "no temporary file is left");
    session.sign_out().await.unwrap();
}

#[tokio::test]
async fn a_failure_is_typed_with_its_meaning_and_leaves_no_file() {
    let sim = sim(quick()).await;
    let (_, session) = inspector(&sim).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.v3");
    let missing = Recording::new("y:/1/0/20200101/404.V3").unwrap();
    let e = session
        .download_recording(&missing, &path)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Gateway);
    let retcode = e.retcode().unwrap();
    assert_eq!(retcode.code(), "104-005");
    assert_eq!(retcode.meaning(), Some("the recording file does not exist"));
    // Another VDN's recording: 100-018.
    let theirs = Recording::new(sim.recording_of("2001").unwrap()).unwrap();
    let e = session
        .download_recording(&theirs, &path)
        .await
        .unwrap_err();
    assert_eq!(e.retcode().unwrap().code(), "100-018");
    assert!(names(dir.path()).is_empty(), "{:?}", names(dir.path()));
    // An invalid name is refused before anything is sent.
    assert_eq!(
        Recording::new("a\nb").unwrap_err().kind(),
        ErrorKind::InvalidInput
    );
    assert_eq!(sim.received("downloadRecording"), 2);
    // A failure's answer is read up to 64 KiB (65,536 bytes included), however wordy its
    // message; past that, it is no failure a gateway sends.
    for (size, read) in [(40_000, true), (65_536, true), (65_537, false)] {
        sim.faults()
            .inject(FaultRule::on("downloadRecording", Fault::OversizedAnswer(size)).times(1));
        let e = session
            .download_recording(&missing, &path)
            .await
            .unwrap_err();
        assert_eq!(e.retcode().map(|r| r.code()).is_some(), read, "{size}: {e}");
    }
    assert!(names(dir.path()).is_empty());
}

#[tokio::test]
async fn a_download_cut_short_never_leaves_a_file_that_looks_whole() {
    let big = RecordingConfig::new("y:/1/0/20261204/big.V3", 1, 4 * 1024 * 1024);
    let slow = RecordingConfig::new("y:/1/0/20261204/slow.V3", 1, 1024 * 1024).rate(256 * 1024);
    let sim = sim(quick().recording(big).recording(slow)).await;
    let (_, session) = inspector_with_timeout(&sim, Duration::from_millis(1500)).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cut.v3");
    let big = Recording::new("y:/1/0/20261204/big.V3").unwrap();

    // Reset mid-answer.
    sim.faults()
        .inject(FaultRule::on("downloadRecording", Fault::ConnectionReset).times(1));
    let e = session.download_recording(&big, &path).await.unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::Transport(_)), "{e}");
    assert!(names(dir.path()).is_empty(), "{:?}", names(dir.path()));

    // The sending side closes mid-answer and the link hangs: the wait for a piece ends it.
    sim.faults()
        .inject(FaultRule::on("downloadRecording", Fault::HalfClose).times(1));
    let e = session.download_recording(&big, &path).await.unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::Transport(_)), "{e}");
    assert!(names(dir.path()).is_empty(), "{:?}", names(dir.path()));

    // Larger than allowed.
    let options = ccgw::DownloadOptions::default().max_bytes(1024);
    let e = session
        .download_recording_with(&big, &path, options)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::AnswerTooLarge);
    assert!(names(dir.path()).is_empty());

    // A download dropped halfway (a user's own time limit).
    let slow = Recording::new("y:/1/0/20261204/slow.V3").unwrap();
    let cut = tokio::time::timeout(
        Duration::from_millis(1500),
        session.download_recording(&slow, &path),
    )
    .await;
    assert!(cut.is_err(), "the slow download was still running");
    assert!(names(dir.path()).is_empty(), "{:?}", names(dir.path()));

    // The same file, whole, once the link behaves.
    let done = session.download_recording(&big, &path).await.unwrap();
    assert_eq!(done.bytes, 4 * 1024 * 1024);
    session.sign_out().await.unwrap();
}

#[tokio::test]
async fn a_playback_starts_follows_its_events_and_stops() {
    let sim = sim(quick()).await;
    let (_, session) = inspector(&sim).await;
    let recording = Recording::new(sim.recording_of("1001").unwrap()).unwrap();
    let playback = session.play(&recording).await.expect("plays");
    assert_eq!(playback.state(), PlaybackState::Playing);
    let wait = Duration::from_secs(5);
    playback.pause().await.unwrap();
    playback
        .wait_for_state(|s| s == PlaybackState::Paused, wait)
        .await
        .unwrap();
    playback.resume().await.unwrap();
    playback
        .wait_for_state(|s| s == PlaybackState::Playing, wait)
        .await
        .unwrap();
    playback.forward(10).await.unwrap();
    playback.rewind(3).await.unwrap();
    let zero = playback.forward(0).await.unwrap_err();
    assert_eq!(zero.kind(), ErrorKind::InvalidInput);
    assert_eq!(
        sim.received("forwardPlayback"),
        1,
        "0 seconds is never sent"
    );
    assert_eq!(playback.stop().await.unwrap(), PlayStopCause::Stopped);
    assert_eq!(
        playback.state(),
        PlaybackState::Stopped(PlayStopCause::Stopped)
    );
    assert_eq!(sim.received("stopPlayback"), 1);

    // A file the gateway cannot play: accepted, then Play_Fail.
    let missing = Recording::new("y:/1/0/20200101/404.V3").unwrap();
    let e = session.play(&missing).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::PlaybackFailed);
    session.sign_out().await.unwrap();
}

#[tokio::test]
async fn a_playback_control_is_never_resent() {
    let sim = sim(quick()).await;
    let (_, session) = inspector(&sim).await;
    let recording = Recording::new(sim.recording_of("1001").unwrap()).unwrap();
    let playback = session.play(&recording).await.unwrap();
    sim.faults()
        .inject(FaultRule::on("pausePlayback", Fault::ConnectionReset));
    let e = playback.pause().await.unwrap_err();
    assert!(e.may_have_reached_gateway(), "{e}");
    assert_eq!(
        sim.received("pausePlayback"),
        1,
        "sent once, whatever happened"
    );
    playback.stop().await.unwrap();
    session.sign_out().await.unwrap();
}

#[tokio::test]
async fn a_playback_stops_when_dropped_and_when_the_session_signs_out() {
    let sim = sim(quick()).await;
    let (_, session) = inspector(&sim).await;
    let recording = Recording::new(sim.recording_of("1001").unwrap()).unwrap();
    drop(session.play(&recording).await.unwrap());
    ccgw_sim::testing::wait_until(
        || sim.received("stopPlayback") == 1,
        "the dropped playback stopped",
    )
    .await;

    let _playing = session.play(&recording).await.unwrap();
    session.sign_out().await.unwrap();
    assert_eq!(
        sim.received("stopPlayback"),
        2,
        "stopped before the sign-out"
    );
    assert_eq!(sim.current_guid("101"), None);
}

/// Every future a user may spawn is `Send`.
#[allow(dead_code)]
fn the_recording_futures_can_be_spawned(session: ccgw::Session, recording: Recording) {
    fn spawnable<T: Send>(_: T) {}
    spawnable(async move {
        let playback = session.play(&recording).await?;
        playback.pause().await?;
        playback.stop().await?;
        session.download_recording(&recording, "x").await?;
        Ok::<(), ccgw::Error>(())
    });
}

#[tokio::test]
async fn a_playback_ends_by_itself_at_the_end_of_the_recording() {
    let sim = sim(quick()).await;
    let (_, session) = inspector(&sim).await;
    let recording = Recording::new(sim.recording_of("1001").unwrap()).unwrap();
    let wait = Duration::from_secs(8);
    let stopped = |s| matches!(s, PlaybackState::Stopped(_));

    // From 59 s into a minute-long recording: it plays out within about a second.
    let options = ccgw::PlayOptions::default().from(Duration::from_secs(59));
    let playback = session.play_with(&recording, options).await.unwrap();
    let ended = playback.wait_for_state(stopped, wait).await.unwrap();
    assert_eq!(ended, PlaybackState::Stopped(PlayStopCause::Finished));
    assert_eq!(sim.received("stopPlayback"), 0, "nobody stopped it");

    // Skipped past its end: played.
    let playback = session.play(&recording).await.unwrap();
    playback.forward(120).await.unwrap();
    let ended = playback.wait_for_state(stopped, wait).await.unwrap();
    assert_eq!(ended, PlaybackState::Stopped(PlayStopCause::Finished));
    assert_eq!(
        playback.stop().await.unwrap(),
        PlayStopCause::Finished,
        "not stopped again"
    );
    assert_eq!(sim.received("stopPlayback"), 0);
    session.sign_out().await.unwrap();
}

/// The partial file of a download is private from its first byte, under the common umask
/// 022 (which would leave a plainly created file readable by all): looked at while a slow
/// recording still streams into it.
#[tokio::test]
async fn a_partial_download_is_private_while_it_runs() {
    use std::os::unix::fs::PermissionsExt;
    let slow = RecordingConfig::new("y:/1/0/20261204/slow.V3", 1, 1024 * 1024).rate(256 * 1024);
    let sim = sim(quick().recording(slow)).await;
    let (_, session) = inspector_with_timeout(&sim, Duration::from_secs(10)).await;
    // SAFETY: sets this process's umask; 022 is what most systems start with.
    unsafe { libc::umask(0o022) };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("slow.v3");
    let slow = Recording::new("y:/1/0/20261204/slow.V3").unwrap();
    let download = session.download_recording(&slow, &path);
    tokio::pin!(download);
    let mut seen = None;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while seen.is_none() {
        tokio::select! {
            done = &mut download => panic!("finished before the partial file was seen: {done:?}"),
            () = tokio::time::sleep(Duration::from_millis(10)) => {}
        }
        assert!(tokio::time::Instant::now() < deadline, "no partial file");
        seen = std::fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .find(|e| e.file_name().to_string_lossy().contains(".part-"))
            .map(|e| {
                let meta = e.metadata().unwrap();
                (meta.len(), meta.permissions().mode() & 0o777)
            });
    }
    let (bytes, mode) = seen.unwrap();
    assert_eq!(mode, 0o600, "private while {bytes} bytes were in");
    download.await.unwrap();
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    session.sign_out().await.unwrap();
}

#[tokio::test]
async fn an_inspector_who_listened_finds_the_calls_recording_and_downloads_it() {
    // The lookup is read-only: refused by the gateway's budget, it is sent once more.
    let sim = sim(quick()).await;
    let (client, session) = inspector(&sim).await;
    let agent = client.agent_id("1001").unwrap();
    let call = session.call_ids(&agent).await.unwrap().remove(0);
    session.listen(&agent).await.unwrap();
    let refused = FaultRule::on("queryRecordingsByCallId", Fault::Retcode("000-007".into()));
    sim.faults().inject(refused.times(1));
    let found = session.recordings_of_call(&agent, &call).await.unwrap();
    assert_eq!(found.len(), 1, "{found:?}");
    let sent = sim.received("queryRecordingsByCallId");
    assert_eq!(sent, 2, "refused once, then sent again");
    let recording = &found[0];
    assert_eq!(
        Some(recording.file_name()),
        sim.recording_of("1001").as_deref()
    );
    assert_eq!(recording.call_id(), Some(&call));
    assert_eq!(recording.location_id(), Some(0));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("heard.v3");
    let done = session.download_recording(recording, &path).await.unwrap();
    let expected = ccgw_sim::CALL_RECORDING_SECONDS * ccgw_sim::ALAW_BYTES_PER_SECOND;
    assert_eq!(done.bytes, expected);
    // Another agent's name for the same call finds nothing: an empty list, not an error.
    let other = client.agent_id("1002").unwrap();
    assert!(
        session
            .recordings_of_call(&other, &call)
            .await
            .unwrap()
            .is_empty()
    );
    session.stop(&agent).await.unwrap();
    session.sign_out().await.unwrap();
}
