//! Each session's event queue and the long poll that drains it.

use std::sync::Arc;
use std::time::Instant;

use serde_json::{Map, Value};
use tokio::sync::Notify;

use super::model::{SessionRecord, World};
use crate::answers::AgentEvent;
use crate::config::AuthMode;

/// The most events kept per session; the oldest go first, so memory stays bounded.
pub const EVENT_QUEUE_LIMIT: usize = 1000;

/// How an event poll ended.
#[derive(Debug)]
pub enum PollStart {
    /// An event was already queued.
    Ready(AgentEvent),
    /// Nothing queued: wait on this, then call [`World::finish_poll`].
    Wait(Arc<Notify>),
}

impl World {
    /// Starts an event poll: an event if one is queued, otherwise what to wait on.
    pub fn start_poll(&mut self, agent: &str, now: Instant) -> PollStart {
        let session = self.session_mut(agent).expect("authorized before polling");
        session.last_seen = now;
        match session.events.pop_front() {
            Some(e) => PollStart::Ready(e),
            None => PollStart::Wait(session.notify.clone()),
        }
    }

    /// Whether the poll that waits on `started_on` still belongs to `agent`'s session, and
    /// has an event to take: a wake-up without one (left over from an earlier event) is
    /// waited out.
    pub fn poll_can_finish(&mut self, agent: &str, started_on: &Arc<Notify>) -> bool {
        match self.session_mut(agent) {
            Some(session) => {
                !Arc::ptr_eq(&session.notify, started_on) || !session.events.is_empty()
            }
            None => true,
        }
    }

    /// Ends an event poll: the next event, if any, and under dynamic authentication the
    /// new Guid to announce. `None` when the session ended while waiting, or was replaced
    /// (a forced sign-in): a poll belongs to the session it started on, and never takes
    /// the new session's events or Guid.
    pub fn finish_poll(
        &mut self,
        agent: &str,
        ready: Option<AgentEvent>,
        started_on: Option<&Arc<Notify>>,
        now: Instant,
    ) -> Option<(Option<AgentEvent>, Option<String>)> {
        let rotate = self.config.auth_mode == AuthMode::Dynamic;
        let session = self.session_mut(agent)?;
        if started_on.is_some_and(|notify| !Arc::ptr_eq(&session.notify, notify)) {
            return None;
        }
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

    pub(super) fn session_mut(&mut self, agent: &str) -> Option<&mut SessionRecord> {
        self.agents.get_mut(agent)?.session.as_mut()
    }

    /// Queues an event about `agent` for `agent`, if it has a session that polls.
    pub fn tell(&mut self, agent: &str, event_type: &str) -> bool {
        if self.current_guid(agent).is_none() {
            return false;
        }
        self.push_event(agent, event_type, agent, serde_json::json!({}));
        true
    }

    /// Queues an event for `recipient`, if it has a session that polls.
    pub(super) fn push_event(
        &mut self,
        recipient: &str,
        event_type: &str,
        about: &str,
        content: Value,
    ) {
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
}
