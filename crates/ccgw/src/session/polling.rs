//! The background event poll: it feeds the session's event stream and, by polling, keeps
//! the session alive on the gateway.

use std::sync::{Arc, Weak};
use std::time::Duration;

use ccgw_api::ResponseValue;
use ccgw_api::operations as ops;
use ccgw_api::types::{AgentEventInner, EventAnswer};
use serde_json::Value;

use super::Session;
use super::state::SessionInner;
use crate::error::{Error, ErrorKind};
use crate::events::{Event, EventType};
use crate::info::AgentState;
use crate::transport::classify::LooseAnswer;
use crate::transport::headers::GUID_PLACEHOLDER;
use crate::transport::send::{Attempts, run};

/// The pause after an answer: 200 to 500 ms, as the gateway's guide asks. Spread at
/// random so that many sessions do not poll in step; should the system's source of
/// randomness fail, the middle of the range.
fn pause_after_answer() -> Duration {
    let mut drawn = [0u8; 2];
    let spread = match getrandom::getrandom(&mut drawn) {
        Ok(()) => u64::from(u16::from_le_bytes(drawn)) % 301,
        Err(_) => 150,
    };
    Duration::from_millis(200 + spread)
}

/// The pause after the `failures`-th failure in a row: doubling from 0.5 s up to 10 s.
fn pause_after_failure(failures: u32) -> Duration {
    Duration::from_millis((500u64 << failures.min(5)).min(10_000))
}

/// A poll's answer: as the document types it, or, when some part of it does not fit the
/// document, its retcode and its event as raw JSON. The gateway has handed the event out
/// and will not send it again, so it must never be lost to a shape nobody foresaw.
#[derive(Debug)]
enum Polled {
    Typed(EventAnswer),
    Untyped { answer: LooseAnswer, event: Value },
}

impl ccgw_api::Answer for Polled {
    fn retcode(&self) -> &str {
        match self {
            Polled::Typed(answer) => answer.retcode(),
            Polled::Untyped { answer, .. } => answer.retcode(),
        }
    }

    fn message(&self) -> &str {
        match self {
            Polled::Typed(answer) => answer.message(),
            Polled::Untyped { answer, .. } => answer.message(),
        }
    }
}

impl Polled {
    /// The answer the document does not type, when it is still a gateway's answer: an
    /// object with a retcode (text or number).
    fn untyped(body: &[u8]) -> Option<Polled> {
        let mut whole: Value = serde_json::from_slice(body).ok()?;
        let answer = LooseAnswer::of(&whole)?;
        let event = whole
            .as_object_mut()?
            .remove("event")
            .unwrap_or(Value::Null);
        Some(Polled::Untyped { answer, event })
    }

    fn event(self) -> Option<Event> {
        match self {
            Polled::Typed(answer) => answer.event.and_then(|e| e.0).map(Event::from_wire),
            Polled::Untyped { event, .. } if event.is_null() => None,
            Polled::Untyped { event, .. } => {
                match serde_json::from_value::<AgentEventInner>(event.clone()) {
                    Ok(typed) => Some(Event::from_wire(typed)),
                    Err(why) => {
                        tracing::warn!(
                            %why,
                            "an event of a shape this SDK does not know: delivered untyped"
                        );
                        Some(Event::untyped(event))
                    }
                }
            }
        }
    }
}

/// One long poll: the event the gateway handed out, if any. A poll not answered within
/// the client's poll timeout is abandoned (its connection dropped) and fails as a timeout:
/// a link that died without a reset must not leave the session waiting forever.
async fn poll_once(session: &SessionInner) -> Result<Option<Event>, Error> {
    session.ready()?;
    let me = &session.agent;
    let attempts = Attempts {
        connect_retries: 0,
        limit: session.client.inner.poll_timeout,
    };
    let open = || !session.is_closing();
    let answer = run(
        &ops::POLL_EVENT,
        attempts,
        me.as_str(),
        None,
        open,
        || session.headers.rotations(),
        || async {
            let sent = session
                .api
                .poll_event()
                .agentid(me.wire())
                .guid(GUID_PLACEHOLDER)
                .send()
                .await;
            match sent {
                Ok(answer) => {
                    let (status, headers) = (answer.status(), answer.headers().clone());
                    Ok(ResponseValue::new(
                        Polled::Typed(answer.into_inner()),
                        status,
                        headers,
                    ))
                }
                Err(ccgw_api::Error::InvalidResponsePayload(body, e)) => {
                    match Polled::untyped(&body) {
                        Some(untyped) => Ok(ResponseValue::new(
                            untyped,
                            reqwest::StatusCode::OK,
                            reqwest::header::HeaderMap::new(),
                        )),
                        None => Err(ccgw_api::Error::InvalidResponsePayload(body, e)),
                    }
                }
                Err(e) => Err(e),
            }
        },
    )
    .await?;
    Ok(answer.event())
}

