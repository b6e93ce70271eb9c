//! `ccgw probe` against the simulator: a clean report from the simulator as documented,
//! GBK, NUL padding and numbers as text from its real-gateway quirks, nothing but
//! read-only requests on the wire between sign-in and sign-out, no value of the answers
//! in the report or on the screen, and a simulator started from a report answering so
//! that a probe of it writes the same report.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;

use ccgw_sim::shapes::ShapeProfile;
use ccgw_sim::{DEFAULT_PASSWORD, RunningSim, SimConfig, Simulator};
use serde_json::Value;

use crate::common::{self, Run, quick, signed_out};

/// Runs `ccgw probe` as inspector 101, writing its report to `report`. While it runs,
/// the gateway tells the inspector one event once it is signed in (an inspector's
/// session hears of nothing otherwise, and event shapes are part of the report).
/// Returns the run and every Guid the session had.
async fn probe(sim: &Arc<RunningSim>, report: &Path) -> (Run, Vec<String>) {
    let url = sim.base_url();
    let guids = Arc::new(std::sync::Mutex::new(Vec::new()));
    let teller = {
        let sim = sim.clone();
        let guids = guids.clone();
        tokio::spawn(async move {
            let mut told = false;
            loop {
                if let Some(guid) = sim.current_guid("101") {
                    told = told || sim.tell("101", "AgentState_SetNotReady_Success");
                    let mut guids = guids.lock().unwrap();
                    if !guids.contains(&guid) {
                        guids.push(guid);
                    }
                }
                tokio::time::sleep(std::time::Duration::from_millis(10)).await;
            }
        })
    };
    let report = report.to_str().unwrap();
    let args = probe_args(
        &url,
        &["--report", report, "--polls", "4", "--poll-secs", "10"],
    );
    let run = common::ccgw(&args, &[("CCGW_PASSWORD", DEFAULT_PASSWORD)], &[]).await;
    teller.abort();
    let guids = guids.lock().unwrap().clone();
    (run, guids)
}

/// `ccgw probe` as inspector 101 of the gateway at `url`, with `extra`.
fn probe_args<'a>(url: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["probe", "--gateway", url, "--agent", "101"];
    args.extend_from_slice(extra);
    args
}

async fn start(config: SimConfig) -> Arc<RunningSim> {
    Arc::new(Simulator::start(config).await.unwrap())
}

fn read(report: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(report).unwrap()).unwrap()
}

/// What two probes of one gateway agree on: the verdict and, by operation (in any order:
/// the event polls interleave), statuses, media types, charsets, retcodes, differences,
/// and whether `Set-GUID` came.
fn conformance(report: &Value) -> (bool, BTreeMap<String, Value>) {
    let ops = report["operations"].as_array().unwrap();
    let by_op = ops
        .iter()
        .map(|o| {
            let mut keep = ["http_status", "media", "charset", "retcodes", "differences"]
                .map(|k| o[k].clone())
                .to_vec();
            keep.push(Value::from(o["set_guid"].as_u64() > Some(0)));
            (
                o["operation"].as_str().unwrap().to_owned(),
                Value::from(keep),
            )
        })
        .collect();
    (report["fits"].as_bool().unwrap(), by_op)
}

/// The outcome of the report's step for `operation`, if it took one.
fn outcome_of(report: &Value, operation: &str) -> Option<String> {
    let steps = report["steps"].as_array().unwrap();
    let step = steps.iter().find(|s| s["operation"] == operation);
    step.map(|s| s["outcome"].as_str().unwrap().to_owned())
}

