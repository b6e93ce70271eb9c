//! Signs in, listens to an agent, switches to inserting, confirms it from the events, and
//! stops.
//!
//! ```sh
//! cargo run -p ccgw --example inspect                      # against an in-process simulator
//! CCGW_PASSWORD=... cargo run -p ccgw --example inspect -- \
//!     --gateway https://gateway:8043 --agent 101 --target 1001 [--phone 70001]
//! ```

use std::time::Duration;

use ccgw::{AgentId, Client, EventType, Mode, Session, SignIn, TrackedMode};

struct Args {
    gateway: Option<String>,
    agent: String,
    target: String,
    phone: String,
}

fn args() -> Result<Args, String> {
    let mut args = Args {
        gateway: None,
        agent: "101".into(),
        target: "1001".into(),
        phone: "70001".into(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().ok_or(format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--gateway" => args.gateway = Some(value),
            "--agent" => args.agent = value,
            "--target" => args.target = value,
            "--phone" => args.phone = value,
            other => return Err(format!("unknown option {other}")),
        }
    }
    Ok(args)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = args()?;
    let (gateway, password, _sim) = match args.gateway {
        Some(url) => (
            url,
            std::env::var("CCGW_PASSWORD").map_err(|_| "set CCGW_PASSWORD")?,
            None,
        ),
        None => {
            let config = ccgw_sim::SimConfig::default().poll_wait(Duration::from_millis(500));
            let sim = ccgw_sim::Simulator::start(config).await?;
            println!(
                "no --gateway given: using a simulator at {}",
                sim.base_url()
            );
            (
                sim.base_url(),
                ccgw_sim::DEFAULT_PASSWORD.to_owned(),
                Some(sim),
            )
        }
    };
    let client = Client::builder(gateway).build()?;
    let target = client.agent_id(&args.target)?;
    let session = client
        .sign_in(SignIn::new(client.agent_id(&args.agent)?, password).phone(args.phone))
        .await?;
    println!("signed in as {}", session.agent_id());
    // Every way out of the inspection (success, an error, Ctrl-C, SIGTERM) signs out.
    let outcome = tokio::select! {
        outcome = inspect(&session, &target) => outcome,
        () = stop_requested() => Err("stopped by a signal".into()),
    };
    session.sign_out().await?;
    println!("signed out");
    outcome
}

/// Ctrl-C, or SIGTERM where there is one.
async fn stop_requested() {
    #[cfg(unix)]
    {
        let mut terminate =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
                .expect("signals can be watched");
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = terminate.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = tokio::signal::ctrl_c().await;
}

async fn inspect(session: &Session, target: &AgentId) -> Result<(), Box<dyn std::error::Error>> {
    let mut events = session.events();
    session.listen(target).await?;
    println!("listening to {target}");
    // The inspector's own phone goes off-hook on the call. (AgentOther_BeQcStart goes to
    // the inspected agent, not to the inspector.)
    let me = session.agent_id().as_str();
    let started = events
        .wait_for(
            |e| e.event_type() == &EventType::PhoneOffhook && e.work_no() == me,
            Duration::from_secs(15),
        )
        .await?;
    println!(
        "the gateway confirms: {} for {}",
        started.name(),
        started.work_no()
    );

    session.switch_listen_insert(target).await?;
    assert_eq!(session.mode_of(target), TrackedMode::Inserting);
    println!(
        "switched to inserting (the toggle answered success; the session tracks {:?})",
        session.mode_of(target)
    );
    // The toggle triggers no event; the explicit switch confirms the mode idempotently.
    session.set_mode(target, Mode::Insert).await?;
    println!("confirmed inserting with the explicit mode switch");

    session.stop(target).await?;
    let stopped = events
        .wait_for(
            |e| e.event_type() == &EventType::PhoneRelease && e.work_no() == me,
            Duration::from_secs(15),
        )
        .await?;
    println!("stopped: {}", stopped.name());
    Ok(())
}
