//! Scripted console sessions against the simulator, in both output modes.

use crate::common;

use std::time::Duration;

use ccgw_sim::{AgentState, DEFAULT_PASSWORD, Fault, FaultRule, QcMode, Simulator};
use common::{Checkpoint, ccgw, console_args, quick};
use serde_json::json;

/// Every command, each expected to succeed, in an order the gateway accepts.
const EVERY_COMMAND: &[&str] = &[
    "help",
    "listen 1001",
    "events",
    "switch 1001",
    "mode 1001 whisper",
    "stop-whisper 1001",
    "insert 1001",
    "stop 1001",
    "whisper 1002",
    "intercept 1002",
    "drop-call CALL_1002",
    "force-busy 1003",
    "force-idle 1003",
    "force-rest 1003 600 2",
    "adjust-skill 1003 1,2,3",
    "force-logout 1003",
    "listen 1004",
    "intercept 1004 CALL_1004",
    "drop-call CALL_1005",
    "events",
    "quit",
];

fn script_for(sim: &ccgw_sim::RunningSim) -> Vec<String> {
    let call_1002 = sim.call_of("1002").unwrap();
    let call_1004 = sim.call_of("1004").unwrap();
    let call_1005 = sim.call_of("1005").unwrap();
    EVERY_COMMAND
        .iter()
        .map(|l| {
            l.replace("CALL_1002", &call_1002)
                .replace("CALL_1004", &call_1004)
                .replace("CALL_1005", &call_1005)
        })
        .collect()
}

#[tokio::test]
async fn every_command_in_json_mode() {
    let sim = Simulator::start(quick()).await.unwrap();
    let url = sim.base_url();
    let script = script_for(&sim);
    let script: Vec<&str> = script.iter().map(String::as_str).collect();
    let run = ccgw(
        &console_args(&url, &["--json"]),
        &[("CCGW_PASSWORD", DEFAULT_PASSWORD)],
        &script,
    )
    .await;
    assert_eq!(
        run.status, 0,
        "stdout:\n{}\nstderr:\n{}",
        run.stdout, run.stderr
    );
    let results = run.results();
    let commands: Vec<&str> = results
        .iter()
        .map(|r| r["command"].as_str().unwrap())
        .collect();
    let expected: Vec<&str> = EVERY_COMMAND
        .iter()
        .map(|l| l.split(' ').next().unwrap())
        .filter(|c| *c != "quit")
        .collect();
    assert_eq!(commands, expected, "one line per command but quit");
    for r in &results {
        assert_eq!(r["ok"], json!(true), "{r}");
        let local = ["help", "events"].contains(&r["command"].as_str().unwrap());
        assert_eq!(r.get("retcode").is_none(), local, "{r}");
    }
    let dropped = results
        .iter()
        .find(|r| r["command"] == "drop-call")
        .unwrap();
    assert!(
        dropped["callId"].is_string() && dropped.get("workNo").is_none(),
        "{dropped}"
    );
    common::assert_lines_follow_the_contract(&run.stdout);
    assert_eq!(results[1]["command"], json!("listen"));
    assert_eq!(results[1]["workNo"], json!("1001"));
    let events = run.events();
    assert!(
        events
            .iter()
            .any(|e| e["event"] == "AgentOther_PhoneOffhook" && e["workNo"] == "101"),
        "{events:?}"
    );
    assert_eq!(sim.agent_state("1003"), Some(AgentState::SignedOut));
    assert_eq!(sim.skills_of("1003"), Some(vec![1, 2, 3]));
    assert_eq!(
        sim.agent_state("101"),
        Some(AgentState::SignedOut),
        "signed out at quit"
    );
}