fn differences_of(report: &Value, operation: &str) -> Vec<Value> {
    report["operations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["operation"] == operation)
        .map(|o| o["differences"].as_array().unwrap().clone())
        .unwrap_or_default()
}

#[tokio::test]
async fn the_simulator_as_documented_gives_a_clean_report_and_sees_only_reads() {
    let sim = start(quick()).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.json");
    let (run, _) = probe(&sim, &path).await;
    assert_eq!(run.status, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("this SDK fits this gateway"),
        "{}",
        run.stdout
    );
    let report = read(&path);
    assert_eq!(report["fits"], true);
    for op in report["operations"].as_array().unwrap() {
        let found: Vec<&Value> = op["differences"]
            .as_array()
            .unwrap()
            .iter()
            // Event content is open: its fields are allowed without being named.
            .filter(|d| d["kind"] != "undocumented" || op["operation"] != "pollEvent")
            .collect();
        assert!(found.is_empty(), "{}: {found:?}", op["operation"]);
        assert_eq!(op["charset"], serde_json::json!(["UTF-8"]));
    }
    assert!(signed_out(&sim), "the probe signed out");

    // The wire: sign-in, read-only operations and sign-out, nothing else.
    let mut asked = BTreeSet::new();
    for op in ccgw_sim::OPERATION_IDS {
        if sim.received(op) == 0 {
            continue;
        }
        asked.insert(*op);
        let facts = ccgw_api::operations::ALL
            .iter()
            .find(|o| o.id == *op)
            .unwrap();
        assert!(
            !facts.state_changing || matches!(*op, "signIn" | "signOut"),
            "the probe sent {op}, which changes state"
        );
    }
    assert_eq!(sim.received("signIn"), 1);
    assert_eq!(sim.received("signOut"), 1);
    assert_eq!(
        sim.received("forceSignIn"),
        0,
        "it never takes over a session"
    );
    for op in [
        "getAgentStatus",
        "queryAgentInfoBySkillId",
        "queryAgentInfoByWorkNo",
        "queryStatInfoOfAcd",
        "queryCallInfoByCallId",
        "queryRecordingsByCallId",
        "pollEvent",
    ] {
        assert!(asked.contains(op), "{op} was not probed: {asked:?}");
    }
}

#[tokio::test]
async fn the_quirks_profile_is_named_gbk_nul_padding_and_numbers_as_text() {
    let sim = start(quick().quirks(true)).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.json");
    let (run, _) = probe(&sim, &path).await;
    assert_eq!(run.status, 0, "{}\n{}", run.stdout, run.stderr);
    let report = read(&path);
    assert_eq!(report["fits"], true, "the SDK reads every quirk");
    let charsets: BTreeSet<&str> = report["operations"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|o| {
            o["charset"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(Value::as_str)
        })
        .collect();
    assert_eq!(charsets, BTreeSet::from(["GBK"]));
    let events = differences_of(&report, "pollEvent");
    assert!(
        events
            .iter()
            .any(|d| d["kind"] == "nul_padded" && d["path"] == "event.eventType"),
        "{events:?}"
    );
    let agent = differences_of(&report, "queryAgentInfoByWorkNo");
    assert!(
        agent
            .iter()
            .any(|d| d["kind"] == "number_as_text" && d["path"] == "result.status"),
        "{agent:?}"
    );
    for word in ["GBK", "padded with NUL", "number sent as text"] {
        assert!(
            run.stdout.contains(word),
            "{word} not on screen:\n{}",
            run.stdout
        );
    }
    assert!(signed_out(&sim));
}

/// Every string of `value`, keys included.
fn strings(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(s) => out.push(s.clone()),
        Value::Array(items) => items.iter().for_each(|v| strings(v, out)),
        Value::Object(map) => {
            for (k, v) in map {
                out.push(k.clone());
                strings(v, out);
            }
        }
        _ => {}
    }
}

#[tokio::test]
async fn no_value_of_the_answers_reaches_the_report_or_the_screen() {
    // Chinese names, phone numbers, call IDs, work numbers, Guids on every answer.
    let sim = start(quick().quirks(true)).await;
    let calls: Vec<String> = (1001..=1010)
        .filter_map(|n| sim.call_of(&n.to_string()))
        .collect();
    assert!(!calls.is_empty());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.json");
    let (run, guids) = probe(&sim, &path).await;
    assert_eq!(run.status, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(!guids.is_empty(), "the test saw the session's Guid");
    let report = read(&path);
    let mut texts = Vec::new();
    strings(&report, &mut texts);
    let report_text = texts.join("\n");
    let port = sim.addr().port().to_string();
    let mut forbidden: Vec<String> = vec![
        DEFAULT_PASSWORD.to_owned(),
        "127.0.0.1".to_owned(),
        "localhost".to_owned(),
        port,
        "坐席".to_owned(),
        "质检员".to_owned(),
        "101".to_owned(),
        "group 1".to_owned(),
        "voice".to_owned(),
    ];
    forbidden.extend((1001..=1010).map(|n| n.to_string()));
    forbidden.extend(calls);
    forbidden.extend(guids);
    for word in &forbidden {
        assert!(
            !report_text.contains(word.as_str()),
            "{word:?} in the report"
        );
        assert!(!run.stdout.contains(word.as_str()), "{word:?} on stdout");
        assert!(!run.stderr.contains(word.as_str()), "{word:?} on stderr");
    }
}

#[tokio::test]
async fn a_simulator_started_from_a_report_gives_the_same_report() {
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("first.json");
    let quirky = start(quick().quirks(true)).await;
    let (run, _) = probe(&quirky, &first).await;
    assert_eq!(run.status, 0, "{}\n{}", run.stdout, run.stderr);

    let shapes = ShapeProfile::from_file(&first).unwrap();
    let again = start(quick().shapes(shapes)).await;
    let second = dir.path().join("second.json");
    let (run, _) = probe(&again, &second).await;
    assert_eq!(run.status, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(conformance(&read(&first)), conformance(&read(&second)));
}

#[tokio::test]
async fn a_report_that_is_not_one_stops_the_simulator_from_starting() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("not-a-report.json");
    std::fs::write(&path, "{\"hello\": 1}").unwrap();
    let args = [
        "sim",
        "--listen",
        "127.0.0.1:0",
        "--shapes",
        path.to_str().unwrap(),
    ];
    let run = common::ccgw(&args, &[], &[]).await;
    assert_eq!(run.status, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("not a ccgw probe report"),
        "{}",
        run.stderr
    );
}

#[tokio::test]
async fn the_probe_refuses_to_take_over_a_session() {
    let sim = start(quick()).await;
    let url = sim.base_url();
    let args = probe_args(&url, &["--force-login"]);
    let run = common::ccgw(&args, &[("CCGW_PASSWORD", DEFAULT_PASSWORD)], &[]).await;
    assert_eq!(run.status, 2, "{}", run.stderr);
    assert_eq!(sim.received_total(), 0, "nothing was sent");
}

/// A read whose answer never comes (the connection reset) is reported as such, the other
/// steps still run, and the session is signed out; the probe exits 1, as it could not see
/// every answer.
#[tokio::test]
async fn a_request_that_gets_no_answer_is_reported_and_the_session_still_ends() {
    use ccgw_sim::{Fault, FaultRule};
    let sim = start(quick()).await;
    sim.faults()
        .inject(FaultRule::on("queryStatInfoOfAcd", Fault::ConnectionReset));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.json");
    let (run, _) = probe(&sim, &path).await;
    assert_eq!(run.status, 1, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("1 request(s) got no answer"),
        "{}",
        run.stdout
    );
    let report = read(&path);
    let outcome = |operation| outcome_of(&report, operation);
    assert_eq!(
        outcome("queryStatInfoOfAcd").as_deref(),
        Some("failed: the connection broke before the answer")
    );
    assert_eq!(
        outcome("queryWaitCallInfoBySkillId").as_deref(),
        Some("read")
    );
    assert_eq!(outcome("signOut").as_deref(), Some("read"));
    assert!(signed_out(&sim));
}
