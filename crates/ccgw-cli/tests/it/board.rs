//! `ccgw board` in a pseudo-terminal against the simulator: it lists agent 1001 as
//! talking, `l` makes the simulator report inspector 101 listening to 1001, and `q`
//! signs out (the simulator no longer knows the session) and exits within 5 s.

use std::process::Command;
use std::time::{Duration, Instant};

use ccgw_sim::{AgentState, DEFAULT_PASSWORD, QcMode, Simulator};
use expectrl::{Eof, Expect, Regex, Session};

use crate::common::Isolated;

/// `ccgw board` against `url` as inspector 101, refreshing every second, in a
/// pseudo-terminal; each expectation waits at most 10 s.
fn board_in_a_terminal(url: &str) -> expectrl::session::OsSession {
    board_with_journal(url, &crate::common::test_journal())
}

/// [`board_in_a_terminal`] keeping its audit journal at `journal`.
fn board_with_journal(url: &str, journal: &std::path::Path) -> expectrl::session::OsSession {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ccgw"));
    command.isolated();
    command
        .args([
            "board",
            "--gateway",
            url,
            "--agent",
            "101",
            "--refresh",
            "1",
        ])
        .env("TERM", "xterm")
        .env("CCGW_PASSWORD", DEFAULT_PASSWORD)
        .env("CCGW_AUDIT", journal);
    let mut p = Session::spawn(command).unwrap();
    p.set_expect_timeout(Some(Duration::from_secs(10)));
    p
}

#[tokio::test(flavor = "multi_thread")]
async fn list_listen_and_quit() {
    let sim = Simulator::start(ccgw_sim::testing::quick().refuse_sign_out_in_call(true))
        .await
        .unwrap();
    let mut p = board_in_a_terminal(&sim.base_url());
    let sim = std::sync::Arc::new(sim);
    let watched = sim.clone();
    let quit_took = tokio::task::spawn_blocking(move || -> Result<_, expectrl::Error> {
        p.expect(Regex(r"1001\s+Agent 1001\s+talking"))?;
        p.send("l")?;
        let deadline = Instant::now() + Duration::from_secs(5);
        while watched.mode_of("101", "1001") != QcMode::Listening {
            assert!(
                Instant::now() < deadline,
                "the simulator never saw the listen"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        p.expect("listening")?;
        let started = Instant::now();
        p.send("q")?;
        p.expect(Eof)?;
        let status = p.get_process().wait().unwrap();
        Ok((started.elapsed(), status))
    })
    .await
    .unwrap()
    .expect("the board went as keyed");
    let (took, status) = quit_took;
    assert!(took < Duration::from_secs(5), "{took:?}");
    assert!(
        matches!(status, expectrl::process::unix::WaitStatus::Exited(_, 0)),
        "{status:?}"
    );
    assert_eq!(
        sim.current_guid("101"),
        None,
        "the simulator no longer knows the session"
    );
    assert_eq!(sim.agent_state("101"), Some(AgentState::SignedOut));
    assert_eq!(sim.mode_of("101", "1001"), QcMode::Idle);
}

/// A journal torn by another writer after the board started: `l` is refused with
/// nothing sent, and the status line says why; `q` still signs out.
#[tokio::test(flavor = "multi_thread")]
async fn a_journal_that_cannot_be_written_refuses_listen_and_the_status_says_why() {
    let sim = Simulator::start(ccgw_sim::testing::quick()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("a.jsonl");
    let mut p = board_with_journal(&sim.base_url(), &journal);
    let torn = journal.clone();
    tokio::task::spawn_blocking(move || -> Result<_, expectrl::Error> {
        p.expect(Regex(r"1001\s+Agent 1001\s+talking"))?;
        std::fs::write(&torn, r#"{"seq":1,"at":"#).unwrap();
        p.send("l")?;
        p.expect("audit journal cannot be written")?;
        p.send("q")?;
        p.expect(Eof)?;
        Ok(p.get_process().wait().unwrap())
    })
    .await
    .unwrap()
    .expect("the board went as keyed");
    assert_eq!(sim.received("listen"), 0, "nothing reached the gateway");
    assert_eq!(sim.mode_of("101", "1001"), QcMode::Idle);
    assert!(crate::common::signed_out(&sim));
}

/// A floor of 5,000 agents in 20 queues: the first screen lists every agent with the
/// queue pane, within seconds; refreshes go on for a while without one query over the
/// overload budget; and `q` still signs out.
#[tokio::test(flavor = "multi_thread")]
async fn a_floor_of_5000_agents_within_the_budget() {
    let sim = Simulator::start(ccgw_sim::testing::quick().large_tenant(5_000, 20))
        .await
        .unwrap();
    let mut p = board_in_a_terminal(&sim.base_url());
    let sim = std::sync::Arc::new(sim);
    let watched = sim.clone();
    let (first_screen, status) =
        tokio::task::spawn_blocking(move || -> Result<_, expectrl::Error> {
            let started = Instant::now();
            // Drawn by difference, words apart by cursor moves: expect the words.
            p.expect("more),")?;
            p.expect("(5000)")?;
            let first_screen = started.elapsed();
            // Refreshes a second apart, five more of them: the budget is judged over
            // traffic that went on for seconds, not over the first screen alone.
            let before = watched.received("queryAgentInfoByList");
            let deadline = Instant::now() + Duration::from_secs(20);
            while watched.received("queryAgentInfoByList") < before + 5 {
                assert!(Instant::now() < deadline, "it kept refreshing");
                std::thread::sleep(Duration::from_millis(100));
            }
            p.send("q")?;
            p.expect(Eof)?;
            Ok((first_screen, p.get_process().wait().unwrap()))
        })
        .await
        .unwrap()
        .expect("the board went as keyed");
    assert!(first_screen < Duration::from_secs(10), "{first_screen:?}");
    assert!(
        matches!(status, expectrl::process::unix::WaitStatus::Exited(_, 0)),
        "{status:?}"
    );
    assert_eq!(
        sim.refused_over_budget(),
        0,
        "no 2 s window over the budget"
    );
    assert_eq!(sim.received("queryAllOnlineAgents"), 0);
    assert_eq!(sim.current_guid("101"), None, "signed out");
}
