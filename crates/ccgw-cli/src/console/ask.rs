//! Running the questions (`agent`, `agents`, `calls`, `recordings`, `queues`, `status`) and
//! wording the answers.

use ccgw::{AgentInfo, AgentState, Error, ErrorKind, QueueStats, Session, TransportKind};
use serde_json::{Map, Value, json};

use super::command::Ask;
use super::output::Report;
use crate::clock::clock;

/// Asks the gateway and words the answer; like every gateway command's, its line carries
/// the gateway's `retcode`.
pub async fn ask(session: &Session, question: &Ask) -> Result<Report, Error> {
    let mut report = answer(session, question).await?;
    report.fields.insert("retcode".into(), json!("0"));
    Ok(report)
}

async fn answer(session: &Session, question: &Ask) -> Result<Report, Error> {
    match question {
        Ask::Status => {
            let me = session.own_state().await?;
            Ok(state_report(me.state, me.talking, None))
        }
        Ask::Agent(agent) => {
            let info = session.agent(agent).await?;
            let seconds = info.time_in_state.map(|d| d.as_secs());
            let mut report = state_report(info.state, info.talking, seconds);
            report.fields.insert("name".into(), json!(info.name));
            report.text = format!("{} ({})", report.text, info.name);
            Ok(report)
        }
        Ask::Calls(agent) => {
            let calls = session.call_ids(agent).await?;
            let ids: Vec<String> = calls.iter().map(ToString::to_string).collect();
            let text = words(&ids, "no call");
            Ok(Report {
                fields: Map::from_iter([("callIds".to_owned(), json!(ids))]),
                text,
            })
        }
        Ask::Recordings(agent, call) => {
            let found = session.recordings_of_call(agent, call).await?;
            let entries: Vec<Value> = found
                .iter()
                .map(|r| {
                    json!({
                        "fileName": r.file_name(),
                        "locationId": r.location_id(),
                        "callId": r.call_id().map(ToString::to_string),
                    })
                })
                .collect();
            let names: Vec<&str> = found.iter().map(|r| r.file_name()).collect();
            let text = words(&names, "no recording");
            Ok(Report {
                fields: Map::from_iter([("recordings".to_owned(), json!(entries))]),
                text,
            })
        }
        Ask::Queues(skills) => {
            let skills = if skills.is_empty() {
                let queues = session.skill_queues().await?;
                queues.iter().map(|q| q.id).collect()
            } else {
                skills.clone()
            };
            Ok(queues_report(&session.queue_stats(&skills).await?))
        }
        Ask::Agents(skill) => {
            let agents = match skill {
                Some(skill) => session.agents_in_skill(*skill, None).await?,
                None => session.every_online_agent().await?,
            };
            Ok(agents_report(&agents))
        }
    }
}

/// `items` on one line, or `none` when there are none.
fn words(items: &[impl AsRef<str>], none: &str) -> String {
    if items.is_empty() {
        return none.to_owned();
    }
    let items: Vec<&str> = items.iter().map(AsRef::as_ref).collect();
    items.join(" ")
}

/// What to try instead when a question failed in a way a narrower question avoids: the
/// list of every online agent repeats each agent under every queue it serves, which a
/// large tenant makes too large or too slow.
pub fn hint(question: &Ask, error: &Error) -> Option<&'static str> {
    let scalable = matches!(
        error.kind(),
        ErrorKind::AnswerTooLarge
            | ErrorKind::Transport(TransportKind::Timeout)
            | ErrorKind::OverBudget
    );
    match question {
        Ask::Agents(None) if scalable => Some(
            "`agents SKILL` lists one queue's agents (queues lists the queues); \
             queryAllOnlineAgents repeats every agent under each queue it serves",
        ),
        Ask::Agents(Some(_)) if error.kind() == ErrorKind::AnswerTooLarge => {
            Some("start the console with a larger --tenant-agents")
        }
        _ => None,
    }
}

fn state_report(state: AgentState, talking: bool, seconds: Option<u64>) -> Report {
    let mut fields = Map::new();
    fields.insert("state".into(), json!(state.word()));
    fields.insert("stateCode".into(), json!(state.code()));
    fields.insert("talking".into(), json!(talking));
    let mut text = format!("{} ({})", state.word(), state.code());
    if let Some(seconds) = seconds {
        fields.insert("secondsInState".into(), json!(seconds));
        text.push_str(&format!(" for {seconds} s"));
    }
    Report { fields, text }
}

fn queues_report(stats: &[QueueStats]) -> Report {
    let listed: Vec<Value> = stats
        .iter()
        .map(|q| {
            json!({
                "skill": q.skill.get(),
                "name": q.name,
                "waiting": q.waiting,
                "longestWaitSeconds": q.longest_wait.map(|w| w.as_secs()),
                "signedIn": q.signed_in,
                "available": q.available,
            })
        })
        .collect();
    let unknown = || "?".to_owned();
    let words = stats
        .iter()
        .map(|q| {
            format!(
                "{} ({}): {} waiting, longest {}, {}/{} available",
                q.name,
                q.skill,
                q.waiting.map_or_else(unknown, |n| n.to_string()),
                q.longest_wait.map_or_else(unknown, clock),
                q.available.map_or_else(unknown, |n| n.to_string()),
                q.signed_in.map_or_else(unknown, |n| n.to_string()),
            )
        })
        .collect();
    Report::list("queues", listed, words, "; ")
}

fn agents_report(agents: &[AgentInfo]) -> Report {
    let listed: Vec<Value> = agents
        .iter()
        .map(|a| {
            json!({
                "workNo": a.work_no.as_str(),
                "state": a.state.word(),
                "stateCode": a.state.code(),
                "talking": a.talking,
            })
        })
        .collect();
    let words = agents
        .iter()
        .map(|a| format!("{} {}", a.work_no, a.state.word()))
        .collect();
    Report::list("agents", listed, words, ", ")
}
