//! The board's action keys on the wire, in a pseudo-terminal: each reaches the operation
//! its help names, for the agent selected and the call the question named; and a question
//! never acts on an agent it did not name, whether the rows change under it, a key moves
//! on, or its agent leaves the list.

use std::sync::Arc;
use std::time::{Duration, Instant};

use ccgw_sim::testing::Wire;
use ccgw_sim::{AgentState, RunningSim, Simulator};
use expectrl::{Eof, Expect};
use reqwest::Method;

use crate::board_ways_out::listening_board;
use crate::common::{quick, signed_out};

/// Waits (blocking, 5 s at most) until the simulator received `count` requests of
/// `operation`.
fn sent(sim: &RunningSim, operation: &str, count: u64) {
    let deadline = Instant::now() + Duration::from_secs(5);
    while sim.received(operation) < count {
        assert!(
            Instant::now() < deadline,
            "{operation} never reached the simulator {count} times"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Each action key reaches, on the wire, the operation its help names, for the agent
/// selected (stop ends a whisper by its own operation); a destructive one only after `y`,
/// for the agent and the call the question named.
#[tokio::test(flavor = "multi_thread")]
async fn each_action_key_reaches_its_operation_for_the_agent_asked_about() {
    let sim = Simulator::start(quick()).await.unwrap();
    let mut board = listening_board(&sim, &[]).await;
    let sim = Arc::new(sim);
    let watched = sim.clone();
    let calls_before: Vec<Option<String>> = ["1003", "1004", "1005"]
        .iter()
        .map(|agent| sim.call_of(agent))
        .collect();
    assert!(calls_before.iter().all(Option::is_some), "{calls_before:?}");
    let taken = calls_before[1].clone();
    tokio::task::spawn_blocking(move || -> Result<(), expectrl::Error> {
        let sent = |operation: &str, count: u64| sent(&watched, operation, count);
        // 1001 is selected and listened to (by `listening_board`).
        sent("listen", 1);
        // Each key, and how many of its operation the simulator has seen after it.
        for (key, operation, count) in [
            ("s", "switchListenInsert", 1),
            ("x", "stopListenOrInsert", 1),
            ("i", "insert", 1),
            ("x", "stopListenOrInsert", 2),
            ("w", "requestWhisper", 1),
            // Stopping a whisper is its own operation: the key knows the mode.
            ("x", "stopWhisper", 1),
            ("b", "forceBusy", 1),
            ("d", "forceIdle", 1),
        ] {
            board.send(key)?;
            sent(operation, count);
        }
        // Down to 1002, ask about it, answer yes: 1002 is signed out, 1001 is not.
        board.send("j")?;
        board.send("o")?;
        board.expect("force to sign out agent 1002?")?;
        assert_eq!(watched.received("forceSignOut"), 0, "asked first, not sent");
        board.send("y")?;
        sent("forceSignOut", 1);
        // Down one more each time: a question about a call names the call it looked up
        // (the screen is drawn in diffs, so only a fragment new to it is looked for).
        // Dropping 1003's call, then intercepting 1004's (while listening to it).
        for (key, operation, listen_first) in [
            ("c", "forceReleaseCall", false),
            ("t", "interceptCall", true),
        ] {
            board.send("j")?;
            if listen_first {
                board.send("l")?;
                sent("listen", 2);
            }
            board.send(key)?;
            board.expect("(call ")?;
            assert_eq!(watched.received(operation), 0, "{key}: asked first");
            board.send("y")?;
            sent(operation, 1);
        }
        wait(|| watched.call_of("101") == taken);
        board.send("q")?;
        board.expect(Eof)?;
        Ok(())
    })
    .await
    .unwrap()
    .expect("the board went as keyed");
    assert_eq!(sim.agent_state("1002"), Some(AgentState::SignedOut));
    assert_ne!(sim.agent_state("1001"), Some(AgentState::SignedOut));
    let calls_after: Vec<Option<String>> = ["1003", "1004", "1005"]
        .iter()
        .map(|agent| sim.call_of(agent))
        .collect();
    assert_ne!(calls_after[0], calls_before[0], "1003's call was dropped");
    assert_eq!(
        calls_after[1], None,
        "1004 left the call the inspector took"
    );
    assert_eq!(calls_after[2], calls_before[2], "1005's call went on");
    assert!(signed_out(&sim));
}

/// A question acts on the agent it named or not at all: the rows change under it (an
/// agent above signed out elsewhere) and `y` still signs out the agent asked about; a key
/// that moves on answers no; an agent that leaves the list withdraws the question, and a
/// late `y` sends nothing.
#[tokio::test(flavor = "multi_thread")]
async fn a_question_never_acts_on_an_agent_it_did_not_name() {
    let mut config = quick();
    config.vdns[0].inspectors.push("102".to_owned());
    let sim = Simulator::start(config).await.unwrap();
    let mut board = listening_board(&sim, &[]).await;
    // Another inspector of the same tenant, on the wire.
    let wire = Wire::new(&sim.base_url());
    let other = wire.sign_in("102").await;
    let sim = Arc::new(sim);
    let watched = sim.clone();
    let runtime = tokio::runtime::Handle::current();
    let sign_out_elsewhere = move |agent: &str| {
        let path = format!("forcelogout/{agent}");
        let answer = runtime.block_on(wire.qc(Method::POST, &other, "102", &path));
        assert_eq!(answer.retcode(), "0", "{}", answer.body);
    };
    tokio::task::spawn_blocking(move || -> Result<(), expectrl::Error> {
        let sent = |operation: &str, count: u64| sent(&watched, operation, count);
        // The rows change under the question: 1002, above 1003, signs out elsewhere, and
        // two refreshes go by before the answer.
        board.send("j")?;
        board.send("j")?;
        board.send("o")?;
        board.expect("force to sign out agent 1003?")?;
        sign_out_elsewhere("1002");
        let refreshes = watched.received("queryAgentInfoByList");
        sent("queryAgentInfoByList", refreshes + 2);
        board.send("y")?;
        sent("forceSignOut", 2);
        wait(|| watched.agent_state("1003") == Some(AgentState::SignedOut));
        assert_ne!(watched.agent_state("1004"), Some(AgentState::SignedOut));

        // A key that moves on answers no; the `y` after it is no answer at all. The next
        // action, sent after both, shows the keys were read.
        board.send("o")?;
        board.expect("force to sign out agent")?;
        board.send("j")?;
        board.expect("not sent")?;
        board.send("y")?;
        board.send("b")?;
        sent("forceBusy", 1);
        quiet_window();
        assert_eq!(watched.received("forceSignOut"), 2, "nothing sent after no");

        // The agent asked about leaves the list before the answer: withdrawn. (Filtered
        // down to 1007, so that the question is about it; the screen is drawn in diffs,
        // so only the end of the question, new to it, is looked for.)
        board.send("/1007\r")?;
        board.send("o")?;
        board.expect("y/n")?;
        sign_out_elsewhere("1007");
        board.expect("withdrawn: agent 1007")?;
        board.send("y")?;
        // The filter cleared, the next action shows the keys were read.
        board.send("/\x7f\x7f\x7f\x7f\r")?;
        board.send("d")?;
        sent("forceIdle", 1);
        quiet_window();
        assert_eq!(
            watched.received("forceSignOut"),
            3,
            "only the other inspector's sign-out of 1007"
        );
        board.send("q")?;
        board.expect(Eof)?;
        Ok(())
    })
    .await
    .unwrap()
    .expect("the board went as keyed");
    for agent in ["1001", "1005", "1006", "1008"] {
        assert_ne!(
            sim.agent_state(agent),
            Some(AgentState::SignedOut),
            "{agent}"
        );
    }
    assert!(signed_out(&sim));
}

/// Waits (blocking, 5 s at most) until `done` holds.
fn wait(done: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(5);
    while !done() {
        assert!(Instant::now() < deadline, "not within 5 s");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A quiet window that proves a request was not sent: the board sends each action as it
/// reads its key, so one that was asked for would have arrived long before it ends.
fn quiet_window() {
    std::thread::sleep(Duration::from_millis(300));
}
