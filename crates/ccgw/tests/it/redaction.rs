//! Neither the password nor any Guid reaches a log line, a span, a `Debug` print or an
//! error message, even at TRACE.

use crate::common;

use std::time::Duration;

use ccgw::{Client, SignIn};
use ccgw_sim::{Fault, FaultRule, SimConfig, Simulator};
use common::agent;

#[tokio::test]
async fn no_secret_in_logs_debug_or_errors() {
    let (captured, _guard) = common::logs::capture();

    let password = "Pa55-word-that-must-not-leak";
    let config = SimConfig::default()
        .password(password)
        .dynamic_auth(true)
        .poll_wait(Duration::from_millis(50));
    let sim = Simulator::start(config).await.unwrap();
    let client = Client::builder(sim.base_url()).build().unwrap();
    let session = client
        .sign_in(SignIn::new(agent("101"), password))
        .await
        .unwrap();
    common::logs::ask_again();
    let mut guids = vec![sim.current_guid("101").unwrap()];
    let mut printed = Vec::new();
    let a = agent("1001");
    session.listen(&a).await.unwrap();
    session.switch_listen_insert(&a).await.unwrap();
    for fault in [
        Fault::HtmlErrorPage,
        Fault::TruncatedJson,
        Fault::NumericRetcode,
        Fault::ConnectionReset,
    ] {
        sim.faults()
            .inject(FaultRule::on("forceBusy", fault).times(1));
        let e = session.force_busy(&a).await.unwrap_err();
        printed.push(format!("{e} {e:?}"));
        guids.extend(sim.current_guid("101"));
    }
    printed.push(format!(
        "{:?}",
        session.force_busy(&agent("2001")).await.unwrap_err()
    ));
    printed.push(format!(
        "{session:?} {client:?} {:?}",
        SignIn::new(agent("101"), password)
    ));
    let wrong = client
        .sign_in(SignIn::new(agent("201"), "wrong"))
        .await
        .unwrap_err();
    printed.push(format!("{wrong} {wrong:?}"));
    // Two more rotations while logging: the Guids they bring are checked too.
    let rotations = session.guid_rotations();
    let rotated = || session.guid_rotations() >= rotations + 2;
    ccgw_sim::testing::wait_until(rotated, "two rotations").await;
    guids.extend(sim.current_guid("101"));
    session.stop(&a).await.unwrap();
    session.sign_out().await.unwrap();

    let logs = captured.text();
    assert!(
        logs.contains("switchSuperviseOrInsert"),
        "spans carry the gateway's log name"
    );
    assert!(
        session.guid_rotations() >= 1,
        "rotations happened while logging"
    );
    let everything = format!("{logs}\n{}", printed.join("\n"));
    assert!(!everything.contains(password), "the password leaked");
    for guid in &guids {
        let uuid = guid.split('.').next().unwrap();
        assert!(!everything.contains(uuid), "a Guid leaked");
    }
}
