//! The read-only queries: who is signed in, in what state, on which call, and how long
//! the queues are. None of them changes anything on the gateway.

use std::collections::{BTreeMap, HashSet};

use ccgw_api::operations::{self as ops, Operation};
use ccgw_api::types::{AgentList, QueueLength, SkillIdList};

use crate::error::Error;
use crate::ids::{AgentId, CallId, SkillId};
use crate::info::{
    AgentFilter, AgentInfo, CallInfo, OwnState, QueueStats, SkillQueue, SkillQueueAgents,
};
use crate::session::Session;
use crate::session::send::send_request;
use crate::transport::salvage::Skips;

/// The most agents one `agentbylist` request may name; [`Session::agents_by_id`] sends
/// longer lists in several requests.
pub const AGENTS_PER_LIST_REQUEST: usize = 100;

/// The most skill queues one `queryacdstat` request may name; [`Session::queue_stats`]
/// sends longer lists in several requests.
pub const QUEUES_PER_STATS_REQUEST: usize = 100;

impl Session {
    /// The inspector's own state (`getAgentStatus`).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sim = ccgw_sim::Simulator::start(ccgw_sim::SimConfig::default()).await?;
    /// # let client = ccgw::Client::builder(sim.base_url()).build()?;
    /// # let password = ccgw_sim::DEFAULT_PASSWORD;
    /// let session = client.sign_in(ccgw::SignIn::new("101".parse()?, password)).await?;
    /// let me = session.own_state().await?;
    /// assert_eq!(me.state, ccgw::AgentState::Idle);
    /// let agent = session.agent(&client.agent_id("1001")?).await?;
    /// assert!(agent.talking);
    /// let calls = session.call_ids(&agent.work_no).await?;
    /// assert_eq!(calls.len(), 1);
    /// session.sign_out().await?;
    /// # Ok(()) }
    /// ```
    ///
    #[doc = ccgw_api::errors_doc!(GET_AGENT_STATUS)]
    pub async fn own_state(&self) -> Result<OwnState, Error> {
        let answer = send_request!(query_one self, get_agent_status, about: None)?;
        OwnState::from_wire(answer.result)
    }

    /// The state and details of `agent`, who must be in the inspector's VDN
    /// (`queryAgentInfoByWorkNo`).
    ///
    #[doc = ccgw_api::errors_doc!(QUERY_AGENT_INFO_BY_WORK_NO)]
    pub async fn agent(&self, agent: &AgentId) -> Result<AgentInfo, Error> {
        let answer = send_request!(query_one self, query_agent_info_by_work_no,
            agent: agent,
        )?;
        let info = answer
            .result
            .ok_or_else(|| Error::malformed(b"", "result: the answer has no agent"))?;
        AgentInfo::from_wire(self.client().edition(), info)
    }

    /// The agents signed in to skill queue `skill`, optionally filtered
    /// (`queryAgentInfoBySkillId`).
    ///
    #[doc = ccgw_api::errors_doc!(QUERY_AGENT_INFO_BY_SKILL_ID)]
    pub async fn agents_in_skill(
        &self,
        skill: SkillId,
        filter: Option<&AgentFilter>,
    ) -> Result<Vec<AgentInfo>, Error> {
        let body = filter.map(AgentFilter::to_wire).unwrap_or_default();
        let (answer, skips) = send_request!(query self, query_agent_info_by_skill_id,
            about: None,
            skillid(skill.get()),
            body(body.clone()),
        )?;
        let op = &ops::QUERY_AGENT_INFO_BY_SKILL_ID;
        Ok(self.agents_from_wire(op, answer.result, skips))
    }

    /// Every skill queue of the inspector's VDN with its signed-in agents
    /// (`queryAllOnlineAgents`). An agent serving several queues appears under each.
    ///
    #[doc = ccgw_api::errors_doc!(QUERY_ALL_ONLINE_AGENTS)]
    pub async fn online_agents(&self) -> Result<Vec<SkillQueueAgents>, Error> {
        let (answer, mut skips) = send_request!(query self, query_all_online_agents,
            about: None,
        )?;
        let edition = self.client().edition();
        let mut queues = Vec::with_capacity(answer.result.len());
        for (index, queue) in answer.result.into_iter().enumerate() {
            let (queue, odd) = SkillQueueAgents::from_wire(edition, queue);
            for (agent, why) in odd {
                skips.skip(index, &format!(".agent[{agent}]"), why.to_string());
            }
            queues.push(queue);
        }
        self.report_skipped(&ops::QUERY_ALL_ONLINE_AGENTS, skips);
        Ok(queues)
    }

    /// Every signed-in agent of the inspector's VDN once, by work number, from
    /// [`online_agents`](Self::online_agents) (which lists an agent under each skill
    /// queue it serves).
    ///
    #[doc = ccgw_api::errors_doc!(QUERY_ALL_ONLINE_AGENTS)]
    pub async fn every_online_agent(&self) -> Result<Vec<AgentInfo>, Error> {
        let mut unique = BTreeMap::new();
        for queue in self.online_agents().await? {
            for agent in queue.agents {
                unique.entry(agent.work_no.number()).or_insert(agent);
            }
        }
        Ok(unique.into_values().collect())
    }

