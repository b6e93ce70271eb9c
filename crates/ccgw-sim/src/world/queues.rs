//! The queue queries: how many callers wait and for how long, which calls wait, and
//! how many agents of each queue are signed in and available. Callers waiting are the
//! world's queued calls, so every one of these agrees with the others.

use std::collections::HashMap;

use serde_json::{Value, json};

use super::model::{AgentState, CallRecord, Failure, World, fail, millis_now};
use crate::answers::retcode;

/// The most skill queues one `queryacdstat` request may name.
pub const QUEUE_STATS_LIMIT: usize = 100;

/// What the statistics write where a value is absent.
const NONE_16: u32 = 65_535;

impl World {
    /// `queryQueueLengthBySkillId`: a count for a queue of the VDN; `{}` (no count, as
    /// in the reference's sample) for any other.
    pub fn queue_length(&self, me: &str, skill: &str) -> Result<Value, Failure> {
        let Ok(skill) = skill.parse::<i32>() else {
            return fail(retcode::BAD_PARAMETER, "the skill ID is not a number");
        };
        let vdn = self.agents[me].vdn;
        Ok(self
            .skills_of_vdn(vdn)
            .iter()
            .find(|s| s.id == skill)
            .map_or_else(|| json!({}), |s| json!(self.waiting(s.id))))
    }

    /// `queryStatInfoOfAcd`: for each skill queue of the caller's VDN named in `skills`
    /// (numbers, or strings of digits as one of Huawei's clients sends), its waiting
    /// callers, longest wait, and signed-in and available agents. Queues of other VDNs and
    /// unknown ones are left out.
    pub fn queue_stats(&self, me: &str, body: &Value) -> Result<Value, Failure> {
        let invalid = |why: &str| fail(retcode::BAD_PARAMETER, why.to_owned());
        let Some(asked) = body.get("skills").and_then(Value::as_array) else {
            return invalid("the body must be {\"skills\": [skill ID]}");
        };
        if asked.len() > QUEUE_STATS_LIMIT {
            return invalid("skills names more than 100 skill queues");
        }
        let mut ids = Vec::with_capacity(asked.len());
        for id in asked {
            let id = match id {
                Value::Number(n) => n.as_i64(),
                Value::String(s) => s.parse().ok(),
                _ => None,
            };
            match id.and_then(|id| i32::try_from(id).ok()) {
                Some(id) => ids.push(id),
                None => return invalid("skills holds something that is not a skill ID"),
            }
        }
        let vdn = self.agents[me].vdn;
        // One pass over the agents counts every queue asked for.
        let mut counts: HashMap<i32, (u32, u32)> = ids.iter().map(|id| (*id, (0, 0))).collect();
        for agent in self.agents.values().filter(|a| a.vdn == vdn) {
            let state = agent.state();
            if state == AgentState::SignedOut {
                continue;
            }
            for skill in &agent.skills {
                if let Some((signed_in, available)) = counts.get_mut(skill) {
                    *signed_in += 1;
                    *available += u32::from(state == AgentState::Idle);
                }
            }
        }
        let skills = self.skills_of_vdn(vdn);
        let stats: Vec<Value> = ids
            .iter()
            .filter_map(|id| skills.iter().find(|s| s.id == *id))
            .map(|skill| {
                let (signed_in, available) = counts[&skill.id];
                json!({
                    "pilotNbr": "",
                    "deviceNo": skill.id,
                    "queueSize": self.waiting(skill.id),
                    "queueTime": self.longest_wait(skill.id),
                    "loadFactor": NONE_16,
                    "estWaitTime": 0,
                    "loggedOnAgents": signed_in,
                    "availAgents": available,
                    "transferFlg": 0,
                    "transferDeviceType": 255,
                    "transferDeviceNo": NONE_16,
                    "skillDescrip": skill.name,
                    "maxQueueSize": 100,
                })
            })
            .collect();
        Ok(Value::from(stats))
    }

    /// Sets how many callers wait in skill queue `skill`: new callers start waiting now,
    /// or the longest-waiting leave; false when no VDN has that queue.
    pub fn set_waiting(&mut self, skill: i32, waiting: u32) -> bool {
        let known = (self.config.vdns.iter())
            .flat_map(|v| &v.skills)
            .any(|s| s.id == skill);
        if !known {
            return false;
        }
        let now = self.now();
        while self.waiting(skill) < waiting as usize {
            self.queue_caller(skill, now);
        }
        if let Some(queue) = self.queued.get_mut(&skill) {
            while queue.len() > waiting as usize {
                queue.pop_front();
            }
        }
        true
    }

    /// `queryWaitCallInfoBySkillId`: the callers waiting in a queue of the caller's VDN,
    /// the longest-waiting first; `logontimes` is how long each has waited. A queue of
    /// another VDN, or none, has nobody waiting.
    pub fn waiting_calls(&self, me: &str, skill: &str) -> Result<Value, Failure> {
        let Ok(skill) = skill.parse::<i32>() else {
            return fail(retcode::BAD_PARAMETER, "the skill ID is not a number");
        };
        let vdn = self.agents[me].vdn;
        let Some(config) = self.skills_of_vdn(vdn).iter().find(|s| s.id == skill) else {
            return Ok(json!([]));
        };
        let now = self.now();
        let wall = millis_now();
        let calls = self.queued.get(&skill).into_iter().flatten().map(|call| {
            let waited = now.saturating_sub(call.since);
            let record = CallRecord {
                vdn,
                // Still waiting: nobody has answered it.
                agent: String::new(),
                caller: call.caller.clone(),
                called: String::new(),
                skill: Some(config.clone()),
                began_at: wall.saturating_sub(waited.as_millis() as u64),
                ended_at: None,
            };
            Self::call_json(&call.id, &record, waited.as_secs(), self.config.quirks)
        });
        Ok(Value::from(calls.collect::<Vec<_>>()))
    }

    /// How long the longest-waiting caller of `skill` has waited, in seconds.
    fn longest_wait(&self, skill: i32) -> u64 {
        let front = self.queued.get(&skill).and_then(|q| q.front());
        front.map_or(0, |call| self.now().saturating_sub(call.since).as_secs())
    }
}
