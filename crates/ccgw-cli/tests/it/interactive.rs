//! The console on a terminal, driven through a pseudo-terminal: the prompt, completion of
//! commands and of agent IDs used before, events printed above a half-typed line,
//! confirmation of destructive commands, history kept in a file, and Ctrl-D signing out.

use crate::common::{self, Isolated};

use std::process::Command;
use std::time::Duration;

use ccgw_sim::{AgentState, DEFAULT_PASSWORD, QcMode, Simulator};
use expectrl::{ControlCode, Eof, Expect, Regex, Session};

#[tokio::test(flavor = "multi_thread")]
async fn prompt_completion_events_above_the_line_and_history() {
    let sim = Simulator::start(ccgw_sim::testing::quick()).await.unwrap();
    let history = tempfile::tempdir().unwrap();
    let history_file = history.path().join("history");
    let mut command = Command::new(env!("CARGO_BIN_EXE_ccgw"));
    command.isolated();
    command
        .args(["console", "--gateway", &sim.base_url(), "--agent", "101"])
        .env("TERM", "xterm")
        .env("CCGW_HISTORY", &history_file);
    let call = sim.call_of("1002").unwrap();
    let drop_call = format!("drop-call {call}\r");
    let status = tokio::task::spawn_blocking(move || -> Result<_, expectrl::Error> {
        let mut p = Session::spawn(command)?;
        p.set_expect_timeout(Some(Duration::from_secs(10)));
        // Typed at the prompt, so that the history check below can fail.
        p.expect("password: ")?;
        p.send(format!("{DEFAULT_PASSWORD}\r"))?;
        p.expect("ccgw> ")?;
        p.send("lis")?;
        p.send("\t")?;
        p.expect("listen ")?;
        p.send("1001\r")?;
        p.expect("ok      listen 1001")?;
        p.expect("ccgw> ")?;
        // A half-typed line; the inspection's events arrive while it waits.
        p.send("sto")?;
        p.expect(Regex(r"\d\d:\d\d:\d\d event +AgentState_Busy 101"))?;
        p.expect("ccgw> sto")?;
        // The agent ID used before completes.
        p.send("p 10")?;
        p.send("\t")?;
        p.expect("stop 1001 ")?;
        p.send("\r")?;
        p.expect("ok      stop 1001")?;
        p.expect("ccgw> ")?;
        // Destructive commands are confirmed; anything but yes sends nothing.
        p.send(&drop_call)?;
        p.expect("for every party? [y/N] ")?;
        p.send("n\r")?;
        p.expect("not sent")?;
        p.expect("ccgw> ")?;
        p.send("inspections\r")?;
        p.expect("ok      inspections: none")?;
        p.expect("ccgw> ")?;
        p.send(ControlCode::EndOfTransmission)?;
        p.expect(Eof)?;
        Ok(p.get_process().wait().unwrap())
    })
    .await
    .unwrap();
    common::assert_typed_and_exited_zero(status);
    assert_eq!(
        sim.agent_state("101"),
        Some(AgentState::SignedOut),
        "Ctrl-D signs out"
    );
    assert_eq!(sim.mode_of("101", "1001"), QcMode::Idle);
    assert_eq!(
        sim.received("forceReleaseCall"),
        0,
        "the drop was not confirmed"
    );
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&history_file)
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600, "the history is its owner's alone");
    let kept = std::fs::read_to_string(&history_file).unwrap();
    assert!(kept.contains("listen 1001"), "{kept}");
    assert!(
        !kept.contains(DEFAULT_PASSWORD),
        "no password in the history, though it was typed: {kept}"
    );
    assert!(
        !kept.lines().any(|l| l == "n"),
        "answers are not history: {kept}"
    );
}