    /// The state and details of the named agents (`agentbylist`). Agents the gateway
    /// does not report (unknown, or in another VDN) are left out; duplicates are asked
    /// for once. The gateway takes at most 100 agents a request, so a longer list is sent
    /// as several requests, one after the other; an empty list sends nothing.
    ///
    #[doc = ccgw_api::errors_doc!(QUERY_AGENT_INFO_BY_LIST)]
    pub async fn agents_by_id(&self, agents: &[AgentId]) -> Result<Vec<AgentInfo>, Error> {
        let mut seen = HashSet::with_capacity(agents.len());
        let unique: Vec<&AgentId> = agents.iter().filter(|a| seen.insert(*a)).collect();
        let mut found = Vec::with_capacity(unique.len());
        for chunk in unique.chunks(AGENTS_PER_LIST_REQUEST) {
            let body = AgentList {
                agent_list: chunk.iter().map(|a| a.wire()).collect(),
            };
            let (answer, skips) = send_request!(query self, query_agent_info_by_list,
                about: None,
                body(body.clone()),
            )?;
            let op = &ops::QUERY_AGENT_INFO_BY_LIST;
            found.extend(self.agents_from_wire(op, answer.result, skips));
        }
        Ok(found)
    }

    /// The IDs of the calls `agent` is in (`queryAllCallInfoByAgentWorkNoEx`): what
    /// [`intercept_call`](Self::intercept_call) and
    /// [`force_release_call`](Self::force_release_call) take.
    ///
    #[doc = ccgw_api::errors_doc!(QUERY_ALL_CALL_INFO_BY_AGENT_WORK_NO_EX)]
    pub async fn call_ids(&self, agent: &AgentId) -> Result<Vec<CallId>, Error> {
        let (answer, mut skips) = send_request!(query self, query_all_call_info_by_agent_work_no_ex,
            agent: agent,
        )?;
        // One ID of a shape this crate does not read costs only itself: the others are
        // returned, and it is told as an `EntriesSkipped` event.
        let mut ids = Vec::new();
        for (index, id) in answer.result.iter().enumerate() {
            match CallId::parse(id) {
                Ok(id) => ids.push(id),
                Err(e) => skips.skip(index, "", e.to_string()),
            }
        }
        self.report_skipped(&ops::QUERY_ALL_CALL_INFO_BY_AGENT_WORK_NO_EX, skips);
        Ok(ids)
    }

    /// The details of call `call` (`queryCallInfoByCallId`).
    ///
    #[doc = ccgw_api::errors_doc!(QUERY_CALL_INFO_BY_CALL_ID)]
    pub async fn call(&self, call: &CallId) -> Result<CallInfo, Error> {
        let answer = send_request!(query_one self, query_call_info_by_call_id,
            about: None,
            callid(call.wire()),
        )?;
        CallInfo::from_one_or_list(answer.result)?
            .ok_or_else(|| Error::malformed(b"", "result.callid: the answer has no call"))
    }

    /// The inspector's own current call, such as one it took over (`queryCallInfo`);
    /// with `include_last`, its previous call when it has none now.
    ///
    #[doc = ccgw_api::errors_doc!(QUERY_CALL_INFO)]
    pub async fn own_call(&self, include_last: bool) -> Result<Option<CallInfo>, Error> {
        let answer = send_request!(query_one self, query_call_info,
            about: None,
            is_no_contain_last_call(!include_last),
        )?;
        CallInfo::from_one_or_list(answer.result)
    }

    /// The calls `agent` holds (`queryHoldListInfoEx`).
    ///
    #[doc = ccgw_api::errors_doc!(QUERY_HOLD_LIST_INFO_EX)]
    pub async fn held_calls(&self, agent: &AgentId) -> Result<Vec<CallInfo>, Error> {
        let (answer, skips) = send_request!(query self, query_hold_list_info_ex,
            agent: agent,
        )?;
        Ok(self.each_entry(
            &ops::QUERY_HOLD_LIST_INFO_EX,
            answer.result,
            skips,
            CallInfo::from_wire,
        ))
    }

    /// The calls waiting in skill queue `skill`, the longest-waiting first, each with how
    /// long it has waited ([`CallInfo::waited`]) (`queryWaitCallInfoBySkillId`). The
    /// reference asks for a caller that is not idle.
    ///
    #[doc = ccgw_api::errors_doc!(QUERY_WAIT_CALL_INFO_BY_SKILL_ID)]
    pub async fn waiting_calls(&self, skill: SkillId) -> Result<Vec<CallInfo>, Error> {
        let (answer, skips) = send_request!(query self, query_wait_call_info_by_skill_id,
            about: None,
            skillid(skill.get()),
        )?;
        let op = &ops::QUERY_WAIT_CALL_INFO_BY_SKILL_ID;
        Ok(self.each_entry(op, answer.result, skips, CallInfo::from_wire))
    }

