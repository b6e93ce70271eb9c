//! What the server's handlers share: the world behind its lock, the faults in force, and
//! the request counters.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};

use crate::faults::Faults;
use crate::world::World;

/// Every operationId the simulator serves, as in the document.
pub const OPERATION_IDS: &[&str] = &[
    "signIn",
    "forceSignIn",
    "signOut",
    "pollEvent",
    "insert",
    "listen",
    "intercept",
    "interceptCall",
    "stopListenOrInsert",
    "forceBusy",
    "forceIdle",
    "forceSignOut",
    "forceReleaseCall",
    "adjustSkills",
    "switchListenInsert",
    "forceRest",
    "requestWhisper",
    "stopWhisper",
    "switchMode",
    "getAgentStatus",
    "queryAgentInfoByWorkNo",
    "queryAgentInfoBySkillId",
    "queryAllOnlineAgents",
    "queryAgentInfoByList",
    "queryAllCallInfoByAgentWorkNoEx",
    "queryCallInfoByCallId",
    "queryCallInfo",
    "queryHoldListInfoEx",
    "queryWaitCallInfoBySkillId",
    "queryQueueLengthBySkillId",
    "queryStatInfoOfAcd",
    "querySkillQueueOnAgentVDN",
    "queryAgentSkillsByWorkNo",
    "playRecording",
    "pausePlayback",
    "resumePlayback",
    "forwardPlayback",
    "rewindPlayback",
    "stopPlayback",
    "queryRecordingsByCallId",
    "downloadRecording",
];

/// The state every handler shares.
pub(crate) struct Shared {
    world: Mutex<World>,
    pub(crate) faults: Faults,
    received: HashMap<&'static str, AtomicU64>,
    pub(crate) cookie_misses: AtomicU64,
    /// Whether answers take the shapes real gateways send (`SimConfig::quirks`).
    pub(crate) quirks: bool,
    /// The shapes of a probe report to answer in (`SimConfig::shapes`).
    pub(crate) shapes: Option<std::sync::Arc<crate::shapes::ShapeProfile>>,
}

impl Shared {
    pub(crate) fn new(world: World) -> Self {
        Shared {
            quirks: world.config().quirks,
            shapes: world.config().shapes.clone(),
            world: Mutex::new(world),
            faults: Faults::default(),
            received: OPERATION_IDS
                .iter()
                .map(|op| (*op, AtomicU64::new(0)))
                .collect(),
            cookie_misses: AtomicU64::new(0),
        }
    }

    /// The world, even if a panic poisoned the lock: its data stays consistent because
    /// every change completes under the lock or not at all.
    pub(crate) fn world(&self) -> MutexGuard<'_, World> {
        self.world.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Counts one request for `operation_id`.
    pub(crate) fn count(&self, operation_id: &str) {
        if let Some(counter) = self.received.get(operation_id) {
            counter.fetch_add(1, Ordering::Relaxed);
        }
    }

    pub(crate) fn received(&self, operation_id: &str) -> u64 {
        self.received
            .get(operation_id)
            .map_or(0, |c| c.load(Ordering::Relaxed))
    }

    pub(crate) fn received_total(&self) -> u64 {
        self.received
            .values()
            .map(|c| c.load(Ordering::Relaxed))
            .sum()
    }
}
