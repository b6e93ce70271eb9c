//! Every fault the simulator can inject: the error kind, the session still usable after
//! it, and no state-changing request sent twice. (Latency past the timeout is in
//! `errors.rs` and `toggle_safety.rs`, with a short timeout of their own.)

use crate::common;

use std::time::Duration;

use ccgw::{ErrorKind, SignIn, TransportKind};
use ccgw_sim::{Fault, FaultRule};
use common::{agent, quick, sim};

#[tokio::test]
async fn each_fault_gives_its_kind_and_the_session_survives() {
    let sim = sim(quick()).await;
    let (_, s) = common::inspector_with_timeout(&sim, Duration::from_secs(5)).await;
    let target = agent("1001");
    let cases = [
        (Fault::Status(503), ErrorKind::HttpStatus(503)),
        (Fault::Status(500), ErrorKind::HttpStatus(500)),
        (Fault::HtmlErrorPage, ErrorKind::HttpStatus(502)),
        (Fault::TruncatedJson, ErrorKind::MalformedAnswer),
        (
            Fault::ConnectionReset,
            ErrorKind::Transport(TransportKind::Other),
        ),
        (Fault::NumericRetcode, ErrorKind::MalformedAnswer),
        (Fault::OversizedAnswer(8 << 20), ErrorKind::AnswerTooLarge),
    ];
    for (fault, kind) in cases {
        let before = sim.received("forceBusy");
        sim.faults()
            .inject(FaultRule::on("forceBusy", fault.clone()).times(1));
        let e = s.force_busy(&target).await.unwrap_err();
        assert_eq!(e.kind(), kind, "{fault:?}: {e}");
        assert_eq!(
            sim.received("forceBusy"),
            before + 1,
            "{fault:?}: sent exactly once"
        );
        // The client cannot see behind a load balancer, so it may err on the safe side,
        // never the other way.
        if fault.reaches_gateway() {
            assert!(e.may_have_reached_gateway(), "{fault:?}");
        }
        s.force_idle(&target)
            .await
            .unwrap_or_else(|e| panic!("after {fault:?} the session works: {e}"));
    }
}

#[tokio::test]
async fn an_expired_session_reports_auth_expired_and_signing_in_again_works() {
    let sim = sim(quick().session_timeout(Duration::from_millis(300))).await;
    let client = common::client(&sim);
    let request = SignIn::new(agent("101"), ccgw_sim::DEFAULT_PASSWORD).poll_events(false);
    let s = client.sign_in(request.clone()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(700)).await;
    let e = s.force_busy(&agent("1001")).await.unwrap_err();
    assert!(e.is_auth_expired(), "{e}");
    let again = client.sign_in(request).await.unwrap();
    again.force_busy(&agent("1001")).await.unwrap();
}
