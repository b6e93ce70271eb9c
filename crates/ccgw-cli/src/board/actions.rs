//! Sending what a key asked for, and the session's view of its inspections: everything
//! goes through the `ccgw` session.

use crate::stdio::Why;
use ccgw::{AgentId, CallId, Session, TrackedMode};

use super::model::{Action, Board};

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
        .map_err(|e| format!("{} agent {agent}: {}", action.words(), Why(&e)))
}

/// The first call of `agent`, which a question about its call names.
pub async fn first_call(session: &Session, agent: &AgentId) -> Result<Option<CallId>, String> {
    let calls = session.call_ids(agent).await.map_err(|e| e.to_string())?;
    Ok(calls.into_iter().next())
}

/// Copies what the session believes about each agent it inspects onto the rows.
pub fn sync_inspections(board: &mut Board, session: &Session) {
    let agents: Vec<AgentId> = board.agents.iter().map(|a| a.work_no.clone()).collect();
    for agent in agents {
        board.set_inspection(&agent, session.mode_of(&agent));
    }
}