/// The inspector's own phone left a call: if it is now neither busy nor talking, the
/// inspections it tracks may have ended (a call dropped by someone else, the agent gone).
/// The gateway tells the inspected agent, not the inspector, and a release cannot say
/// which inspection it ended (it may even be an older one's, arriving late), so the
/// session asks for its own state and marks its inspections unknown, only if no
/// inspection request began or was answered meanwhile.
async fn confirm_inspections(inner: &Arc<SessionInner>) {
    if inner.modes.is_empty() {
        return;
    }
    let epoch = inner.modes.epoch();
    let session = Session::from_inner(inner.clone());
    match session.own_state().await {
        Ok(me) if !me.talking && me.state != AgentState::Busy => {
            if inner.modes.doubt_if_unchanged(epoch) {
                tracing::debug!("the inspections may have ended with the phone's release");
            }
        }
        Ok(_) => {}
        Err(e) => tracing::debug!(error = %e, "could not confirm the inspections"),
    }
}

/// Polls events for the session until it ends, a sign-out begins, or every handle to it
/// is gone. Holds only a weak reference between polls, so dropping the session stops the
/// poller.
pub(crate) async fn run_poller(session: Weak<SessionInner>) {
    loop {
        let Some(inner) = session.upgrade() else {
            return;
        };
        if inner.is_closing() {
            return;
        }
        let polled = tokio::select! {
            polled = poll_once(&inner) => polled,
            _ = inner.closing() => return,
        };
        crate::telemetry::poll_done(polled.is_ok());
        let pause = match polled {
            Ok(event) => {
                inner.link_answered();
                if let Some(event) = event {
                    let released = event.event_type() == &EventType::PhoneRelease
                        && event.work_no() == inner.agent.as_str();
                    inner.dispatch(event);
                    if released {
                        confirm_inspections(&inner).await;
                    }
                }
                pause_after_answer()
            }
            // A sign-out began while the poll was being sent: nothing to report.
            Err(e) if e.kind() == ErrorKind::SessionClosed => return,
            Err(e) if e.is_auth_expired() || e.is_not_signed_in() => {
                tracing::warn!("the gateway no longer accepts the session");
                if inner.recover().await {
                    continue;
                }
                tracing::warn!("event polling stops");
                return;
            }
            Err(e) => {
                let failures = inner.link_failed(&e);
                if failures >= inner.client.inner.poll_failures_to_end {
                    tracing::warn!(failures, "event polls keep failing; the session is lost");
                    if inner.recover_lost_link().await {
                        continue;
                    }
                    return;
                }
                pause_after_failure(failures)
            }
        };
        tokio::select! {
            _ = tokio::time::sleep(pause) => {}
            _ = inner.suspect.notified() => {}
            _ = inner.closing() => return,
        }
        drop(inner);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pauses_stay_in_their_bounds() {
        let drawn: Vec<u64> = (0..1000)
            .map(|_| pause_after_answer().as_millis() as u64)
            .collect();
        assert!(drawn.iter().all(|p| (200..=500).contains(p)));
        // Spread over the whole range, not the fallback's middle every time: with 1,000
        // even draws, missing either end's tenth has odds of about e^-105.
        let (low, high) = (drawn.iter().min().unwrap(), drawn.iter().max().unwrap());
        assert!(*low < 230 && *high > 470, "pauses from {low} to {high} ms");
        assert_eq!(pause_after_failure(1), Duration::from_millis(1000));
        assert_eq!(pause_after_failure(100), Duration::from_secs(10));
    }
}
