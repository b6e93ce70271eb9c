//! `ccgw recording` against the simulator: a download saved whole with progress lines
//! when not on a terminal (a bar on one), a failure that saves nothing, and a playback
//! controlled by piped commands that is stopped on every way out before the sign-out.

use ccgw_sim::{DEFAULT_PASSWORD, RecordingConfig, Simulator};

use crate::common::{self, Isolated, quick, signed_out};

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
async fn a_playback_the_gateway_refuses_is_an_error_and_the_session_still_ends() {
    use ccgw_sim::{Fault, FaultRule};
    let sim = Simulator::start(quick()).await.unwrap();
    let url = sim.base_url();
    let record = sim.recording_of("1001").unwrap();
    sim.faults()
        .inject(FaultRule::on("playRecording", Fault::Retcode("100-004".into())).times(1));
    let run = common::ccgw(&args(&url, &["play", &record]), &PASSWORD, &[]).await;
    assert_eq!(run.status, 1, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("100-004"), "{}", run.stderr);
    assert_eq!(sim.received("playRecording"), 1, "refused, not sent again");
    assert!(signed_out(&sim));
}

#[tokio::test]
async fn a_playback_follows_piped_commands_and_stops_before_the_sign_out() {
    let sim = Simulator::start(quick().refuse_sign_out_in_call(true))
        .await
        .unwrap();
    let url = sim.base_url();
    let record = sim.recording_of("1001").unwrap();
    let script = ["pause", "@seen paused", "resume", "+5", "-2", "+0", "stop"];
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
    let script = ["@seen playing;"];
    let run = common::ccgw(&args(&url, &["play", &record]), &PASSWORD, &script).await;
    assert_eq!(run.status, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("stopped: end of input"),
        "{}",
        run.stdout
    );
    assert_eq!(sim.received("stopPlayback"), 2);
    assert!(signed_out(&sim));
}

#[tokio::test]
async fn the_console_plays_and_downloads_within_its_json_contract() {
    let sim = Simulator::start(quick().refuse_sign_out_in_call(true))
        .await
        .unwrap();
    let url = sim.base_url();
    let record = sim.recording_of("1001").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("call.v3");
    let play = format!("play {record} 2");
    let download = format!("download {record} {}", file.display());
    let script = [
        "pause",
        play.as_str(),
        "pause",
        "resume",
        "forward 5",
        "rewind 0",
        "stop-play",
        download.as_str(),
        play.as_str(),
        "quit",
    ];
    let run = common::ccgw(&common::console_args(&url, &["--json"]), &PASSWORD, &script).await;
    common::assert_lines_follow_the_contract(&run.stdout);
    let r = run.results();
    let summary: Vec<(String, bool)> = r
        .iter()
        .map(|l| {
            (
                l["command"].as_str().unwrap().to_owned(),
                l["ok"].as_bool().unwrap(),
            )
        })
        .collect();
    let expected = [
        ("pause", false),
        ("play", true),
        ("pause", true),
        ("resume", true),
        ("forward", true),
        ("rewind", false),
        ("stop-play", true),
        ("download", true),
        ("play", true),
    ];
    let expected: Vec<(String, bool)> = expected
        .iter()
        .map(|(c, ok)| ((*c).to_owned(), *ok))
        .collect();
    assert_eq!(summary, expected, "{}", run.stdout);
    assert!(
        r[0]["error"]
            .as_str()
            .unwrap()
            .contains("play RECORD first")
    );
    assert_eq!(r[1]["playback"], "playing");
    assert_eq!(r[6]["playback"], "stopped");
    assert_eq!(r[7]["bytes"], 480_000);
    assert_eq!(std::fs::metadata(&file).unwrap().len(), 480_000);
    // The playback still running at `quit` is stopped before the sign-out.
    assert_eq!(sim.received("stopPlayback"), 2);
    assert_eq!(sim.received("rewindPlayback"), 0, "0 seconds is never sent");
    assert!(signed_out(&sim));
}

/// `ccgw recording ARGS` on a pseudo-terminal, against `sim`.
fn on_a_terminal(sim: &ccgw_sim::RunningSim, args: &[&str]) -> std::process::Command {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_ccgw"));
    command.isolated();
    command
        .arg("recording")
        .args(args)
        .args(["--gateway", &sim.base_url(), "--agent", "101"])
        .env("TERM", "xterm")
        .env("CCGW_PASSWORD", DEFAULT_PASSWORD);
    command
}

#[tokio::test(flavor = "multi_thread")]
async fn on_a_terminal_a_download_shows_a_bar_and_a_playback_takes_keys() {
    use expectrl::{Eof, Expect, Regex, Session};
    let slow = RecordingConfig::new("y:/1/0/20261204/slow.V3", 1, 1024 * 1024).rate(400 * 1024);
    let sim = Simulator::start(quick().recording(slow)).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("slow.v3");
    let download = on_a_terminal(
        &sim,
        &[
            "download",
            "y:/1/0/20261204/slow.V3",
            "-o",
            out.to_str().unwrap(),
        ],
    );
    let record = sim.recording_of("1001").unwrap();
    let play = on_a_terminal(&sim, &["play", &record, "--from", "10"]);
    let played = tokio::task::spawn_blocking(move || -> Result<_, expectrl::Error> {
        let mut p = Session::spawn(download)?;
        p.set_expect_timeout(Some(std::time::Duration::from_secs(15)));
        // Bytes so far of the whole, the rate and the time left.
        p.expect(Regex(r"KiB/1\.00 MiB [0-9.]+ [KM]iB/s \d+s left"))?;
        p.expect("saved")?;
        p.expect(Eof)?;
        let downloaded = p.get_process().wait().unwrap();

        let mut p = Session::spawn(play)?;
        p.set_expect_timeout(Some(std::time::Duration::from_secs(15)));
        p.expect("playing; space pauses")?;
        // Where it is, kept current on one line: 10 s in (--from), then paused there.
        p.expect(Regex(r"0:1\d playing"))?;
        p.send(" ")?;
        p.expect(Regex(r"0:1\d paused"))?;
        p.send(" ")?;
        p.expect(Regex(r"0:1\d playing"))?;
        p.send("q")?;
        p.expect("stopped: asked to")?;
        p.expect(Eof)?;
        Ok((downloaded, p.get_process().wait().unwrap()))
    })
    .await
    .unwrap()
    .expect("both ran on the terminal as expected");
    common::assert_typed_and_exited_zero(Ok(played.0));
    common::assert_typed_and_exited_zero(Ok(played.1));
    assert_eq!(std::fs::metadata(&out).unwrap().len(), 1024 * 1024);
    assert_eq!(sim.received("pausePlayback"), 1, "space paused");
    assert_eq!(sim.received("stopPlayback"), 1, "q stopped");
    assert!(signed_out(&sim));
}
