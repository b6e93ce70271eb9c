//! The simulator tests check the wire, so they use the bare client of
//! `ccgw_sim::testing` rather than `ccgw`.
#![allow(dead_code)]

use std::ops::Deref;

use ccgw_sim::testing::Wire;
pub use ccgw_sim::testing::{WireAnswer, quick};
use ccgw_sim::{RunningSim, SimConfig, Simulator};

/// A simulator and a bare client for it.
pub struct Gw {
    pub sim: RunningSim,
    pub wire: Wire,
}

impl Gw {
    pub async fn start(config: SimConfig) -> Gw {
        let sim = Simulator::start(config).await.expect("simulator starts");
        let wire = Wire::new(&sim.base_url());
        Gw { sim, wire }
    }

    pub fn http(&self) -> &reqwest::Client {
        self.wire.http()
    }
}

impl Deref for Gw {
    type Target = Wire;

    fn deref(&self) -> &Wire {
        &self.wire
    }
}
