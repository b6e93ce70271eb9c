//! Agent events from the long poll, and a session's [`EventStream`] of them.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, SystemTime};

use futures::Stream;
use serde_json::Value;
use tokio::sync::broadcast;

use crate::error::{Error, ErrorKind};
use crate::ids::CallId;
use crate::mode::TrackedMode;

mod names;
pub use names::GATEWAY_EVENT_NAMES;

/// The kind of an event; names the gateway uses that this crate does not know are kept
/// in [`EventType::Other`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum EventType {
    /// The session's own agent started being inspected: the gateway sends it to the
    /// inspected agent, never to the inspector (see [`Event::qc_mode`] and
    /// [`Event::qc_agent_id`]). An inspector learns that its inspection is live from the
    /// request's answer and its own events ([`EventType::PhoneOffhook`],
    /// [`EventType::Busy`]).
    BeQcStart,
    /// The session's own agent stopped being inspected (sent to the inspected agent).
    BeQcStop,
    /// The phone rings.
    PhoneAlerting,
    /// The phone went off-hook.
    PhoneOffhook,
    /// The phone was released.
    PhoneRelease,
    /// Talking to a customer.
    Talking,
    /// Recording started (`AgentMediaEvent_Record`): [`Event::recording`] names the file.
    Record,
    /// A playback to the session's own phone began (`AgentMediaEvent_Play`).
    PlayStarted,
    /// The playback plays (`AgentMediaEvent_Play_Succ`): the answer to the play request
    /// only said it was accepted.
    PlaySucceeded,
    /// The playback could not start (`AgentMediaEvent_Play_Fail`); [`EventType::PlayStopped`]
    /// follows.
    PlayFailed,
    /// The playback paused (`AgentMediaEvent_PausePlayDone`).
    PlayPaused,
    /// The playback resumed (`AgentMediaEvent_ResumePlayDone`).
    PlayResumed,
    /// The playback moved forward or back (`AgentMediaEvent_JumpPlayDone`).
    PlayJumped,
    /// The playback ended (`AgentMediaEvent_StopPlayDone`): [`Event::play_stop_cause`]
    /// says why.
    PlayStopped,
    /// The session's own agent is idle and ready (`AgentState_Ready`): after its phone
    /// left an inspection, for an inspector. Gateways send state events to the agent
    /// whose state changed, not to an inspector who forced it.
    Ready,
    /// The session's own agent is busy (`AgentState_Busy`).
    Busy,
    /// The session's own agent was set busy, "not ready" (`AgentState_SetNotReady_Success`);
    /// `content.reason` says why (3: forced busy by an inspector).
    NotReady,
    /// The session's own agent started a rest (`AgentState_SetRest_Success`).
    Rest,
    /// The session ended: it was signed out, or the gateway no longer accepts it. No
    /// event follows.
    SessionEnded,
    /// The gateway ended the session and the session signed in again, as its
    /// [`Recovery`](crate::Recovery) policy allows. The inspections it tracked were
    /// ended by the gateway; their modes are [`TrackedMode::Unknown`].
    SessionRecovered,
    /// Event polls are failing: no answer within the poll timeout, a broken connection,
    /// or an answer that is not one. Sent for each failure in a row; the content says
    /// `since` when (milliseconds since the Unix epoch), how many `failures`, and the
    /// `reason` of the last. Events may be delayed until [`EventType::LinkRestored`];
    /// after [`ClientBuilder::poll_failures_to_end`](crate::ClientBuilder::poll_failures_to_end)
    /// failures the session recovers or ends.
    LinkFailing,
    /// Event polls are answered again after [`EventType::LinkFailing`]; the content says
    /// `since` when they had failed, for how long (`stalledMs`) and how many `failures`.
    LinkRestored,
    /// This subscriber fell behind and missed `missed` events: what it knows may be
    /// stale. The events after this one are current again.
    Lagged {
        /// How many events were dropped for this subscriber.
        missed: u64,
    },
    /// A query's answer held list entries that could not be read: they were left out
    /// and the rest was returned. The content names the `operation` and, for each entry,
    /// its `index`, the `field` that did not fit and `why`; see
    /// [`SkippedEntry::all_in`](crate::SkippedEntry::all_in).
    EntriesSkipped,
    /// Any other event, by its gateway name.
    Other(String),
}

impl EventType {
    /// Whether `name` is one of [`GATEWAY_EVENT_NAMES`] or has a type of its own here.
    ///
    /// ```
    /// assert!(ccgw::EventType::is_known_name("AgentState_SetRest_Success"));
    /// assert!(!ccgw::EventType::is_known_name("Wang_Fang"));
    /// ```
    pub fn is_known_name(name: &str) -> bool {
        GATEWAY_EVENT_NAMES.contains(&name)
            || !matches!(EventType::from_name(name), EventType::Other(_))
    }

