//! The probe's requests, each through the SDK's typed operations, each read-only: what a
//! user's code would ask, so that "read" means this SDK can read that answer.

use std::time::Duration;

use ccgw::{Error, ErrorKind, Session, TransportKind};

use super::record::Recorder;
use super::report::Step;

/// How many event polls to wait for, and for how long at most.
pub struct PollWait {
    pub polls: usize,
    pub limit: Duration,
}

/// The step of `operation` that ended with `result`.
pub fn step(operation: &str, result: Result<(), &Error>) -> Step {
    let outcome = match result {
        Ok(()) => "read".to_owned(),
        Err(e) => match e.kind() {
            ErrorKind::Gateway | ErrorKind::Overloaded => {
                let code = e.retcode().map(|r| r.code().to_owned()).unwrap_or_default();
                let code = super::shape::retcode(&serde_json::json!({ "retcode": code }))
                    .unwrap_or_else(|| "other".to_owned());
                format!("refused {code}")
            }
            ErrorKind::MalformedAnswer => {
                "unreadable: the answer is not in a shape the SDK reads".to_owned()
            }
            ErrorKind::AnswerTooLarge => "unreadable: larger than the SDK's limit".to_owned(),
            ErrorKind::HttpStatus(status) => format!("failed: HTTP {status}"),
            ErrorKind::Transport(kind) => format!("failed: {}", lost(kind)),
            ErrorKind::OverBudget => "failed: no room in the overload budget".to_owned(),
            ErrorKind::SessionClosed => "failed: the session ended".to_owned(),
            other => format!("failed: {other:?}"),
        },
    };
    Step {
        operation: operation.to_owned(),
        outcome,
    }
}

/// Where a request or its answer was lost, in words (every kind is a fact of the link,
/// never a value of the gateway's).
fn lost(kind: TransportKind) -> &'static str {
    match kind {
        TransportKind::Connect => "no connection could be made",
        TransportKind::Tls => "the TLS handshake failed",
        TransportKind::Timeout => "no answer in time",
        _ => "the connection broke before the answer",
    }
}

/// The step of `operation`, not taken or not finished, and why.
pub fn skipped(operation: &str, why: &str) -> Step {
    Step {
        operation: operation.to_owned(),
        outcome: format!("skipped: {why}"),
    }
}

/// Sends every read-only request of the probe, in order, noting each outcome in `steps`,
/// then waits for the event polls.
pub async fn run(session: &Session, recorder: &Recorder, wait: PollWait, steps: &mut Vec<Step>) {
    let own = session.own_state().await;
    steps.push(step("getAgentStatus", own.as_ref().map(|_| ())));
    let own_call = session.own_call(false).await;
    steps.push(step("queryCallInfo", own_call.as_ref().map(|_| ())));
    let queues = session.skill_queues().await;
    steps.push(step(
        "querySkillQueueOnAgentVDN",
        queues.as_ref().map(|_| ()),
    ));
    let first = queues.ok().and_then(|q| q.first().map(|q| q.id));
    let Some(skill) = first else {
        for op in [
            "queryAgentInfoBySkillId",
            "queryQueueLengthBySkillId",
            "queryStatInfoOfAcd",
            "queryWaitCallInfoBySkillId",
        ] {
            steps.push(skipped(op, "the VDN has no skill queue to ask about"));
        }
        return wait_for_polls(recorder, wait).await;
    };
    let length = session.queue_length(skill).await;
    steps.push(step(
        "queryQueueLengthBySkillId",
        length.as_ref().map(|_| ()),
    ));
    let stats = session.queue_stats(&[skill]).await;
    steps.push(step("queryStatInfoOfAcd", stats.as_ref().map(|_| ())));
    let waiting = session.waiting_calls(skill).await;
    steps.push(step(
        "queryWaitCallInfoBySkillId",
        waiting.as_ref().map(|_| ()),
    ));
    let agents = session.agents_in_skill(skill, None).await;
    steps.push(step("queryAgentInfoBySkillId", agents.as_ref().map(|_| ())));
    let agents = agents.unwrap_or_default();
    match agents.first() {
        Some(agent) => {
            let id = agent.work_no.clone();
            let info = session.agent(&id).await;
            steps.push(step("queryAgentInfoByWorkNo", info.as_ref().map(|_| ())));
            let skills = session.agent_skills(&id).await;
            steps.push(step(
                "queryAgentSkillsByWorkNo",
                skills.as_ref().map(|_| ()),
            ));
            let listed: Vec<_> = agents.iter().take(3).map(|a| a.work_no.clone()).collect();
            let by_list = session.agents_by_id(&listed).await;
            steps.push(step("queryAgentInfoByList", by_list.as_ref().map(|_| ())));
        }
        None => {
            for op in [
                "queryAgentInfoByWorkNo",
                "queryAgentSkillsByWorkNo",
                "queryAgentInfoByList",
            ] {
                steps.push(skipped(op, "no agent is signed in to the first queue"));
            }
        }
    }
    match agents.iter().find(|a| a.talking) {
        Some(agent) => {
            let calls = session.call_ids(&agent.work_no).await;
            steps.push(step(
                "queryAllCallInfoByAgentWorkNoEx",
                calls.as_ref().map(|_| ()),
            ));
            if let Some(call) = calls.ok().and_then(|c| c.into_iter().next()) {
                let info = session.call(&call).await;
                steps.push(step("queryCallInfoByCallId", info.as_ref().map(|_| ())));
                // Its answer's shape is unpublished: the report is how it becomes known.
                let found = session.recordings_of_call(&agent.work_no, &call).await;
                steps.push(step("queryRecordingsByCallId", found.as_ref().map(|_| ())));
            }
        }
        None => {
            for op in ["queryAllCallInfoByAgentWorkNoEx", "queryRecordingsByCallId"] {
                steps.push(skipped(op, "no agent of the first queue is talking"));
            }
        }
    }
    wait_for_polls(recorder, wait).await;
}

/// Waits until the session's own event poll has been answered `wait.polls` times, or
/// `wait.limit` has passed.
async fn wait_for_polls(recorder: &Recorder, wait: PollWait) {
    let until = tokio::time::Instant::now() + wait.limit;
    while recorder.count("pollEvent") < wait.polls && tokio::time::Instant::now() < until {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
