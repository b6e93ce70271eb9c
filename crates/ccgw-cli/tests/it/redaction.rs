//! A whole console session at RUST_LOG=trace, faults included, prints neither the
//! password nor any Guid on standard output or standard error.

use crate::common;

use std::time::Duration;

use ccgw_sim::{Fault, FaultRule, SimConfig, Simulator};
use common::{Checkpoint, ccgw, console_args, sample_guids};

#[tokio::test]
async fn trace_logs_carry_no_secret() {
    let password = "Sup3r-secret-console-pw";
    let config = SimConfig::default()
        .password(password)
        .dynamic_auth(true)
        .poll_wait(Duration::from_millis(100));
    let sim = Simulator::start(config).await.unwrap();
    sim.faults()
        .inject(FaultRule::on("forceBusy", Fault::HtmlErrorPage).times(1));
    sim.faults()
        .inject(FaultRule::on("forceIdle", Fault::TruncatedJson).times(1));
    sim.faults()
        .inject(FaultRule::on("stopListenOrInsert", Fault::ConnectionReset).times(1));
    let url = sim.base_url();
    let dir = tempfile::tempdir().unwrap();
    let halfway = Checkpoint::new(dir.path(), "halfway");
    let [touch, wait] = halfway.lines();
    let script = [
        "listen 1001",
        "switch 1001",
        "force-busy 1002",
        "force-idle 1002",
        &touch,
        &wait,
        "mode 1001 insert",
        "stop 1001",
        "listen 2001",
        "events",
        "quit",
    ];
    let (done, stop) = tokio::sync::oneshot::channel();
    let args = console_args(&url, &["--json"]);
    let console = async {
        let run = ccgw(
            &args,
            &[("CCGW_PASSWORD", password), ("RUST_LOG", "trace")],
            &script,
        )
        .await;
        let _ = done.send(());
        run
    };
    // Halfway, the Guid rotates before the rest goes: later requests carry a newer one.
    let rotation = async {
        halfway.reached().await;
        common::rotated(&sim, "101").await;
        halfway.go();
    };
    let (run, (), guids) = tokio::join!(console, rotation, sample_guids(&sim, "101", stop));
    assert_eq!(run.status, 1, "some commands failed on purpose");
    assert!(run.stderr.contains("TRACE"), "trace logging was on");
    assert!(run.stderr.contains("switchSuperviseOrInsert"));
    assert!(guids.len() >= 2, "Guids rotated during the session");
    let everything = format!("{}\n{}", run.stdout, run.stderr);
    assert!(!everything.contains(password), "the password leaked");
    for guid in &guids {
        let uuid = guid.split('.').next().unwrap();
        assert!(!everything.contains(uuid), "a Guid leaked");
    }
}
