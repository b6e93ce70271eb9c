//! Who the board lists: the agents of the watched queues and the watched agents, what is
//! known of each, and which of them the next refresh asks about. Learned a few queues at
//! a time (see `refresh`), so that a floor of thousands of agents never needs one large
//! answer.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use ccgw::{AgentId, AgentInfo, AgentState, SkillId, TrackedMode};

/// How many watched queues' agents one refresh asks for.
pub const ROSTER_QUEUES_PER_REFRESH: usize = 2;

/// One agent's row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentRow {
    pub work_no: AgentId,
    pub name: String,
    pub state: AgentState,
    /// Time in state as the gateway reported it, when the row was fetched.
    pub time_in_state: Option<Duration>,
    pub inspecting: TrackedMode,
    /// When the row was fetched: a row not refreshed for a while is that much longer in
    /// its state.
    pub fetched: std::time::Instant,
}

impl AgentRow {
    pub fn from_info(info: &AgentInfo) -> AgentRow {
        AgentRow {
            work_no: info.work_no.clone(),
            name: info.name.clone(),
            state: info.state,
            time_in_state: info.time_in_state,
            inspecting: TrackedMode::Idle,
            fetched: std::time::Instant::now(),
        }
    }

    /// Time in state now: as reported, plus the time since the row was fetched.
    pub fn time_in_state_now(&self) -> Option<Duration> {
        self.time_in_state.map(|t| t + self.fetched.elapsed())
    }

    /// How this inspector inspects the agent, in the words the board uses.
    pub fn inspecting_word(&self) -> &'static str {
        match self.inspecting {
            TrackedMode::Idle => "none",
            other => other.word(),
        }
    }
}

/// What one refresh asks for, chosen from the board as it is when the refresh starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// The queues to report; `None`: not known yet, so ask for the VDN's queues first.
    pub queues: Option<Vec<SkillId>>,
    /// The queues whose agents to ask for this time.
    pub roster: Vec<SkillId>,
    /// Whether to list the first queues of the VDN once they are known (every queue is
    /// watched, and no agent is named).
    pub list_first_queues: bool,
    /// The agents whose details to refresh: the rows on and around the screen, and any
    /// watched agents not yet known.
    pub details: Vec<AgentId>,
}

/// Who the board lists and how it learns about them, between refreshes.
#[derive(Debug, Clone)]
pub struct Roster {
    /// The queues watched; `None`: every queue of the VDN, once known.
    pub queues: Option<Vec<SkillId>>,
    /// Whether the agents of the watched queues are listed: not when agents are named
    /// without queues (then just those agents, and every queue's statistics).
    pub list_members: bool,
    /// Agents watched whatever their queues.
    pub agents: Vec<AgentId>,
    /// The agents of each queue, as last listed.
    pub members: HashMap<SkillId, Vec<AgentId>>,
    /// The next queue to list, in turn.
    next: usize,
    /// Every agent's last known row, by work number.
    pub rows: BTreeMap<u32, AgentRow>,
}

impl Default for Roster {
    /// Every queue of the VDN and its agents.
    fn default() -> Self {
        Roster::new(None, Vec::new())
    }
}

impl Roster {
    /// Watching these queues (`None`: all) and agents.
    pub fn new(queues: Option<Vec<SkillId>>, agents: Vec<AgentId>) -> Self {
        Roster {
            list_members: queues.is_some() || agents.is_empty(),
            queues,
            agents,
            members: HashMap::new(),
            next: 0,
            rows: BTreeMap::new(),
        }
    }

    /// The next refresh's plan; `around` are the agents on and around the screen.
    pub fn plan(&mut self, around: Vec<AgentId>) -> Plan {
        let mut details: Vec<AgentId> = self
            .agents
            .iter()
            .filter(|a| !self.rows.contains_key(&a.number()))
            .cloned()
            .collect();
        details.extend(around);
        details.truncate(ccgw::AGENTS_PER_LIST_REQUEST);
        let roster = match &self.queues {
            Some(queues) if !queues.is_empty() && self.list_members => {
                let turn = (0..ROSTER_QUEUES_PER_REFRESH.min(queues.len()))
                    .map(|k| queues[(self.next + k) % queues.len()])
                    .collect();
                self.next = (self.next + ROSTER_QUEUES_PER_REFRESH) % queues.len();
                turn
            }
            _ => Vec::new(),
        };
        Plan {
            list_first_queues: self.queues.is_none() && self.list_members,
            queues: self.queues.clone(),
            roster,
            details,
        }
    }

    /// Takes in what a refresh learned: the VDN's queues (when asked for), the agents
    /// of the queues listed, and the details of agents.
    pub fn learn(
        &mut self,
        queue_ids: Option<Vec<SkillId>>,
        listed: Vec<(SkillId, Vec<AgentInfo>)>,
        details: Option<Vec<AgentInfo>>,
    ) {
        if self.queues.is_none()
            && let Some(ids) = queue_ids
        {
            // The first queues were listed with the queue list.
            if self.list_members {
                self.next = ROSTER_QUEUES_PER_REFRESH.min(ids.len());
            }
            self.queues = Some(ids);
        }
        for (queue, agents) in listed {
            let ids = agents.iter().map(|a| a.work_no.clone()).collect();
            self.members.insert(queue, ids);
            self.remember(agents);
        }
        if let Some(details) = details {
            self.remember(details);
        }
    }

    fn remember(&mut self, agents: Vec<AgentInfo>) {
        for info in agents {
            let row = AgentRow::from_info(&info);
            self.rows.insert(info.work_no.number(), row);
        }
    }

    /// The rows to list: the watched agents and the members of the watched queues.
    pub fn listed(&self) -> Vec<AgentRow> {
        let mut numbers: Vec<u32> = self.agents.iter().map(AgentId::number).collect();
        for members in self.members.values() {
            numbers.extend(members.iter().map(AgentId::number));
        }
        numbers.sort_unstable();
        numbers.dedup();
        numbers
            .iter()
            .filter_map(|n| self.rows.get(n).cloned())
            .collect()
    }
}
