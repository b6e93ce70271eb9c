//! The SDK's own metrics, through the [`metrics`] facade: an application that installs a
//! recorder (a Prometheus exporter, say) gets them; one that does not pays nothing.
//!
//! | name | kind | labels | what |
//! |---|---|---|---|
//! | `ccgw_requests_total` | counter | `operation`, `outcome` | requests sent, by the operation's log name and how they ended: `ok`, the gateway's retcode (`100-006`), or the error (`timeout`, `connect`, `http_502`, `malformed`, ...) |
//! | `ccgw_request_duration_seconds` | histogram | `operation` | from sending to the answer, retries included |
//! | `ccgw_event_polls_total` | counter | `outcome` (`answered`, `failed`) | event polls |
//! | `ccgw_link_failures_total` | counter | | event polls that failed (a dead link, a time limit) |
//! | `ccgw_budget_waits_total` | counter | | queue and agent-group queries that waited for room in the overload budget |
//! | `ccgw_budget_wait_seconds` | histogram | | how long they waited |
//! | `ccgw_budget_refusals_total` | counter | | queries refused because the budget had no room in time (nothing sent) |
//! | `ccgw_recoveries_total` | counter | `outcome` (`signed_in_again`, `failed`) | sign-ins again after the gateway ended a session or the link stayed dead |
//!
//! No label holds an agent, a call, a Guid or anything else of a person.

use std::time::Duration;

use crate::error::{Error, ErrorKind, TransportKind};

/// `ccgw_requests_total`.
pub const REQUESTS: &str = "ccgw_requests_total";
/// `ccgw_request_duration_seconds`.
pub const REQUEST_DURATION: &str = "ccgw_request_duration_seconds";
/// `ccgw_event_polls_total`.
pub const EVENT_POLLS: &str = "ccgw_event_polls_total";
/// `ccgw_link_failures_total`.
pub const LINK_FAILURES: &str = "ccgw_link_failures_total";
/// `ccgw_budget_waits_total`.
pub const BUDGET_WAITS: &str = "ccgw_budget_waits_total";
/// `ccgw_budget_wait_seconds`.
pub const BUDGET_WAIT: &str = "ccgw_budget_wait_seconds";
/// `ccgw_budget_refusals_total`.
pub const BUDGET_REFUSALS: &str = "ccgw_budget_refusals_total";
/// `ccgw_recoveries_total`.
pub const RECOVERIES: &str = "ccgw_recoveries_total";

/// Gives the installed recorder each metric's help text and unit, for an exporter that
/// shows them (Prometheus' `# HELP`). Call it once, after installing the recorder.
pub fn describe_metrics() {
    use metrics::{Unit, describe_counter, describe_histogram};
    describe_counter!(
        REQUESTS,
        "Requests sent to the gateway, by operation and outcome."
    );
    describe_histogram!(
        REQUEST_DURATION,
        Unit::Seconds,
        "Time from sending a request to its answer, retries included."
    );
    describe_counter!(EVENT_POLLS, "Event polls, by outcome.");
    describe_counter!(LINK_FAILURES, "Event polls that failed.");
    describe_counter!(
        BUDGET_WAITS,
        "Queries that waited for room in the overload budget."
    );
    describe_histogram!(
        BUDGET_WAIT,
        Unit::Seconds,
        "Time queries waited for the overload budget."
    );
    describe_counter!(
        BUDGET_REFUSALS,
        "Queries refused for want of room in the overload budget."
    );
    describe_counter!(
        RECOVERIES,
        "Sign-ins again after a session was lost, by outcome."
    );
}

/// How a request ended, as its `outcome` label: a short, closed set.
fn outcome<T>(result: &Result<T, Error>) -> String {
    let Err(e) = result else {
        return "ok".to_owned();
    };
    if let Some(retcode) = e.retcode() {
        // A retcode is `NNN-NNN`; anything else a gateway sends is not a label value.
        let code = retcode.code();
        return if code.len() <= 8 && code.bytes().all(|b| b.is_ascii_digit() || b == b'-') {
            code.to_owned()
        } else {
            "retcode_other".to_owned()
        };
    }
    match e.kind() {
        ErrorKind::Transport(TransportKind::Connect) => "connect".to_owned(),
        ErrorKind::Transport(TransportKind::Tls) => "tls".to_owned(),
        ErrorKind::Transport(TransportKind::Timeout) => "timeout".to_owned(),
        ErrorKind::Transport(TransportKind::Other) => "broken".to_owned(),
        ErrorKind::HttpStatus(status) => format!("http_{status}"),
        ErrorKind::MalformedAnswer => "malformed".to_owned(),
        ErrorKind::AnswerTooLarge => "too_large".to_owned(),
        ErrorKind::SessionClosed => "session_closed".to_owned(),
        ErrorKind::OverBudget => "over_budget".to_owned(),
        ErrorKind::AuditJournal => "audit_journal".to_owned(),
        ErrorKind::Overloaded => "000-007".to_owned(),
        _ => "other".to_owned(),
    }
}

/// A request of `operation` ended with `result` after `took`.
pub(crate) fn request_done<T>(operation: &'static str, result: &Result<T, Error>, took: Duration) {
    metrics::counter!(REQUESTS, "operation" => operation, "outcome" => outcome(result))
        .increment(1);
    metrics::histogram!(REQUEST_DURATION, "operation" => operation).record(took.as_secs_f64());
}

/// An event poll was answered, or failed.
pub(crate) fn poll_done(answered: bool) {
    let outcome = if answered { "answered" } else { "failed" };
    metrics::counter!(EVENT_POLLS, "outcome" => outcome).increment(1);
    if !answered {
        metrics::counter!(LINK_FAILURES).increment(1);
    }
}

/// A budgeted query got its place after `waited`, or (`None`) was refused.
pub(crate) fn budget(waited: Option<Duration>) {
    match waited {
        None => metrics::counter!(BUDGET_REFUSALS).increment(1),
        // A place taken at once is no wait.
        Some(waited) if waited >= Duration::from_millis(1) => {
            metrics::counter!(BUDGET_WAITS).increment(1);
            metrics::histogram!(BUDGET_WAIT).record(waited.as_secs_f64());
        }
        Some(_) => {}
    }
}

/// A sign-in again succeeded, or failed.
pub(crate) fn recovery(signed_in_again: bool) {
    let outcome = if signed_in_again {
        "signed_in_again"
    } else {
        "failed"
    };
    metrics::counter!(RECOVERIES, "outcome" => outcome).increment(1);
}
