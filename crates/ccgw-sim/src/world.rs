//! The simulated contact center: agents, sessions, quality-control state and event
//! queues. Plain synchronous code behind one mutex that is never held across an await;
//! the HTTP layer calls in, gets an outcome, and does the waiting itself.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Map, Value, json};
use tokio::sync::Notify;

use crate::config::{AuthMode, SimConfig};
use crate::ids::{is_agent_id, is_call_id};
use crate::wire::{AgentEvent, retcode};

/// The most events kept per session; the oldest go first, so memory stays bounded.
pub const EVENT_QUEUE_LIMIT: usize = 1000;

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
    fn word(self) -> &'static str {
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

fn fail<T>(retcode: &'static str, message: impl Into<String>) -> Result<T, Failure> {
    Err(Failure {
        retcode,
        message: message.into(),
    })
}

struct Agent {
    vdn: u32,
    inspector: bool,
    state: AgentState,
    call: Option<String>,
    skills: Vec<i32>,
    /// Who inspects this agent, if anyone.
    inspected_by: Option<String>,
    /// What this agent, as an inspector, is doing and to whom.
    qc: Option<(String, QcMode)>,
    session: Option<Session>,
}

struct Session {
    guid: String,
    /// Replaced Guids and when each stops being accepted.
    previous: Vec<(String, Instant)>,
    cookie: String,
    last_seen: Instant,
    events: VecDeque<AgentEvent>,
    notify: Arc<Notify>,
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
    /// The signed-in agent.
    pub agent: String,
    /// Whether the request carried the session's affinity cookie.
    pub had_cookie: bool,
    /// Under dynamic authentication, the current Guid when the request used a replaced
    /// one: the answer announces it.
    pub announce: Option<String>,
}

/// How an event poll ended.
#[derive(Debug)]
pub enum PollStart {
    /// An event was already queued.
    Ready(AgentEvent),
    /// Nothing queued: wait on this, then call [`World::finish_poll`].
    Wait(Arc<Notify>),
}

/// The whole simulated gateway.
pub struct World {
    config: SimConfig,
    agents: HashMap<String, Agent>,
    guids: HashMap<String, String>,
    next_call: u64,
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

    fn new_call_id(&mut self) -> String {
        self.next_call += 1;
        format!("1700000000-{}", self.next_call)
    }

    /// The configuration the world runs with.
    pub fn config(&self) -> &SimConfig {
        &self.config
    }

    // ---- sessions ------------------------------------------------------------------

    /// Signs `agent` in; with `force`, any existing session is taken over.
    pub fn sign_in(
        &mut self,
        agent: &str,
        password: &str,
        status: Option<i64>,
        force: bool,
        now: Instant,
    ) -> Result<NewSession, Failure> {
        if !is_agent_id(agent) {
            return fail(
                retcode::INVALID_SIGN_IN_PARAMETER,
                "the agent ID is not valid",
            );
        }
        if password.is_empty() {
            return fail(retcode::INVALID_SIGN_IN_PARAMETER, "the password is empty");
        }
        self.expire_if_idle(agent, now);
        let Some(record) = self.agents.get(agent) else {
            return fail(retcode::WRONG_PASSWORD, "wrong agent ID or password");
        };
        if password != self.config.password {
            return fail(retcode::WRONG_PASSWORD, "wrong agent ID or password");
        }
        if record.state != AgentState::SignedOut && !force {
            return fail(retcode::ALREADY_SIGNED_IN, "the agent is already signed in");
        }
        self.end_session(agent);
        let guid = format!("{}.{}", uuid::Uuid::new_v4(), self.config.node);
        let cookie = uuid::Uuid::new_v4().simple().to_string();
        self.guids.insert(guid.clone(), agent.to_owned());
        let record = self.agents.get_mut(agent).expect("looked up above");
        record.state = if status == Some(5) {
            AgentState::Busy
        } else {
            AgentState::Idle
        };
        record.session = Some(Session {
            guid: guid.clone(),
            previous: Vec::new(),
            cookie: cookie.clone(),
            last_seen: now,
            events: VecDeque::new(),
            notify: Arc::new(Notify::new()),
        });
        Ok(NewSession { guid, cookie })
    }

