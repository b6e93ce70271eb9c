//! Neither the password nor any Guid reaches a log line, a span, a `Debug` print or an
//! error message, even at TRACE.

use crate::common;

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ccgw::{Client, SignIn};
use ccgw_sim::{Fault, FaultRule, SimConfig, Simulator};
use common::agent;
use tracing_subscriber::fmt::MakeWriter;

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Captured {
        self.clone()
    }
}

#[tokio::test]
async fn no_secret_in_logs_debug_or_errors() {
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::FULL)
        .with_writer(captured.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    // Another test's thread may have met the spans first, with no subscriber that wanted
    // them, and cached that: ask every callsite again, now that this one does.
    tracing::callsite::rebuild_interest_cache();

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
    // And once more now: another thread may have been registering a callsite, with its
    // interest computed before this subscriber existed, while the cache was rebuilt.
    tracing::callsite::rebuild_interest_cache();
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
    tokio::time::sleep(Duration::from_millis(800)).await;
    guids.extend(sim.current_guid("101"));
    session.stop(&a).await.unwrap();
    session.sign_out().await.unwrap();

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
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
