//! Every way out of the console signs the session out: SIGINT, SIGTERM and SIGHUP sent
//! to the real binary while it listens to a call, with its input still open. A second
//! SIGINT or SIGTERM while signing out exits at once. And the exit statuses: what changes
//! them and what does not; the simulator's own way out.

use crate::common::{self, Isolated};

use std::process::{Command as StdCommand, Stdio};
use std::time::{Duration, Instant};

use common::{ccgw, console_args, quick, signed_out, wait_until};

use ccgw_sim::{AgentState, DEFAULT_PASSWORD, Fault, FaultRule, QcMode, RunningSim, Simulator};
use tokio::io::AsyncWriteExt;
use tokio::process::{Child, Command};

/// The console, listening to agent 1001, its standard input left open.
async fn listening_console(sim: &RunningSim) -> (Child, tokio::process::ChildStdin) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ccgw"))
        .isolated()
        .args([
            "console",
            "--gateway",
            &sim.base_url(),
            "--agent",
            "101",
            "--json",
        ])
        .env("CCGW_PASSWORD", DEFAULT_PASSWORD)
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
        let sim = Simulator::start(quick().refuse_sign_out_in_call(true))
            .await
            .unwrap();
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
        let sim = Simulator::start(quick().refuse_sign_out_in_call(true))
            .await
            .unwrap();
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
        .isolated()
        .arg("demo")
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

#[tokio::test(flavor = "multi_thread")]
async fn the_simulator_stops_cleanly_on_sigterm() {
    let port = ccgw_sim::testing::unused_port();
    let child = Command::new(env!("CARGO_BIN_EXE_ccgw"))
        .isolated()
        .args(["sim", "--listen", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .is_err()
    {
        assert!(Instant::now() < deadline, "the simulator never listened");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let pid = child.id().unwrap().to_string();
    assert!(
        StdCommand::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let output = tokio::time::timeout(Duration::from_secs(5), child.wait_with_output())
        .await
        .expect("stopped within 5 s")
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("SIGTERM: stopping"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failed_sign_out_is_said_and_does_not_change_the_status() {
    let sim = Simulator::start(quick().refuse_sign_out_in_call(true))
        .await
        .unwrap();
    sim.faults()
        .inject(FaultRule::on("signOut", Fault::Status(503)));
    let url = sim.base_url();
    let run = ccgw(
        &console_args(&url, &["--json"]),
        &[("CCGW_PASSWORD", DEFAULT_PASSWORD)],
        &["status", "quit"],
    )
    .await;
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(run.stderr.contains("sign-out failed"), "{}", run.stderr);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_gateway_ending_the_session_does_not_change_the_status() {
    let sim = Simulator::start(quick().refuse_sign_out_in_call(true))
        .await
        .unwrap();
    let url = sim.base_url();
    let dir = tempfile::tempdir().unwrap();
    let answered = dir.path().join("answered");
    let taker = tokio::spawn({
        let url = url.clone();
        let answered = answered.clone();
        async move {
            // Once `status` was answered, another program takes the inspector over.
            wait_until(|| answered.exists(), "status answered").await;
            let client = ccgw::Client::builder(url).build().unwrap();
            let request = ccgw::SignIn::new("101".parse().unwrap(), DEFAULT_PASSWORD)
                .force(ccgw::ForceLogin::Always)
                .poll_events(false);
            client
                .sign_in(request)
                .await
                .unwrap()
                .sign_out()
                .await
                .unwrap();
        }
    });
    let touch = format!("@touch {}", answered.display());
    let run = ccgw(
        &console_args(&url, &["--json"]),
        &[("CCGW_PASSWORD", DEFAULT_PASSWORD)],
        &[
            "status",
            r#"@seen "command":"status""#,
            &touch,
            "@seen the gateway ended the session",
            "quit",
        ],
    )
    .await;
    taker.await.unwrap();
    assert!(
        run.stderr.contains("the gateway ended the session"),
        "{}",
        run.stderr
    );
    assert_eq!(run.status, 0, "every command succeeded: {}", run.stderr);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_demo_that_cannot_start_says_so_with_status_two() {
    use std::os::unix::process::CommandExt;
    // So few open files that the demo's own set-up (its simulator, its HTTP client) fails
    // before anything is signed in, while the program itself still runs.
    // From fewer files than the async runtime's signal driver needs (tokio panics there
    // unless caught) to enough for the program but not for the demo's simulator.
    let mut ran = 0;
    for files in 5..=11u64 {
        let mut command = StdCommand::new(env!("CARGO_BIN_EXE_ccgw"));
        command.isolated();
        command.arg("demo");
        // SAFETY: setrlimit is async-signal-safe.
        unsafe {
            command.pre_exec(move || {
                let limit = libc::rlimit {
                    rlim_cur: files,
                    rlim_max: files,
                };
                if libc::setrlimit(libc::RLIMIT_NOFILE, &limit) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let output = tokio::task::spawn_blocking(move || command.output().unwrap())
            .await
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        // With descriptors inherited from the runner (a jobserver's, say), the fewest limits
        // leave none for the loader itself: the program never ran, nothing to check.
        if stderr.contains("error while loading shared libraries") {
            continue;
        }
        ran += 1;
        assert_eq!(output.status.code(), Some(2), "{files} files: {stderr}");
        assert!(
            stderr.contains("could not start") || stderr.contains("cannot start"),
            "{files} files: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{files} files: {stderr}");
    }
    assert!(ran >= 3, "only {ran} of the limits let the program run");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_standard_input_that_cannot_be_read_ends_the_script_as_its_end_would() {
    let sim = Simulator::start(quick().refuse_sign_out_in_call(true))
        .await
        .unwrap();
    let url = sim.base_url();
    let output = tokio::task::spawn_blocking(move || {
        // Reading a folder fails (EISDIR) at the first line.
        StdCommand::new(env!("CARGO_BIN_EXE_ccgw"))
            .isolated()
            .args(["console", "--gateway", &url, "--agent", "101", "--json"])
            .env("CCGW_PASSWORD", DEFAULT_PASSWORD)
            .stdin(std::fs::File::open("/").unwrap())
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("cannot read standard input"), "{stderr}");
    assert!(signed_out(&sim));
}