    /// Signs the session's agent out.
    pub fn sign_out(&mut self, agent: &str) {
        self.end_session(agent);
        if let Some(a) = self.agents.get_mut(agent) {
            a.state = AgentState::SignedOut;
        }
    }

    /// Checks the Guid (and cookie) of a request made in the name of `agent`.
    pub fn authorize(
        &mut self,
        agent: &str,
        guid: Option<&str>,
        cookie_header: Option<&str>,
        now: Instant,
    ) -> Result<Authorized, Failure> {
        let denied = || fail(retcode::NO_PERMISSION, "authentication failed or expired");
        let Some(guid) = guid else { return denied() };
        let Some(owner) = self.guids.get(guid) else {
            return denied();
        };
        if owner != agent {
            return denied();
        }
        if self.expire_if_idle(agent, now) {
            return denied();
        }
        let Some(session) = self.agents.get_mut(agent).and_then(|a| a.session.as_mut()) else {
            return denied();
        };
        let mut announce = None;
        if session.guid != guid {
            if !session
                .previous
                .iter()
                .any(|(old, until)| old == guid && now <= *until)
            {
                self.guids.remove(guid);
                return denied();
            }
            announce = Some(session.guid.clone());
        }
        let had_cookie = cookie_header.is_some_and(|c| {
            c.split(';').any(|kv| {
                kv.trim()
                    .strip_prefix(crate::AFFINITY_COOKIE)
                    .and_then(|rest| rest.strip_prefix('='))
                    == Some(session.cookie.as_str())
            })
        });
        Ok(Authorized {
            agent: agent.to_owned(),
            had_cookie,
            announce,
        })
    }

    /// Signs out a session that has not polled for longer than the timeout. Returns
    /// whether it did.
    fn expire_if_idle(&mut self, agent: &str, now: Instant) -> bool {
        let timeout = self.config.session_timeout;
        let idle = self
            .agents
            .get(agent)
            .and_then(|a| a.session.as_ref())
            .is_some_and(|s| now.saturating_duration_since(s.last_seen) > timeout);
        if idle {
            self.sign_out(agent);
        }
        idle
    }

    /// Signs out every session that stopped polling; returns how many.
    pub fn expire_idle_sessions(&mut self, now: Instant) -> usize {
        let agents: Vec<String> = self
            .agents
            .iter()
            .filter(|(_, a)| a.session.is_some())
            .map(|(id, _)| id.clone())
            .collect();
        agents
            .iter()
            .filter(|a| self.expire_if_idle(a, now))
            .count()
    }

    fn end_session(&mut self, agent: &str) {
        let Some(record) = self.agents.get_mut(agent) else {
            return;
        };
        let Some(session) = record.session.take() else {
            return;
        };
        self.guids.remove(&session.guid);
        for (old, _) in &session.previous {
            self.guids.remove(old);
        }
        session.notify.notify_waiters();
        if let Some((target, _)) = record.qc.take() {
            self.release_target(&target, None);
        }
    }

    // ---- events --------------------------------------------------------------------

    /// Starts an event poll: an event if one is queued, otherwise what to wait on.
    pub fn start_poll(&mut self, agent: &str, now: Instant) -> PollStart {
        let session = self.session_mut(agent).expect("authorized before polling");
        session.last_seen = now;
        match session.events.pop_front() {
            Some(e) => PollStart::Ready(e),
            None => PollStart::Wait(session.notify.clone()),
        }
    }

    /// Ends an event poll: the next event, if any, and under dynamic authentication the
    /// new Guid to announce. `None` when the session ended while waiting.
    pub fn finish_poll(
        &mut self,
        agent: &str,
        ready: Option<AgentEvent>,
        now: Instant,
    ) -> Option<(Option<AgentEvent>, Option<String>)> {
        let rotate = self.config.auth_mode == AuthMode::Dynamic;
        let session = self.session_mut(agent)?;
        session.last_seen = now;
        let event = ready.or_else(|| session.events.pop_front());
        let guid = rotate.then(|| self.rotate_guid(agent, now)).flatten();
        Some((event, guid))
    }

