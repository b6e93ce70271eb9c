//! Sending what a key asked for, and fetching what the board shows: everything goes
//! through the `ccgw` session.

use ccgw::{AgentId, AgentState, CallId, Session, TrackedMode};

use super::model::{Action, AgentRow, Board, Queue};

/// The most skill queues whose length one refresh asks for.
pub const MAX_QUEUES: usize = 8;

/// The most requests one refresh sends: the inspector's state, the online agents, the
/// skill queues, and one length per queue. With refreshes at least a second apart the
/// board never sends more than this many requests a second, whatever the number of
/// agents.
pub const REQUESTS_PER_REFRESH: usize = 3 + MAX_QUEUES;

/// Sends `action` for `agent` (on `call`, for the actions on a call, as the question
/// named it); the words for the status line.
pub async fn perform(
    session: &Session,
    agent: &AgentId,
    action: Action,
    call: Option<CallId>,
) -> Result<String, String> {
    let done = match action {
        Action::Listen => session.listen(agent).await,
        Action::Insert => session.insert(agent).await,
        Action::Whisper => session.whisper(agent).await,
        Action::Switch => session.switch_listen_insert(agent).await,
        Action::Stop if session.mode_of(agent) == TrackedMode::Whispering => {
            session.stop_whisper(agent).await
        }
        Action::Stop => session.stop(agent).await,
        Action::ForceBusy => session.force_busy(agent).await,
        Action::ForceIdle => session.force_idle(agent).await,
        Action::ForceSignOut => session.force_sign_out(agent).await,
        Action::DropCall => match call {
            Some(call) => session.force_release_call(&call).await,
            None => return Err(format!("agent {agent} has no call to drop")),
        },
        Action::Intercept => match call {
            Some(call) => session.intercept_call(agent, &call).await,
            None => session.intercept(agent).await,
        },
    };
    done.map(|()| format!("{} agent {agent}: done", action.words()))
        .map_err(|e| format!("{} agent {agent}: {e}", action.words()))
}

/// The first call of `agent`, which a question about its call names.
pub async fn first_call(session: &Session, agent: &AgentId) -> Result<Option<CallId>, String> {
    let calls = session.call_ids(agent).await.map_err(|e| e.to_string())?;
    Ok(calls.into_iter().next())
}

/// What one refresh learned.
#[derive(Debug)]
pub struct Snapshot {
    pub own_state: (AgentState, bool),
    pub agents: Vec<AgentRow>,
    pub queues: Vec<Queue>,
}

/// Asks the gateway for everything the board shows, in at most
/// [`REQUESTS_PER_REFRESH`] requests.
pub async fn fetch(session: &Session) -> Result<Snapshot, ccgw::Error> {
    let own = session.own_state().await?;
    let agents = session.every_online_agent().await?;
    let mut queues = Vec::new();
    for skill in session.skill_queues().await?.into_iter().take(MAX_QUEUES) {
        queues.push(Queue {
            waiting: session.queue_length(skill.id).await?,
            name: skill.name,
        });
    }
    Ok(Snapshot {
        own_state: (own.state, own.talking),
        agents: agents.iter().map(AgentRow::from_info).collect(),
        queues,
    })
}

/// Puts a snapshot on the board, with the session's own view of its inspections.
pub fn apply(board: &mut Board, snapshot: Snapshot, session: &Session) {
    board.own_state = Some(snapshot.own_state);
    board.queues = snapshot.queues;
    board.set_agents(snapshot.agents);
    sync_inspections(board, session);
}

/// Copies what the session believes about each agent it inspects onto the rows.
pub fn sync_inspections(board: &mut Board, session: &Session) {
    let agents: Vec<AgentId> = board.agents.iter().map(|a| a.work_no.clone()).collect();
    for agent in agents {
        board.set_inspection(&agent, session.mode_of(&agent));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_refresh_stays_within_its_request_budget_whatever_the_number_of_agents() {
        let config = ccgw_sim::SimConfig::default().with_load_tenant(1, 400);
        let sim = ccgw_sim::Simulator::start(config).await.unwrap();
        let client = ccgw::Client::builder(sim.base_url()).build().unwrap();
        let me = client.agent_id("30001").unwrap();
        let request = ccgw::SignIn::new(me, ccgw_sim::DEFAULT_PASSWORD).poll_events(false);
        let session = client.sign_in(request).await.unwrap();
        let before = sim.received_total();
        let snapshot = fetch(&session).await.unwrap();
        let sent = sim.received_total() - before;
        assert_eq!(snapshot.agents.len(), 400);
        assert!(sent as usize <= REQUESTS_PER_REFRESH, "{sent} requests");
        let mut board = Board::new("30001");
        apply(&mut board, snapshot, &session);
        assert_eq!(
            board.selected.as_ref().unwrap().as_str(),
            "40001",
            "the first row"
        );
        session.sign_out().await.unwrap();
    }
}
