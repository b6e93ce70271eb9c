//! Every way out of the board, in a pseudo-terminal, signs the session out: Ctrl-C (the
//! key, which the board reads as its own), SIGINT, SIGTERM and SIGHUP sent to the process, a
//! second signal while signing out (exit 130 at once), and a panic. The same for `ccgw
//! watch`, on a terminal and off one: Ctrl-C and each signal sign out; and for `ccgw
//! recording play`: Ctrl-C and each signal stop the playback, then sign out.

use std::process::Command;
use std::time::{Duration, Instant};

use ccgw_sim::{DEFAULT_PASSWORD, Fault, FaultRule, QcMode, RunningSim, Simulator};
use expectrl::process::unix::WaitStatus;
use expectrl::{ControlCode, Eof, Expect, Regex, Session};

use crate::common::{self, Isolated, quick, signed_out, wait_until};

/// The board in a pseudo-terminal, listening to agent 1001 once the simulator says so.
pub async fn listening_board(
    sim: &RunningSim,
    env: &[(&str, &str)],
) -> expectrl::session::OsSession {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ccgw"));
    command.isolated();
    command
        .args(["board", "--gateway", &sim.base_url(), "--agent", "101"])
        .args(["--refresh", "1"])
        .env("TERM", "xterm")
        .env("CCGW_PASSWORD", DEFAULT_PASSWORD);
    for (k, v) in env {
        command.env(k, v);
    }
    let mut board = Session::spawn(command).unwrap();
    board.set_expect_timeout(Some(Duration::from_secs(10)));
    if env.iter().any(|(k, _)| *k == "CCGW_PANIC_AFTER_SIGN_IN") {
        return board;
    }
    board.expect(Regex(r"1001\s+Agent 1001\s+talking")).unwrap();
    board.send("l").unwrap();
    wait_until(
        || sim.mode_of("101", "1001") == QcMode::Listening,
        "listening",
    )
    .await;
    board
}

fn signal(board: &expectrl::session::OsSession, signal: i32) {
    let pid = board.get_process().pid().as_raw();
    // SAFETY: a signal to our own child.
    assert_eq!(unsafe { libc::kill(pid, signal) }, 0);
}

/// Ctrl-C typed (`Ctrl-C`), or the signal named (`INT`, `TERM`, `HUP`) sent.
fn interrupt(program: &mut expectrl::session::OsSession, way: &str) {
    match way {
        "Ctrl-C" => program.send(ControlCode::EndOfText).unwrap(),
        "INT" => signal(program, libc::SIGINT),
        "TERM" => signal(program, libc::SIGTERM),
        _ => signal(program, libc::SIGHUP),
    }
}

