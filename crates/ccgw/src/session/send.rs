//! The one path every request of a session takes: refused once the session is closing,
//! sent through [`crate::transport`], and tracked: what a request did (or may have done)
//! to an inspection changes the mode the session believes, and a state-changing request
//! is written to the audit journal, when the client keeps one, before it is sent.

use std::future::Future;

use ccgw_api::operations::Operation;
use ccgw_api::types::CommonAnswer;
use ccgw_api::{Answer, ResponseValue};
use serde::de::DeserializeOwned;

use super::Session;
use super::state::SessionInner;
use crate::audit::{AuditJournal, Outcome, Subject};
use crate::error::Error;
use crate::ids::{AgentId, CallId};
use crate::mode::TrackedMode;
use crate::transport::limits::explain_too_large;
use crate::transport::salvage::{SkippedEntry, Skips, naming_the_field, salvage};
use crate::transport::send::{ApiResult, run};

impl Session {
    /// Sends one request (built by `send`; the hooks add the newest Guid) and returns its
    /// answer. Only quality-control operations that start, change or end an inspection
    /// (the document's `x-inspection`) touch `target`'s tracked mode: a toggle that
    /// succeeded flips it, and one whose outcome is unknown (it failed after the request
    /// may have left, or its future was dropped) makes it [`TrackedMode::Unknown`].
    pub(crate) async fn send_op<'a, T, F, Fut>(
        &'a self,
        op: &'static Operation,
        about: About<'a>,
        send: F,
    ) -> Result<T, Error>
    where
        T: Answer,
        F: Fn(&'a ccgw_api::Client) -> Fut,
        Fut: Future<Output = ApiResult<T>> + 'a,
    {
        self.inner.ready()?;
        let attempts = self.inner.client.inner.attempts();
        let api = &self.inner.api;
        let place = self.inner.budget_place(op.overload_budget).await?;
        // Written and synced before anything is sent, or nothing is; a guard dropped
        // unsettled records `unknown`.
        let journaled = if op.state_changing {
            Journaled::intent(&self.inner, op.log_name, about)
                .map_err(|e| e.with_operation(op.log_name))?
        } else {
            None
        };
        let target = about.agent;
        let inspected = target.filter(|_| op.inspection);
        if inspected.is_some() {
            self.inner.modes.bump();
        }
        // Until the outcome is known, a drop of this future leaves the mode unknown.
        let pending = inspected.map(|target| UnknownUnlessSettled {
            modes: &self.inner.modes,
            target,
        });
        let inner = &self.inner;
        let started = std::time::Instant::now();
        let send_once = || {
            run(
                op,
                attempts,
                inner.agent.as_str(),
                target.map(AgentId::as_str),
                || !inner.is_closing(),
                || inner.headers.rotations(),
                || send(api),
            )
        };
        let mut result = send_once().await;
        // The gateway's budget refused a read-only query, which changed nothing: another
        // program of this inspector shares the budget. Sent once more, after a window.
        if !op.state_changing
            && result.as_ref().is_err_and(Error::is_overloaded)
            && !inner.is_closing()
        {
            let window = inner.client.inner.overload_budget.unwrap_or_default().per();
            // The first place ends with its query: counted, it would only delay the second.
            drop(place);
            tokio::time::sleep(window).await;
            let _again = inner.budget_place(op.overload_budget).await?;
            result = send_once().await;
        }
        if let Some(pending) = pending {
            std::mem::forget(pending);
        }
        crate::telemetry::request_done(op.log_name, &result, started.elapsed());
        settle(&self.inner, journaled, &result);
        let client = &self.inner.client.inner;
        let result =
            result.map_err(|e| explain_too_large(e, op, client.answer_limit, client.tenant));
        if let Some(target) = inspected {
            match &result {
                Ok(_) if op.toggle => self.inner.modes.toggle(target),
                Err(e) if e.retcode().is_none() && e.may_have_reached_gateway() => {
                    self.inner.modes.set(target, TrackedMode::Unknown)
                }
                _ => {}
            }
        }
        result
    }

    /// [`send_op`](Self::send_op) for a query: an answer whose `result` list holds entries
    /// of a shape the document does not foresee is read without them, so that one odd
    /// agent or call never costs the others. The caller may leave out more entries it
    /// cannot read, then tells them all with [`report_skipped`](Self::report_skipped).
    pub(crate) async fn query_op<'a, T, F, Fut>(
        &'a self,
        op: &'static Operation,
        about: About<'a>,
        send: F,
    ) -> Result<(T, Skips), Error>
    where
        T: Answer + DeserializeOwned,
        F: Fn(&'a ccgw_api::Client) -> Fut,
        Fut: Future<Output = ApiResult<T>> + 'a,
    {
        let read = self
            .send_op(op, about, |api| {
                let sent = send(api);
                async move {
                    match sent.await {
                        Ok(answer) => {
                            let (status, headers) = (answer.status(), answer.headers().clone());
                            let answer = Salvaged {
                                answer: answer.into_inner(),
                                skips: Skips::default(),
                            };
                            Ok(ResponseValue::new(answer, status, headers))
                        }
                        Err(ccgw_api::Error::InvalidResponsePayload(body, e)) => {
                            match salvage::<T>(&body) {
                                Some((answer, skips)) => Ok(ResponseValue::new(
                                    Salvaged { answer, skips },
                                    reqwest::StatusCode::OK,
                                    reqwest::header::HeaderMap::new(),
                                )),
                                None => Err(naming_the_field::<T>(body, e)),
                            }
                        }
                        Err(e) => Err(e),
                    }
                }
            })
            .await?;
        Ok((read.answer, read.skips))
    }

    /// Tells the session's subscribers, as an
    /// [`EventType::EntriesSkipped`](crate::EventType::EntriesSkipped) event, and the log
    /// which entries of `op`'s answer were left out, if any.
    pub(crate) fn report_skipped(&self, op: &Operation, skips: Skips) {
        let skipped = skips.into_entries();
        if skipped.is_empty() {
            return;
        }
        tracing::warn!(
            operation = op.log_name,
            skipped = skipped.len(),
            "entries of the answer could not be read and were left out"
        );
        let event = SkippedEntry::event(self.agent_id().as_str(), op.log_name, &skipped);
        self.inner.dispatch(event);
    }

    /// [`send_op`](Self::send_op) for the actions, whose answer carries nothing.
    pub(crate) async fn act<'a, F, Fut>(
        &'a self,
        op: &'static Operation,
        about: About<'a>,
        send: F,
    ) -> Result<(), Error>
    where
        F: Fn(&'a ccgw_api::Client) -> Fut,
        Fut: Future<Output = ApiResult<CommonAnswer>> + 'a,
    {
        let send = |api| {
            let sent = send(api);
            async move {
                sent.await.map_err(|e| match e {
                    ccgw_api::Error::InvalidResponsePayload(body, e) => {
                        naming_the_field::<CommonAnswer>(body, e)
                    }
                    e => e,
                })
            }
        };
        self.send_op(op, about, send).await.map(|_| ())
    }
}

