//! The read-only queries: agents' states and details, calls and their IDs, and skill
//! queues. Each returns the `result` of its interface, shaped like the reference's
//! samples (states of other agents as strings, the caller's own state as a number).

use std::collections::HashMap;

use serde::Serialize;
use serde_json::{Value, json};

use super::lists::{AgentLists, Found};
use super::model::{Agent, AgentState, CallRecord, Failure, World, fail, millis_now};
use crate::answers::retcode;
use crate::config::SkillConfig;
use crate::ids::{is_agent_id, is_call_id};

/// The most agents one `agentbylist` request may name.
pub const AGENT_LIST_LIMIT: usize = 100;

/// The media type of an ordinary audio/video call.
const MEDIA_VOICE: u32 = 5;

/// One agent as the agent queries report it (the reference's Table 5).
#[derive(Serialize)]
struct AgentEntry<'a> {
    workno: &'a str,
    name: &'a str,
    status: String,
    #[serde(rename = "ctiStatus")]
    cti_status: String,
    groupid: u32,
    groupname: String,
    skilllist: Vec<SkillEntry<'a>>,
    callids: &'a [String],
    mediatype: &'static str,
    vdnid: u32,
    phonenumber: &'a str,
    currentstatetime: u64,
    logindate: u64,
    #[serde(rename = "inMultimediaConf")]
    in_multimedia_conf: u8,
    #[serde(rename = "currentStateReason")]
    current_state_reason: u8,
}

/// One skill queue as `skilllist` reports it.
#[derive(Serialize)]
struct SkillEntry<'a> {
    name: &'a str,
    id: i32,
    mediatype: u32,
}

impl<'a> SkillEntry<'a> {
    fn of(skill: &'a SkillConfig) -> Self {
        SkillEntry {
            name: &skill.name,
            id: skill.id,
            mediatype: MEDIA_VOICE,
        }
    }
}

impl World {
    /// The agent `work_no` of the caller's VDN: 000-002 for a malformed ID, 100-006 for
    /// one the caller cannot see (unknown, or of another VDN).
    fn visible_agent(&self, me: &str, work_no: &str) -> Result<&Agent, Failure> {
        if !is_agent_id(work_no) {
            return fail(retcode::BAD_PARAMETER, "the agent ID is not valid");
        }
        let vdn = self.agents[me].vdn;
        match self.agents.get(work_no) {
            Some(agent) if agent.vdn == vdn => Ok(agent),
            _ => fail(retcode::NOT_SIGNED_IN, "no such agent in this VDN"),
        }
    }

    fn skills_of_vdn(&self, vdn: u32) -> &[SkillConfig] {
        self.config
            .vdns
            .iter()
            .find(|v| v.id == vdn)
            .map_or(&[], |v| v.skills.as_slice())
    }

