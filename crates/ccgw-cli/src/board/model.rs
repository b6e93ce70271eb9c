//! What the board shows, as plain data: agents, the inspector's own state, queues, the
//! last result and recent events. Updated from queries and events; drawn by the view.

use crate::stdio::Why;
use std::collections::VecDeque;
use std::time::{Duration, SystemTime};

use ccgw::{AgentId, AgentState, CallId, ErrorKind, QueueStats, TrackedMode};

pub use super::roster::AgentRow;
use super::roster::Roster;
use crate::alerts::{AgentSample, Alerts, Change};

/// How many events the event pane keeps.
pub const EVENTS_KEPT: usize = 50;

/// What a key asks the gateway to do to the selected agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Listen,
    Insert,
    Whisper,
    /// The listen/insert toggle.
    Switch,
    /// Stop listening, inserting or whispering.
    Stop,
    ForceBusy,
    ForceIdle,
    ForceSignOut,
    DropCall,
    Intercept,
}

impl Action {
    /// The words of the status line and the confirmation question.
    pub fn words(self) -> &'static str {
        match self {
            Action::Listen => "listen to",
            Action::Insert => "insert into the call of",
            Action::Whisper => "whisper to",
            Action::Switch => "switch listen/insert on",
            Action::Stop => "stop inspecting",
            Action::ForceBusy => "force busy",
            Action::ForceIdle => "force idle",
            Action::ForceSignOut => "force to sign out",
            Action::DropCall => "drop the call of",
            Action::Intercept => "take over the call of",
        }
    }

    /// Whether it cannot be undone, and so is confirmed first.
    pub fn is_destructive(self) -> bool {
        matches!(
            self,
            Action::ForceSignOut | Action::DropCall | Action::Intercept
        )
    }
}

/// A destructive action waiting for y or n. It names its agent, and the call where the
/// action is on a call, from the moment it is asked: the answer acts on exactly these,
/// whatever a refresh did to the list or the selection meanwhile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    pub action: Action,
    pub agent: AgentId,
    pub call: CallLookup,
}

/// The call a question is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallLookup {
    /// The action is not on a call.
    NotNeeded,
    /// Being looked up: the question cannot be answered yes yet.
    Pending,
    /// Found (`None`: the agent has no call, which intercept accepts).
    Known(Option<CallId>),
}

impl Action {
    /// Whether the action is on the agent's call, which the question names.
    pub fn is_on_a_call(self) -> bool {
        matches!(self, Action::DropCall | Action::Intercept)
    }
}

impl Question {
    /// The words of the question.
    pub fn words(&self) -> String {
        match &self.call {
            CallLookup::Known(Some(call)) => {
                format!(
                    "{} agent {} (call {call})? y/n",
                    self.action.words(),
                    self.agent
                )
            }
            CallLookup::Pending => format!(
                "{} agent {}? (looking up the call) n to cancel",
                self.action.words(),
                self.agent
            ),
            _ => format!("{} agent {}? y/n", self.action.words(), self.agent),
        }
    }
}

/// What the bottom line says about the last action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    Info(String),
    Error(String),
}

/// Whether keys move the selection, type a filter, or answer a question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    Normal,
    Filtering,
    /// A destructive action waits for y or n.
    Confirming(Question),
    Help,
}

#[derive(Debug, Clone)]
pub struct Board {
    pub me: String,
    pub agents: Vec<AgentRow>,
    /// The selected agent, by work number, so that refreshes keep the selection.
    pub selected: Option<AgentId>,
    pub filter: String,
    pub mode: Mode,
    pub own_state: Option<(AgentState, bool)>,
    /// The watched queues' statistics, as last reported.
    pub queues: Vec<QueueStats>,
    /// Who is listed, and what is known of each.
    pub roster: Roster,
    /// When a refresh last fully succeeded.
    pub last_good: Option<SystemTime>,
    /// Since when the data on screen is older than the last refresh, which failed: the
    /// last good refresh's time (or the board's start).
    pub stale_since: Option<SystemTime>,
    /// The alert rules and the alerts in force.
    pub alerts: Alerts,
    /// How often the board refreshes, for the advice after a failure.
    pub refresh_every: Duration,
    started: SystemTime,
    pub status: Status,
    pub events: VecDeque<(SystemTime, String)>,
    /// How the session's event link fares, shown in the header when it is not healthy.
    pub link: ccgw::LinkHealth,
}

impl Board {
    pub fn new(me: &str, roster: Roster, refresh_every: Duration) -> Board {
        Board {
            roster,
            alerts: Alerts::default(),
            last_good: None,
            stale_since: None,
            refresh_every,
            started: SystemTime::now(),
            me: me.to_owned(),
            agents: Vec::new(),
            selected: None,
            filter: String::new(),
            mode: Mode::Normal,
            own_state: None,
            queues: Vec::new(),
            status: Status::Info("press ? for the keys".to_owned()),
            events: VecDeque::new(),
            link: ccgw::LinkHealth::default(),
        }
    }

    /// Replaces the agents (sorted by work number); keeps the selection when the agent is
    /// still listed, else selects the first.
    pub fn set_agents(&mut self, mut agents: Vec<AgentRow>) {
        agents.sort_by_key(|a| a.work_no.number());
        agents.dedup_by(|a, b| a.work_no == b.work_no);
        self.agents = agents;
        self.withdraw_question_about_a_missing_agent();
        let visible = self.visible();
        let still = self
            .selected
            .as_ref()
            .is_some_and(|s| visible.iter().any(|a| &a.work_no == s));
        if !still {
            self.selected = visible.first().map(|a| a.work_no.clone());
        }
    }