    /// The type of a gateway event name such as `AgentOther_BeQcStart`.
    pub fn from_name(name: &str) -> EventType {
        match name {
            "AgentOther_BeQcStart" => EventType::BeQcStart,
            "AgentOther_BeQcStop" => EventType::BeQcStop,
            "AgentOther_PhoneAlerting" => EventType::PhoneAlerting,
            "AgentOther_PhoneOffhook" => EventType::PhoneOffhook,
            "AgentOther_PhoneRelease" => EventType::PhoneRelease,
            "AgentEvent_Talking" => EventType::Talking,
            "AgentMediaEvent_Record" => EventType::Record,
            "AgentMediaEvent_Play" => EventType::PlayStarted,
            "AgentMediaEvent_Play_Succ" => EventType::PlaySucceeded,
            "AgentMediaEvent_Play_Fail" => EventType::PlayFailed,
            "AgentMediaEvent_PausePlayDone" => EventType::PlayPaused,
            "AgentMediaEvent_ResumePlayDone" => EventType::PlayResumed,
            "AgentMediaEvent_JumpPlayDone" => EventType::PlayJumped,
            "AgentMediaEvent_StopPlayDone" => EventType::PlayStopped,
            "AgentState_Ready" => EventType::Ready,
            "AgentState_Busy" => EventType::Busy,
            "AgentState_SetNotReady_Success" => EventType::NotReady,
            "AgentState_SetRest_Success" => EventType::Rest,
            other => EventType::Other(other.to_owned()),
        }
    }
}
/// One event. Read it through its accessors: fields may be added.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Event {
    name: String,
    event_type: EventType,
    work_no: String,
    content: Value,
    at: Option<SystemTime>,
}

/// Strips the NUL characters some gateways pad event strings with, as Huawei's own
/// clients do, so that a call ID from an event matches the same ID from a query.
fn strip_nuls(text: &str) -> &str {
    text.trim_end_matches('\0')
}

/// `value` with every string in it stripped of trailing NULs (keys included).
fn strip_nuls_in(value: serde_json::Map<String, Value>) -> Value {
    fn clean(value: Value) -> Value {
        match value {
            Value::String(s) if s.ends_with('\0') => Value::String(strip_nuls(&s).to_owned()),
            Value::Array(items) => Value::Array(items.into_iter().map(clean).collect()),
            Value::Object(map) => Value::Object(
                map.into_iter()
                    .map(|(k, v)| (strip_nuls(&k).to_owned(), clean(v)))
                    .collect(),
            ),
            other => other,
        }
    }
    clean(Value::Object(value))
}

