//! What the log tells about each request: its span names the operation, the retcode and
//! how long it took; each retry of a connection that failed is told, as many as allowed,
//! after a doubling pause; an inspection or a call a sign-out could not end first is told.

use crate::common;

use std::time::Duration;

use ccgw::{Client, SignIn};
use common::{agent, logs, quick, sim};

#[tokio::test]
async fn a_requests_span_records_its_retcode_and_time() {
    let (captured, _guard) = logs::capture();
    let sim = sim(quick()).await;
    let client = common::client(&sim);
    let session = client
        .sign_in(common::inspector_101().poll_events(false))
        .await
        .unwrap();
    logs::ask_again();
    session.listen(&agent("1001")).await.unwrap();
    assert!(session.force_busy(&agent("9999")).await.is_err());
    session.stop(&agent("1001")).await.unwrap();
    session.sign_out().await.unwrap();
    let text = captured.text();
    // The line the fmt subscriber writes as the request's span closes.
    let closed = |operation: &str| {
        text.lines()
            .find(|l| l.contains(&format!("operation=\"{operation}\"")) && l.contains(": close "))
            .unwrap_or_else(|| panic!("no closed span of {operation} in:\n{text}"))
            .to_owned()
    };
    let listen = closed("addSupervise");
    assert!(listen.contains("retcode=\"0\""), "{listen}");
    assert!(listen.contains("elapsed_ms="), "{listen}");
    let refused = closed("forceBusy");
    assert!(refused.contains("retcode=\"100-006\""), "{refused}");
}

#[tokio::test]
async fn a_connection_refused_is_retried_as_often_as_allowed_and_no_more() {
    let (captured, _guard) = logs::capture();
    let port = ccgw_sim::testing::unused_port();
    for retries in [0, 2] {
        let client = Client::builder(format!("http://127.0.0.1:{port}"))
            .connect_retries(retries)
            .request_timeout(Duration::from_secs(5))
            .build()
            .unwrap();
        logs::ask_again();
        let before = captured.text().matches("retrying").count();
        let started = std::time::Instant::now();
        let e = client
            .sign_in(SignIn::new(agent("101"), "x"))
            .await
            .unwrap_err();
        assert!(!e.may_have_reached_gateway());
        let told = captured.text().matches("retrying").count() - before;
        assert_eq!(
            told, retries as usize,
            "retries told with {retries} allowed"
        );
        if retries == 2 {
            // A doubling pause before each retry: 100 ms, then 200 ms.
            let took = started.elapsed();
            assert!(took >= Duration::from_millis(300), "{took:?}");
        }
    }
}

#[tokio::test]
async fn a_sign_out_tells_an_inspection_or_a_call_it_could_not_end_first() {
    let (captured, _guard) = logs::capture();
    let sim = sim(quick()).await;
    let cases = [
        (
            "stopListenOrInsert",
            "an inspection could not be ended before the sign-out",
        ),
        (
            "forceReleaseCall",
            "the call taken over could not be released before the sign-out",
        ),
    ];
    // Each time another agent: a released call is over.
    let mut targets = ["1001", "1002", "1003", "1004"].into_iter().map(agent);
    for (refused_operation, told) in cases {
        for refused in [false, true] {
            let (_, session) = common::inspector(&sim).await;
            let target = targets.next().unwrap();
            session.listen(&target).await.unwrap();
            if refused_operation == "forceReleaseCall" {
                session.intercept(&target).await.unwrap();
            }
            if refused {
                let refusal = ccgw_sim::Fault::Retcode("900-002".into());
                sim.faults()
                    .inject(ccgw_sim::FaultRule::on(refused_operation, refusal).times(1));
            }
            let before = captured.text().matches(told).count();
            logs::ask_again();
            session.sign_out().await.unwrap();
            let now = captured.text().matches(told).count();
            assert_eq!(
                now > before,
                refused,
                "{refused_operation} refused: {refused}"
            );
        }
    }
}