    /// Replaces the session's Guid; the old one stays valid for the grace period.
    pub fn rotate_guid(&mut self, agent: &str, now: Instant) -> Option<String> {
        let grace = self.config.guid_grace;
        let node = self.config.node.clone();
        let session = self.agents.get_mut(agent)?.session.as_mut()?;
        let fresh = format!("{}.{node}", uuid::Uuid::new_v4());
        let old = std::mem::replace(&mut session.guid, fresh.clone());
        session.previous.push((old, now + grace));
        let (keep, expired): (Vec<_>, Vec<_>) = std::mem::take(&mut session.previous)
            .into_iter()
            .partition(|(_, until)| now <= *until);
        session.previous = keep;
        for (dropped, _) in expired {
            self.guids.remove(&dropped);
        }
        self.guids.insert(fresh.clone(), agent.to_owned());
        Some(fresh)
    }

    /// The current Guid of `agent`'s session.
    pub fn current_guid(&self, agent: &str) -> Option<String> {
        Some(self.agents.get(agent)?.session.as_ref()?.guid.clone())
    }

    fn session_mut(&mut self, agent: &str) -> Option<&mut Session> {
        self.agents.get_mut(agent)?.session.as_mut()
    }

    /// Queues an event for `recipient`, if it has a session that polls.
    fn push_event(&mut self, recipient: &str, event_type: &str, about: &str, content: Value) {
        let Some(session) = self.session_mut(recipient) else {
            return;
        };
        if session.events.len() >= EVENT_QUEUE_LIMIT {
            session.events.pop_front();
        }
        let content = match content {
            Value::Object(map) => map,
            _ => Map::new(),
        };
        session.events.push_back(AgentEvent {
            event_type: event_type.to_owned(),
            work_no: about.to_owned(),
            content: Some(content),
        });
        session.notify.notify_one();
    }

    // ---- quality control -----------------------------------------------------------

    /// The checks every operation on a target agent shares: syntax, self-inspection,
    /// existence, tenant, permission and sign-in.
    fn check_target(&self, inspector: &str, target: &str) -> Result<(), Failure> {
        if !is_agent_id(target) {
            return fail(retcode::BAD_PARAMETER, "the agent ID is not valid");
        }
        if inspector == target {
            return fail(
                retcode::SELF_INSPECTION,
                "an inspector cannot inspect itself",
            );
        }
        let me = self.agents.get(inspector).expect("authorized agents exist");
        if !me.inspector {
            return fail(retcode::NO_PERMISSION, "no quality-control permission");
        }
        let Some(agent) = self.agents.get(target) else {
            return fail(retcode::NOT_SIGNED_IN, "the agent is not signed in");
        };
        if agent.vdn != me.vdn {
            return fail(retcode::OTHER_VDN, "the agent belongs to another VDN");
        }
        if agent.state == AgentState::SignedOut {
            return fail(retcode::NOT_SIGNED_IN, "the agent is not signed in");
        }
        Ok(())
    }

