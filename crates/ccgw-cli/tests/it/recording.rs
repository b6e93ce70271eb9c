//! `ccgw recording` against the simulator: a download saved whole with progress lines
//! when not on a terminal (a bar on one), a failure that saves nothing, and a playback
//! controlled by piped commands that is stopped on every way out before the sign-out.

use ccgw_sim::{DEFAULT_PASSWORD, RecordingConfig, Simulator};

use crate::common::{self, quick, signed_out};

fn args<'a>(url: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["recording"];
    args.extend_from_slice(extra);
    args.extend_from_slice(&["--gateway", url, "--agent", "101"]);
    args
}

const PASSWORD: [(&str, &str); 1] = [("CCGW_PASSWORD", DEFAULT_PASSWORD)];

#[tokio::test]
async fn a_download_is_saved_whole_with_progress_lines_off_a_terminal() {
    let big = RecordingConfig::new("y:/1/0/20261204/big.V3", 1, 512 * 1024).rate(200 * 1024);
    let sim = Simulator::start(quick().recording(big)).await.unwrap();
    let url = sim.base_url();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("big.v3");
    let out_text = out.to_str().unwrap();
    let run = common::ccgw(
        &args(
            &url,
            &["download", "y:/1/0/20261204/big.V3", "-o", out_text],
        ),
        &PASSWORD,
        &[],
    )
    .await;
    assert_eq!(run.status, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(std::fs::metadata(&out).unwrap().len(), 512 * 1024);
    assert!(run.stdout.contains("saved"), "{}", run.stdout);
    assert!(
        run.stderr.contains("downloaded 524288 of 524288 bytes"),
        "plain progress lines when not on a terminal: {}",
        run.stderr
    );
    assert!(signed_out(&sim));

    let missing = dir.path().join("missing.v3");
    let run = common::ccgw(
        &args(
            &url,
            &[
                "download",
                "y:/1/0/20200101/404.V3",
                "-o",
                missing.to_str().unwrap(),
            ],
        ),
        &PASSWORD,
        &[],
    )
    .await;
    assert_eq!(run.status, 1, "{}", run.stderr);
    assert!(run.stderr.contains("104-005"), "{}", run.stderr);
    assert!(run.stderr.contains("nothing was saved"), "{}", run.stderr);
    assert!(!missing.exists());
    assert!(signed_out(&sim));
}

#[tokio::test]
async fn a_playback_follows_piped_commands_and_stops_before_the_sign_out() {
    let sim = Simulator::start(quick()).await.unwrap();
    let url = sim.base_url();
    let record = sim.recording_of("1001").unwrap();
    let script = ["pause", "@sleep 300", "resume", "+5", "-2", "+0", "stop"];
    let run = common::ccgw(
        &args(&url, &["play", &record, "--from", "3"]),
        &PASSWORD,
        &script,
    )
    .await;
    assert_eq!(run.status, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("stopped: asked to"), "{}", run.stdout);
    assert!(
        run.stderr.contains("skip 1 second or more"),
        "{}",
        run.stderr
    );
    for op in [
        "playRecording",
        "pausePlayback",
        "resumePlayback",
        "forwardPlayback",
        "rewindPlayback",
        "stopPlayback",
    ] {
        assert_eq!(sim.received(op), 1, "{op}");
    }
    assert!(signed_out(&sim));

    // The end of input is a way out too: the playback is stopped, then the session ends.
    let run = common::ccgw(&args(&url, &["play", &record]), &PASSWORD, &["@sleep 200"]).await;
    assert_eq!(run.status, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("stopped: end of input"),
        "{}",
        run.stdout
    );
    assert_eq!(sim.received("stopPlayback"), 2);
    assert!(signed_out(&sim));
}
