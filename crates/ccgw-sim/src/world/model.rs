//! The world's data: who exists, in what state, and with which session; the seeding of a
//! new world; and the read-only questions tests ask of it.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::{Duration, Instant};

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
    /// Wrapping up after a call (the traffic model).
    WrapUp,
}

impl AgentState {
    /// The code of the gateway's state table (Table 1): 2 signed out, 3 busy, 4 idle,
    /// 5 wrap-up, 7 talking, 8 rest. The simulator applies a forced state at once, so it
    /// never reports 9 (pre-rest).
    pub fn code(self) -> u8 {
        match self {
            AgentState::SignedOut => 2,
            AgentState::Busy => 3,
            AgentState::Idle => 4,
            AgentState::WrapUp => 5,
            AgentState::Talking => 7,
            AgentState::Rest { .. } => 8,
        }
    }

    /// The matching CTI platform state (Table 2): 0 not signed in, 1 idle, 5 talking,
    /// 6 wrap-up, 7 busy, 8 rest.
    pub fn cti_code(self) -> u8 {
        match self {
            AgentState::SignedOut => 0,
            AgentState::Idle => 1,
            AgentState::Talking => 5,
            AgentState::WrapUp => 6,
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
    /// When the state began, on the world's clock ([`World::now`]).
    pub(super) state_since: Duration,
    /// When the traffic model next moves this agent on (a call ends, wrap-up ends, a rest
    /// ends), on the world's clock; `None`: it stays as it is.
    pub(super) until: Option<Duration>,
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
    /// The agent who answered it: the recorded party, whose work number names the
    /// recording's folder.
    pub(super) agent: String,
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
    /// Requests refused 000-003 for want of a valid Guid.
    pub(super) refused_unauthorized: u64,
    /// The world's clock: real time since it began, or a clock only tests move.
    pub(super) clock: Clock,
    /// The callers waiting in each skill queue, the longest-waiting first.
    pub(super) queued: HashMap<i32, VecDeque<QueuedCall>>,
    /// Calls arriving, queuing, answered and ended, when the configuration asks for it.
    pub(super) traffic: Option<super::traffic::Traffic>,
    /// Every agent's ID, in order, so that the traffic model visits them the same way
    /// every run.
    pub(super) order: Vec<String>,
    /// Recordings configured apart from the calls' own, by file name.
    pub(super) recordings: HashMap<String, super::recordings::Recorded>,
    /// The playback each inspector hears, if any.
    pub(super) playbacks: HashMap<String, super::recordings::Playing>,
}

/// What the world's time is.
#[derive(Debug, Clone, Copy)]
pub(super) enum Clock {
    /// Real time since this instant.
    Real(Instant),
    /// Stands still until [`World::advance`] moves it.
    Manual(Duration),
}

/// A caller waiting in a skill queue.
#[derive(Debug, Clone)]
pub(super) struct QueuedCall {
    pub(super) id: String,
    pub(super) caller: String,
    /// When the caller began to wait, on the world's clock.
    pub(super) since: Duration,
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
        let manual_clock = config.traffic.as_ref().is_some_and(|t| t.manual_clock);
        let mut world = World {
            config,
            agents: HashMap::new(),
            budget_windows: HashMap::new(),
            refused_over_budget: 0,
            refused_unauthorized: 0,
            clock: if manual_clock {
                Clock::Manual(Duration::ZERO)
            } else {
                Clock::Real(Instant::now())
            },
            queued: HashMap::new(),
            traffic: None,
            order: Vec::new(),
            guids: HashMap::new(),
            calls: HashMap::new(),
            next_call: 1,
            recordings: HashMap::new(),
            playbacks: HashMap::new(),
        };
        let vdns = world.config.vdns.clone();
        let quirks = world.config.quirks;
        let now = world.now();
        for vdn in vdns.iter() {
            for id in &vdn.inspectors {
                let mut agent = Agent::new(id, vdn.id, true, AgentState::SignedOut, now);
                if quirks {
                    agent.name = format!("质检员{id}");
                }
                world.agents.insert(id.clone(), agent);
            }
            for (index, id) in vdn.agents.iter().enumerate() {
                let mut agent = Agent::new(id, vdn.id, false, AgentState::Talking, now);
                if quirks {
                    agent.name = format!("坐席{id}");
                }
                agent.signed_in_at = millis_now();
                agent.skills = vdn.skills_of_agent(index);
                let skill = vdn.skills.first().cloned();
                let call = world.new_call(vdn.id, id, &agent.phone, skill, index);
                agent.call = Some(call);
                world.agents.insert(id.clone(), agent);
            }
        }
        for vdn in &vdns {
            for skill in &vdn.skills {
                for _ in 0..skill.waiting {
                    world.queue_caller(skill.id, now);
                }
            }
        }
        world.order = world.agents.keys().cloned().collect();
        world
            .order
            .sort_by_key(|id| id.parse::<u32>().unwrap_or(u32::MAX));
        world.load_recordings();
        world.traffic = super::traffic::Traffic::start(&mut world);
        world
    }

    /// The world's time: how long it has run, or where tests moved its clock.
    pub fn now(&self) -> Duration {
        match self.clock {
            Clock::Real(start) => start.elapsed(),
            Clock::Manual(now) => now,
        }
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
    pub(super) fn new(
        id: &str,
        vdn: u32,
        inspector: bool,
        state: AgentState,
        now: Duration,
    ) -> Self {
        Agent {
            vdn,
            inspector,
            name: format!("Agent {id}"),
            phone: format!("7{id}"),
            state,
            state_since: now,
            until: None,
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
    pub(super) fn set_state(&mut self, state: AgentState, now: Duration) {
        if self.state != state {
            self.state = state;
            self.state_since = now;
        }
        if state == AgentState::SignedOut {
            self.signed_in_at = 0;
        } else if self.signed_in_at == 0 {
            self.signed_in_at = millis_now();
        }
    }

    /// Leaves the current call: a talking agent becomes idle; a forced state stays.
    pub(super) fn leave_call(&mut self, now: Duration) -> Option<String> {
        let call = self.call.take()?;
        if self.state == AgentState::Talking {
            self.set_state(AgentState::Idle, now);
        }
        self.last_call = Some(call.clone());
        Some(call)
    }
}
