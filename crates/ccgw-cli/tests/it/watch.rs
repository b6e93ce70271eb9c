//! `ccgw watch` against the simulator: each alert is raised once and cleared once as the
//! floor changes, a webhook that fails once still gets each change once, in batches of a
//! round at most (the first after the failure carries the alerts in force), and no query
//! goes over the overload budget.

use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ccgw_sim::{DEFAULT_PASSWORD, Simulator};
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::process::Command;

use crate::common::{self, Isolated};

/// A webhook receiver on loopback that answers 500 to its first request and 200 after;
/// what it received: (Idempotency-Key, body).
async fn receiver() -> (String, Arc<Mutex<Vec<(String, Value)>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let got = Arc::new(Mutex::new(Vec::new()));
    let seen = got.clone();
    tokio::spawn(async move {
        let mut first = true;
        while let Ok((stream, _)) = listener.accept().await {
            let mut stream = BufReader::new(stream);
            let mut key = String::new();
            let mut length = 0;
            loop {
                let mut line = String::new();
                if stream.read_line(&mut line).await.unwrap_or(0) == 0 {
                    break;
                }
                let lower = line.to_ascii_lowercase();
                if let Some(v) = lower.strip_prefix("idempotency-key:") {
                    key = v.trim().to_owned();
                }
                if let Some(v) = lower.strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap_or(0);
                }
                if line == "\r\n" {
                    break;
                }
            }
            let mut body = vec![0; length];
            let _ = stream.read_exact(&mut body).await;
            let status = if first {
                "500 Internal Server Error"
            } else {
                "200 OK"
            };
            first = false;
            if let Ok(body) = serde_json::from_slice(&body) {
                seen.lock().unwrap().push((key, body));
            }
            let answer =
                format!("HTTP/1.1 {status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            let _ = stream.get_mut().write_all(answer.as_bytes()).await;
        }
    });
    (url, got)
}

type Lines = tokio::io::Lines<BufReader<tokio::process::ChildStdout>>;

