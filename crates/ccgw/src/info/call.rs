//! What the call queries report about a phone call.

use std::time::{Duration, SystemTime};

use ccgw_api::types as wire;

use super::wire::{instant, malformed, number, text};
use crate::error::Error;
use crate::ids::CallId;

/// A call's details (`queryCallInfoByCallId`, `queryCallInfo`, the hold list). Fields
/// the gateway left out are `None`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct CallInfo {
    /// The call's ID, usable with [`Session::intercept_call`](crate::Session::intercept_call)
    /// and [`Session::force_release_call`](crate::Session::force_release_call).
    pub call_id: CallId,
    /// The calling number.
    pub caller: Option<String>,
    /// The called number.
    pub called: Option<String>,
    /// The name of the skill queue the call came through.
    pub skill: Option<String>,
    /// The skill queue's ID.
    pub skill_id: Option<i32>,
    /// The media type (5 for ordinary audio and video calls).
    pub media_type: Option<i32>,
    /// The call's type code (`callfeature`).
    pub feature: Option<i32>,
    /// When the call was answered.
    pub began_at: Option<SystemTime>,
    /// For a call still waiting in a queue ([`Session::waiting_calls`](crate::Session::waiting_calls)):
    /// how long since it entered (`logontimes`).
    pub waited: Option<Duration>,
}

/// A time in milliseconds, sent as a number, as text or as `null`.
fn millis(value: &wire::TimeOrText) -> Option<i64> {
    match value {
        wire::TimeOrText::Variant0(ms) => *ms,
        wire::TimeOrText::Variant1(text) => number(&wire::NumberOrText::String(text.clone())),
    }
}

/// A code that fits an `i32`, sent as a number or text.
fn small(value: Option<&wire::NumberOrText>) -> Option<i32> {
    value.and_then(number).and_then(|n| i32::try_from(n).ok())
}

impl CallInfo {
    pub(crate) fn from_wire(call: wire::CallInfo) -> Result<Self, Error> {
        let id = call.callid.ok_or_else(|| malformed("callid", "missing"))?;
        Ok(CallInfo {
            call_id: CallId::parse(&id).map_err(|e| malformed("callid", e))?,
            caller: call.caller.as_ref().map(text),
            called: call.called.as_ref().map(text),
            skill: call.callskill.filter(|s| !s.is_empty()),
            skill_id: small(call.callskillid.as_ref()),
            media_type: small(call.media_type.as_ref()),
            feature: small(call.callfeature.as_ref()),
            began_at: instant(call.begintime.as_ref().and_then(millis)),
            waited: (call.logontimes.as_ref())
                .and_then(number)
                .and_then(|s| u64::try_from(s).ok())
                .map(Duration::from_secs),
        })
    }

    /// The call of a one-or-list answer; `None` for no call.
    pub(crate) fn from_one_or_list(
        result: Option<wire::CallInfoOrList>,
    ) -> Result<Option<Self>, Error> {
        let call = match result {
            Some(wire::CallInfoOrList::CallInfo(call)) => call,
            Some(wire::CallInfoOrList::Array(list)) => match list.into_iter().next() {
                Some(call) => call,
                None => return Ok(None),
            },
            None => return Ok(None),
        };
        if call.callid.is_none() {
            return Ok(None);
        }
        Self::from_wire(call).map(Some)
    }
}