/// A query's answer and the entries of its list left out to read it.
struct Salvaged<T> {
    answer: T,
    skips: Skips,
}

impl<T: Answer> Answer for Salvaged<T> {
    fn retcode(&self) -> &str {
        self.answer.retcode()
    }

    fn message(&self) -> &str {
        self.answer.message()
    }
}

/// After a request: its outcome line (when it has an intent), and a check by the poller
/// now when the error says the gateway may have ended the session.
pub(crate) fn settle<T>(
    inner: &SessionInner,
    journaled: Option<Journaled<'_>>,
    result: &Result<T, Error>,
) {
    if let Some(journaled) = journaled {
        journaled.settle(result);
    }
    if let Err(e) = result {
        inner.suspect_if_gone(e);
    }
}

/// What a request is about: the agent whose tracked mode it may change and whom the
/// journal names, and the call, for the two operations on a call.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct About<'a> {
    pub(crate) agent: Option<&'a AgentId>,
    pub(crate) call: Option<&'a CallId>,
}

impl<'a> About<'a> {
    /// A request on `call`, of `agent` if it names one.
    pub(crate) fn on_call(agent: Option<&'a AgentId>, call: &'a CallId) -> Self {
        About {
            agent,
            call: Some(call),
        }
    }
}

impl<'a> From<Option<&'a AgentId>> for About<'a> {
    fn from(agent: Option<&'a AgentId>) -> Self {
        About { agent, call: None }
    }
}

/// A state-changing request's intent line, written before the request is sent: settled
/// by its outcome line, or by an `unknown` one when dropped unsettled (its future was
/// dropped after the request may have left).
pub(crate) struct Journaled<'a> {
    journal: &'a AuditJournal,
    intent: u64,
    inspector: &'a str,
    operation: &'a str,
}

