//! The error kinds, each produced for real.

use crate::common::{self, skill};

use std::time::Duration;

use ccgw::{AgentId, Client, Edition, ErrorKind, SignIn, TransportKind};
use ccgw_sim::{Fault, FaultRule};
use common::{agent, inspector, quick, sim};

#[tokio::test]
async fn invalid_input_never_reaches_the_wire() {
    let sim = sim(quick()).await;
    let (client, s) = inspector(&sim).await;
    for bad in ["", "100", "60000", "0101", "12a4", "1234567", " 101"] {
        let e = client.agent_id(bad).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidInput, "{bad}");
    }
    assert!(AgentId::parse_for(Edition::Newest, "60000").is_ok());
    let before = sim.received_total();
    assert_eq!(
        s.force_rest(&agent("1001"), 0, 1).await.unwrap_err().kind(),
        ErrorKind::InvalidInput
    );
    assert_eq!(
        s.force_rest(&agent("1001"), 86_400, 1)
            .await
            .unwrap_err()
            .kind(),
        ErrorKind::InvalidInput
    );
    assert_eq!(
        s.force_rest(&agent("1001"), 60, 0)
            .await
            .unwrap_err()
            .kind(),
        ErrorKind::InvalidInput
    );
    assert!(ccgw::Skills::new(vec![]).is_err());
    assert!(ccgw::Skills::new((0..1001).map(skill).collect()).is_err());
    assert!("1,x".parse::<ccgw::Skills>().is_err());
    assert!(
        "1,-2".parse::<ccgw::Skills>().is_err(),
        "a negative skill ID"
    );
    assert!(ccgw::SkillId::new(-1).is_err());
    assert!("+3".parse::<ccgw::SkillId>().is_err(), "digits only");
    assert!(
        "2147483648".parse::<ccgw::SkillId>().is_err(),
        "above the wire's range"
    );
    assert!(ccgw::CallId::parse("12").is_err());
    assert_eq!(sim.received_total(), before, "nothing was sent");
}

#[tokio::test]
async fn gateway_failures_carry_retcode_meaning_and_message() {
    let sim = sim(quick()).await;
    let (_, s) = inspector(&sim).await;
    let e = s.listen(&agent("2001")).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Gateway);
    assert_eq!(e.retcode().unwrap().code(), "900-003");
    assert!(!e.retcode().unwrap().message().is_empty());
    assert_eq!(e.operation(), Some("addSupervise"));
    let e = s.force_busy(&agent("1234")).await.unwrap_err();
    assert!(e.is_not_signed_in());
    assert!(
        e.to_string().contains("100-006") && e.to_string().contains("not signed in"),
        "{e}"
    );
    let e = s.switch_listen_insert(&agent("101")).await.unwrap_err();
    assert_eq!(e.retcode().unwrap().code(), "000-005");
    // A query's refusal carries the gateway's own words too.
    sim.faults()
        .inject(FaultRule::on("queryAgentInfoByWorkNo", Fault::Retcode("100-007".into())).times(1));
    let e = s.agent(&agent("1001")).await.unwrap_err();
    assert_eq!(e.retcode().unwrap().code(), "100-007");
    assert_eq!(
        e.retcode().unwrap().message(),
        "refused by an injected fault"
    );
}

#[tokio::test]
async fn wrong_password() {
    let sim = sim(quick()).await;
    let client = common::client(&sim);
    let e = client
        .sign_in(SignIn::new(agent("101"), "nope"))
        .await
        .unwrap_err();
    assert!(e.is_wrong_password());
    assert!(!format!("{e} {e:?}").contains("nope"));
}

#[tokio::test]
async fn http_status_and_html_pages() {
    let sim = sim(quick()).await;
    let (_, s) = inspector(&sim).await;
    sim.faults()
        .inject(FaultRule::on("forceBusy", Fault::HtmlErrorPage).times(1));
    let e = s.force_busy(&agent("1001")).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::HttpStatus(502));
    assert!(e.excerpt().unwrap().contains("502 Bad Gateway"), "{e}");
    sim.faults()
        .inject(FaultRule::on("forceBusy", Fault::Status(500)).times(1));
    assert_eq!(
        s.force_busy(&agent("1001")).await.unwrap_err().kind(),
        ErrorKind::HttpStatus(500)
    );
    s.force_busy(&agent("1001")).await.unwrap();
}

#[tokio::test]
async fn malformed_and_oversized_answers() {
    let sim = sim(quick()).await;
    let (_, s) = inspector(&sim).await;
    sim.faults()
        .inject(FaultRule::on("forceIdle", Fault::TruncatedJson).times(1));
    assert_eq!(
        s.force_idle(&agent("1001")).await.unwrap_err().kind(),
        ErrorKind::MalformedAnswer
    );
    sim.faults()
        .inject(FaultRule::on("forceIdle", Fault::NumericRetcode).times(1));
    assert_eq!(
        s.force_idle(&agent("1001")).await.unwrap_err().kind(),
        ErrorKind::MalformedAnswer
    );
    sim.faults()
        .inject(FaultRule::on("forceIdle", Fault::OversizedAnswer(8 << 20)).times(1));
    let e = s.force_idle(&agent("1001")).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::AnswerTooLarge);
    assert!(e.may_have_reached_gateway());
    s.force_idle(&agent("1001")).await.unwrap();
}

#[tokio::test]
async fn timeouts_and_resets_are_transport_errors_that_may_have_reached() {
    let sim = sim(quick()).await;
    let (_, s) = common::inspector_with_timeout(&sim, Duration::from_millis(200)).await;
    sim.faults()
        .inject(FaultRule::on("forceBusy", Fault::Latency(Duration::from_millis(600))).times(1));
    let e = s.force_busy(&agent("1001")).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Transport(TransportKind::Timeout));
    assert!(e.may_have_reached_gateway() && e.is_timeout());
    sim.faults()
        .inject(FaultRule::on("forceBusy", Fault::ConnectionReset).times(1));
    let e = s.force_busy(&agent("1001")).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Transport(TransportKind::Other), "{e}");
    assert!(e.may_have_reached_gateway());
    assert_eq!(sim.received("forceBusy"), 2, "neither was resent");
}

#[tokio::test]
async fn connect_failures_are_retried_and_then_reported() {
    let port = ccgw_sim::testing::unused_port();
    let client = Client::builder(format!("http://127.0.0.1:{port}"))
        .connect_retries(2)
        .build()
        .unwrap();
    let e = client
        .sign_in(SignIn::new(agent("101"), "x"))
        .await
        .unwrap_err();
    assert_eq!(
        e.kind(),
        ErrorKind::Transport(TransportKind::Connect),
        "{e}"
    );
    assert!(!e.may_have_reached_gateway());
}

#[tokio::test]
async fn bad_builder_input() {
    assert_eq!(
        Client::builder("not a url").build().unwrap_err().kind(),
        ErrorKind::InvalidInput
    );
    assert_eq!(
        Client::builder("ftp://x").build().unwrap_err().kind(),
        ErrorKind::InvalidInput
    );
    // Still a chain: the PEM's error comes from build().
    let e = Client::builder("https://x")
        .add_root_certificate_pem(b"garbage")
        .request_timeout(std::time::Duration::from_secs(5))
        .build()
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    assert!(e.to_string().contains("CA certificate"), "{e}");
}