    /// The skill queues `agent` serves, as `skilllist` reports them.
    fn skill_entries<'a>(&'a self, agent: &Agent) -> Vec<SkillEntry<'a>> {
        self.skills_of_vdn(agent.vdn)
            .iter()
            .filter(|s| agent.skills.contains(&s.id))
            .map(SkillEntry::of)
            .collect()
    }

    /// One agent as `agentbyworkno` reports it.
    fn agent_entry<'a>(&'a self, id: &'a str, agent: &'a Agent) -> AgentEntry<'a> {
        let state = agent.state();
        let reason = match state {
            AgentState::Rest { reason } => reason,
            _ => 0,
        };
        let signed_in = state != AgentState::SignedOut;
        AgentEntry {
            workno: id,
            name: &agent.name,
            status: state.code().to_string(),
            cti_status: state.cti_code().to_string(),
            groupid: agent.vdn * 10 + 1,
            groupname: format!("group {}", agent.vdn),
            skilllist: self.skill_entries(agent),
            callids: &[],
            mediatype: if signed_in { "TTT" } else { "FFF" },
            vdnid: agent.vdn,
            phonenumber: &agent.phone,
            currentstatetime: self.now().saturating_sub(agent.state_since).as_secs(),
            logindate: agent.signed_in_at,
            in_multimedia_conf: 0,
            current_state_reason: reason,
        }
    }

    /// Serializes one agent's entry, once, for any number of lists.
    fn add_entry(&self, lists: &mut AgentLists, id: &str, agent: &Agent) -> u32 {
        let json = serde_json::to_vec(&self.agent_entry(id, agent)).expect("entries serialize");
        lists.entry(json)
    }

    /// The signed-in agents of the caller's VDN that `keep` accepts, by work number.
    fn agents_where(&self, me: &str, keep: impl Fn(&Agent) -> bool) -> Vec<(&str, &Agent)> {
        let vdn = self.agents[me].vdn;
        let mut found: Vec<(&str, &Agent)> = self
            .agents
            .iter()
            .filter(|(_, a)| a.vdn == vdn && a.state() != AgentState::SignedOut && keep(a))
            .map(|(id, a)| (id.as_str(), a))
            .collect();
        found.sort_by_key(|(id, _)| id.parse::<u32>().unwrap_or(u32::MAX));
        found
    }

    /// These agents as one list, in this order.
    fn agent_list(&self, agents: &[(&str, &Agent)]) -> Found {
        let mut lists = AgentLists::new();
        let members = agents
            .iter()
            .map(|(id, agent)| self.add_entry(&mut lists, id, agent))
            .collect();
        Found::Agents(lists.bare(members))
    }

    /// `getAgentStatus`: the caller's own state.
    pub fn own_status(&self, me: &str) -> Value {
        let agent = &self.agents[me];
        json!({"agentState": agent.state().code(), "isWorking": agent.call.is_some()})
    }

    /// `queryAgentInfoByWorkNo`.
    pub fn agent_info(&self, me: &str, work_no: &str) -> Result<Value, Failure> {
        let agent = self.visible_agent(me, work_no)?;
        Ok(serde_json::to_value(self.agent_entry(work_no, agent)).expect("entries serialize"))
    }

    /// `queryAgentInfoBySkillId`, with the optional filter body (applied only when both
    /// `agentLimit` and `agentStatus` are sent).
    pub fn agents_of_skill(&self, me: &str, skill: &str, body: &Value) -> Result<Found, Failure> {
        let Ok(skill) = skill.parse::<i32>() else {
            return fail(retcode::BAD_PARAMETER, "the skill ID is not a number");
        };
        let invalid = || {
            fail(
                retcode::BAD_PARAMETER,
                "agentLimit or agentStatus is not valid",
            )
        };
        let limit = match body.get("agentLimit").map(Value::as_u64) {
            None => None,
            Some(Some(limit @ 1..=500)) => Some(limit),
            Some(_) => return invalid(),
        };
        let states = match body.get("agentStatus").map(|s| {
            s.as_array()
                .and_then(|codes| codes.iter().map(Value::as_u64).collect::<Option<Vec<_>>>())
        }) {
            None => None,
            Some(Some(states)) => Some(states),
            Some(None) => return invalid(),
        };
        let filter = limit.zip(states);
        let mut agents = self.agents_where(me, |a| {
            a.skills.contains(&skill)
                && filter
                    .as_ref()
                    .is_none_or(|(_, states)| states.contains(&u64::from(a.state().code())))
        });
        if let Some((limit, _)) = filter {
            agents.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        }
        Ok(self.agent_list(&agents))
    }

    /// `queryAllOnlineAgents`: every skill queue of the VDN with its signed-in agents.
    /// Each agent is serialized once and listed by number under each queue it serves.
    pub fn online_agents(&self, me: &str) -> Found {
        let vdn = self.agents[me].vdn;
        let skills = self.skills_of_vdn(vdn);
        let mut members: HashMap<i32, Vec<u32>> = HashMap::with_capacity(skills.len());
        let mut lists = AgentLists::new();
        for (id, agent) in self.agents_where(me, |_| true) {
            let entry = self.add_entry(&mut lists, id, agent);
            for skill in &agent.skills {
                members.entry(*skill).or_default().push(entry);
            }
        }
        let queues = skills
            .iter()
            .map(|s| (s.id, MEDIA_VOICE, members.remove(&s.id).unwrap_or_default()))
            .collect();
        Found::Agents(lists.per_queue(queues))
    }

    /// `agentbylist`: the named agents the caller can see; others are left out.
    pub fn agents_by_list(&self, me: &str, body: &Value) -> Result<Found, Failure> {
        let Some(ids) = body.get("agentList").and_then(Value::as_array) else {
            return fail(
                retcode::BAD_PARAMETER,
                "the body must be {\"agentList\": [ID]}",
            );
        };
        if ids.len() > AGENT_LIST_LIMIT {
            return fail(
                retcode::BAD_PARAMETER,
                format!("agentList names more than {AGENT_LIST_LIMIT} agents"),
            );
        }
        let mut found = Vec::new();
        for id in ids {
            let Some(id) = id.as_str().filter(|id| is_agent_id(id)) else {
                return fail(
                    retcode::BAD_PARAMETER,
                    "agentList holds an invalid agent ID",
                );
            };
            if let Ok(agent) = self.visible_agent(me, id) {
                found.push((id, agent));
            }
        }
        Ok(self.agent_list(&found))
    }

    /// `queryAllCallInfoByAgentWorkNoEx`: the IDs of the calls `work_no` is in.
    pub fn call_ids(&self, me: &str, work_no: &str) -> Result<Value, Failure> {
        let agent = self.visible_agent(me, work_no)?;
        Ok(json!(agent.call.iter().collect::<Vec<_>>()))
    }

    fn call_json(id: &str, call: &CallRecord) -> Value {
        json!({
            "callfeature": 0,
            "callid": id,
            "caller": call.caller,
            "called": call.called,
            "callskill": call.skill.as_ref().map_or("", |s| s.name.as_str()),
            "callskillid": call.skill.as_ref().map_or(0, |s| s.id),
            "orgicallednum": "",
            "calldata": "",
            "begintime": call.began_at,
            "endtime": call.ended_at,
            "userPriority": 0,
            "trunkNo": 65535,
            "logontimes": 0,
            "mediaType": MEDIA_VOICE,
            "mediaAbility": 1,
        })
    }

    /// `queryCallInfoByCallId`: 900-001 for a call the caller's VDN does not have.
    pub fn call_info(&self, me: &str, call_id: &str) -> Result<Value, Failure> {
        if !is_call_id(call_id) {
            return fail(retcode::BAD_PARAMETER, "the call ID is not valid");
        }
        let vdn = self.agents[me].vdn;
        match self.calls.get(call_id) {
            Some(call) if call.vdn == vdn => Ok(Self::call_json(call_id, call)),
            _ => fail(retcode::CALL_STATE, "no such call in this VDN"),
        }
    }

    /// `queryCallInfo`: the caller's current call, else (unless `current_only`) its last
    /// one, else `null`.
    pub fn own_call(&self, me: &str, current_only: bool) -> Value {
        let agent = &self.agents[me];
        let id = match (&agent.call, current_only) {
            (Some(call), _) => Some(call),
            (None, false) => agent.last_call.as_ref(),
            (None, true) => None,
        };
        id.and_then(|id| Some(Self::call_json(id, self.calls.get(id)?)))
            .unwrap_or(Value::Null)
    }

    /// `queryHoldListInfoEx`: the simulator never holds calls, so always empty.
    pub fn held_calls(&self, me: &str, work_no: &str) -> Result<Value, Failure> {
        self.visible_agent(me, work_no)?;
        Ok(json!([]))
    }

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

    /// `querySkillQueueOnAgentVDN`: the skill queues of the caller's VDN.
    pub fn vdn_skills(&self, me: &str) -> Value {
        let vdn = self.agents[me].vdn;
        let skills: Vec<Value> = self
            .skills_of_vdn(vdn)
            .iter()
            .map(|s| {
                let mut skill = serde_json::to_value(SkillEntry::of(s)).expect("skills serialize");
                skill["serviceType"] = json!(1);
                skill["realFlag"] = json!(1);
                skill
            })
            .collect();
        Value::from(skills)
    }

    /// `queryAgentSkillsByWorkNo`: the skill queues `work_no` serves.
    pub fn agent_skills(&self, me: &str, work_no: &str) -> Result<Value, Failure> {
        let agent = self.visible_agent(me, work_no)?;
        Ok(serde_json::to_value(self.skill_entries(agent)).expect("skills serialize"))
    }
}

/// The most skill queues one `queryacdstat` request may name.
pub const QUEUE_STATS_LIMIT: usize = 100;

/// What the statistics write where a value is absent.
const NONE_16: u32 = 65_535;

impl World {
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
            json!({
                "callfeature": 0,
                "callid": call.id,
                "caller": call.caller,
                "called": "",
                "callskill": config.name,
                "callskillid": skill,
                "orgicallednum": "",
                "calldata": "",
                "begintime": wall.saturating_sub(waited.as_millis() as u64),
                "endtime": Value::Null,
                "userPriority": 0,
                "trunkNo": 65535,
                "logontimes": waited.as_secs(),
                "mediaType": MEDIA_VOICE,
                "mediaAbility": 1,
            })
        });
        Ok(Value::from(calls.collect::<Vec<_>>()))
    }

    /// How long the longest-waiting caller of `skill` has waited, in seconds.
    fn longest_wait(&self, skill: i32) -> u64 {
        let front = self.queued.get(&skill).and_then(|q| q.front());
        front.map_or(0, |call| self.now().saturating_sub(call.since).as_secs())
    }
}
