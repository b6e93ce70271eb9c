//! Running the questions (`agent`, `agents`, `calls`, `status`) and wording the answers.

use ccgw::{AgentInfo, AgentState, Error, Session};
use serde_json::{Map, Value, json};

use super::command::Ask;
use super::output::Report;

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
            let text = if ids.is_empty() {
                "no call".to_owned()
            } else {
                ids.join(" ")
            };
            Ok(Report {
                fields: Map::from_iter([("callIds".to_owned(), json!(ids))]),
                text,
            })
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
    let text = agents
        .iter()
        .map(|a| format!("{} {}", a.work_no, a.state.word()))
        .collect::<Vec<_>>()
        .join(", ");
    Report {
        fields: Map::from_iter([("agents".to_owned(), Value::from(listed))]),
        text: if text.is_empty() {
            "none".to_owned()
        } else {
            text
        },
    }
}