/// Waits for the board to exit within `limit`; its exit status.
async fn exit_status(mut board: expectrl::session::OsSession, limit: Duration) -> i32 {
    let pid = board.get_process().pid().as_raw();
    let waited = tokio::task::spawn_blocking(move || {
        let _ = board.expect(Eof);
        board.get_process().wait()
    });
    match tokio::time::timeout(limit, waited).await {
        Ok(Ok(Ok(WaitStatus::Exited(_, code)))) => code,
        other => {
            // SAFETY: our own child, which must not outlive the failed test.
            unsafe { libc::kill(pid, libc::SIGKILL) };
            panic!("the board did not exit within {limit:?}: {other:?}")
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn each_signal_and_ctrl_c_signs_the_board_out() {
    for way in ["Ctrl-C", "INT", "TERM", "HUP"] {
        let sim = Simulator::start(quick().refuse_sign_out_in_call(true))
            .await
            .unwrap();
        let mut board = listening_board(&sim, &[]).await;
        let started = Instant::now();
        interrupt(&mut board, way);
        let code = exit_status(board, Duration::from_secs(5)).await;
        assert_eq!(code, 0, "{way}");
        assert!(started.elapsed() < Duration::from_secs(5), "{way}");
        assert!(signed_out(&sim), "{way}: the simulator saw the sign-out");
        assert_eq!(sim.received("signOut"), 1, "{way}");
        assert_eq!(sim.mode_of("101", "1001"), QcMode::Idle, "{way}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_second_signal_while_the_board_signs_out_exits_at_once() {
    let sim = Simulator::start(quick().refuse_sign_out_in_call(true))
        .await
        .unwrap();
    let board = listening_board(&sim, &[]).await;
    sim.faults().inject(FaultRule::on(
        "signOut",
        Fault::Latency(Duration::from_secs(30)),
    ));
    signal(&board, libc::SIGTERM);
    wait_until(|| sim.received("signOut") == 1, "signing out").await;
    signal(&board, libc::SIGTERM);
    assert_eq!(exit_status(board, Duration::from_secs(3)).await, 130);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_panic_in_the_board_still_signs_out() {
    let sim = Simulator::start(quick()).await.unwrap();
    let board = listening_board(&sim, &[("CCGW_PANIC_AFTER_SIGN_IN", "1")]).await;
    assert_eq!(exit_status(board, Duration::from_secs(5)).await, 101);
    assert_eq!(sim.received("signIn"), 1);
    assert_eq!(sim.received("signOut"), 1);
    assert!(signed_out(&sim));
}

/// `ccgw watch` on a terminal, as a person starts it: Ctrl-C typed (the terminal sends
/// SIGINT), and each signal, sign out within 5 s.
#[tokio::test(flavor = "multi_thread")]
async fn each_signal_and_ctrl_c_signs_watch_out_on_a_terminal() {
    for way in ["Ctrl-C", "INT", "TERM", "HUP"] {
        let sim = Simulator::start(quick()).await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let rules = common::waiting_rule(dir.path());
        let mut command = Command::new(env!("CARGO_BIN_EXE_ccgw"));
        command
            .isolated()
            .args(["watch", "--gateway", &sim.base_url(), "--agent", "101"])
            .args(["--every", "1", "--rules"])
            .arg(&rules)
            .env("TERM", "xterm")
            .env("CCGW_PASSWORD", DEFAULT_PASSWORD);
        let mut watch = Session::spawn(command).unwrap();
        wait_until(|| sim.received("queryStatInfoOfAcd") >= 1, "a round").await;
        interrupt(&mut watch, way);
        assert_eq!(exit_status(watch, Duration::from_secs(5)).await, 0, "{way}");
        assert!(signed_out(&sim), "{way}: the simulator saw the sign-out");
    }
}

/// The same off a terminal (a service, a pipe): each signal signs out within 5 s.
#[tokio::test(flavor = "multi_thread")]
async fn each_signal_signs_watch_out() {
    for (name, number) in [
        ("INT", libc::SIGINT),
        ("TERM", libc::SIGTERM),
        ("HUP", libc::SIGHUP),
    ] {
        let sim = Simulator::start(quick()).await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let rules = common::waiting_rule(dir.path());
        let mut watch = tokio::process::Command::new(env!("CARGO_BIN_EXE_ccgw"))
            .isolated()
            .args([
                "watch",
                "--gateway",
                &sim.base_url(),
                "--agent",
                "101",
                "--every",
                "1",
            ])
            .arg("--rules")
            .arg(&rules)
            .env("CCGW_PASSWORD", DEFAULT_PASSWORD)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        wait_until(|| sim.received("queryStatInfoOfAcd") >= 1, "a round").await;
        // SAFETY: a signal to our own child.
        assert_eq!(unsafe { libc::kill(watch.id().unwrap() as i32, number) }, 0);
        let status = tokio::time::timeout(Duration::from_secs(5), watch.wait())
            .await
            .unwrap_or_else(|_| panic!("SIG{name}: watch still runs after 5 s"))
            .unwrap();
        assert_eq!(status.code(), Some(0), "SIG{name}");
        assert!(signed_out(&sim), "SIG{name}: signed out");
    }
}

/// `ccgw recording play` in a pseudo-terminal, once the gateway says it plays.
async fn playing(sim: &RunningSim) -> expectrl::session::OsSession {
    let record = sim.recording_of("1001").unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_ccgw"));
    command.isolated();
    command
        .args([
            "recording",
            "play",
            &record,
            "--gateway",
            &sim.base_url(),
            "--agent",
            "101",
        ])
        .env("TERM", "xterm")
        .env("CCGW_PASSWORD", DEFAULT_PASSWORD);
    let mut player = Session::spawn(command).unwrap();
    player.set_expect_timeout(Some(Duration::from_secs(10)));
    player.expect("space pauses").unwrap();
    wait_until(|| sim.received("playRecording") == 1, "playing").await;
    player
}

#[tokio::test(flavor = "multi_thread")]
async fn each_signal_and_ctrl_c_stops_the_playback_and_signs_out() {
    for way in ["Ctrl-C", "INT", "TERM", "HUP"] {
        let sim = Simulator::start(quick()).await.unwrap();
        let mut player = playing(&sim).await;
        interrupt(&mut player, way);
        let code = exit_status(player, Duration::from_secs(5)).await;
        assert_eq!(code, 0, "{way}");
        assert_eq!(
            sim.received("stopPlayback"),
            1,
            "{way}: the playback was stopped"
        );
        assert_eq!(sim.received("signOut"), 1, "{way}");
        assert!(signed_out(&sim), "{way}: the simulator saw the sign-out");
    }
}
