//! Shared set-up: a simulator on loopback and a signed-in inspector.
#![allow(dead_code)]

use std::time::Duration;

use ccgw::{AgentId, Client, Session, SignIn};
use ccgw_sim::{DEFAULT_PASSWORD, RunningSim, SimConfig, Simulator};

pub fn fast() -> SimConfig {
    SimConfig::default().poll_wait(Duration::from_millis(200))
}

pub async fn sim(config: SimConfig) -> RunningSim {
    Simulator::start(config).await.expect("simulator starts")
}

pub fn client(sim: &RunningSim) -> Client {
    Client::builder(sim.base_url())
        .request_timeout(Duration::from_secs(5))
        .build()
        .expect("client builds")
}

pub async fn inspector(sim: &RunningSim) -> (Client, Session) {
    let client = client(sim);
    let session = client
        .sign_in(SignIn::new(client.agent_id("101").unwrap(), DEFAULT_PASSWORD).phone("70001"))
        .await
        .expect("signs in");
    (client, session)
}

pub fn agent(id: &str) -> AgentId {
    id.parse().unwrap()
}
