//! The world's data: who exists, in what state, and with which session; the seeding of a
//! new world; and the read-only questions tests ask of it.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::Instant;

use tokio::sync::Notify;

use crate::answers::AgentEvent;
use crate::config::{SimConfig, SkillConfig};

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
    /// The `qcType` of `AgentOther_BeQcStart`/`BeQcStop`: 8 listen, 9 insert, 20172
    /// whisper (the reference also names 20173 for whispering without saying when; the
    /// simulator sends 20172), 0 for anything else.
    pub(super) fn qc_type(self) -> u32 {
        match self {
            QcMode::Listening => 8,
            QcMode::Inserting => 9,
            QcMode::Whispering => 20172,
            QcMode::Idle | QcMode::Intercepting => 0,
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

impl AgentState {
    /// The code of the gateway's state table (Table 1): 2 signed out, 3 busy, 4 idle,
    /// 7 talking, 8 rest. The simulator applies a forced state at once, so it never
    /// reports 5 (wrap-up) or 9 (pre-rest).
    pub fn code(self) -> u8 {
        match self {
            AgentState::SignedOut => 2,
            AgentState::Busy => 3,
            AgentState::Idle => 4,
            AgentState::Talking => 7,
            AgentState::Rest { .. } => 8,
        }
    }

    /// The matching CTI platform state (Table 2): 0 not signed in, 1 idle, 5 talking,
    /// 7 busy, 8 rest.
    pub fn cti_code(self) -> u8 {
        match self {
            AgentState::SignedOut => 0,
            AgentState::Idle => 1,
            AgentState::Talking => 5,
            AgentState::Busy => 7,
            AgentState::Rest { .. } => 8,
        }
    }
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
    pub(super) name: String,
    pub(super) phone: String,
    /// Read through [`Agent::state`] and changed through [`Agent::set_state`], which
    /// keeps `state_since` right.
    state: AgentState,
    pub(super) state_since: Instant,
    /// When the agent signed in, in milliseconds since 1970.
    pub(super) signed_in_at: u64,
    pub(super) call: Option<String>,
    /// The call the agent was last on, for `callinfo`.
    pub(super) last_call: Option<String>,
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

/// A call between a customer and an agent.
pub(super) struct CallRecord {
    pub(super) vdn: u32,
    /// The customer's number.
    pub(super) caller: String,
    /// The number the customer called.
    pub(super) called: String,
    pub(super) skill: Option<SkillConfig>,
    /// When the call was answered, in milliseconds since 1970.
    pub(super) began_at: u64,
    /// When its last party left, in milliseconds since 1970; `None` while it goes on.
    pub(super) ended_at: Option<u64>,
}

/// The whole simulated gateway.
pub struct World {
    pub(super) config: SimConfig,
    pub(super) agents: HashMap<String, Agent>,
    pub(super) guids: HashMap<String, String>,
    pub(super) calls: HashMap<String, CallRecord>,
    pub(super) next_call: u64,
    /// When each agent's counted queue and agent-group queries arrived, oldest first.
    pub(super) budget_windows: HashMap<String, VecDeque<Instant>>,
    /// How many queries the budget refused.
    pub(super) refused_over_budget: u64,
    /// When the world began: the configured waiting callers queue from then.
    pub(super) started: Instant,
}

/// Now, in milliseconds since 1970, as the gateway writes times.
pub(super) fn millis_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis().try_into().unwrap_or(u64::MAX))
}

impl World {
    /// Seeds the world from a configuration.
    pub fn new(config: SimConfig) -> Self {
        let mut world = World {
            config,
            agents: HashMap::new(),
            budget_windows: HashMap::new(),
            refused_over_budget: 0,
            started: Instant::now(),
            guids: HashMap::new(),
            calls: HashMap::new(),
            next_call: 1,
        };
        let vdns = world.config.vdns.clone();
        let quirks = world.config.quirks;
        for vdn in vdns {
            for id in &vdn.inspectors {
                let mut agent = Agent::new(id, vdn.id, true, AgentState::SignedOut);
                if quirks {
                    agent.name = format!("质检员{id}");
                }
                world.agents.insert(id.clone(), agent);
            }
            for (index, id) in vdn.agents.iter().enumerate() {
                let mut agent = Agent::new(id, vdn.id, false, AgentState::Talking);
                if quirks {
                    agent.name = format!("坐席{id}");
                }
                agent.signed_in_at = millis_now();
                agent.skills = vdn.skills_of_agent(index);
                let skill = vdn.skills.first().cloned();
                let call = world.new_call(vdn.id, &agent.phone, skill, index);
                agent.call = Some(call);
                world.agents.insert(id.clone(), agent);
            }
        }
        world
    }

    /// Starts a call from a customer to `phone`; returns its ID.
    fn new_call(&mut self, vdn: u32, phone: &str, skill: Option<SkillConfig>, n: usize) -> String {
        let id = self.new_call_id();
        let record = CallRecord {
            vdn,
            caller: format!("1380000{:04}", n % 10_000),
            called: phone.to_owned(),
            skill,
            began_at: millis_now(),
            ended_at: None,
        };
        self.calls.insert(id.clone(), record);
        id
    }

    /// Takes `agent` off its call; the call ends when no party is left on it.
    pub(super) fn leave_call(&mut self, agent: &str) {
        let Some(call) = self.agents.get_mut(agent).and_then(Agent::leave_call) else {
            return;
        };
        if !self
            .agents
            .values()
            .any(|a| a.call.as_deref() == Some(&call))
            && let Some(record) = self.calls.get_mut(&call)
        {
            record.ended_at.get_or_insert_with(millis_now);
        }
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
        self.agents.get(agent).map(Agent::state)
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
    pub(super) fn new(id: &str, vdn: u32, inspector: bool, state: AgentState) -> Self {
        Agent {
            vdn,
            inspector,
            name: format!("Agent {id}"),
            phone: format!("7{id}"),
            state,
            state_since: Instant::now(),
            signed_in_at: 0,
            call: None,
            last_call: None,
            skills: Vec::new(),
            inspected_by: None,
            qc: None,
            session: None,
        }
    }

    pub(super) fn state(&self) -> AgentState {
        self.state
    }

    /// Changes the working state; the time in state restarts only on a real change.
    pub(super) fn set_state(&mut self, state: AgentState) {
        if self.state != state {
            self.state = state;
            self.state_since = Instant::now();
        }
        if state == AgentState::SignedOut {
            self.signed_in_at = 0;
        } else if self.signed_in_at == 0 {
            self.signed_in_at = millis_now();
        }
    }

    /// Leaves the current call: a talking agent becomes idle; a forced state stays.
    pub(super) fn leave_call(&mut self) -> Option<String> {
        let call = self.call.take()?;
        if self.state == AgentState::Talking {
            self.set_state(AgentState::Idle);
        }
        self.last_call = Some(call.clone());
        Some(call)
    }
}
