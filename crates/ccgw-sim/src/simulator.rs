//! Starting a simulator in the background, and the handle that inspects and stops it.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::config::SimConfig;
use crate::faults::Faults;
use crate::server;
use crate::state::Shared;
use crate::world::{AgentState, QcMode, World};

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

    /// How many queue-device and agent-group queries the overload budget refused
    /// (answered 000-007): a client that paces its queries keeps this at 0.
    pub fn refused_over_budget(&self) -> u64 {
        self.shared.world().refused_over_budget()
    }

    /// How many requests were refused 000-003 for want of a valid Guid: none at all, a
    /// Guid the gateway never gave, or one a rotation replaced (a client that follows
    /// rotations sees a few of these only while its requests race a rotation).
    pub fn refused_unauthorized(&self) -> u64 {
        self.shared.world().refused_unauthorized()
    }

    /// Moves the world's manual clock on by `by` (see
    /// [`TrafficConfig::manual_clock`](crate::TrafficConfig::manual_clock)) and runs the
    /// traffic model up to it; on real time, only catches the model up.
    pub fn advance(&self, by: Duration) {
        self.shared.world().advance(by);
    }

    /// Changes how busy a living floor is from now on (a surge starts or ends); false
    /// when the simulator runs without traffic.
    pub fn set_traffic(&self, level: crate::config::Traffic) -> bool {
        self.shared.world().set_traffic(level)
    }

    /// Sets how many callers wait in skill queue `skill`, as a surge or a lull would;
    /// false when no VDN has that queue.
    pub fn set_waiting(&self, skill: i32, waiting: u32) -> bool {
        self.shared.world().set_waiting(skill, waiting)
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

    /// The file name of the recording of the call `agent` is on (or was last on): what
    /// `AgentMediaEvent_Record` names, to download or play.
    pub fn recording_of(&self, agent: &str) -> Option<String> {
        self.shared.world().recording_of(agent)
    }

    /// The current Guid of `inspector`'s session. For tests: never log it.
    pub fn current_guid(&self, inspector: &str) -> Option<String> {
        self.shared.world().current_guid(inspector)
    }

    /// Replaces the Guid of `inspector`'s session now, as dynamic authentication would.
    pub fn rotate_guid(&self, inspector: &str) -> Option<String> {
        self.shared.world().rotate_guid(inspector, Instant::now())
    }

    /// Hands `agent`'s session an event about itself, with empty content, as the gateway
    /// would on something that happened outside the simulated world (a supervisor's
    /// system acting on it): for tests of what a client makes of events. `false` when
    /// `agent` has no session that polls.
    pub fn tell(&self, agent: &str, event_type: &str) -> bool {
        self.shared.world().tell(agent, event_type)
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