#[tokio::test]
async fn every_command_in_human_mode() {
    let sim = Simulator::start(quick()).await.unwrap();
    let url = sim.base_url();
    let script = script_for(&sim);
    let script: Vec<&str> = script.iter().map(String::as_str).collect();
    let run = ccgw(
        &console_args(&url, &[]),
        &[("CCGW_PASSWORD", DEFAULT_PASSWORD)],
        &script,
    )
    .await;
    assert_eq!(run.status, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("listen W"), "help is printed");
    for line in [
        "ok      listen 1001",
        "ok      switch 1001",
        "ok      mode 1001",
        "ok      drop-call ",
    ] {
        assert!(
            run.stdout.contains(line),
            "missing {line:?} in\n{}",
            run.stdout
        );
    }
    assert!(
        run.stdout.contains("event   AgentOther_PhoneOffhook 101"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("failed"));
}

#[tokio::test]
async fn failures_and_bad_input_exit_one_and_send_nothing_bad() {
    let sim = Simulator::start(quick()).await.unwrap();
    let url = sim.base_url();
    let script = [
        "listen 2001",
        "listen 99",
        "listen 12ab",
        "dance 1001",
        "switch 1001",
        "force-busy 1001",
        "quit",
    ];
    let run = ccgw(
        &console_args(&url, &["--json"]),
        &[("CCGW_PASSWORD", DEFAULT_PASSWORD)],
        &script,
    )
    .await;
    assert_eq!(run.status, 1, "{}", run.stderr);
    let r = run.results();
    assert_eq!(r.len(), 6);
    assert_eq!(
        (r[0]["ok"].clone(), r[0]["retcode"].clone()),
        (json!(false), json!("900-003"))
    );
    assert!(r[0]["message"].is_string());
    for bad in &r[1..4] {
        assert_eq!(bad["ok"], json!(false));
        assert!(bad["error"].as_str().unwrap().len() > 5, "{bad}");
        assert!(bad.get("retcode").is_none(), "nothing was sent: {bad}");
    }
    assert_eq!(r[3]["command"], json!("dance"));
    assert_eq!(r[3]["argument"], json!("1001"), "the argument as typed");
    assert!(
        r[3].get("workNo").is_none(),
        "not taken for an agent: {}",
        r[3]
    );
    common::assert_lines_follow_the_contract(&run.stdout);
    assert_eq!(
        r[4]["retcode"],
        json!("900-002"),
        "switch while not inspecting"
    );
    assert_eq!(r[5]["ok"], json!(true));
    assert_eq!(
        sim.received("listen"),
        1,
        "only the well-formed listen was sent"
    );
}

#[tokio::test]
async fn exit_status_two_when_it_cannot_start() {
    let sim = Simulator::start(quick()).await.unwrap();
    let url = sim.base_url();
    let wrong = ccgw(
        &console_args(&url, &[]),
        &[("CCGW_PASSWORD", "wrong")],
        &["quit"],
    )
    .await;
    assert_eq!(wrong.status, 2);
    assert!(wrong.stderr.contains("100-004"), "{}", wrong.stderr);
    let no_password = ccgw(&console_args(&url, &[]), &[], &["quit"]).await;
    assert_eq!(no_password.status, 2);
    assert!(no_password.stderr.contains("CCGW_PASSWORD"));
    let bad_agent = ccgw(
        &["console", "--gateway", &url, "--agent", "99"],
        &[("CCGW_PASSWORD", "x")],
        &[],
    )
    .await;
    assert_eq!(bad_agent.status, 2);
    let bad_flag = ccgw(&["console", "--bogus"], &[], &[]).await;
    assert_eq!(bad_flag.status, 2);
    assert_eq!(
        sim.received("signIn"),
        1,
        "only the wrong-password attempt reached the gateway"
    );
}

#[tokio::test]
async fn end_of_input_signs_out_like_quit() {
    let sim = Simulator::start(quick()).await.unwrap();
    let url = sim.base_url();
    let run = ccgw(
        &console_args(&url, &[]),
        &[("CCGW_PASSWORD", DEFAULT_PASSWORD)],
        &["force-busy 1001"],
    )
    .await;
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert_eq!(sim.received("signOut"), 1);
}

#[tokio::test]
async fn dynamic_authentication_rotates_the_guid_mid_session() {
    let config = quick()
        .dynamic_auth(true)
        .poll_wait(Duration::from_millis(100));
    let sim = Simulator::start(config).await.unwrap();
    let url = sim.base_url();
    let dir = tempfile::tempdir().unwrap();
    let answered = [
        Checkpoint::new(dir.path(), "listen"),
        Checkpoint::new(dir.path(), "switch"),
    ];
    let [listened, listen_go] = answered[0].lines();
    let [switched, switch_go] = answered[1].lines();
    let script = [
        "listen 1001",
        r#"@seen "command":"listen""#,
        &listened,
        &listen_go,
        "switch 1001",
        r#"@seen "command":"switch""#,
        &switched,
        &switch_go,
        "mode 1001 listen",
        "force-busy 1002",
        "stop 1001",
        "quit",
    ];
    // After each of the first two commands, the Guid rotates twice before the next goes.
    let rotations = async {
        for answered in &answered {
            answered.reached().await;
            common::rotated(&sim, "101").await;
            common::rotated(&sim, "101").await;
            answered.go();
        }
    };
    let (done, stop) = tokio::sync::oneshot::channel();
    let args = console_args(&url, &["--json"]);
    let console = async {
        let run = ccgw(&args, &[("CCGW_PASSWORD", DEFAULT_PASSWORD)], &script).await;
        let _ = done.send(());
        run
    };
    let sampled = common::sample_guids(&sim, "101", stop);
    let (run, (), guids) = tokio::join!(console, rotations, sampled);
    assert_eq!(run.status, 0, "{}\n{}", run.stdout, run.stderr);
    let results = run.results();
    assert_eq!(results.len(), 5);
    assert!(
        results.iter().all(|r| r["ok"] == json!(true)),
        "{results:?}"
    );
    assert!(
        guids.len() >= 4,
        "the Guid rotated mid-session: {} Guids seen",
        guids.len()
    );
    // The session polled many times at 100 ms waits, each answer rotating the Guid.
    assert!(
        sim.received("pollEvent") >= 4,
        "polls: {}",
        sim.received("pollEvent")
    );
    assert_eq!(sim.mode_of("101", "1001"), QcMode::Idle);
}

#[tokio::test]
async fn completions_and_help() {
    let run = ccgw(&["completions", "bash"], &[], &[]).await;
    assert_eq!(run.status, 0);
    assert!(run.stdout.contains("ccgw"));
    let help = ccgw(&["console", "--help"], &[], &[]).await;
    assert_eq!(help.status, 0);
    assert!(
        help.stdout.contains("CCGW_PASSWORD")
            && help.stdout.contains("--danger-accept-invalid-certs")
    );
}

#[tokio::test]
async fn a_session_taken_over_elsewhere_is_reported_and_commands_fail() {
    let sim = Simulator::start(quick()).await.unwrap();
    // Every event poll's answer arrives late: the command that finds the session gone
    // fails before the poll that tells the console of the end comes back.
    let late = Fault::Latency(Duration::from_millis(1500));
    sim.faults().inject(FaultRule::on("pollEvent", late));
    let url = sim.base_url();
    let dir = tempfile::tempdir().unwrap();
    let taken_over = dir.path().join("taken-over");
    // The next command goes only once the session was taken over; `quit` follows the
    // failure at once, so the end is reported before the console reads another line.
    let wait = format!("@wait {}", taken_over.display());
    let script = ["force-busy 1001", &wait, "force-idle 1001", "quit"];
    let args = console_args(&url, &["--json"]);
    let console = ccgw(&args, &[("CCGW_PASSWORD", DEFAULT_PASSWORD)], &script);
    let take_over = async {
        // Once the first command took effect: the console is signed in and settled.
        let busy = || sim.agent_state("1001") == Some(AgentState::Busy);
        common::wait_until(busy, "the first command's effect").await;
        let wire = ccgw_sim::testing::Wire::new(&url);
        let answer = wire.sign_in_with("101", DEFAULT_PASSWORD, true).await;
        assert_eq!(answer.retcode(), "0", "{}", answer.body);
        std::fs::write(&taken_over, "").unwrap();
    };
    let (run, ()) = tokio::join!(console, take_over);
    assert_eq!(run.status, 1, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.events().iter().any(|e| e["event"] == "SessionEnded"),
        "{}",
        run.stdout
    );
    let results = run.results();
    assert_eq!(results[0]["ok"], json!(true));
    assert_eq!(
        results[1]["ok"],
        json!(false),
        "after the take-over the session is gone"
    );
    assert!(run.stderr.contains("ended the session"), "{}", run.stderr);
}

/// An inspector left signed in elsewhere (a console that crashed): the sign-in failure
/// says what to do, `--force-login`, and when taking over is safe; with it, the console
/// takes the session over.
#[tokio::test]
async fn already_signed_in_elsewhere_names_force_login_and_when_it_is_safe() {
    let sim = Simulator::start(quick()).await.unwrap();
    let url = sim.base_url();
    let client = ccgw::Client::builder(&url).build().unwrap();
    let left = ccgw::SignIn::new("101".parse().unwrap(), DEFAULT_PASSWORD).poll_events(false);
    let stranded = client.sign_in(left).await.unwrap();
    let env = [("CCGW_PASSWORD", DEFAULT_PASSWORD)];
    let run = ccgw(&console_args(&url, &[]), &env, &["quit"]).await;
    assert_eq!(run.status, 2, "{}", run.stderr);
    assert!(run.stderr.contains("100-002"), "{}", run.stderr);
    assert!(run.stderr.contains("--force-login"), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("If no other program of this inspector is running"),
        "{}",
        run.stderr
    );
    let run = ccgw(&console_args(&url, &["--force-login"]), &env, &["quit"]).await;
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(common::signed_out(&sim));
    drop(stranded);
}
