//! A stateful CC-Gateway simulator for the quality-control interfaces of
//! `openapi/cc-gateway.yaml`: sessions, the quality-control state machine, events and
//! injectable faults, served over real HTTP.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> std::io::Result<()> {
//! use ccgw_sim::{SimConfig, Simulator};
//!
//! let sim = Simulator::start(SimConfig::default()).await?;
//! println!("a gateway at {}", sim.base_url());
//! sim.shutdown().await;
//! # Ok(())
//! # }
//! ```
//!
//! # The seeded world
//!
//! VDN 1 holds inspector 101 and agents 1001 to 1010; VDN 2 holds inspector 201 and agents
//! 2001 to 2005. Inspectors have quality-control permission and start signed out; agents
//! start signed in (with no session of their own), each on a call with a customer. Every
//! agent's password is [`DEFAULT_PASSWORD`] unless configured.
//!
//! # Decisions where the reference is silent
//!
//! * Retcodes: 000-002 for a malformed ID, call ID, `switchtype`, rest time or reason;
//!   000-003 for a missing, unknown, replaced or expired Guid, a Guid of another agent, or
//!   an agent without quality-control permission; 000-005 for self-inspection; 100-001
//!   for an empty or over-long skill list; 100-006 for a target that is unknown or signed
//!   out; 900-001 when the target's call does not allow it (no call, other call ID);
//!   900-002 when the inspector is in the wrong quality-control state (listening while
//!   already inspecting, stopping or toggling while not listening or inserting, stopping a
//!   whisper that is not one); 900-003 for a target in another VDN; 900-005 for a target
//!   someone else already inspects.
//! * An inspector inspects one call at a time. `switch` toggles listening and inserting
//!   only; the explicit mode switch moves among listening, inserting and whispering.
//!   Stop (DELETE) ends listening or inserting, stop-whisper ends whispering. After an
//!   intercept the inspector is on the call (mode "intercepting") until the call is
//!   released.
//! * Events go to the inspector's own queue: its phone and state events (`workNo` is the
//!   inspector) and the events of the agents it acts on (`workNo` is that agent), such as
//!   `AgentOther_BeQcStart` with `{"inspector", "mode", "callId"}` in `content`. Neither
//!   switch triggers an event, as documented. Each queue keeps at most
//!   [`world::EVENT_QUEUE_LIMIT`] events, dropping the oldest.
//! * Sessions: sign-in answers 100-002 while the agent is signed in (seeded agents count
//!   as signed in elsewhere); forced sign-in replaces the session and revokes its Guid. A
//!   session that does not poll for longer than the session timeout is signed out.
//!   Under dynamic authentication every event-poll answer carries a new Guid in
//!   `Set-GUID`; every replaced Guid stays valid for the grace period, and the answer to
//!   a request that used one announces the current Guid in `Set-GUID`.
//! * Every sign-in answer sets the affinity cookie [`AFFINITY_COOKIE`]; authenticated
//!   requests that do not send it back are counted ([`RunningSim::cookie_misses`]).
//! * Faults: see [`faults`] for which of them the gateway acts on before they show.

pub mod config;
pub mod faults;
mod ids;
mod routes;
mod server;
pub mod wire;
pub mod world;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use config::{AuthMode, ConfigError, DEFAULT_PASSWORD, SimConfig, VdnConfig};
pub use faults::{Fault, FaultRule, Faults};
pub use server::serve_until;
pub use world::{AgentState, QcMode};

use routes::Shared;
use world::World;

/// The name of the load balancer's affinity cookie.
pub const AFFINITY_COOKIE: &str = "NSLB_AFFINITY";

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
];

/// Starts simulators.
pub struct Simulator;

impl Simulator {
    /// Starts a simulator on a free loopback port.
    pub async fn start(config: SimConfig) -> std::io::Result<RunningSim> {
        Self::start_on(config, SocketAddr::from(([127, 0, 0, 1], 0))).await
    }

    /// Starts a simulator on `addr`.
    pub async fn start_on(config: SimConfig, addr: SocketAddr) -> std::io::Result<RunningSim> {
        config
            .validate()
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e.to_string()))?;
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared::new(World::new(config)));
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(server::serve(listener, shared.clone(), async {
            let _ = stopped.await;
        }));
        Ok(RunningSim {
            addr,
            shared,
            stop: Some(stop),
            task: Some(task),
        })
    }
}

/// A simulator serving in the background. Dropping it stops the server too.
pub struct RunningSim {
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for RunningSim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunningSim")
            .field("addr", &self.addr)
            .finish()
    }
}

impl RunningSim {
    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The base URL to give a client, such as `http://127.0.0.1:40123`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The faults in force; change them at any time.
    pub fn faults(&self) -> &Faults {
        &self.shared.faults
    }

    /// How many requests arrived for `operation_id`, faulty ones included.
    pub fn received(&self, operation_id: &str) -> u64 {
        self.shared.received(operation_id)
    }

    /// How many requests arrived in all.
    pub fn received_total(&self) -> u64 {
        self.shared.received_total()
    }

    /// How many authenticated requests did not send the session's affinity cookie back.
    pub fn cookie_misses(&self) -> u64 {
        self.shared
            .cookie_misses
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// What `inspector` is doing to `agent`.
    pub fn mode_of(&self, inspector: &str, agent: &str) -> QcMode {
        self.shared.world().mode_of(inspector, agent)
    }

    /// The working state of `agent`, if it exists.
    pub fn agent_state(&self, agent: &str) -> Option<AgentState> {
        self.shared.world().agent_state(agent)
    }

    /// The skills `agent` serves.
    pub fn skills_of(&self, agent: &str) -> Option<Vec<i32>> {
        self.shared.world().skills_of(agent)
    }

    /// The call `agent` is on.
    pub fn call_of(&self, agent: &str) -> Option<String> {
        self.shared.world().call_of(agent)
    }

    /// The current Guid of `inspector`'s session. For tests: never log it.
    pub fn current_guid(&self, inspector: &str) -> Option<String> {
        self.shared.world().current_guid(inspector)
    }

    /// Replaces the Guid of `inspector`'s session now, as dynamic authentication would.
    pub fn rotate_guid(&self, inspector: &str) -> Option<String> {
        self.shared.world().rotate_guid(inspector, Instant::now())
    }

    /// Stops accepting, lets requests in flight finish briefly, and waits for the server.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for RunningSim {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
