//! Calls: callers queueing, calls answered and recorded by who answered them, and
//! parties leaving them; a call ends when its last party leaves.

use std::collections::VecDeque;
use std::time::Duration;

use super::model::{CallRecord, QueuedCall, World, millis_now};
use crate::config::SkillConfig;

impl World {
    /// A new caller waiting in `skill` from `since`.
    pub(super) fn queue_caller(&mut self, skill: i32, since: Duration) {
        let id = self.new_call_id();
        let caller = format!("1390000{:04}", self.next_call % 10_000);
        let queue = self.queued.entry(skill).or_default();
        queue.push_back(QueuedCall { id, caller, since });
    }

    /// How many callers wait in `skill`.
    pub(super) fn waiting(&self, skill: i32) -> usize {
        self.queued.get(&skill).map_or(0, VecDeque::len)
    }

    /// Starts a call from a customer to `agent` at `phone`; returns its ID.
    pub(super) fn new_call(
        &mut self,
        vdn: u32,
        agent: &str,
        phone: &str,
        skill: Option<SkillConfig>,
        n: usize,
    ) -> String {
        let id = self.new_call_id();
        let caller = format!("1380000{:04}", n % 10_000);
        self.start_call(id.clone(), vdn, agent, caller, phone.to_owned(), skill);
        id
    }

    /// Records call `id`, answered now, from `caller` to `called`.
    pub(super) fn start_call(
        &mut self,
        id: String,
        vdn: u32,
        agent: &str,
        caller: String,
        called: String,
        skill: Option<SkillConfig>,
    ) {
        let record = CallRecord {
            vdn,
            agent: agent.to_owned(),
            caller,
            called,
            skill,
            began_at: millis_now(),
            ended_at: None,
        };
        self.calls.insert(id, record);
    }

    /// Takes `agent` off its call; the call ends when no party is left on it.
    pub(super) fn leave_call(&mut self, agent: &str) {
        let now = self.now();
        let Some(call) = self.agents.get_mut(agent).and_then(|a| a.leave_call(now)) else {
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
}
