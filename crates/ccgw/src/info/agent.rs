//! What the agent queries report: an agent's state and details, and the inspector's own
//! state.

use std::time::{Duration, SystemTime};

use ccgw_api::types as wire;

use super::skill::SkillQueue;
use super::state::{AgentState, CtiState};
use super::wire::{code, instant, malformed, text};
use crate::error::Error;
use crate::ids::{AgentId, Edition};

/// An agent's state and details (`queryAgentInfoByWorkNo` and the list queries).
/// Fields the gateway left out are `None` or empty.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct AgentInfo {
    /// The agent's ID.
    pub work_no: AgentId,
    /// The agent's name.
    pub name: String,
    /// The state; [`AgentState::Unknown`] when the gateway sent none.
    pub state: AgentState,
    /// The state on the CTI platform.
    pub cti_state: Option<CtiState>,
    /// Whether the agent is in a call: state talking, or a CTI state of a call.
    pub talking: bool,
    /// How long the agent has been in its state.
    pub time_in_state: Option<Duration>,
    /// The agent's group (team) ID and name.
    pub group: Option<(i64, String)>,
    /// The skill queues the agent serves.
    pub skills: Vec<SkillQueue>,
    /// The agent's phone number.
    pub phone: Option<String>,
    /// The agent's VDN.
    pub vdn: Option<i64>,
    /// When the agent signed in.
    pub signed_in_at: Option<SystemTime>,
}

impl AgentInfo {
    pub(crate) fn from_wire(edition: Edition, agent: wire::AgentInfo) -> Result<Self, Error> {
        let work_no = agent
            .workno
            .as_ref()
            .ok_or_else(|| malformed("workno", "missing"))?;
        let work_no =
            AgentId::parse_for(edition, &text(work_no)).map_err(|e| malformed("workno", e))?;
        let state = match &agent.status {
            Some(status) => AgentState::from_code(code("status", status)?),
            None => AgentState::Unknown,
        };
        let cti_state = match &agent.cti_status {
            Some(cti) => Some(CtiState::from_code(code("ctiStatus", cti)?)),
            None => None,
        };
        let skills = agent
            .skilllist
            .into_iter()
            .map(SkillQueue::from_wire)
            .collect::<Result<_, _>>()?;
        Ok(AgentInfo {
            work_no,
            name: agent.name.unwrap_or_default(),
            talking: state == AgentState::Talking || cti_state.is_some_and(CtiState::in_call),
            state,
            cti_state,
            time_in_state: agent
                .currentstatetime
                .and_then(|s| u64::try_from(s).ok())
                .map(Duration::from_secs),
            group: agent
                .groupid
                .map(|id| (id, agent.groupname.unwrap_or_default())),
            skills,
            phone: agent.phonenumber.as_ref().map(text),
            vdn: agent.vdnid,
            signed_in_at: instant(agent.logindate),
        })
    }
}

/// The inspector's own state (`getAgentStatus`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct OwnState {
    /// The state.
    pub state: AgentState,
    /// Whether the inspector is in a call.
    pub talking: bool,
}

impl OwnState {
    pub(crate) fn from_wire(result: Option<wire::AgentStatusOrList>) -> Result<Self, Error> {
        let status = match result {
            Some(wire::AgentStatusOrList::AgentStatus(status)) => status,
            Some(wire::AgentStatusOrList::Array(list)) => list
                .into_iter()
                .next()
                .ok_or_else(|| malformed("result", "an empty list"))?,
            None => return Err(malformed("result", "missing")),
        };
        let state = match &status.agent_state {
            Some(state) => AgentState::from_code(code("agentState", state)?),
            None => AgentState::Unknown,
        };
        Ok(OwnState {
            talking: status.is_working.unwrap_or(state == AgentState::Talking),
            state,
        })
    }
}

/// One skill queue and the agents signed in to it (`queryAllOnlineAgents`).
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct SkillQueueAgents {
    /// The skill queue's ID.
    pub skill_id: Option<i32>,
    /// Its media type (5 for ordinary audio and video calls).
    pub media_type: Option<i32>,
    /// Its signed-in agents.
    pub agents: Vec<AgentInfo>,
}

impl SkillQueueAgents {
    /// The queue with each agent that can be read, and the place and error of each that
    /// cannot (left out).
    pub(crate) fn from_wire(
        edition: Edition,
        queue: wire::SkillQueueAgents,
    ) -> (Self, Vec<(usize, Error)>) {
        let mut agents = Vec::with_capacity(queue.agent.len());
        let mut odd = Vec::new();
        for (at, agent) in queue.agent.into_iter().enumerate() {
            match AgentInfo::from_wire(edition, agent) {
                Ok(agent) => agents.push(agent),
                Err(e) => odd.push((at, e)),
            }
        }
        let queue = SkillQueueAgents {
            skill_id: queue.skill_id,
            media_type: queue.skill_media_type,
            agents,
        };
        (queue, odd)
    }
}

/// Which agents of a skill queue to list: at most `limit` (1 to 500) in one of
/// `states`. The gateway applies a filter only with both, so this type has both.
///
/// ```
/// use ccgw::{AgentFilter, AgentState};
/// let filter = AgentFilter::new(50, [AgentState::Talking, AgentState::Busy])?;
/// assert!(AgentFilter::new(0, [AgentState::Idle]).is_err());
/// # Ok::<(), ccgw::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentFilter {
    limit: u32,
    states: Vec<AgentState>,
}

/// The most agents a skill-queue filter may ask for.
pub const MAX_AGENT_LIMIT: u32 = 500;

impl AgentFilter {
    /// A filter; a limit outside 1 to 500 or no state is rejected here.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) for a limit outside 1 to
    /// [`MAX_AGENT_LIMIT`] or no state.
    pub fn new(limit: u32, states: impl IntoIterator<Item = AgentState>) -> Result<Self, Error> {
        if !(1..=MAX_AGENT_LIMIT).contains(&limit) {
            return Err(Error::invalid_input(format!(
                "the agent limit {limit} is outside 1..={MAX_AGENT_LIMIT}"
            )));
        }
        let states: Vec<AgentState> = states.into_iter().collect();
        if states.is_empty() {
            return Err(Error::invalid_input("a filter needs at least one state"));
        }
        Ok(AgentFilter { limit, states })
    }

    pub(crate) fn to_wire(&self) -> wire::AgentFilter {
        wire::AgentFilter {
            agent_limit: std::num::NonZeroU32::new(self.limit),
            agent_status: self
                .states
                .iter()
                .map(|s| i32::try_from(s.code()).unwrap_or(i32::MAX))
                .collect(),
        }
    }
}