    fn qc_of(&self, inspector: &str, target: &str) -> QcMode {
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

    /// Starts listening, inserting or whispering.
    pub fn start_qc(&mut self, inspector: &str, target: &str, mode: QcMode) -> Result<(), Failure> {
        self.check_target(inspector, target)?;
        if self.agents[inspector].qc.is_some() {
            return fail(
                retcode::QC_STATE,
                "the inspector is already inspecting a call",
            );
        }
        let agent = &self.agents[target];
        let Some(call) = agent.call.clone() else {
            return fail(retcode::CALL_STATE, "the agent is not in a call");
        };
        if agent.inspected_by.is_some() {
            return fail(retcode::ALREADY_INSPECTED, "the agent is already inspected");
        }
        self.agents.get_mut(target).expect("checked").inspected_by = Some(inspector.to_owned());
        let me = self.agents.get_mut(inspector).expect("checked");
        me.qc = Some((target.to_owned(), mode));
        me.state = AgentState::Busy;
        for e in [
            "AgentOther_PhoneAlerting",
            "AgentOther_PhoneOffhook",
            "AgentState_Busy",
        ] {
            self.push_event(inspector, e, inspector, json!({}));
        }
        let content = json!({"inspector": inspector, "mode": mode.word(), "callId": call});
        self.push_event(inspector, "AgentOther_BeQcStart", target, content);
        Ok(())
    }

    /// Toggles between listening and inserting.
    pub fn toggle(&mut self, inspector: &str, target: &str) -> Result<(), Failure> {
        self.check_target(inspector, target)?;
        let next = match self.qc_of(inspector, target) {
            QcMode::Listening => QcMode::Inserting,
            QcMode::Inserting => QcMode::Listening,
            _ => {
                return fail(
                    retcode::QC_STATE,
                    "the inspector is not listening or inserting",
                );
            }
        };
        self.set_qc(inspector, target, next);
        Ok(())
    }

    /// Moves to a named mode: `switchtype` 0 listen, 1 insert, 2 whisper.
    pub fn switch_mode(
        &mut self,
        inspector: &str,
        target: &str,
        switchtype: &str,
    ) -> Result<(), Failure> {
        self.check_target(inspector, target)?;
        let next = match switchtype {
            "0" => QcMode::Listening,
            "1" => QcMode::Inserting,
            "2" => QcMode::Whispering,
            _ => return fail(retcode::BAD_PARAMETER, "switchtype must be 0, 1 or 2"),
        };
        match self.qc_of(inspector, target) {
            QcMode::Listening | QcMode::Inserting | QcMode::Whispering => {
                self.set_qc(inspector, target, next);
                Ok(())
            }
            _ => fail(
                retcode::QC_STATE,
                "the inspector is not inspecting this agent",
            ),
        }
    }

    fn set_qc(&mut self, inspector: &str, target: &str, mode: QcMode) {
        self.agents.get_mut(inspector).expect("checked").qc = Some((target.to_owned(), mode));
    }

    /// Stops listening/inserting (`whisper` false) or whispering (`whisper` true).
    pub fn stop_qc(&mut self, inspector: &str, target: &str, whisper: bool) -> Result<(), Failure> {
        self.check_target(inspector, target)?;
        let allowed = match self.qc_of(inspector, target) {
            QcMode::Listening | QcMode::Inserting => !whisper,
            QcMode::Whispering => whisper,
            _ => false,
        };
        if !allowed {
            let doing = if whisper {
                "whispering to"
            } else {
                "listening to or inserting into"
            };
            return fail(
                retcode::QC_STATE,
                format!("the inspector is not {doing} this agent"),
            );
        }
        self.agents.get_mut(inspector).expect("checked").qc = None;
        self.release_target(target, Some(inspector));
        Ok(())
    }

    /// Ends the inspection of `target` and tells `inspector` (if still signed in).
    fn release_target(&mut self, target: &str, inspector: Option<&str>) {
        let by = match self.agents.get_mut(target) {
            Some(agent) => agent.inspected_by.take(),
            None => None,
        };
        let Some(inspector) = inspector.map(str::to_owned).or(by) else {
            return;
        };
        if let Some(me) = self.agents.get_mut(&inspector) {
            me.qc = None;
            if me.state == AgentState::Busy {
                me.state = AgentState::Idle;
            }
        }
        for e in ["AgentOther_PhoneRelease", "AgentState_Ready"] {
            self.push_event(&inspector, e, &inspector, json!({}));
        }
        self.push_event(
            &inspector,
            "AgentOther_BeQcStop",
            target,
            json!({"inspector": inspector}),
        );
    }

    /// Takes the call over from `target`; with `call`, only if that is the agent's call.
    pub fn intercept(
        &mut self,
        inspector: &str,
        target: &str,
        call: Option<&str>,
    ) -> Result<(), Failure> {
        if call.is_some_and(|c| !is_call_id(c)) {
            return fail(retcode::BAD_PARAMETER, "the call ID is not valid");
        }
        self.check_target(inspector, target)?;
        match self.qc_of(inspector, target) {
            QcMode::Listening | QcMode::Inserting | QcMode::Whispering => {}
            _ => {
                return fail(
                    retcode::QC_STATE,
                    "the inspector is not inspecting this agent",
                );
            }
        }
        let their_call = self.agents[target].call.clone();
        if call.is_some() && call.map(str::to_owned) != their_call {
            return fail(retcode::CALL_STATE, "the agent is not in that call");
        }
        let agent = self.agents.get_mut(target).expect("checked");
        agent.call = None;
        agent.inspected_by = None;
        agent.state = AgentState::Idle;
        let me = self.agents.get_mut(inspector).expect("checked");
        me.qc = Some((target.to_owned(), QcMode::Intercepting));
        me.call = their_call.clone();
        me.state = AgentState::Talking;
        let content = json!({"callId": their_call});
        self.push_event(inspector, "AgentEvent_Talking", inspector, content.clone());
        self.push_event(inspector, "AgentMediaEvent_Record", inspector, content);
        self.push_event(
            inspector,
            "AgentOther_BeQcStop",
            target,
            json!({"inspector": inspector}),
        );
        self.push_event(inspector, "AgentState_Ready", target, json!({}));
        Ok(())
    }

    /// Forces `target` into a working state and tells the inspector.
    pub fn force_state(
        &mut self,
        inspector: &str,
        target: &str,
        state: AgentState,
    ) -> Result<(), Failure> {
        self.check_target(inspector, target)?;
        let event = match state {
            AgentState::Busy => "AgentState_Busy",
            AgentState::Idle => "AgentState_Ready",
            AgentState::Rest { .. } => "AgentState_Rest",
            AgentState::SignedOut => "AgentState_SignOut",
            AgentState::Talking => unreachable!("calls are not forced"),
        };
        if state == AgentState::SignedOut {
            if self.agents[target].inspected_by.is_some() {
                self.release_target(target, None);
            }
            self.end_session(target);
            self.agents.get_mut(target).expect("checked").call = None;
        }
        self.agents.get_mut(target).expect("checked").state = state;
        self.push_event(inspector, event, target, json!({}));
        Ok(())
    }

    /// Validates the rest parameters and forces `target` to rest.
    pub fn force_rest(
        &mut self,
        inspector: &str,
        target: &str,
        time: &str,
        reason: &str,
    ) -> Result<(), Failure> {
        let seconds = time.parse::<u32>().ok().filter(|t| (1..=86399).contains(t));
        let reason = reason.parse::<u8>().ok().filter(|r| *r >= 1);
        match (seconds, reason) {
            (Some(_), Some(reason)) => {
                self.force_state(inspector, target, AgentState::Rest { reason })
            }
            _ => fail(
                retcode::BAD_PARAMETER,
                "time must be 1..86399 and reason 1..255",
            ),
        }
    }

    /// Ends a call of the inspector's VDN for every party on it.
    pub fn release_call(&mut self, inspector: &str, call: &str) -> Result<(), Failure> {
        if !is_call_id(call) {
            return fail(retcode::BAD_PARAMETER, "the call ID is not valid");
        }
        if !self.agents[inspector].inspector {
            return fail(retcode::NO_PERMISSION, "no quality-control permission");
        }
        let vdn = self.agents[inspector].vdn;
        let parties: Vec<String> = self
            .agents
            .iter()
            .filter(|(_, a)| a.vdn == vdn && a.call.as_deref() == Some(call))
            .map(|(id, _)| id.clone())
            .collect();
        if parties.is_empty() {
            return fail(retcode::CALL_STATE, "no such call in this VDN");
        }
        for party in parties {
            if self.agents[&party].inspected_by.is_some() {
                self.release_target(&party, None);
            }
            let agent = self.agents.get_mut(&party).expect("listed");
            agent.call = None;
            agent.state = AgentState::Idle;
            if matches!(agent.qc, Some((_, QcMode::Intercepting))) {
                agent.qc = None;
            }
            self.push_event(
                inspector,
                "AgentOther_PhoneRelease",
                &party,
                json!({"callId": call}),
            );
        }
        Ok(())
    }

    /// Replaces the skills of `target`.
    pub fn adjust_skills(
        &mut self,
        inspector: &str,
        target: &str,
        skills: Vec<i32>,
    ) -> Result<(), Failure> {
        if skills.is_empty() || skills.len() > 1000 {
            return fail(
                retcode::INVALID_SIGN_IN_PARAMETER,
                "skills must list 1 to 1000 IDs",
            );
        }
        self.check_target(inspector, target)?;
        self.agents.get_mut(target).expect("checked").skills = skills;
        Ok(())
    }
}

impl Agent {
    fn new(vdn: u32, inspector: bool, state: AgentState, call: Option<String>) -> Self {
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

/// How long the sweeper waits between looking for idle sessions.
pub fn sweep_interval(config: &SimConfig) -> Duration {
    (config.session_timeout / 2).max(Duration::from_millis(50))
}
