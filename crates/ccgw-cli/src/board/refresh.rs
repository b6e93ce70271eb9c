//! What one refresh asks the gateway, chosen so that it scales to a floor of thousands of
//! agents and a hundred queues within the gateway's overload budget (5 queue and
//! agent-group queries per agent per 2 s):
//!
//! * the inspector's own state (`getAgentStatus`, not budgeted);
//! * the statistics of every watched queue in one `queryacdstat` (100 queues a request);
//! * the details of the rows on and around the screen, at most 100, in one `agentbylist`;
//! * the agents of at most [`ROSTER_QUEUES_PER_REFRESH`] watched queues
//!   (`agentbyskill`), taking the queues in turn, so who is in which queue is learned a
//!   few queues at a time and the first screen needs only the first queue.
//!
//! Never `allonlineagents`, which repeats every agent under every queue it serves. Each
//! part that fails leaves what the board knew of it, which the board then marks stale.

use std::time::SystemTime;

use ccgw::{AgentInfo, AgentState, Error, QueueStats, Session, SkillId};

use super::actions::sync_inspections;
use super::model::Board;
pub use super::roster::{Plan, ROSTER_QUEUES_PER_REFRESH, Roster};
use crate::alerts::Change;

/// The most budgeted requests one refresh sends with up to 100 watched queues: the queue
/// list (first refresh only, when no queue is named), statistics, details and the roster.
/// Within the gateway's default budget of 5 per 2 s.
pub const BUDGETED_PER_REFRESH: usize = 1 + 1 + 1 + ROSTER_QUEUES_PER_REFRESH;

/// The most requests one refresh sends with up to 100 watched queues: the budgeted ones
/// and the inspector's own state.
pub const REQUESTS_PER_REFRESH: usize = BUDGETED_PER_REFRESH + 1;

/// What one refresh learned; each part that failed is left out, with its error kept.
#[derive(Debug, Default)]
pub struct Snapshot {
    pub own_state: Option<(AgentState, bool)>,
    /// The VDN's queues, when the plan did not know them.
    pub queue_ids: Option<Vec<SkillId>>,
    pub stats: Option<Vec<QueueStats>>,
    pub roster: Vec<(SkillId, Vec<AgentInfo>)>,
    pub details: Option<Vec<AgentInfo>>,
    /// The first failure, if any part failed.
    pub error: Option<Error>,
}

impl Snapshot {
    fn keep<T>(&mut self, result: Result<T, Error>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(e) => {
                self.error.get_or_insert(e);
                None
            }
        }
    }
}

/// Sends what `plan` asks for; the overload budget paces the requests.
pub async fn fetch(session: &Session, plan: Plan) -> Snapshot {
    let mut snapshot = Snapshot::default();
    let own = session.own_state().await.map(|me| (me.state, me.talking));
    snapshot.own_state = snapshot.keep(own);
    let queues = match plan.queues {
        Some(queues) => Some(queues),
        None => {
            let listed = session.skill_queues().await;
            let ids = snapshot
                .keep(listed)
                .map(|q| q.iter().map(|q| q.id).collect());
            snapshot.queue_ids.clone_from(&ids);
            ids
        }
    };
    if let Some(queues) = &queues {
        let stats = session.queue_stats(queues).await;
        snapshot.stats = snapshot.keep(stats);
    }
    if !plan.details.is_empty() {
        let details = session.agents_by_id(&plan.details).await;
        snapshot.details = snapshot.keep(details);
    }
    // A queue list just learned gives the first queues to list.
    let roster = match &snapshot.queue_ids {
        Some(ids) if plan.list_first_queues => ids
            .iter()
            .take(ROSTER_QUEUES_PER_REFRESH)
            .copied()
            .collect(),
        _ => plan.roster,
    };
    for queue in roster {
        let agents = session.agents_in_skill(queue, None).await;
        if let Some(agents) = snapshot.keep(agents) {
            snapshot.roster.push((queue, agents));
        }
    }
    snapshot
}

