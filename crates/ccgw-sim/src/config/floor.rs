//! What the simulated floor holds besides its tenants: recordings to serve, and how
//! busy its traffic is.

use serde::{Deserialize, Serialize};

/// A recording to serve besides the calls' own (see [`SimConfig::recording`](crate::SimConfig::recording)): large or
/// slow ones, for tests of progress and of memory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordingConfig {
    /// Its file name, such as `y:/1/0/20261204/big.V3`.
    pub file_name: String,
    /// The VDN it belongs to.
    pub vdn: u32,
    /// Its size in bytes (G.711 A-law: 8,000 a second).
    pub bytes: u64,
    /// How fast it is served, in bytes a second; absent: as fast as the link goes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bytes_per_second: Option<u64>,
}

impl RecordingConfig {
    /// A recording of `bytes` bytes in VDN `vdn`.
    pub fn new(file_name: impl Into<String>, vdn: u32, bytes: u64) -> Self {
        RecordingConfig {
            file_name: file_name.into(),
            vdn,
            bytes,
            bytes_per_second: None,
        }
    }

    /// Served at most this fast.
    pub fn rate(mut self, bytes_per_second: u64) -> Self {
        self.bytes_per_second = Some(bytes_per_second.max(1));
        self
    }
}

/// How busy a living floor is (see [`SimConfig::traffic`](crate::SimConfig::traffic)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Traffic {
    /// Callers ask for half of what the agents can answer: agents idle between calls.
    Calm,
    /// About 85% of agents occupied (talking, wrapping up, resting) at any size: most
    /// agents talk, queues form now and then.
    Busy,
    /// More than the floor can answer: queues and waits grow.
    Surge,
}

/// A living floor: how busy, from which seed, on which clock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrafficConfig {
    /// How busy.
    pub level: Traffic,
    /// The seed of every random choice: the same seed, the same floor.
    #[serde(default)]
    pub seed: u64,
    /// Whether the world's clock stands still until a test moves it
    /// ([`RunningSim::advance`](crate::RunningSim::advance)).
    #[serde(default)]
    pub manual_clock: bool,
}
