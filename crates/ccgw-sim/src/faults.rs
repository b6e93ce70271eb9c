//! Faults the simulator can inject, per run or per operation.
//!
//! Where each fault happens decides whether the gateway's state changed:
//!
//! | fault | where | state changed |
//! |---|---|---|
//! | [`Fault::Status`], [`Fault::HtmlErrorPage`] | the load balancer, before the gateway | no |
//! | [`Fault::Latency`] | the gateway answers late | yes |
//! | [`Fault::TruncatedJson`], [`Fault::NumericRetcode`], [`Fault::OversizedAnswer`] | the answer, after the gateway acted | yes |
//! | [`Fault::ConnectionReset`] | the connection drops after the request was read and acted on | yes |
//! | [`Fault::CloseWithoutAnswer`], [`Fault::HalfClose`] | the connection closes cleanly (no reset) after the request was acted on | yes |
//! | [`Fault::Hang`] | the request is read and never answered; the connection stays open | no |
//! | [`Fault::Retcode`] | the gateway refuses the request with that retcode | no |
//! | [`Fault::WithoutGuid`] | the answer loses its `Set-GUID` header after the gateway acted | yes |
//!
//! The acted-on group is what makes blind retries dangerous: the request did arrive.
//! [`Fault::Hang`] is a link that died without a reset (a NAT or load balancer that forgot
//! the connection): only a client's own time limit ends the wait.

use std::sync::Mutex;
use std::time::Duration;

/// One kind of misbehaviour.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Answer this much later than usual.
    Latency(Duration),
    /// Answer with this HTTP status and a plain-text body, without reaching the gateway.
    Status(u16),
    /// Answer 502 with an HTML page from the load balancer, without reaching the gateway.
    HtmlErrorPage,
    /// Send the JSON answer cut in half.
    TruncatedJson,
    /// Drop the connection without answering, after acting on the request.
    ConnectionReset,
    /// Send `retcode` as a JSON number instead of a string.
    NumericRetcode,
    /// Pad the answer's `message` so that the body is this many bytes.
    OversizedAnswer(usize),
    /// Read the request and never answer, keeping the connection open; the gateway does
    /// not act on it.
    Hang,
    /// Close the connection cleanly (a FIN, no reset) without answering, after acting on
    /// the request.
    CloseWithoutAnswer,
    /// Close the sending side of the connection (a FIN) without answering, after acting on
    /// the request, and keep the connection open.
    HalfClose,
    /// Refuse the request with this retcode (`000-007`, say), without acting on it.
    Retcode(String),
    /// Act on the request and answer it, but leave `Set-GUID` out: a sign-in whose new
    /// Guid never arrives (a proxy that drops unknown headers, say).
    WithoutGuid,
}

impl Fault {
    /// Whether the gateway acts on the request before this fault shows.
    pub fn reaches_gateway(&self) -> bool {
        !matches!(
            self,
            Fault::Status(_) | Fault::HtmlErrorPage | Fault::Hang | Fault::Retcode(_)
        )
    }
}

/// The operation a client polls in the background all the time: a rule for every
/// operation leaves it out, so that a background poll never uses up a fault meant for the
/// request under test. Name it with [`FaultRule::on`] to fault polls.
pub const BACKGROUND_OPERATION: &str = "pollEvent";

/// When a fault applies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaultRule {
    /// The operationId it applies to; `None` for every operation but the event poll
    /// ([`BACKGROUND_OPERATION`]).
    pub operation_id: Option<String>,
    /// The fault.
    pub fault: Fault,
    /// How many requests it applies to; `None` until cleared.
    pub times: Option<u32>,
}

impl FaultRule {
    /// A rule for every request to one operation, until cleared.
    pub fn on(operation_id: &str, fault: Fault) -> Self {
        FaultRule {
            operation_id: Some(operation_id.to_owned()),
            fault,
            times: None,
        }
    }

    /// A rule for every request to any operation but the event poll, until cleared.
    pub fn everywhere(fault: Fault) -> Self {
        FaultRule {
            operation_id: None,
            fault,
            times: None,
        }
    }

    /// Limits the rule to the next `n` matching requests.
    pub fn times(mut self, n: u32) -> Self {
        self.times = Some(n);
        self
    }
}

/// The faults in force; shared by the server and whoever drives the run.
#[derive(Debug, Default)]
pub struct Faults {
    rules: Mutex<Vec<FaultRule>>,
}

impl Faults {
    /// Adds a rule; the earliest matching rule wins.
    pub fn inject(&self, rule: FaultRule) {
        self.rules
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(rule);
    }

    /// Removes every rule.
    pub fn clear(&self) {
        self.rules.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }

    /// The fault for this request to `operation_id`, using up one of its times.
    pub(crate) fn take(&self, operation_id: &str) -> Option<Fault> {
        let mut rules = self.rules.lock().unwrap_or_else(|e| e.into_inner());
        let index = rules.iter().position(|r| match r.operation_id.as_deref() {
            Some(op) => op == operation_id,
            None => operation_id != BACKGROUND_OPERATION,
        })?;
        let fault = rules[index].fault.clone();
        match rules[index].times.as_mut() {
            Some(times) if *times <= 1 => {
                rules.remove(index);
            }
            Some(times) => *times -= 1,
            None => {}
        }
        Some(fault)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rule_for_every_operation_is_not_used_up_by_background_polls() {
        let faults = Faults::default();
        faults.inject(FaultRule::everywhere(Fault::Status(503)).times(1));
        assert_eq!(faults.take(BACKGROUND_OPERATION), None);
        assert_eq!(faults.take("listen"), Some(Fault::Status(503)));
        assert_eq!(faults.take("listen"), None, "used up once");
        faults.inject(FaultRule::on(BACKGROUND_OPERATION, Fault::Hang).times(1));
        assert_eq!(faults.take(BACKGROUND_OPERATION), Some(Fault::Hang));
    }
}