/// Puts what a refresh learned on the board; a part that failed leaves the board's
/// data as it was, marked stale from the last refresh that fully succeeded. Returns the
/// alerts the board's rules raised and cleared on it.
pub fn apply(
    board: &mut Board,
    mut snapshot: Snapshot,
    session: &Session,
    now: SystemTime,
) -> Vec<Change> {
    if let Some(own) = snapshot.own_state {
        board.own_state = Some(own);
    }
    if let Some(stats) = snapshot.stats.take() {
        board.queues = stats;
    }
    let listed = std::mem::take(&mut snapshot.roster);
    let (queue_ids, details) = (snapshot.queue_ids.take(), snapshot.details.take());
    board.roster.learn(queue_ids, listed, details);
    let listed = board.roster.listed();
    board.set_agents(listed);
    sync_inspections(board, session);
    board.refreshed(snapshot.error.as_ref(), now);
    board.evaluate_alerts(now)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn skill(id: i32) -> SkillId {
        SkillId::new(id).unwrap()
    }

    /// The gateway's 5 budgeted queries, in a window a tenth of its 2 s, on both sides: the
    /// pacing is the same, and ten refreshes take a second, not fifteen.
    const BUDGET: (u32, Duration) = (5, Duration::from_millis(200));

    /// A 5,000-agent floor in 20 queues whose overload budget is [`BUDGET`].
    fn large_floor() -> ccgw_sim::SimConfig {
        (ccgw_sim::SimConfig::default().large_tenant(5_000, 20)).overload_budget(Some(BUDGET))
    }

    async fn floor_session(sim: &ccgw_sim::RunningSim) -> Session {
        let budget = ccgw::OverloadBudget::new(BUDGET.0, BUDGET.1).unwrap();
        let client = (ccgw::Client::builder(sim.base_url()))
            .overload_budget(Some(budget))
            .build()
            .unwrap();
        let me = client.agent_id("101").unwrap();
        let request = ccgw::SignIn::new(me, ccgw_sim::DEFAULT_PASSWORD).poll_events(false);
        client.sign_in(request).await.unwrap()
    }

    #[tokio::test]
    async fn a_floor_of_5000_agents_is_on_screen_after_one_refresh_within_the_budget() {
        let sim = ccgw_sim::Simulator::start(large_floor()).await.unwrap();
        let session = floor_session(&sim).await;
        let mut board = Board::new("101", Roster::default(), Duration::from_secs(2));
        let before = sim.received_total();
        let plan = board.roster.plan(board.around_selection());
        assert_eq!(plan.queues, None, "the queues are asked for first");
        let snapshot = fetch(&session, plan).await;
        assert!(snapshot.error.is_none(), "{:?}", snapshot.error);
        assert!((sim.received_total() - before) as usize <= REQUESTS_PER_REFRESH);
        apply(&mut board, snapshot, &session, SystemTime::now());
        assert_eq!(board.agents.len(), 5_000, "queue 1 holds every agent");
        assert_eq!(board.queues.len(), 20);
        assert_eq!(board.selected.as_ref().unwrap().as_str(), "1001");
        // Later refreshes: the rows around the selection and two more queues each, every
        // queue in turn, and never a query over the budget.
        // The first refresh listed queues 1 and 2, once it knew them.
        let mut listed = std::collections::HashSet::from([skill(1), skill(2)]);
        for _ in 0..9 {
            let before = sim.received_total();
            let plan = board.roster.plan(board.around_selection());
            assert_eq!(plan.details.len(), 100);
            listed.extend(plan.roster.iter().copied());
            let snapshot = fetch(&session, plan).await;
            assert!(snapshot.error.is_none(), "{:?}", snapshot.error);
            assert_eq!(
                (sim.received_total() - before) as usize,
                REQUESTS_PER_REFRESH - 1
            );
            apply(&mut board, snapshot, &session, SystemTime::now());
        }
        assert_eq!(listed.len(), 20, "every queue was listed in turn");
        assert_eq!(board.agents.len(), 5_000);
        assert_eq!(sim.refused_over_budget(), 0);
        assert!(board.stale_since.is_none());
        session.sign_out().await.unwrap();
    }

    #[tokio::test]
    async fn watched_queues_and_agents_narrow_the_list() {
        let sim = ccgw_sim::Simulator::start(large_floor()).await.unwrap();
        let session = floor_session(&sim).await;
        let agents = vec!["1001".parse().unwrap(), "1002".parse().unwrap()];
        let roster = Roster::new(None, agents);
        let mut board = Board::new("101", roster, Duration::from_secs(2));
        let plan = board.roster.plan(board.around_selection());
        assert_eq!(plan.details.len(), 2, "the watched agents, not yet known");
        apply(
            &mut board,
            fetch(&session, plan).await,
            &session,
            SystemTime::now(),
        );
        assert_eq!(board.agents.len(), 2, "agents without queues: just those");
        assert_eq!(board.agents[1].work_no.as_str(), "1002");
        assert_eq!(board.queues.len(), 20, "every queue's statistics still");
        let plan = board.roster.plan(board.around_selection());
        assert!(plan.roster.is_empty(), "no queue's agents are listed");
        apply(
            &mut board,
            fetch(&session, plan).await,
            &session,
            SystemTime::now(),
        );
        assert_eq!(board.agents.len(), 2);
        assert_eq!(board.queues.len(), 20, "and on later refreshes too");

        let roster = Roster::new(Some(vec![skill(7)]), Vec::new());
        let mut board = Board::new("101", roster, Duration::from_secs(2));
        let plan = board.roster.plan(board.around_selection());
        assert_eq!(plan.roster, [skill(7)]);
        apply(
            &mut board,
            fetch(&session, plan).await,
            &session,
            SystemTime::now(),
        );
        assert_eq!(board.queues.len(), 1);
        assert!(board.agents.len() > 500 && board.agents.len() < 550);
        session.sign_out().await.unwrap();
    }
}
