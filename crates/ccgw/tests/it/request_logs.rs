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

/// A sign-out refused for the inspector's state tries an inspection of unknown mode as a
/// listening first, then as a whisper. A refused first try is how it finds out, not a
/// failure: no warning says an inspection could not be ended unless neither stop ended it.
#[tokio::test]
async fn an_inspection_of_unknown_mode_is_warned_about_only_when_no_stop_ends_it() {
    const WARNED: &str = "could not end an inspection";
    let (captured, _guard) = logs::capture();
    for whisper_stop_refused in [false, true] {
        let sim = sim(quick().refuse_sign_out_in_call(true)).await;
        let (_, session) = common::inspector(&sim).await;
        let target = agent("1001");
        // A whisper whose answer was lost: the session cannot know its mode.
        let reset = ccgw_sim::FaultRule::on("requestWhisper", ccgw_sim::Fault::ConnectionReset);
        sim.faults().inject(reset.times(1));
        assert!(session.whisper(&target).await.is_err());
        assert_eq!(session.mode_of(&target), ccgw::TrackedMode::Unknown);
        if whisper_stop_refused {
            let refusal = ccgw_sim::Fault::Retcode("900-002".into());
            sim.faults()
                .inject(ccgw_sim::FaultRule::on("stopWhisper", refusal).times(1));
        }
        let warned = |text: String| {
            (text.lines())
                .filter(|line| line.contains(" WARN ") && line.contains(WARNED))
                .count()
        };
        let before = warned(captured.text());
        logs::ask_again();
        let signed_out = session.sign_out().await;
        assert_eq!(
            sim.received("stopListenOrInsert"),
            1,
            "tried as a listening first"
        );
        assert_eq!(sim.received("stopWhisper"), 1, "then as a whisper");
        let now = warned(captured.text());
        if whisper_stop_refused {
            assert_eq!(
                now - before,
                1,
                "neither stop ended it:\n{}",
                captured.text()
            );
        } else {
            signed_out.expect("the whisper stop ended it, and the sign-out went through");
            assert_eq!(
                now,
                before,
                "the whisper stop ended it:\n{}",
                captured.text()
            );
        }
    }
}
