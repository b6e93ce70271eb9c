//! The audit journal records every state-changing request a session sends, an intent
//! before it leaves and an outcome after; a journal that cannot be written refuses the
//! request with nothing sent; anchored heads catch a re-chained rewrite.

use std::sync::Arc;
use std::time::Duration;

use crate::common;

use ccgw::{AuditJournal, Client, JournalLine, JournalLineKind, JournalOutcome, SignIn};
use ccgw_sim::{Fault, FaultRule, RunningSim};
use common::{agent, quick, sim};

fn lines(path: &std::path::Path) -> Vec<JournalLine> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Each intent with its outcome (`None` when it has none): operation, agent, outcome.
fn settled(lines: &[JournalLine]) -> Vec<(&str, Option<&str>, Option<JournalOutcome>)> {
    lines
        .iter()
        .filter(|l| l.kind == JournalLineKind::Intent)
        .map(|intent| {
            let outcome = lines
                .iter()
                .find(|l| l.intent == Some(intent.seq))
                .and_then(|l| l.outcome);
            (intent.operation.as_str(), intent.agent.as_deref(), outcome)
        })
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
        .send_raw(ccgw::Method::POST, force_idle, None)
        .await
        .unwrap();
    let query = "queuedevice/101/skillwaitnum/1";
    session
        .send_raw(ccgw::Method::GET, query, None)
        .await
        .unwrap();
    session.sign_out().await.unwrap();
    assert!(session.force_idle(&agent("1001")).await.is_err()); // never sent
    let guid_or_password = |l: &JournalLine| {
        let text = serde_json::to_string(l).unwrap();
        text.contains(password) || text.to_lowercase().contains("guid")
    };
    let lines = lines(&path);
    assert_eq!(
        settled(&lines),
        [
            ("addSupervise", Some("1001"), Some(JournalOutcome::Ok)),
            ("forceBusy", Some("9999"), Some(JournalOutcome::Retcode)),
            ("forceDropCall", None, Some(JournalOutcome::Unknown)),
            (
                "stopSuperviseOrInsert",
                Some("1001"),
                Some(JournalOutcome::Ok)
            ),
            ("undocumented POST", None, Some(JournalOutcome::Ok)),
        ]
    );
    assert_eq!(lines[3].retcode.as_deref(), Some("100-006"));
    assert_eq!(lines[4].call.as_deref(), Some(call.as_str()));
    assert!(
        lines
            .iter()
            .all(|l| l.inspector == "101" && !guid_or_password(l))
    );
    let verified = ccgw::verify_journal(&path).unwrap();
    assert_eq!((verified.lines, verified.unsettled.len()), (10, 0));
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
    assert_eq!(
        settled(&lines),
        [("addSupervise", Some("1001"), Some(JournalOutcome::Unknown))]
    );
}

/// Signs in 101 with a journal at `path`.
async fn journaled(sim: &RunningSim, path: &std::path::Path) -> ccgw::Session {
    let client = client(sim, Arc::new(AuditJournal::open(path).unwrap()));
    client
        .sign_in(SignIn::new(agent("101"), ccgw_sim::DEFAULT_PASSWORD).phone("70001"))
        .await
        .unwrap()
}

#[tokio::test]
async fn a_journal_that_cannot_be_written_refuses_the_request_and_nothing_is_sent() {
    let sim = sim(quick()).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    let session = journaled(&sim, &path).await;
    let target = agent("1001");
    let refused = |e: ccgw::Error, why: &str| {
        assert_eq!(e.kind(), ccgw::ErrorKind::AuditJournal, "{e}");
        assert!(!e.may_have_reached_gateway());
        let text = e.to_string();
        assert!(
            text.contains("the audit journal cannot be written"),
            "{text}"
        );
        assert!(text.contains(why), "{text}");
    };

    // Another writer was cut off mid-line.
    let whole = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, format!("{whole}{{\"seq\":1,\"at\":")).unwrap();
    refused(session.listen(&target).await.unwrap_err(), "incomplete");
    assert_eq!(sim.received("listen"), 0, "nothing reached the gateway");

    // The journal's path became a folder.
    std::fs::remove_file(&path).unwrap();
    std::fs::create_dir(&path).unwrap();
    refused(
        session.force_busy(&target).await.unwrap_err(),
        "cannot open it",
    );
    assert_eq!(sim.received("forceBusy"), 0);
    // The journal was removed: not started afresh behind the auditor's back.
    std::fs::remove_dir(&path).unwrap();
    refused(session.listen(&target).await.unwrap_err(), "cannot open it");
    assert!(!path.exists());
    assert_eq!(sim.received("listen"), 0);

    // Whole again: the request goes, journaled.
    std::fs::write(&path, "").unwrap();
    session.listen(&target).await.unwrap();
    assert_eq!(sim.received("listen"), 1);
    assert_eq!(
        settled(&lines(&path)),
        [("addSupervise", Some("1001"), Some(JournalOutcome::Ok))]
    );
    session.sign_out().await.unwrap();
}

#[tokio::test]
async fn the_stop_a_sign_out_sends_after_a_refusal_for_the_inspectors_state_is_journaled() {
    let sim = sim(quick().refuse_sign_out_in_call(true)).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    let session = journaled(&sim, &path).await;
    session.listen(&agent("1001")).await.unwrap();
    // The sign-out's first stop is refused: the gateway refuses the sign-out in a call
    // (100-010), and the stop sent then is journaled too.
    let refusal = Fault::Retcode("900-002".into());
    sim.faults()
        .inject(FaultRule::on("stopListenOrInsert", refusal).times(1));
    session.sign_out().await.unwrap();
    assert_eq!(sim.received("signOut"), 2, "refused once, then accepted");
    let stop = "stopSuperviseOrInsert";
    assert_eq!(
        settled(&lines(&path)),
        [
            ("addSupervise", Some("1001"), Some(JournalOutcome::Ok)),
            (stop, Some("1001"), Some(JournalOutcome::Retcode)),
            (stop, Some("1001"), Some(JournalOutcome::Ok)),
        ]
    );
}

#[tokio::test]
async fn a_request_the_load_balancer_turned_away_is_journaled_as_never_sent() {
    let sim = sim(quick()).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    let session = journaled(&sim, &path).await;
    // 503 from the load balancer: the gateway never saw the request (and however often
    // the client tries, the balancer turns it away).
    sim.faults()
        .inject(FaultRule::on("listen", Fault::Status(503)).times(10));
    let e = session.listen(&agent("1001")).await.unwrap_err();
    assert!(!e.may_have_reached_gateway(), "{e}");
    sim.faults().clear();
    // 500: the gateway may have acted on it.
    sim.faults()
        .inject(FaultRule::on("listen", Fault::Status(500)).times(1));
    let e = session.listen(&agent("1002")).await.unwrap_err();
    assert!(e.may_have_reached_gateway(), "{e}");
    assert_eq!(
        settled(&lines(&path)),
        [
            ("addSupervise", Some("1001"), Some(JournalOutcome::NotSent)),
            ("addSupervise", Some("1002"), Some(JournalOutcome::Unknown)),
        ]
    );
    session.sign_out().await.unwrap();
}
