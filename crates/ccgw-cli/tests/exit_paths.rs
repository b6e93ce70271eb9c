//! Every way out of the console signs the session out: SIGINT, SIGTERM and SIGHUP sent
//! to the real binary while it listens to a call, with its input still open. A second
//! Ctrl-C while signing out exits at once.

use std::process::Stdio;
use std::time::{Duration, Instant};

use ccgw_sim::{
    AgentState, DEFAULT_PASSWORD, Fault, FaultRule, QcMode, RunningSim, SimConfig, Simulator,
};
use tokio::io::AsyncWriteExt;
use tokio::process::{Child, Command};

fn fast() -> SimConfig {
    SimConfig::default().poll_wait(Duration::from_millis(200))
}

/// The console, listening to agent 1001, its standard input left open.
async fn listening_console(sim: &RunningSim) -> (Child, tokio::process::ChildStdin) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ccgw"))
        .args([
            "console",
            "--gateway",
            &sim.base_url(),
            "--agent",
            "101",
            "--json",
        ])
        .env("CCGW_PASSWORD", DEFAULT_PASSWORD)
        .env_remove("RUST_LOG")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("ccgw starts");
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(b"listen 1001\n").await.unwrap();
    stdin.flush().await.unwrap();
    wait_until(
        || sim.mode_of("101", "1001") == QcMode::Listening,
        "listening",
    )
    .await;
    (child, stdin)
}

async fn wait_until(done: impl Fn() -> bool, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(5);
    while !done() {
        assert!(Instant::now() < deadline, "not {what} within 5 s");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn send(child: &Child, signal: &str) {
    let pid = child.id().expect("still running").to_string();
    let status = std::process::Command::new("kill")
        .args([format!("-{signal}"), pid])
        .status()
        .unwrap();
    assert!(status.success());
}

async fn exits_within(child: &mut Child, limit: Duration) -> i32 {
    let status = tokio::time::timeout(limit, child.wait())
        .await
        .unwrap_or_else(|_| panic!("still running after {limit:?}"))
        .unwrap();
    status.code().expect("exited, not killed by the signal")
}

#[tokio::test(flavor = "multi_thread")]
async fn each_signal_signs_out_before_the_console_exits() {
    for signal in ["INT", "TERM", "HUP"] {
        let sim = Simulator::start(fast()).await.unwrap();
        let (mut child, _stdin) = listening_console(&sim).await;
        let started = Instant::now();
        send(&child, signal);
        let code = exits_within(&mut child, Duration::from_secs(5)).await;
        assert_eq!(code, 0, "SIG{signal}: every command had succeeded");
        assert!(started.elapsed() < Duration::from_secs(5));
        assert_eq!(
            sim.agent_state("101"),
            Some(AgentState::SignedOut),
            "SIG{signal}: the inspector is signed out"
        );
        assert_eq!(
            sim.mode_of("101", "1001"),
            QcMode::Idle,
            "SIG{signal}: agent 1001 is no longer inspected"
        );
        assert_eq!(sim.received("signOut"), 1);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_second_signal_of_any_kind_while_signing_out_exits_at_once() {
    // A SIGHUP is not a second signal: a terminal that hangs up sends it twice.
    for (first, second) in [
        ("INT", "INT"),
        ("TERM", "TERM"),
        ("HUP", "TERM"),
        ("INT", "TERM"),
    ] {
        let sim = Simulator::start(fast()).await.unwrap();
        let (mut child, _stdin) = listening_console(&sim).await;
        sim.faults().inject(FaultRule::on(
            "signOut",
            Fault::Latency(Duration::from_secs(30)),
        ));
        send(&child, first);
        wait_until(|| sim.received("signOut") == 1, "signing out").await;
        send(&child, second);
        let code = exits_within(&mut child, Duration::from_secs(3)).await;
        assert_eq!(code, 130, "SIG{first} then SIG{second}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_demo_signs_out_when_interrupted() {
    use tokio::io::{AsyncBufReadExt, BufReader};
    let mut child = Command::new(env!("CARGO_BIN_EXE_ccgw"))
        .arg("demo")
        .env_remove("RUST_LOG")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut seen = Vec::new();
    while let Some(line) = lines.next_line().await.unwrap() {
        let signed_in = line.contains("signed in;");
        seen.push(line);
        if signed_in {
            break;
        }
    }
    send(&child, "INT");
    while let Some(line) = lines.next_line().await.unwrap() {
        seen.push(line);
    }
    let code = exits_within(&mut child, Duration::from_secs(5)).await;
    let text = seen.join("\n");
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("8. Sign out."), "{text}");
    assert!(text.contains("   signed out;"), "{text}");
}
