//! The audit journal records every state-changing request a session sends, with its
//! outcome, and nothing that was not sent; its chain verifies.

use std::sync::Arc;
use std::time::Duration;

use crate::common;

use ccgw::{AuditJournal, Client, JournalLine, JournalOutcome, SignIn};
use ccgw_sim::{Fault, FaultRule, RunningSim};
use common::{agent, quick, sim};

fn lines(path: &std::path::Path) -> Vec<JournalLine> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn client(sim: &RunningSim, journal: Arc<AuditJournal>) -> Client {
    Client::builder(sim.base_url())
        .request_timeout(Duration::from_millis(500))
        .audit_journal(journal)
        .build()
        .unwrap()
}

#[tokio::test]
async fn each_sent_state_change_is_recorded_with_its_outcome_and_nothing_else() {
    let sim = sim(quick()).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    let journal = Arc::new(AuditJournal::open(&path).unwrap());
    let client = client(&sim, journal);
    let password = ccgw_sim::DEFAULT_PASSWORD;
    let session = client
        .sign_in(SignIn::new(agent("101"), password).phone("70001"))
        .await
        .unwrap();
    session.listen(&agent("1001")).await.unwrap();
    session.agent(&agent("1001")).await.unwrap(); // a query: not recorded
    assert!(session.force_busy(&agent("9999")).await.is_err()); // refused: 100-006
    let call = session.call_ids(&agent("1002")).await.unwrap().remove(0);
    sim.faults()
        .inject(FaultRule::on("forceReleaseCall", Fault::Latency(Duration::from_secs(2))).times(1));
    assert!(session.force_release_call(&call).await.is_err()); // no answer in time
    session.stop(&agent("1001")).await.unwrap();
    // A raw request other than a GET is recorded by its method only; a GET is not.
    let force_idle = "qualitycontrol/101/forceidle/1003";
    session
        .send_raw(reqwest::Method::POST, force_idle, None)
        .await
        .unwrap();
    let query = "queuedevice/101/skillwaitnum/1";
    session
        .send_raw(reqwest::Method::GET, query, None)
        .await
        .unwrap();
    session.sign_out().await.unwrap();
    assert!(session.force_idle(&agent("1001")).await.is_err()); // never sent
    let guid_or_password = |l: &JournalLine| {
        let text = serde_json::to_string(l).unwrap();
        text.contains(password) || text.to_lowercase().contains("guid")
    };
    let lines = lines(&path);
    let seen: Vec<(&str, Option<&str>, JournalOutcome)> = lines
        .iter()
        .map(|l| (l.operation.as_str(), l.agent.as_deref(), l.outcome))
        .collect();
    assert_eq!(
        seen,
        [
            ("addSupervise", Some("1001"), JournalOutcome::Ok),
            ("forceBusy", Some("9999"), JournalOutcome::Retcode),
            ("forceDropCall", None, JournalOutcome::Unknown),
            ("stopSuperviseOrInsert", Some("1001"), JournalOutcome::Ok),
            ("undocumented POST", None, JournalOutcome::Ok),
        ]
    );
    assert_eq!(lines[1].retcode.as_deref(), Some("100-006"));
    assert_eq!(lines[2].call.as_deref(), Some(call.as_str()));
    assert!(
        lines
            .iter()
            .all(|l| l.inspector == "101" && !guid_or_password(l))
    );
    assert_eq!(ccgw::verify_journal(&path).unwrap().lines, 5);
}

#[tokio::test]
async fn a_dropped_request_is_recorded_as_unknown() {
    let sim = sim(quick()).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    let client = client(&sim, Arc::new(AuditJournal::open(&path).unwrap()));
    let session = client
        .sign_in(SignIn::new(agent("101"), ccgw_sim::DEFAULT_PASSWORD).phone("70001"))
        .await
        .unwrap();
    sim.faults()
        .inject(FaultRule::on("listen", Fault::Latency(Duration::from_secs(5))).times(1));
    let target = agent("1001");
    let listen = session.listen(&target);
    assert!(
        tokio::time::timeout(Duration::from_millis(200), listen)
            .await
            .is_err()
    );
    session.sign_out().await.unwrap();
    let lines = lines(&path);
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0].outcome, JournalOutcome::Unknown);
}