    /// How many callers wait in skill queue `skill` (`queryQueueLengthBySkillId`);
    /// `None` when the gateway answers without a count, as the reference's sample does.
    ///
    #[doc = ccgw_api::errors_doc!(QUERY_QUEUE_LENGTH_BY_SKILL_ID)]
    pub async fn queue_length(&self, skill: SkillId) -> Result<Option<u32>, Error> {
        let answer = send_request!(query_one self, query_queue_length_by_skill_id,
            about: None,
            skillid(skill.get()),
        )?;
        match answer.result {
            Some(QueueLength::Int32(n)) => u32::try_from(n)
                .map(Some)
                .map_err(|_| Error::malformed(b"", "a negative queue length")),
            Some(QueueLength::Object(_)) | None => Ok(None),
        }
    }

    /// How each of `skills` fares now: callers waiting, the longest wait, agents signed
    /// in and available (`queryStatInfoOfAcd`). The gateway takes at most 100 queues a
    /// request, so a longer list is sent as several, one after the other (each counts
    /// against the overload budget); duplicates are asked for once; an empty list sends
    /// nothing. A queue the gateway does not report is left out.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sim = ccgw_sim::Simulator::start(ccgw_sim::SimConfig::default()).await?;
    /// # let client = ccgw::Client::builder(sim.base_url()).build()?;
    /// # let password = ccgw_sim::DEFAULT_PASSWORD;
    /// let session = client.sign_in(ccgw::SignIn::new("101".parse()?, password)).await?;
    /// let queues = [ccgw::SkillId::new(1)?, ccgw::SkillId::new(2)?];
    /// let stats = session.queue_stats(&queues).await?;
    /// assert_eq!(stats[0].name, "voice");
    /// assert_eq!(stats[0].waiting, Some(2));
    /// assert_eq!(stats[0].signed_in, Some(10));
    /// session.sign_out().await?;
    /// # Ok(()) }
    /// ```
    ///
    #[doc = ccgw_api::errors_doc!(QUERY_STAT_INFO_OF_ACD)]
    pub async fn queue_stats(&self, skills: &[SkillId]) -> Result<Vec<QueueStats>, Error> {
        let mut seen = HashSet::with_capacity(skills.len());
        let unique: Vec<SkillId> = skills.iter().copied().filter(|s| seen.insert(*s)).collect();
        let mut found = Vec::with_capacity(unique.len());
        for chunk in unique.chunks(QUEUES_PER_STATS_REQUEST) {
            let body = SkillIdList {
                skills: chunk.iter().map(|s| s.get()).collect(),
            };
            let (answer, skips) = send_request!(query self, query_stat_info_of_acd,
                about: None,
                body(body.clone()),
            )?;
            let op = &ops::QUERY_STAT_INFO_OF_ACD;
            found.extend(self.each_entry(op, answer.result, skips, QueueStats::from_wire));
        }
        Ok(found)
    }

    /// The skill queues of the inspector's VDN (`querySkillQueueOnAgentVDN`).
    ///
    #[doc = ccgw_api::errors_doc!(QUERY_SKILL_QUEUE_ON_AGENT_VDN)]
    pub async fn skill_queues(&self) -> Result<Vec<SkillQueue>, Error> {
        let (answer, skips) = send_request!(query self, query_skill_queue_on_agent_vdn,
            about: None,
        )?;
        let op = &ops::QUERY_SKILL_QUEUE_ON_AGENT_VDN;
        Ok(self.each_entry(op, answer.result, skips, SkillQueue::from_wire))
    }

    /// The skill queues `agent` is configured to serve (`queryAgentSkillsByWorkNo`).
    ///
    #[doc = ccgw_api::errors_doc!(QUERY_AGENT_SKILLS_BY_WORK_NO)]
    pub async fn agent_skills(&self, agent: &AgentId) -> Result<Vec<SkillQueue>, Error> {
        let (answer, skips) = send_request!(query self, query_agent_skills_by_work_no,
            agent: agent,
        )?;
        let op = &ops::QUERY_AGENT_SKILLS_BY_WORK_NO;
        Ok(self.each_entry(op, answer.result, skips, SkillQueue::from_wire))
    }

    fn agents_from_wire(
        &self,
        op: &Operation,
        agents: Vec<ccgw_api::types::AgentInfo>,
        skips: Skips,
    ) -> Vec<AgentInfo> {
        let edition = self.client().edition();
        self.each_entry(op, agents, skips, |a| AgentInfo::from_wire(edition, a))
    }

    /// Each entry of `op`'s list answer converted by `convert`; an entry it cannot
    /// convert costs only itself. Every entry left out, here or while the answer was
    /// read (`skips`), is told as one `EntriesSkipped` event.
    fn each_entry<W, T>(
        &self,
        op: &Operation,
        entries: Vec<W>,
        mut skips: Skips,
        convert: impl Fn(W) -> Result<T, Error>,
    ) -> Vec<T> {
        let mut read = Vec::with_capacity(entries.len());
        for (index, entry) in entries.into_iter().enumerate() {
            match convert(entry) {
                Ok(entry) => read.push(entry),
                Err(e) => skips.skip(index, "", e.to_string()),
            }
        }
        self.report_skipped(op, skips);
        read
    }
}