/// The next line of standard output, within 20 s; `None` at its end.
async fn next_line(lines: &mut Lines) -> Option<String> {
    tokio::time::timeout(Duration::from_secs(20), lines.next_line())
        .await
        .expect("a line in time")
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn alerts_are_raised_and_cleared_once_and_the_webhook_gets_each_once() {
    let mut config = common::quick();
    config.vdns[0].inspectors.push("102".to_owned());
    let sim = Simulator::start(config).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("rules.toml");
    std::fs::write(
        &rules,
        "[[alerts]]\nrule = \"unattended\"\n[[alerts]]\nrule = \"waiting\"\nover = 1\n",
    )
    .unwrap();
    let (hook, received) = receiver().await;
    let mut child = Command::new(env!("CARGO_BIN_EXE_ccgw"))
        .isolated()
        .args(["watch", "--gateway", &sim.base_url(), "--agent", "101"])
        .args([
            "--every",
            "1",
            "--rounds",
            "4",
            "--queues",
            "1",
            "--webhook",
            &hook,
        ])
        .arg("--rules")
        .arg(&rules)
        .env("CCGW_PASSWORD", DEFAULT_PASSWORD)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut changes = Vec::new();
    // Round 1: two callers wait in queue 1 and every agent is on a call.
    for _ in 0..2 {
        changes.push(next_line(&mut lines).await.expect("an alert"));
    }
    // An agent of queue 1 becomes available, and the callers are answered.
    let client = ccgw::Client::builder(sim.base_url()).build().unwrap();
    let other = ccgw::SignIn::new("102".parse().unwrap(), DEFAULT_PASSWORD).poll_events(false);
    let supervisor = client.sign_in(other).await.unwrap();
    supervisor
        .force_idle(&"1001".parse().unwrap())
        .await
        .unwrap();
    supervisor.sign_out().await.unwrap();
    assert!(sim.set_waiting(1, 0));
    while let Some(line) = next_line(&mut lines).await {
        changes.push(line);
    }
    let status = tokio::time::timeout(Duration::from_secs(20), child.wait())
        .await
        .unwrap()
        .unwrap();
    assert!(status.success(), "{status:?}");
    let changes: Vec<Value> = changes
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let what: Vec<(String, String, String)> = changes
        .iter()
        .map(|c| {
            let s = |k: &str| c[k].as_str().unwrap().to_owned();
            (s("alert"), s("rule"), s("subject"))
        })
        .collect();
    let expected =
        |alert: &str, rule: &str| (alert.to_owned(), rule.to_owned(), "queue 1".to_owned());
    assert_eq!(
        what,
        [
            expected("raised", "unattended"),
            expected("raised", "waiting"),
            expected("cleared", "unattended"),
            expected("cleared", "waiting"),
        ]
    );
    assert_eq!(changes[1]["value"], 2);
    assert_eq!(changes[1]["threshold"], 1);
    // The first batch failed (500); what the receiver accepted holds each change once.
    let received = received.lock().unwrap().clone();
    assert!(received.len() >= 2, "{received:?}");
    assert!(
        received.len() <= 5,
        "one batch a round at most: {received:?}"
    );
    let (_, failed) = &received[0];
    let what_of = |batch: &Value| -> Vec<(String, String)> {
        batch["changes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                let s = |k: &str| c[k].as_str().unwrap().to_owned();
                (s("alert"), s("rule"))
            })
            .collect()
    };
    assert_eq!(
        what_of(failed),
        [
            ("raised".to_owned(), "unattended".to_owned()),
            ("raised".to_owned(), "waiting".to_owned())
        ]
    );
    let delivered: Vec<(String, String)> =
        received[1..].iter().flat_map(|(_, b)| what_of(b)).collect();
    let expected_changes: Vec<(String, String)> = what
        .iter()
        .map(|(alert, rule, _)| (alert.clone(), rule.clone()))
        .collect();
    // Raised and cleared while the receiver was down, an alert keeps only its clear.
    for change in &delivered {
        assert!(expected_changes.contains(change), "{change:?}");
    }
    let cleared = |rule: &str| ("cleared".to_owned(), rule.to_owned());
    assert!(delivered.contains(&cleared("unattended")) && delivered.contains(&cleared("waiting")));
    assert!(
        received[1].1.get("firing").is_some(),
        "the first batch after the failure carries the alerts in force"
    );
    let mut keys: Vec<&String> = received.iter().map(|(k, _)| k).collect();
    keys.dedup();
    assert_eq!(keys.len(), received.len(), "one key a batch");
    assert_eq!(sim.refused_over_budget(), 0);
    assert!(common::signed_out(&sim));
}

#[tokio::test]
async fn watch_without_rules_or_with_a_plain_http_webhook_elsewhere_does_not_start() {
    let sim = Simulator::start(common::quick()).await.unwrap();
    let url = sim.base_url();
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("rules.toml");
    std::fs::write(&empty, "").unwrap();
    let rules = dir.path().join("waiting.toml");
    std::fs::write(&rules, "[[alerts]]\nrule = \"waiting\"\nover = 1\n").unwrap();
    let env = [("CCGW_PASSWORD", DEFAULT_PASSWORD)];
    let empty = empty.to_str().unwrap();
    let run = common::ccgw(
        &[
            "watch",
            "--gateway",
            &url,
            "--agent",
            "101",
            "--rules",
            empty,
        ],
        &env,
        &[],
    )
    .await;
    assert_eq!(run.status, 2);
    assert!(run.stderr.contains("no alert rules"), "{}", run.stderr);
    let rules = rules.to_str().unwrap();
    let args = [
        "watch",
        "--gateway",
        &url,
        "--agent",
        "101",
        "--rules",
        rules,
        "--webhook",
        "http://hooks.example/x",
    ];
    let run = common::ccgw(&args, &env, &[]).await;
    assert_eq!(run.status, 2);
    assert!(
        run.stderr.contains("refusing plain http://"),
        "{}",
        run.stderr
    );
    assert_eq!(sim.received("signIn"), 0, "nothing was sent");
}

