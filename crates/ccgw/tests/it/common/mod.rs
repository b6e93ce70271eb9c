//! Shared set-up: a simulator on loopback and a signed-in inspector.
#![allow(dead_code)]

pub mod logs;
pub mod stand_in;

use std::time::Duration;

use ccgw::{AgentId, Client, Session, SignIn};
pub use ccgw_sim::testing::{quick, read_request_head, wait_until};
use ccgw_sim::{DEFAULT_PASSWORD, RunningSim, SimConfig, Simulator};

pub async fn sim(config: SimConfig) -> RunningSim {
    Simulator::start(config).await.expect("simulator starts")
}

pub fn client(sim: &RunningSim) -> Client {
    client_with_timeout(sim, Duration::from_secs(5))
}

pub fn client_with_timeout(sim: &RunningSim, timeout: Duration) -> Client {
    Client::builder(sim.base_url())
        .request_timeout(timeout)
        .build()
        .expect("client builds")
}

pub async fn inspector(sim: &RunningSim) -> (Client, Session) {
    inspector_with_timeout(sim, Duration::from_secs(5)).await
}

/// Inspector 101 signed in through a client with this per-request timeout.
pub async fn inspector_with_timeout(sim: &RunningSim, timeout: Duration) -> (Client, Session) {
    let client = client_with_timeout(sim, timeout);
    let session = client
        .sign_in(SignIn::new(client.agent_id("101").unwrap(), DEFAULT_PASSWORD).phone("70001"))
        .await
        .expect("signs in");
    (client, session)
}

/// The sign-in of inspector 101 with the simulator's password.
pub fn inspector_101() -> SignIn {
    SignIn::new(agent("101"), DEFAULT_PASSWORD)
}

pub fn agent(id: &str) -> AgentId {
    id.parse().unwrap()
}

/// Skill queue `id`.
pub fn skill(id: i32) -> ccgw::SkillId {
    ccgw::SkillId::new(id).unwrap()
}

/// The next event of type `wanted`, waiting at most `within`; panics naming it otherwise.
pub async fn next_of(
    events: &mut ccgw::EventStream,
    wanted: ccgw::EventType,
    within: std::time::Duration,
) -> ccgw::Event {
    events
        .wait_for(|e| e.event_type() == &wanted, within)
        .await
        .unwrap_or_else(|e| panic!("no {wanted:?}: {e}"))
}

/// The names in `dir`, sorted.
pub fn names(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}