impl<'a> Journaled<'a> {
    /// Writes the intent of a request named `operation` (its log name), when the
    /// session's client keeps a journal.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::AuditJournal`](crate::ErrorKind::AuditJournal) when the intent cannot be written: the request must
    /// not be sent.
    pub(crate) fn intent(
        inner: &'a SessionInner,
        operation: &'a str,
        about: About<'a>,
    ) -> Result<Option<Self>, Error> {
        let Some(journal) = inner.client.inner.audit.as_deref() else {
            return Ok(None);
        };
        let inspector = inner.agent.as_str();
        let subject = Subject {
            agent: about.agent.map(AgentId::as_str),
            call: about.call.map(CallId::as_str),
        };
        let intent = journal.intent(inspector, operation, subject)?;
        Ok(Some(Journaled {
            journal,
            intent,
            inspector,
            operation,
        }))
    }

    /// [`intent`](Self::intent) for a request that ends an inspection or a playback as a
    /// session closes: sent even when its intent cannot be written (the failure is
    /// logged), since refusing it would leave the agent listened to.
    pub(crate) fn ending(
        inner: &'a SessionInner,
        operation: &'a str,
        about: About<'a>,
    ) -> Option<Self> {
        Journaled::intent(inner, operation, about).unwrap_or_else(|e| {
            tracing::error!(operation, error = %e, "sending an ending request unjournaled");
            None
        })
    }

    fn outcome(&self, outcome: Outcome, retcode: Option<&str>) {
        (self.journal).outcome(
            self.intent,
            self.inspector,
            self.operation,
            outcome,
            retcode,
        );
    }

    /// Writes how the request ended.
    pub(crate) fn settle<T>(self, result: &Result<T, Error>) {
        match result {
            Ok(_) => self.outcome(Outcome::Ok, None),
            Err(e) => match e.retcode() {
                Some(retcode) => self.outcome(Outcome::Retcode, Some(retcode.code())),
                None if e.may_have_reached_gateway() => self.outcome(Outcome::Unknown, None),
                None => self.outcome(Outcome::NotSent, None),
            },
        }
        std::mem::forget(self);
    }
}

impl Drop for Journaled<'_> {
    fn drop(&mut self) {
        self.outcome(Outcome::Unknown, None);
    }
}

/// Marks an inspection's mode unknown when dropped: the guard of a request in flight,
/// forgotten once the outcome is known.
struct UnknownUnlessSettled<'a> {
    modes: &'a crate::mode::ModeTracker,
    target: &'a AgentId,
}

impl Drop for UnknownUnlessSettled<'_> {
    fn drop(&mut self) {
        self.modes.set(self.target, TrackedMode::Unknown);
    }
}

/// Sends the generated request `$method` in the inspector's name through
/// [`Session::act`]: `about` is the agent whose tracked mode the request concerns (if
/// any), and each `name(value)` after it sets one parameter of the generated builder. The
/// operation is found from the builder method's name alone, at compile time: a name the
/// table does not know fails the build, so the two can never disagree.
macro_rules! send_request {
    ($session:expr, $method:ident, about: $about:expr
        $(, $param:ident($value:expr))* $(,)?) => {
        send_request!(@via act, $session, $method, $about $(, $param($value))*)
    };
    // A query about one agent, named by `workno`: the answer and the entries of its list
    // left out (for `report_skipped`).
    (query $session:expr, $method:ident, agent: $agent:expr $(,)?) => {
        send_request!(@via query_op, $session, $method, Some($agent), workno($agent.wire()))
    };
    // A query: the answer itself, not just whether it succeeded, and the entries of its
    // list left out (for `report_skipped`).
    (query $session:expr, $method:ident, about: $about:expr
        $(, $param:ident($value:expr))* $(,)?) => {
        send_request!(@via query_op, $session, $method, $about $(, $param($value))*)
    };
    // A query whose answer is read whole: entries left out are told at once.
    (query_one $session:expr, $method:ident, $($rest:tt)*) => {
        send_request!(query $session, $method, $($rest)*).map(|(answer, skips)| {
            $session.report_skipped(
                ccgw_api::operations::by_hook_id(stringify!($method))
                    .expect("every builder has an operation"),
                skips,
            );
            answer
        })
    };
    (@via $send:ident, $session:expr, $method:ident, $about:expr
        $(, $param:ident($value:expr))*) => {{
        const OPERATION: &ccgw_api::operations::Operation =
            match ccgw_api::operations::by_hook_id(stringify!($method)) {
                Some(operation) => operation,
                None => panic!(concat!("no operation has the builder ", stringify!($method))),
            };
        let me = $session.agent_id();
        $session
            .$send(OPERATION, crate::session::send::About::from($about), |api| {
                api.$method()
                    .agentid(me.wire())
                    $(.$param($value))*
                    .guid(crate::transport::headers::GUID_PLACEHOLDER)
                    .send()
            })
            .await
    }};
}
pub(crate) use send_request;