#[tokio::test(flavor = "multi_thread")]
async fn watch_on_a_busy_floor_of_12_queues_stays_within_the_budget() {
    let config = common::quick()
        .large_tenant(500, 12)
        .traffic(ccgw_sim::Traffic::Busy, 4);
    let sim = Simulator::start(config).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("rules.toml");
    let text =
        "[[alerts]]\nrule = \"waiting\"\nover = 3\n[[alerts]]\nrule = \"talking\"\nover = 60\n";
    std::fs::write(&rules, text).unwrap();
    let url = sim.base_url();
    let rules = rules.to_str().unwrap();
    let args = [
        "watch",
        "--gateway",
        &url,
        "--agent",
        "101",
        "--rules",
        rules,
    ];
    let run = common::ccgw(
        &[&args[..], &["--every", "1", "--rounds", "6"]].concat(),
        &[("CCGW_PASSWORD", DEFAULT_PASSWORD)],
        &[],
    )
    .await;
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(
        sim.received("queryStatInfoOfAcd") >= 6,
        "one statistics request a round"
    );
    assert!(
        sim.received("queryAgentInfoByList") >= 4,
        "agent rules read the agents"
    );
    assert_eq!(
        sim.refused_over_budget(),
        0,
        "no 2 s window over the budget"
    );
    assert!(common::signed_out(&sim));
}

#[tokio::test(flavor = "multi_thread")]
async fn watch_whose_output_closes_signs_out_at_its_next_alert() {
    let sim = Simulator::start(common::quick()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let rules = common::waiting_rule(dir.path());
    // `head -n 1` takes the first alert and leaves; no `--rounds`: only the closed output
    // (or a signal) can end it.
    let pipeline = format!(
        "'{}' watch --gateway '{}' --agent 101 --every 1 --no-audit --rules '{}' | head -n 1",
        env!("CARGO_BIN_EXE_ccgw"),
        sim.base_url(),
        rules.display()
    );
    let mut child = Command::new("sh")
        .isolated()
        .args(["-c", &pipeline])
        .env("CCGW_PASSWORD", DEFAULT_PASSWORD)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    tokio::time::timeout(Duration::from_secs(10), stdout.read_line(&mut first))
        .await
        .expect("the first round's alert within 10 s")
        .unwrap();
    assert!(first.contains("waiting"), "{first}");
    // `head` has its line and left. The callers are answered: the next round clears the
    // alert, and its line finds nobody reading.
    assert!(sim.set_waiting(1, 0));
    let output = tokio::time::timeout(Duration::from_secs(20), child.wait_with_output())
        .await
        .expect("watch ends once nobody reads its output")
        .unwrap();
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).await.unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(rest, "", "one line in all: {first}{rest}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(common::signed_out(&sim), "signed out: {stderr}");
}

/// The gateway ends watch's session (another program took the inspector over): watch
/// says so and stops with status 1, so that a service manager starts it again, and it
/// does not sign in again by itself.
#[tokio::test(flavor = "multi_thread")]
async fn watch_whose_session_the_gateway_ends_stops_with_status_one() {
    let sim = Simulator::start(common::quick()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let rules = common::waiting_rule(dir.path());
    let (url, rules) = (sim.base_url(), rules.to_str().unwrap().to_owned());
    let args = ["watch", "--gateway", &url, "--agent", "101", "--every", "1"];
    let args = [&args[..], &["--rules", &rules]].concat();
    let watch = common::ccgw(&args, &[("CCGW_PASSWORD", DEFAULT_PASSWORD)], &[]);
    let take_over = async {
        let round = || sim.received("queryStatInfoOfAcd") >= 1;
        common::wait_until(round, "a round").await;
        let wire = ccgw_sim::testing::Wire::new(&url);
        let answer = wire.sign_in_with("101", DEFAULT_PASSWORD, true).await;
        assert_eq!(answer.retcode(), "0", "{}", answer.body);
    };
    let (run, ()) = tokio::join!(watch, take_over);
    assert_eq!(run.status, 1, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("the gateway ended the session; watch stops"),
        "{}",
        run.stderr
    );
    // The take-over is its own operation (`forcelogin`): this counts watch's alone.
    assert_eq!(sim.received("signIn"), 1, "watch did not sign in again");
}
