//! Answers in the shapes real gateways send (the simulator's quirks profile), over
//! loopback: GBK answers, NUL-padded event strings, polls without an `event` key,
//! `Set-GUID` on every answer, and 200-025 for a call already gone.

use crate::common;

use std::time::Duration;

use ccgw::EventType;
use common::{agent, inspector, next_of, quick, sim};

#[tokio::test]
async fn a_quirky_gateway_is_understood() {
    let sim = sim(quick().quirks(true)).await;
    let (_, session) = inspector(&sim).await;
    let mut events = session.events();

    let info = session.agent(&agent("1001")).await.expect("a GBK answer");
    assert_eq!(
        info.name, "坐席1001",
        "decoded by the charset the answer names"
    );

    // Empty polls come without an `event` key: no failure, the link stays healthy. A
    // second poll means the first was answered; its pause after the answer is random (200
    // to 500 ms), so the test waits for it, within a limit, rather than for a fixed time.
    ccgw_sim::testing::wait_until(|| sim.received("pollEvent") >= 2, "a second poll").await;
    assert_eq!(session.link_health().failures, 0);

    let target = agent("1001");
    let call = sim.call_of("1001").unwrap();
    let listed = session.call_ids(&target).await.unwrap();
    session.listen(&target).await.unwrap();
    session.intercept(&target).await.unwrap();
    // An event whose strings are padded with NULs.
    let talking = next_of(&mut events, EventType::Talking, Duration::from_secs(5)).await;
    assert_eq!(talking.work_no(), "101");
    let from_event = talking.call_id().expect("a call ID in the event");
    assert_eq!(
        from_event.as_str(),
        call,
        "the same call ID as the gateway's"
    );
    assert!(listed.contains(&from_event), "{listed:?}");

    session.force_release_call(&from_event).await.unwrap();
    let again = session.force_release_call(&from_event).await.unwrap_err();
    assert!(again.is_no_call_to_drop(), "{again}");
    assert!(
        again.to_string().contains("no call to drop"),
        "the retcode's meaning is told: {again}"
    );
    session.sign_out().await.unwrap();
    assert_eq!(sim.current_guid("101"), None);
}

#[tokio::test]
async fn a_guid_announced_on_a_query_answer_is_followed() {
    let sim = sim(quick().quirks(true).guid_grace(Duration::from_millis(300))).await;
    let client = common::client(&sim);
    let session = client
        .sign_in(ccgw::SignIn::new(agent("101"), ccgw_sim::DEFAULT_PASSWORD).poll_events(false))
        .await
        .unwrap();
    let newest = sim.rotate_guid("101").unwrap();
    // Within the grace period the old Guid still works, and the answer announces the new.
    session.own_state().await.unwrap();
    assert_eq!(session.guid_rotations(), 1);
    tokio::time::sleep(Duration::from_millis(400)).await;
    session
        .own_state()
        .await
        .expect("the new Guid, taken from a query's answer, is the one sent");
    assert_eq!(sim.current_guid("101"), Some(newest));
    session.sign_out().await.unwrap();
}

#[tokio::test]
async fn an_oversized_answer_in_gbk_is_still_refused_as_too_large() {
    use ccgw_sim::{Fault, FaultRule};
    let sim = sim(quick().quirks(true)).await;
    let (_, session) = inspector(&sim).await;
    sim.faults()
        .inject(FaultRule::on("forceIdle", Fault::OversizedAnswer(8 << 20)).times(1));
    let e = session.force_idle(&agent("1001")).await.unwrap_err();
    assert_eq!(e.kind(), ccgw::ErrorKind::AnswerTooLarge, "{e}");
    session.force_idle(&agent("1001")).await.unwrap();
    session.sign_out().await.unwrap();
}

/// What a tap saw of one answer: operation, status, `Content-Type` as sent, body bytes.
type Answer = (String, u16, String, Vec<u8>);

#[derive(Default)]
struct Seen(std::sync::Mutex<Vec<Answer>>);

impl ccgw::tap::AnswerTap for Seen {
    fn answer(&self, exchange: &ccgw::tap::Exchange<'_>) {
        let content_type = exchange
            .headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let body = exchange.body.map(<[u8]>::to_vec).unwrap_or_default();
        self.0.lock().unwrap().push((
            exchange.operation.to_owned(),
            exchange.status,
            content_type,
            body,
        ));
    }
}

#[tokio::test]
async fn a_tap_sees_answers_as_sent_and_the_session_reads_them_as_ever() {
    let sim = sim(quick().quirks(true)).await;
    let seen = std::sync::Arc::new(Seen::default());
    let client = ccgw::Client::builder(sim.base_url())
        .answer_tap(seen.clone())
        .build()
        .unwrap();
    let session = client.sign_in(common::inspector_101()).await.unwrap();
    let info = session.agent(&agent("1001")).await.expect("read as ever");
    assert_eq!(info.name, "坐席1001");
    session.sign_out().await.unwrap();

    let seen = seen.0.lock().unwrap();
    let (_, status, content_type, body) = seen
        .iter()
        .find(|(op, ..)| op == "query_agent_info_by_work_no")
        .expect("the query was seen");
    assert_eq!(*status, 200);
    assert!(
        content_type.to_ascii_lowercase().contains("charset=gbk"),
        "the charset as sent, not as re-encoded: {content_type}"
    );
    let (gbk, _, _) = encoding_rs::GBK.encode("坐席1001");
    assert!(
        body.windows(gbk.len()).any(|w| w == &gbk[..]),
        "the body's bytes as sent, in GBK"
    );
    assert!(seen.iter().any(|(op, ..)| op == "sign_out"));
}
