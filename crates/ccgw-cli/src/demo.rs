//! `ccgw demo`: one inspection, narrated, against an in-process simulator.

use crate::stdio::Why;
use std::process::ExitCode;
use std::time::Duration;

use ccgw::{AgentId, Client, Event, EventStream, EventType, Mode, Session, SignIn};
use ccgw_sim::{RunningSim, Simulator};

use crate::signals::Signals;

const WAIT: Duration = Duration::from_secs(10);

/// Runs the demo; any failure is explained and exits 1.
pub async fn run() -> ExitCode {
    match walk_through().await {
        Ok(()) => {
            outln!("\nDone: every step succeeded. Try `ccgw sim` and `ccgw console` next.");
            ExitCode::SUCCESS
        }
        Err(Stopped::CouldNotStart(e)) => {
            errln!("\nThe demo could not start: {}", Why(&*e));
            ExitCode::from(2)
        }
        Err(Stopped::Failed(e)) => {
            errln!("\nThe demo stopped: {}", Why(&*e));
            ExitCode::from(1)
        }
    }
}

type Failure = Box<dyn std::error::Error>;

/// Why the demo did not finish: before signing in (status 2), or after (status 1).
enum Stopped {
    CouldNotStart(Failure),
    Failed(Failure),
}

fn step(n: u32, text: &str) {
    outln!("\n{n}. {text}");
}

fn sim_says(sim: &RunningSim, agent: &AgentId) {
    outln!(
        "   the simulator's own view of inspector 101 and agent {agent}: {:?}",
        sim.mode_of("101", agent.as_str())
    );
}

async fn walk_through() -> Result<(), Stopped> {
    let start = |e: Failure| Stopped::CouldNotStart(e);
    // Ctrl-C, SIGTERM or SIGHUP during the steps still signs out (step 8).
    let mut signals = Signals::register().map_err(|e| start(e.into()))?;
    let sim = Simulator::start(crate::sim::lively().poll_wait(Duration::from_millis(300)))
        .await
        .map_err(|e| start(e.into()))?;
    outln!(
        "A CC-Gateway simulator is running at {} with inspector 101 and agents 1001-1010,",
        sim.base_url()
    );
    outln!("each agent on a call with a customer.");

    step(1, "Sign in inspector 101.");
    let client = Client::builder(sim.base_url())
        .build()
        .map_err(|e| start(e.into()))?;
    let me = client.agent_id("101").map_err(|e| start(e.into()))?;
    let session = client
        .sign_in(SignIn::new(me, ccgw_sim::DEFAULT_PASSWORD).phone("70001"))
        .await
        .map_err(|e| start(e.into()))?;
    outln!("   signed in; the session polls events in the background to stay alive");
    let result = tokio::select! {
        result = inspect(&sim, &client, &session) => result,
        signal = signals.any() => Err(format!("stopped by {signal}").into()),
    };
    step(8, "Sign out.");
    let signed_out = session.sign_out().await;
    match &signed_out {
        Ok(()) => outln!("   signed out; the gateway no longer accepts the session's Guid"),
        Err(e) => errln!("   sign-out failed: {}", Why(e)),
    }
    sim.shutdown().await;
    // A failed step is the story; a failed sign-out after it does not replace it.
    result
        .and(signed_out.map_err(Failure::from))
        .map_err(Stopped::Failed)
}

async fn inspect(
    sim: &RunningSim,
    client: &Client,
    session: &Session,
) -> Result<(), Box<dyn std::error::Error>> {
    let agent = client.agent_id("1001")?;
    let mut events = session.events();

    step(
        2,
        "Listen to agent 1001's call: the inspector hears both sides, nobody hears the inspector.",
    );
    session.listen(&agent).await?;
    outln!("   the gateway answered success");
    sim_says(sim, &agent);

    step(
        3,
        "Switch to inserting with the toggle: now both sides hear the inspector.",
    );
    session.switch_listen_insert(&agent).await?;
    outln!(
        "   success; the session now tracks {:?}",
        session.mode_of(&agent)
    );
    outln!("   (a toggle is never retried: sent twice, it would flip back to listening)");
    sim_says(sim, &agent);

    step(4, "Confirm from the event stream.");
    let me = session.agent_id().clone();
    let started = event_about(&mut events, EventType::PhoneOffhook, &me).await?;
    outln!(
        "   event {} for inspector {}: its phone is on the call, the inspection is live",
        started.name(),
        started.work_no()
    );
    outln!("   (AgentOther_BeQcStart goes to the inspected agent, not to the inspector)");

    step(
        5,
        "Use the explicit mode switch to go back to listening (safe to repeat).",
    );
    session.set_mode(&agent, Mode::Listen).await?;
    session.set_mode(&agent, Mode::Listen).await?;
    outln!(
        "   sent twice on purpose: still {:?}",
        session.mode_of(&agent)
    );
    sim_says(sim, &agent);

    step(
        6,
        "Whisper to the agent: only the agent hears the inspector.",
    );
    session.set_mode(&agent, Mode::Whisper).await?;
    outln!(
        "   success; the session tracks {:?}",
        session.mode_of(&agent)
    );
    sim_says(sim, &agent);

    step(7, "Stop whispering and leave the call.");
    session.stop_whisper(&agent).await?;
    let stopped = event_about(&mut events, EventType::PhoneRelease, &me).await?;
    outln!(
        "   event {}: the inspector's phone left the call",
        stopped.name()
    );
    sim_says(sim, &agent);
    Ok(())
}

/// The next event of type `wanted` about `agent`.
async fn event_about(
    events: &mut EventStream,
    wanted: EventType,
    agent: &AgentId,
) -> Result<Event, ccgw::Error> {
    events
        .wait_for(
            |e| *e.event_type() == wanted && e.work_no() == agent.as_str(),
            WAIT,
        )
        .await
}
