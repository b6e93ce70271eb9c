//! The world's data: who exists, in what state, and with which session; the seeding of a
//! new world; and the read-only questions tests ask of it.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::Instant;

use tokio::sync::Notify;

use crate::answers::AgentEvent;
use crate::config::SimConfig;

/// What an inspector is doing to the agent it inspects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QcMode {
    /// Not inspecting that agent.
    Idle,
    /// Silently monitoring the call.
    Listening,
    /// Barged into the call.
    Inserting,
    /// Coaching the agent; the customer does not hear.
    Whispering,
    /// Took the call over from the agent.
    Intercepting,
}

impl QcMode {
    pub(super) fn word(self) -> &'static str {
        match self {
            QcMode::Idle => "idle",
            QcMode::Listening => "listen",
            QcMode::Inserting => "insert",
            QcMode::Whispering => "whisper",
            QcMode::Intercepting => "intercept",
        }
    }
}

/// An agent's working state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AgentState {
    /// Not signed in.
    SignedOut,
    /// Signed in and ready for calls.
    Idle,
    /// Signed in, not taking new calls.
    Busy,
    /// Resting, with a reason code.
    Rest {
        /// The rest reason code.
        reason: u8,
    },
    /// On a call.
    Talking,
}

/// A failed operation: the retcode and a message for the answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The retcode to answer with.
    pub retcode: &'static str,
    /// Why, in words.
    pub message: String,
}

pub(super) fn fail<T>(retcode: &'static str, message: impl Into<String>) -> Result<T, Failure> {
    Err(Failure {
        retcode,
        message: message.into(),
    })
}

pub(super) struct Agent {
    pub(super) vdn: u32,
    pub(super) inspector: bool,
    pub(super) state: AgentState,
    pub(super) call: Option<String>,
    pub(super) skills: Vec<i32>,
    /// Who inspects this agent, if anyone.
    pub(super) inspected_by: Option<String>,
    /// What this agent, as an inspector, is doing and to whom.
    pub(super) qc: Option<(String, QcMode)>,
    pub(super) session: Option<SessionRecord>,
}

pub(super) struct SessionRecord {
    pub(super) guid: String,
    /// Replaced Guids and when each stops being accepted.
    pub(super) previous: Vec<(String, Instant)>,
    pub(super) cookie: String,
    pub(super) last_seen: Instant,
    pub(super) events: VecDeque<AgentEvent>,
    pub(super) notify: Arc<Notify>,
}

/// A newly created session, for the sign-in answer.
#[derive(Debug, Clone)]
pub struct NewSession {
    /// The Guid to announce in `Set-GUID`.
    pub guid: String,
    /// The affinity cookie to announce in `Set-Cookie`.
    pub cookie: String,
}

/// A session that passed authentication.
#[derive(Debug, Clone)]
pub struct Authorized {
    /// Whether the request carried the session's affinity cookie.
    pub had_cookie: bool,
    /// Under dynamic authentication, the current Guid when the request used a replaced
    /// one: the answer announces it.
    pub announce: Option<String>,
}

/// The whole simulated gateway.
pub struct World {
    pub(super) config: SimConfig,
    pub(super) agents: HashMap<String, Agent>,
    pub(super) guids: HashMap<String, String>,
    pub(super) next_call: u64,
}

impl World {
    /// Seeds the world from a configuration.
    pub fn new(config: SimConfig) -> Self {
        let mut world = World {
            config,
            agents: HashMap::new(),
            guids: HashMap::new(),
            next_call: 1,
        };
        let vdns = world.config.vdns.clone();
        for vdn in vdns {
            for id in vdn.inspectors {
                world
                    .agents
                    .insert(id, Agent::new(vdn.id, true, AgentState::SignedOut, None));
            }
            for id in vdn.agents {
                let call = world.new_call_id();
                world.agents.insert(
                    id,
                    Agent::new(vdn.id, false, AgentState::Talking, Some(call)),
                );
            }
        }
        world
    }

    pub(super) fn new_call_id(&mut self) -> String {
        self.next_call += 1;
        format!("1700000000-{}", self.next_call)
    }

    /// The configuration the world runs with.
    pub fn config(&self) -> &SimConfig {
        &self.config
    }

    pub(super) fn qc_of(&self, inspector: &str, target: &str) -> QcMode {
        match &self.agents.get(inspector).and_then(|a| a.qc.as_ref()) {
            Some((t, mode)) if t == target => *mode,
            _ => QcMode::Idle,
        }
    }

    /// What `inspector` is doing to `target`.
    pub fn mode_of(&self, inspector: &str, target: &str) -> QcMode {
        self.qc_of(inspector, target)
    }

    /// The working state of `agent`.
    pub fn agent_state(&self, agent: &str) -> Option<AgentState> {
        self.agents.get(agent).map(|a| a.state)
    }

    /// The skills `agent` serves.
    pub fn skills_of(&self, agent: &str) -> Option<Vec<i32>> {
        self.agents.get(agent).map(|a| a.skills.clone())
    }

    /// The call `agent` is on.
    pub fn call_of(&self, agent: &str) -> Option<String> {
        self.agents.get(agent)?.call.clone()
    }
}

impl Agent {
    pub(super) fn new(vdn: u32, inspector: bool, state: AgentState, call: Option<String>) -> Self {
        Agent {
            vdn,
            inspector,
            state,
            call,
            skills: Vec::new(),
            inspected_by: None,
            qc: None,
            session: None,
        }
    }
}
