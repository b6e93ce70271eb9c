//! Sessions: sign-in and sign-out, Guid checks and rotation, and expiry of sessions that
//! stopped polling.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::Notify;

use super::model::{AgentState, Authorized, Failure, NewSession, SessionRecord, World, fail};
use crate::answers::retcode;
use crate::config::SimConfig;
use crate::ids::is_agent_id;

/// The name of the load balancer's affinity cookie.
pub const AFFINITY_COOKIE: &str = "NSLB_AFFINITY";

impl World {
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
        if record.state() != AgentState::SignedOut && !force {
            return fail(retcode::ALREADY_SIGNED_IN, "the agent is already signed in");
        }
        self.end_session(agent);
        // A new session starts on no call: whatever the agent was on before is over.
        self.leave_call(agent);
        let guid = format!("{}.{}", uuid::Uuid::new_v4(), self.config.node);
        let cookie = uuid::Uuid::new_v4().simple().to_string();
        self.guids.insert(guid.clone(), agent.to_owned());
        let clock = self.now();
        let record = self.agents.get_mut(agent).expect("looked up above");
        record.set_state(
            if status == Some(5) {
                AgentState::Busy
            } else {
                AgentState::Idle
            },
            clock,
        );
        record.session = Some(SessionRecord {
            guid: guid.clone(),
            previous: Vec::new(),
            cookie: cookie.clone(),
            last_seen: now,
            events: VecDeque::new(),
            notify: Arc::new(Notify::new()),
        });
        Ok(NewSession { guid, cookie })
    }

    /// Signs the session's agent out: it leaves its call, and any inspection of it ends.
    /// With [`SimConfig::refuse_sign_out_in_call`](crate::SimConfig::refuse_sign_out_in_call),
    /// an agent still in a call or an inspection is refused (100-010) instead.
    pub fn sign_out(&mut self, agent: &str) -> Result<(), Failure> {
        let busy = self
            .agents
            .get(agent)
            .is_some_and(|a| a.call.is_some() || a.qc.is_some());
        if busy && self.config.refuse_sign_out_in_call {
            return fail(
                retcode::SIGN_OUT_STATE,
                "state error during sign-out: the agent is in a call",
            );
        }
        self.sign_out_now(agent);
        Ok(())
    }

    /// Signs `agent` out whatever its state (a session that expired, a forced sign-out).
    pub(super) fn sign_out_now(&mut self, agent: &str) {
        self.end_session(agent);
        self.leave_call(agent);
        let now = self.now();
        if let Some(a) = self.agents.get_mut(agent) {
            a.set_state(AgentState::SignedOut, now);
            a.until = None;
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
        let authorized = self.check_guid(agent, guid, cookie_header, now);
        if authorized.is_err() {
            self.refused_unauthorized += 1;
        }
        authorized
    }

    /// How many requests [`authorize`](Self::authorize) refused.
    pub fn refused_unauthorized(&self) -> u64 {
        self.refused_unauthorized
    }

    fn check_guid(
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
                    .strip_prefix(AFFINITY_COOKIE)
                    .and_then(|rest| rest.strip_prefix('='))
                    == Some(session.cookie.as_str())
            })
        });
        Ok(Authorized {
            had_cookie,
            announce,
        })
    }

    /// Signs out a session that has not polled for longer than the timeout. Returns
    /// whether it did.
    pub(super) fn expire_if_idle(&mut self, agent: &str, now: Instant) -> bool {
        let timeout = self.config.session_timeout;
        let idle = self
            .agents
            .get(agent)
            .and_then(|a| a.session.as_ref())
            .is_some_and(|s| now.saturating_duration_since(s.last_seen) > timeout);
        if idle {
            self.sign_out_now(agent);
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

    pub(super) fn end_session(&mut self, agent: &str) {
        let Some(record) = self.agents.get_mut(agent) else {
            return;
        };
        let Some(session) = record.session.take() else {
            return;
        };
        self.guids.remove(&session.guid);
        // A playback ends with the session that heard it.
        self.playbacks.remove(agent);
        for (old, _) in &session.previous {
            self.guids.remove(old);
        }
        session.notify.notify_waiters();
        let inspected = record.inspected_by.is_some();
        if let Some((target, _)) = record.qc.take() {
            self.release_target(&target, None);
        }
        // An inspection ends with either side: the inspector must not be left inspecting
        // an agent that is gone.
        if inspected {
            self.release_target(agent, None);
        }
    }
}

/// How long the sweeper waits between looking for idle sessions.
pub fn sweep_interval(config: &SimConfig) -> Duration {
    (config.session_timeout / 2).max(Duration::from_millis(50))
}
