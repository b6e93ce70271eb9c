//! The console's questions (`status`, `agent`, `agents`, `calls`) and their JSON-lines
//! contract, against the simulator: find a talking agent, then intercept its call by
//! the call ID the console reported.

use crate::common;

use ccgw_sim::{DEFAULT_PASSWORD, QcMode, Simulator};
use common::{ccgw, console_args, quick};
use serde_json::json;

#[tokio::test]
async fn find_who_is_talking_then_intercept_by_the_reported_call_id() {
    let sim = Simulator::start(quick()).await.unwrap();
    let url = sim.base_url();
    let env = [("CCGW_PASSWORD", DEFAULT_PASSWORD)];
    let look = ccgw(
        &console_args(&url, &["--json"]),
        &env,
        &[
            "status",
            "agents",
            "agents 2",
            "agent 1001",
            "calls 1001",
            "quit",
        ],
    )
    .await;
    assert_eq!(look.status, 0, "{}\n{}", look.stdout, look.stderr);
    let r = look.results();
    assert_eq!(
        r[0],
        json!({"command": "status", "ok": true, "retcode": "0", "state": "idle", "stateCode": 4, "talking": false})
    );
    let everyone = r[1]["agents"].as_array().unwrap();
    assert_eq!(everyone.len(), 10, "each online agent once");
    assert_eq!(
        everyone[0],
        json!({"workNo": "1001", "state": "talking", "stateCode": 7, "talking": true})
    );
    assert_eq!(r[2]["agents"].as_array().unwrap().len(), 5);
    assert_eq!(r[3]["command"], "agent");
    assert_eq!(r[3]["workNo"], "1001");
    assert_eq!(
        (&r[3]["state"], &r[3]["stateCode"], &r[3]["talking"]),
        (&json!("talking"), &json!(7), &json!(true))
    );
    assert!(r[3]["secondsInState"].is_u64(), "{}", r[3]);
    assert_eq!(r[4]["command"], "calls");
    let call = r[4]["callIds"][0].as_str().unwrap().to_owned();
    assert_eq!(Some(call.clone()), sim.call_of("1001"));

    let listen = "listen 1001".to_owned();
    let intercept = format!("intercept 1001 {call}");
    let act = ccgw(
        &console_args(&url, &["--json"]),
        &env,
        &[&listen, &intercept, "agent 1001", "status", "quit"],
    )
    .await;
    assert_eq!(act.status, 0, "{}\n{}", act.stdout, act.stderr);
    let r = act.results();
    assert_eq!(r[1]["command"], "intercept");
    assert_eq!(r[1]["retcode"], "0");
    assert_eq!(r[2]["state"], "idle", "the agent left the call");
    assert_eq!(r[3]["state"], "talking", "the inspector has the customer");
    assert_eq!(
        sim.mode_of("101", "1001"),
        QcMode::Idle,
        "signed out at quit"
    );
}

#[tokio::test]
async fn questions_reject_bad_input_before_sending_and_report_gateway_refusals() {
    let sim = Simulator::start(quick()).await.unwrap();
    let url = sim.base_url();
    let run = ccgw(
        &console_args(&url, &["--json"]),
        &[("CCGW_PASSWORD", DEFAULT_PASSWORD)],
        &["agent 99", "agents x", "calls", "agent 2001", "quit"],
    )
    .await;
    assert_eq!(run.status, 1, "a failed command makes the exit status 1");
    let r = run.results();
    assert!(r[0]["error"].as_str().unwrap().contains("out of range"));
    assert!(r[1]["error"].as_str().unwrap().contains("SKILL"));
    assert!(r[2]["error"].as_str().unwrap().contains("usage"));
    assert_eq!(
        r[3],
        json!({"command": "agent", "workNo": "2001", "ok": false, "retcode": "100-006",
               "message": "no such agent in this VDN"})
    );
    assert_eq!(
        sim.received("queryAgentInfoByWorkNo"),
        1,
        "only the well-formed question was sent"
    );

    let human = ccgw(
        &console_args(&url, &[]),
        &[("CCGW_PASSWORD", DEFAULT_PASSWORD)],
        &["status", "agent 1002", "calls 1002", "quit"],
    )
    .await;
    assert_eq!(human.status, 0, "{}\n{}", human.stdout, human.stderr);
    assert!(
        human.stdout.contains("ok      status: idle (4)"),
        "{}",
        human.stdout
    );
    assert!(
        human
            .stdout
            .contains("ok      agent 1002: talking (7) for ")
    );
    assert!(human.stdout.contains("ok      calls 1002: 1700000000-"));
}

#[tokio::test]
async fn at_floor_scale_agents_of_a_queue_lists_all_5000_and_queues_reports_every_queue() {
    let sim = Simulator::start(quick().large_tenant(5_000, 20))
        .await
        .unwrap();
    let url = sim.base_url();
    let run = ccgw(
        &console_args(&url, &["--json"]),
        &[("CCGW_PASSWORD", DEFAULT_PASSWORD)],
        &["agents 1", "queues", "queues 7 1", "agents", "quit"],
    )
    .await;
    assert_eq!(run.status, 0, "{}", run.stderr);
    common::assert_lines_follow_the_contract(&run.stdout);
    let r = run.results();
    let agents = r[0]["agents"].as_array().unwrap();
    assert_eq!(agents.len(), 5_000);
    assert_eq!(agents[4_999]["workNo"], "6000");
    let queues = r[1]["queues"].as_array().unwrap();
    assert_eq!(queues.len(), 20);
    assert_eq!(queues[0]["signedIn"], 5_000);
    assert_eq!(r[2]["queues"][0]["skill"], 7);
    assert_eq!(r[2]["queues"][1]["name"], "queue 1");
    assert_eq!(
        r[3]["agents"].as_array().unwrap().len(),
        5_000,
        "every agent once"
    );
    assert_eq!(sim.refused_over_budget(), 0);
}

#[tokio::test]
async fn a_too_large_list_of_every_agent_says_which_query_failed_and_suggests_one_queue() {
    let sim = Simulator::start(quick().large_tenant(5_000, 20))
        .await
        .unwrap();
    let url = sim.base_url();
    let run = ccgw(
        &console_args(&url, &["--json", "--tenant-agents", "100"]),
        &[("CCGW_PASSWORD", DEFAULT_PASSWORD)],
        &["agents", "agents 7", "quit"],
    )
    .await;
    assert_eq!(run.status, 1, "{}", run.stderr);
    common::assert_lines_follow_the_contract(&run.stdout);
    let r = run.results();
    let error = r[0]["error"].as_str().unwrap();
    assert!(error.starts_with("queryAllOnlineAgents: "), "{error}");
    let hint = r[0]["hint"].as_str().unwrap();
    assert!(hint.contains("agents SKILL"), "{}", r[0]);
    assert!(!hint.contains("  "), "one line of words: {hint:?}");
    assert_eq!(r[1]["ok"], true, "one queue's agents fit: {}", r[1]);

    let human = ccgw(
        &console_args(&url, &["--tenant-agents", "100"]),
        &[("CCGW_PASSWORD", DEFAULT_PASSWORD)],
        &["agents", "quit"],
    )
    .await;
    assert!(
        human
            .stdout
            .contains("failed  agents: queryAllOnlineAgents: "),
        "{}",
        human.stdout
    );
    assert!(
        human.stdout.contains("        try: `agents SKILL`"),
        "{}",
        human.stdout
    );
}
