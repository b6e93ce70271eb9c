//! The read-only queries: agents' states and details, calls and their IDs, and skill
//! queues. Each returns the `result` of its interface, shaped like the reference's
//! samples (states of other agents as strings, the caller's own state as a number).

use std::collections::HashMap;

use serde::Serialize;
use serde_json::{Value, json};

use super::lists::{AgentLists, Found};
use super::model::{Agent, AgentState, CallRecord, Failure, World, fail};
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
    status: Code,
    #[serde(rename = "ctiStatus")]
    cti_status: Code,
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

/// A state code: a number, as the reference's tables type it, or text, as its samples and
/// real gateways send it (with [`SimConfig::quirks`](crate::SimConfig::quirks)).
#[derive(Serialize)]
#[serde(untagged)]
enum Code {
    Number(u8),
    Text(String),
}

impl Code {
    fn new(code: u8, as_text: bool) -> Self {
        if as_text {
            Code::Text(code.to_string())
        } else {
            Code::Number(code)
        }
    }
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

    pub(super) fn skills_of_vdn(&self, vdn: u32) -> &[SkillConfig] {
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
            status: Code::new(state.code(), self.config.quirks),
            cti_status: Code::new(state.cti_code(), self.config.quirks),
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

    /// One call as the call queries report it; `logontimes` is how long a caller still
    /// waiting in a queue has waited. The numbers are numbers, as the reference's tables
    /// type them, or text, as its samples and real gateways send them (`as_text`).
    pub(super) fn call_json(id: &str, call: &CallRecord, logontimes: u64, as_text: bool) -> Value {
        let number = |digits: &str| match digits.parse::<i64>() {
            Ok(n) if !as_text => json!(n),
            _ => json!(digits),
        };
        json!({
            "callfeature": 0,
            "callid": id,
            "caller": number(&call.caller),
            "called": number(&call.called),
            "callskill": call.skill.as_ref().map_or("", |s| s.name.as_str()),
            "callskillid": call.skill.as_ref().map_or(0, |s| s.id),
            "orgicallednum": "",
            "calldata": "",
            "begintime": call.began_at,
            "endtime": call.ended_at,
            "userPriority": 0,
            "trunkNo": 65535,
            "logontimes": logontimes,
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
            Some(call) if call.vdn == vdn => {
                Ok(Self::call_json(call_id, call, 0, self.config.quirks))
            }
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
        id.and_then(|id| {
            Some(Self::call_json(
                id,
                self.calls.get(id)?,
                0,
                self.config.quirks,
            ))
        })
        .unwrap_or(Value::Null)
    }

    /// `queryHoldListInfoEx`: the simulator never holds calls, so always empty.
    pub fn held_calls(&self, me: &str, work_no: &str) -> Result<Value, Failure> {
        self.visible_agent(me, work_no)?;
        Ok(json!([]))
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