    /// After a refresh: marks the data fresh, or stale with what to do about it.
    pub fn refreshed(&mut self, error: Option<&ccgw::Error>, now: SystemTime) {
        match error {
            None => {
                self.last_good = Some(now);
                if self.stale_since.take().is_some() {
                    self.status = Status::Info("refreshed: the data is current again".into());
                }
            }
            Some(e) => {
                self.stale_since = Some(self.last_good.unwrap_or(self.started));
                let what = advice(e, self.refresh_every);
                // What to do first: a long error is cut at the screen's edge.
                self.status = Status::Error(format!("{what}. Refresh failed: {}", Why(e)));
            }
        }
    }

    /// Runs the alert rules on what the board knows now: the alerts raised and cleared.
    pub fn evaluate_alerts(&mut self, now: SystemTime) -> Vec<Change> {
        let agents: Vec<AgentSample<'_>> = (self.agents.iter())
            .map(|a| AgentSample {
                work_no: a.work_no.as_str(),
                state: a.state,
                // Rows are refreshed 100 at a time: count the time since each was.
                time_in_state: a.time_in_state_now(),
            })
            .collect();
        self.alerts.evaluate(&self.queues, &agents, now)
    }

    /// The work numbers of the rows on and around the screen, at most one `agentbylist`
    /// request's worth, centred on the selection.
    pub fn around_selection(&self) -> Vec<AgentId> {
        let visible = self.visible();
        let per_request = ccgw::AGENTS_PER_LIST_REQUEST;
        let at = self.selected_index().unwrap_or(0);
        let start = at.saturating_sub(per_request / 2);
        let end = (start + per_request).min(visible.len());
        let start = end.saturating_sub(per_request);
        visible[start..end]
            .iter()
            .map(|a| a.work_no.clone())
            .collect()
    }

    /// A question about an agent that left the list is withdrawn: its answer must never
    /// act on another agent, nor on one the board no longer shows.
    fn withdraw_question_about_a_missing_agent(&mut self) {
        if let Mode::Confirming(question) = &self.mode
            && !self.agents.iter().any(|a| a.work_no == question.agent)
        {
            self.status = Status::Info(format!(
                "withdrawn: agent {} left the list; nothing was sent",
                question.agent
            ));
            self.mode = Mode::Normal;
        }
    }

    /// The agents the filter lets through: work number, name or state word contains it.
    pub fn visible(&self) -> Vec<&AgentRow> {
        let filter = self.filter.to_lowercase();
        self.agents
            .iter()
            .filter(|a| {
                filter.is_empty()
                    || a.work_no.as_str().contains(&filter)
                    || a.name.to_lowercase().contains(&filter)
                    || a.state.word().contains(&filter)
            })
            .collect()
    }

    /// The position of the selection among the visible agents.
    pub fn selected_index(&self) -> Option<usize> {
        let selected = self.selected.as_ref()?;
        self.visible().iter().position(|a| &a.work_no == selected)
    }

    /// Moves the selection by `step` rows, staying within the list.
    pub fn move_selection(&mut self, step: isize) {
        let visible = self.visible();
        if visible.is_empty() {
            self.selected = None;
            return;
        }
        let at = self.selected_index().unwrap_or(0) as isize;
        let next = (at + step).clamp(0, visible.len() as isize - 1) as usize;
        self.selected = Some(visible[next].work_no.clone());
    }

    /// After the filter changed: keep a visible selection.
    pub fn refilter(&mut self) {
        if self.selected_index().is_none() {
            self.selected = self.visible().first().map(|a| a.work_no.clone());
        }
    }

    pub fn set_inspection(&mut self, agent: &AgentId, mode: TrackedMode) {
        if let Some(row) = self.agents.iter_mut().find(|a| &a.work_no == agent) {
            row.inspecting = mode;
        }
    }

    pub fn push_event(&mut self, at: SystemTime, text: String) {
        if self.events.len() >= EVENTS_KEPT {
            self.events.pop_back();
        }
        self.events.push_front((at, text));
    }
}

/// What a supervisor can do about a refresh that failed with `e`.
pub fn advice(e: &ccgw::Error, refresh_every: Duration) -> String {
    let every = refresh_every.as_secs();
    match e.kind() {
        ErrorKind::AnswerTooLarge => {
            "Watch fewer queues (--queues), or if the tenant is larger than assumed, start with \
             --tenant-agents"
                .to_owned()
        }
        ErrorKind::OverBudget | ErrorKind::Overloaded => format!(
            "Another program may be spending this agent's query budget; retrying every {every} s"
        ),
        ErrorKind::SessionClosed => {
            "The session has ended: quit (q) and start again, or start with --recover".to_owned()
        }
        ErrorKind::Gateway if e.is_auth_expired() || e.is_not_signed_in() => {
            "The gateway no longer knows this session: quit (q) and start again, or start \
             with --recover"
                .to_owned()
        }
        ErrorKind::Transport(_) | ErrorKind::HttpStatus(_) => format!(
            "The gateway is not answering; retrying every {every} s (check the network, or \
             raise --timeout)"
        ),
        _ => format!("Retrying every {every} s"),
    }
}
