//! Ways out that used to strand a session or hide a dead link, through the real binary:
//! standard output closed under the console (`| head -n 1`), the board without a
//! terminal, a hung-up terminal, a panic, Ctrl-C at the prompt, a first event poll that is
//! never answered, and a gateway answering in the shapes real ones do.

use crate::common::{self, Isolated};

use std::process::{Command as StdCommand, Stdio};
use std::time::{Duration, Instant};

use ccgw_sim::{DEFAULT_PASSWORD, Fault, FaultRule, QcMode, RunningSim, Simulator};
use common::{ccgw, console_args, quick, signed_out, wait_until};
use expectrl::session::OsSession;
use expectrl::{ControlCode, Eof, Expect, Session};
use tokio::io::AsyncWriteExt;
use tokio::process::Command;

#[tokio::test(flavor = "multi_thread")]
async fn a_console_whose_output_closes_signs_out_and_ends_quietly() {
    let sim = Simulator::start(quick().refuse_sign_out_in_call(true))
        .await
        .unwrap();
    // `head -n 1` takes the first line and leaves; the console's next write fails.
    let pipeline = format!(
        "'{}' console --gateway '{}' --agent 101 --json | head -n 1",
        env!("CARGO_BIN_EXE_ccgw"),
        sim.base_url()
    );
    let mut child = Command::new("sh")
        .isolated()
        .args(["-c", &pipeline])
        .env("CCGW_PASSWORD", DEFAULT_PASSWORD)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(b"listen 1001\n").await.unwrap();
    stdin.flush().await.unwrap();
    // Standard input stays open: only the closed output can end the console.
    let output = tokio::time::timeout(Duration::from_secs(10), child.wait_with_output())
        .await
        .expect("the console ends once nobody reads its output")
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(signed_out(&sim), "the inspector is signed out: {stderr}");
    assert_eq!(sim.mode_of("101", "1001"), QcMode::Idle);
    drop(stdin);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_board_without_a_terminal_says_why_and_never_signs_in() {
    let sim = Simulator::start(quick().refuse_sign_out_in_call(true))
        .await
        .unwrap();
    let output = tokio::task::spawn_blocking({
        let url = sim.base_url();
        move || {
            StdCommand::new("setsid")
                .isolated()
                .args([env!("CARGO_BIN_EXE_ccgw"), "board", "--gateway", &url])
                .args(["--agent", "101"])
                .env("CCGW_PASSWORD", DEFAULT_PASSWORD)
                .stdin(Stdio::null())
                .output()
                .unwrap()
        }
    })
    .await
    .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("needs a terminal"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(sim.received("signIn"), 0, "nothing was signed in");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_panic_after_sign_in_still_signs_out() {
    let sim = Simulator::start(quick().refuse_sign_out_in_call(true))
        .await
        .unwrap();
    let url = sim.base_url();
    let run = ccgw(
        &console_args(&url, &["--json"]),
        &[
            ("CCGW_PASSWORD", DEFAULT_PASSWORD),
            ("CCGW_PANIC_AFTER_SIGN_IN", "1"),
        ],
        &["@sleep 5000"],
    )
    .await;
    assert_eq!(run.status, 101, "{}", run.stderr);
    assert!(run.stderr.contains("signing out"), "{}", run.stderr);
    assert_eq!(sim.received("signIn"), 1);
    assert_eq!(sim.received("signOut"), 1);
    assert!(signed_out(&sim));
}

/// The console on a pseudo-terminal, listening to agent 1001.
fn interactive_console(url: &str) -> Result<OsSession, expectrl::Error> {
    let mut command = StdCommand::new(env!("CARGO_BIN_EXE_ccgw"));
    command.isolated();
    command
        .args(["console", "--gateway", url, "--agent", "101"])
        .env("TERM", "xterm")
        .env("CCGW_PASSWORD", DEFAULT_PASSWORD)
        .env("CCGW_HISTORY", "/dev/null");
    let mut p = Session::spawn(command)?;
    p.set_expect_timeout(Some(Duration::from_secs(10)));
    p.expect("ccgw> ")?;
    p.send("listen 1001\r")?;
    p.expect("ok      listen 1001")?;
    p.expect("ccgw> ")?;
    Ok(p)
}

#[tokio::test(flavor = "multi_thread")]
async fn ctrl_c_clears_a_line_then_says_how_to_leave_then_leaves() {
    let sim = Simulator::start(quick().refuse_sign_out_in_call(true))
        .await
        .unwrap();
    let url = sim.base_url();
    let status = tokio::task::spawn_blocking({
        move || -> Result<_, expectrl::Error> {
            let mut p = interactive_console(&url)?;
            p.send("force-busy 10")?;
            p.send(ControlCode::EndOfText)?;
            p.send("inspections\r")?;
            p.expect("ok      inspections: 1001 listen")?;
            p.expect("ccgw> ")?;
            p.send(ControlCode::EndOfText)?;
            p.expect("to leave, press Ctrl-C again")?;
            p.send(ControlCode::EndOfText)?;
            p.expect("signing out")?;
            p.expect(Eof)?;
            Ok(p.get_process().wait().unwrap())
        }
    })
    .await
    .unwrap();
    common::assert_typed_and_exited_zero(status);
    assert_eq!(sim.received("forceBusy"), 0, "the cleared line was not run");
    assert!(signed_out(&sim));
}

/// A pseudo-terminal whose master side this test holds alone, so that closing it hangs
/// the terminal up for real: the kernel sends SIGHUP to the program on it, and every
/// write to the terminal fails (EIO) from then on.
struct HangablePty {
    master: std::fs::File,
    seen: String,
}

impl HangablePty {
    /// Runs `command` as the leader of a new session whose controlling terminal is the
    /// pseudo-terminal's slave side.
    fn spawn(mut command: StdCommand) -> (HangablePty, std::process::Child) {
        use std::os::fd::{FromRawFd, OwnedFd};
        use std::os::unix::process::CommandExt;
        // Both sides are opened close-on-exec, so that no other program this test binary
        // starts (tests run in parallel) keeps a copy of the master side open.
        // SAFETY: plain calls on descriptors opened here and owned here alone.
        let (master, slave) = unsafe {
            let master = libc::posix_openpt(libc::O_RDWR | libc::O_NOCTTY | libc::O_CLOEXEC);
            assert!(master >= 0, "posix_openpt");
            assert_eq!(libc::grantpt(master), 0);
            assert_eq!(libc::unlockpt(master), 0);
            let mut name = [0 as libc::c_char; 128];
            assert_eq!(libc::ptsname_r(master, name.as_mut_ptr(), name.len()), 0);
            let slave = libc::open(
                name.as_ptr(),
                libc::O_RDWR | libc::O_NOCTTY | libc::O_CLOEXEC,
            );
            assert!(slave >= 0, "open the slave side");
            let flags = libc::fcntl(master, libc::F_GETFL);
            libc::fcntl(master, libc::F_SETFL, flags | libc::O_NONBLOCK);
            (OwnedFd::from_raw_fd(master), OwnedFd::from_raw_fd(slave))
        };
        command
            .stdin(slave.try_clone().unwrap())
            .stdout(slave.try_clone().unwrap())
            .stderr(slave);
        // SAFETY: only async-signal-safe calls between fork and exec.
        unsafe {
            command.pre_exec(|| {
                if libc::setsid() < 0 || libc::ioctl(0, libc::TIOCSCTTY, 0) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let child = command.spawn().unwrap();
        drop(command);
        let pty = HangablePty {
            master: std::fs::File::from(master),
            seen: String::new(),
        };
        (pty, child)
    }

    fn send(&mut self, text: &str) {
        use std::io::Write;
        self.master.write_all(text.as_bytes()).unwrap();
    }

    /// Reads until `text` appears (after what earlier waits consumed), for at most 10 s.
    fn expect(&mut self, text: &str) {
        use std::io::Read;
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut buf = [0u8; 4096];
        loop {
            if let Some(at) = self.seen.find(text) {
                self.seen.drain(..at + text.len());
                return;
            }
            assert!(Instant::now() < deadline, "no {text:?} in {:?}", self.seen);
            match self.master.read(&mut buf) {
                Ok(n) if n > 0 => self.seen.push_str(&String::from_utf8_lossy(&buf[..n])),
                _ => std::thread::sleep(Duration::from_millis(20)),
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_hung_up_terminal_signs_out_even_though_nothing_can_be_printed() {
    let sim = Simulator::start(quick().refuse_sign_out_in_call(true))
        .await
        .unwrap();
    let url = sim.base_url();
    let mut child = tokio::task::spawn_blocking(move || {
        let mut command = StdCommand::new(env!("CARGO_BIN_EXE_ccgw"));
        command.isolated();
        command
            .args(["console", "--gateway", &url, "--agent", "101"])
            .env("TERM", "xterm")
            .env("CCGW_PASSWORD", DEFAULT_PASSWORD)
            .env("CCGW_HISTORY", "/dev/null");
        let (mut pty, child) = HangablePty::spawn(command);
        pty.expect("ccgw> ");
        pty.send("listen 1001\r");
        pty.expect("ok      listen 1001");
        drop(pty);
        child
    })
    .await
    .unwrap();
    wait_until(|| signed_out(&sim), "signed out after the hang-up").await;
    assert_eq!(sim.mode_of("101", "1001"), QcMode::Idle);
    let status = tokio::task::spawn_blocking(move || child.wait().unwrap())
        .await
        .unwrap();
    assert_ne!(status.code(), Some(101), "no panic: {status:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_first_poll_never_answered_does_not_hide_a_later_event() {
    let sim = Simulator::start(quick().refuse_sign_out_in_call(true))
        .await
        .unwrap();
    sim.faults()
        .inject(FaultRule::on("pollEvent", Fault::Hang).times(1));
    let url = sim.base_url();
    let run = ccgw(
        &console_args(&url, &["--json", "--poll-timeout", "1"]),
        &[("CCGW_PASSWORD", DEFAULT_PASSWORD)],
        &[
            "listen 1001",
            // The poll that hung is given up, and the one after it brings the event.
            "@seen LinkFailing",
            "@seen AgentOther_PhoneOffhook",
            "quit",
        ],
    )
    .await;
    assert_eq!(run.status, 0, "{}\n{}", run.stdout, run.stderr);
    let names: Vec<String> = run
        .events()
        .iter()
        .map(|e| e["event"].as_str().unwrap().to_owned())
        .collect();
    assert!(names.contains(&"LinkFailing".to_owned()), "{names:?}");
    assert!(
        names.contains(&"AgentOther_PhoneOffhook".to_owned()),
        "{names:?}"
    );
    assert!(signed_out(&sim));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_gateway_answering_in_gbk_with_nul_padded_events_is_understood() {
    let sim = Simulator::start(quick().quirks(true)).await.unwrap();
    let url = sim.base_url();
    let call = sim.call_of("1001").unwrap();
    let run = ccgw(
        &console_args(&url, &["--json"]),
        &[("CCGW_PASSWORD", DEFAULT_PASSWORD)],
        &[
            "agent 1001",
            "listen 1001",
            "intercept 1001",
            "events",
            "quit",
        ],
    )
    .await;
    assert_eq!(run.status, 0, "{}\n{}", run.stdout, run.stderr);
    let results = run.results();
    assert_eq!(results[0]["name"], "坐席1001", "{}", results[0]);
    let talking = run
        .events()
        .into_iter()
        .find(|e| e["event"] == "AgentEvent_Talking")
        .expect("AgentEvent_Talking");
    assert_eq!(talking["workNo"], "101");
    assert_eq!(talking["content"]["callid"], call.as_str(), "{talking}");
    assert!(signed_out(&sim));
}

/// Runs `command` (the console, signed in as 101) on a pseudo-terminal, types `status`
/// as a script would be fed, ends the input, and checks that it ran as a script: no
/// prompt needed, the result printed, exit 0, signed out.
async fn runs_as_a_script(sim: &RunningSim, command: StdCommand) {
    let status = tokio::task::spawn_blocking(move || -> Result<_, expectrl::Error> {
        let mut p = Session::spawn(command)?;
        p.set_expect_timeout(Some(Duration::from_secs(10)));
        p.expect("type help for commands")?;
        p.send("status\n")?;
        p.expect("ok      status: idle")?;
        p.send(ControlCode::EndOfTransmission)?;
        p.expect(Eof)?;
        Ok(p.get_process().wait().unwrap())
    })
    .await
    .unwrap();
    common::assert_typed_and_exited_zero(status);
    assert!(signed_out(sim));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_terminal_that_cannot_draw_an_editor_gets_the_script_console() {
    let sim = Simulator::start(quick().refuse_sign_out_in_call(true))
        .await
        .unwrap();
    let mut command = StdCommand::new(env!("CARGO_BIN_EXE_ccgw"));
    command.isolated();
    command
        .args(["console", "--gateway", &sim.base_url(), "--agent", "101"])
        .env("TERM", "dumb")
        .env("CCGW_PASSWORD", DEFAULT_PASSWORD);
    runs_as_a_script(&sim, command).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn typing_at_a_terminal_with_the_output_in_a_pipe_runs_as_a_script() {
    let sim = Simulator::start(quick().refuse_sign_out_in_call(true))
        .await
        .unwrap();
    // `ccgw console | cat`: lines typed at the terminal, results into a pipe.
    let pipeline = format!(
        "'{}' console --gateway '{}' --agent 101 | cat",
        env!("CARGO_BIN_EXE_ccgw"),
        sim.base_url()
    );
    let mut command = StdCommand::new("sh");
    command.isolated();
    command
        .args(["-c", &pipeline])
        .env("TERM", "xterm")
        .env("CCGW_PASSWORD", DEFAULT_PASSWORD);
    runs_as_a_script(&sim, command).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_empty_password_typed_at_the_prompt_is_refused_before_anything_is_sent() {
    let sim = Simulator::start(quick().refuse_sign_out_in_call(true))
        .await
        .unwrap();
    let url = sim.base_url();
    let status = tokio::task::spawn_blocking(move || -> Result<_, expectrl::Error> {
        let mut command = StdCommand::new(env!("CARGO_BIN_EXE_ccgw"));
        command.isolated();
        command
            .args(["console", "--gateway", &url, "--agent", "101"])
            .env("TERM", "xterm");
        let mut p = Session::spawn(command)?;
        p.set_expect_timeout(Some(Duration::from_secs(10)));
        p.expect("password: ")?;
        p.send("\r")?;
        p.expect("the password typed is empty")?;
        p.expect(Eof)?;
        Ok(p.get_process().wait().unwrap())
    })
    .await
    .unwrap()
    .expect("the prompt went as typed");
    assert!(
        matches!(status, expectrl::process::unix::WaitStatus::Exited(_, 2)),
        "{status:?}"
    );
    assert_eq!(sim.received("signIn"), 0, "nothing was sent");
}