/// Milliseconds since the Unix epoch, for event content.
fn epoch_ms(at: SystemTime) -> u64 {
    at.duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

impl Event {
    pub(crate) fn from_wire(event: ccgw_api::types::AgentEventInner) -> Event {
        use ccgw_api::types::NumberOrText;
        let millis = match event.event_gen_time {
            Some(NumberOrText::Int64(ms)) => Some(ms),
            Some(NumberOrText::String(text)) => strip_nuls(&text).trim().parse().ok(),
            None => None,
        };
        let name = strip_nuls(&event.event_type).to_owned();
        let work_no = event.work_no.map(|w| w.to_string()).unwrap_or_default();
        Event {
            event_type: EventType::from_name(&name),
            name,
            work_no: strip_nuls(&work_no).to_owned(),
            content: event
                .content
                .and_then(|c| c.0)
                .map(strip_nuls_in)
                .unwrap_or(Value::Null),
            at: crate::info::wire::instant(millis),
        }
    }

    /// An event this crate could not type (`eventType` missing, a field of a shape no
    /// gateway is known to send): delivered rather than lost, as [`EventType::Other`]
    /// with the whole event, as it came, in [`content`](Self::content).
    pub(crate) fn untyped(raw: Value) -> Event {
        let text = |key: &str| match &raw[key] {
            Value::String(s) => strip_nuls(s).to_owned(),
            Value::Number(n) => n.to_string(),
            _ => String::new(),
        };
        let name = text("eventType");
        let work_no = text("workNo");
        Event {
            event_type: EventType::Other(name.clone()),
            name,
            work_no,
            content: match raw {
                Value::Object(map) => strip_nuls_in(map),
                other => other,
            },
            at: None,
        }
    }

    /// The gateway's name of the event, verbatim, such as `AgentOther_BeQcStart`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its type.
    pub fn event_type(&self) -> &EventType {
        &self.event_type
    }

    /// The agent the event is about.
    pub fn work_no(&self) -> &str {
        &self.work_no
    }

    /// Details that depend on the type (`null` when there are none).
    pub fn content(&self) -> &Value {
        &self.content
    }

    /// When the gateway made the event (`eventGenTime`), where it says.
    pub fn at(&self) -> Option<SystemTime> {
        self.at
    }

    /// Whether the gateway sent the event; `false` for the events this crate makes about
    /// the session itself (ended, recovered, the link failing or back, events missed).
    pub fn is_from_gateway(&self) -> bool {
        !matches!(
            self.event_type,
            EventType::SessionEnded
                | EventType::SessionRecovered
                | EventType::LinkFailing
                | EventType::LinkRestored
                | EventType::Lagged { .. }
                | EventType::EntriesSkipped
        )
    }

    /// The call the event is about (`callId` or `callid` in its content), where it says.
    pub fn call_id(&self) -> Option<CallId> {
        let id = self
            .content
            .get("callId")
            .or_else(|| self.content.get("callid"))?
            .as_str()?;
        CallId::parse(id).ok()
    }

    /// An event this crate makes about the session itself.
    pub(crate) fn local(name: &str, event_type: EventType, agent: &str, content: Value) -> Event {
        Event {
            name: name.to_owned(),
            event_type,
            work_no: agent.to_owned(),
            content,
            at: Some(SystemTime::now()),
        }
    }

    pub(crate) fn session_ended(agent: &str) -> Event {
        Self::local("SessionEnded", EventType::SessionEnded, agent, Value::Null)
    }

    pub(crate) fn session_recovered(agent: &str, attempt: u32) -> Event {
        let content = serde_json::json!({ "attempt": attempt });
        Self::local(
            "SessionRecovered",
            EventType::SessionRecovered,
            agent,
            content,
        )
    }

    pub(crate) fn link_failing(
        agent: &str,
        since: SystemTime,
        failures: u32,
        reason: &str,
    ) -> Event {
        let content = serde_json::json!({
            "since": epoch_ms(since),
            "failures": failures,
            "reason": reason,
        });
        Self::local("LinkFailing", EventType::LinkFailing, agent, content)
    }

    pub(crate) fn link_restored(agent: &str, since: SystemTime, failures: u32) -> Event {
        let stalled = SystemTime::now()
            .duration_since(since)
            .map_or(0, |d| d.as_millis() as u64);
        let content = serde_json::json!({
            "since": epoch_ms(since),
            "stalledMs": stalled,
            "failures": failures,
        });
        Self::local("LinkRestored", EventType::LinkRestored, agent, content)
    }

    fn lagged(missed: u64) -> Event {
        let content = serde_json::json!({ "missed": missed });
        Self::local("Lagged", EventType::Lagged { missed }, "", content)
    }

    /// How a `BeQcStart`/`BeQcStop` event says the agent is inspected, from its
    /// `qcType`: 8 listening, 9 inserting, 20172 or 20173 whispering. Accepts the number
    /// as a JSON number or a string, as gateways send either.
    pub fn qc_mode(&self) -> Option<TrackedMode> {
        let qc_type = self.content.get("qcType")?;
        let code = qc_type
            .as_u64()
            .or_else(|| qc_type.as_str()?.trim().parse().ok())?;
        match code {
            8 => Some(TrackedMode::Listening),
            9 => Some(TrackedMode::Inserting),
            20172 | 20173 => Some(TrackedMode::Whispering),
            _ => None,
        }
    }

    /// The inspector named in a `BeQcStart`/`BeQcStop` event (`qcAgentId`).
    pub fn qc_agent_id(&self) -> Option<&str> {
        self.content.get("qcAgentId")?.as_str()
    }
}

/// The events of a session from the moment it was subscribed. Ends when the session does.
///
/// A subscriber that falls more events behind than the session keeps
/// ([`ClientBuilder::event_buffer`](crate::ClientBuilder::event_buffer)) loses the oldest;
/// it is told so by an event of type [`EventType::Lagged`] with the number it missed.
pub struct EventStream {
    inner: Pin<Box<dyn Stream<Item = Event> + Send>>,
}

impl EventStream {
    pub(crate) fn new(receiver: broadcast::Receiver<Event>) -> Self {
        let stream = futures::stream::unfold(receiver, |mut receiver| async move {
            let event = match receiver.recv().await {
                Ok(event) => event,
                Err(broadcast::error::RecvError::Lagged(missed)) => {
                    tracing::warn!(missed, "a slow event subscriber missed events");
                    Event::lagged(missed)
                }
                Err(broadcast::error::RecvError::Closed) => return None,
            };
            Some((event, receiver))
        });
        EventStream {
            inner: Box::pin(stream),
        }
    }

    /// Waits for the next event that `wanted` accepts, for at most `timeout`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::EventTimeout`] when no such event arrives within `timeout`;
    /// [`ErrorKind::SessionClosed`] when the session ends first.
    pub async fn wait_for(
        &mut self,
        wanted: impl Fn(&Event) -> bool,
        timeout: Duration,
    ) -> Result<Event, Error> {
        use futures::StreamExt;
        let search = async {
            while let Some(event) = self.next().await {
                if wanted(&event) {
                    return Ok(event);
                }
                if event.event_type == EventType::SessionEnded {
                    return Err(Error::new(
                        ErrorKind::SessionClosed,
                        "the session ended while waiting for an event",
                    ));
                }
            }
            Err(Error::new(
                ErrorKind::SessionClosed,
                "the session ended while waiting for an event",
            ))
        };
        tokio::time::timeout(timeout, search)
            .await
            .unwrap_or_else(|_| {
                Err(Error::new(
                    ErrorKind::EventTimeout,
                    format!("no such event within {timeout:?}"),
                ))
            })
    }
}

impl Stream for EventStream {
    type Item = Event;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Event>> {
        self.inner.as_mut().poll_next(cx)
    }
}

#[cfg(test)]
mod tests;
