//! Sending one generated request: its tracing span, its time limit, and the retry of a
//! failure to connect (nothing else is ever sent twice).

use std::future::Future;
use std::time::{Duration, Instant};

use ccgw_api::Answer;
use ccgw_api::operations::Operation;
use tracing::Instrument;

use super::classify::{check, from_api, timed_out, transport_kind};
use crate::error::{Error, ErrorKind, TransportKind};

/// What a generated builder's `send` returns.
pub(crate) type ApiResult<T> = Result<ccgw_api::ResponseValue<T>, ccgw_api::Error<()>>;

/// The span of one request. Its name is static; the `operation` field carries the
/// gateway's own log name, so that this log and the gateway's line up.
fn span_for(op: &Operation, agent: &str, target: Option<&str>) -> tracing::Span {
    tracing::info_span!(
        "gateway_request",
        operation = op.log_name,
        agent,
        target = target.unwrap_or("-"),
        retcode = tracing::field::Empty,
        elapsed_ms = tracing::field::Empty,
    )
}

/// How one request may be tried: how many times again after a failure to connect, and
/// how long each attempt may take. Every request has a limit, the event poll included.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Attempts {
    pub(crate) connect_retries: u32,
    pub(crate) limit: Duration,
}

/// How one attempt ended.
enum Attempt<T> {
    Done(Result<T, Error>),
    /// Could not connect, so nothing was sent, and another attempt is allowed.
    RetryConnect,
}

/// One attempt: send, then decode the answer or the failure.
async fn attempt<T, F, Fut>(send: &F, may_retry: bool) -> Attempt<T>
where
    T: Answer,
    F: Fn() -> Fut,
    Fut: Future<Output = ApiResult<T>>,
{
    match send().await {
        Ok(value) => Attempt::Done(check(value.into_inner())),
        Err(ccgw_api::Error::CommunicationError(e))
            if may_retry && transport_kind(&e) == TransportKind::Connect =>
        {
            Attempt::RetryConnect
        }
        Err(e) => Attempt::Done(Err(from_api(e).await)),
    }
}

/// How long a request refused for a stale Guid waits for the rotation that may have
/// overtaken it to be announced: the refusal and the poll answer that carries the new
/// Guid travel on different connections, and either may come first.
const ROTATION_WAIT: Duration = Duration::from_millis(500);

/// Whether a Guid rotation overtook a request sent when the session had seen
/// `rotated_before` rotations: one came since, or comes within [`ROTATION_WAIT`] (the
/// first rotation of a session may be the one); never past `deadline`. A session whose
/// Guid really expired pays the wait once, on its way to the error.
async fn overtaken(rotations: &impl Fn() -> u64, rotated_before: u64, deadline: Instant) -> bool {
    let wait_until = deadline.min(Instant::now() + ROTATION_WAIT);
    loop {
        if Instant::now() >= deadline {
            return false;
        }
        if rotations() != rotated_before {
            return true;
        }
        if Instant::now() >= wait_until {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Runs `send` (which builds and sends one generated request) in the operation's span,
/// while `open` says the session may still send it.
/// A failure to connect, where nothing was sent, is retried up to the allowed number of
/// times with a doubling pause. A refusal for a stale Guid (000-003) is sent again with
/// the newest Guid when `rotations` (the session's count of Guid rotations) moved while
/// it was on its way: the rotation overtook it, and the gateway refused it before acting
/// on it; so for as long as each refusal follows a rotation, within the limit of the
/// first attempt. Nothing else is ever sent twice. Each attempt, answer body included,
/// must end within the limit. (The limit is kept here rather than in reqwest, whose
/// per-request timer is dearer: it also wraps the answer body.)
pub(crate) async fn run<T, F, Fut>(
    op: &'static Operation,
    attempts: Attempts,
    agent: &str,
    target: Option<&str>,
    open: impl Fn() -> bool,
    rotations: impl Fn() -> u64,
    send: F,
) -> Result<T, Error>
where
    T: Answer,
    F: Fn() -> Fut,
    Fut: Future<Output = ApiResult<T>>,
{
    let span = span_for(op, agent, target);
    // Without a subscriber that wants the span, skip the clock and the recording.
    let recorder = (!span.is_disabled()).then(|| (span.clone(), Instant::now()));
    async move {
        let mut retried = 0;
        let deadline = Instant::now() + attempts.limit;
        let result = loop {
            // Checked before every attempt, retries included: once a sign-out began, no
            // other request leaves.
            if !open() {
                break Err(Error::new(
                    ErrorKind::SessionClosed,
                    "the session is signing out; nothing was sent",
                ));
            }
            let rotated_before = rotations();
            let this = attempt(&send, retried < attempts.connect_retries);
            let outcome = tokio::time::timeout(attempts.limit, this)
                .await
                .unwrap_or_else(|_| Attempt::Done(Err(timed_out())));
            match outcome {
                Attempt::Done(Err(e))
                    if e.is_auth_expired()
                        && overtaken(&rotations, rotated_before, deadline).await =>
                {
                    tracing::debug!("a Guid rotation overtook the request; sending it again");
                }
                Attempt::Done(result) => break result,
                Attempt::RetryConnect => {
                    retried += 1;
                    tracing::debug!(
                        attempt = retried,
                        "could not connect; nothing was sent, retrying"
                    );
                    tokio::time::sleep(Duration::from_millis(50 << retried.min(6))).await;
                }
            }
        };
        if let Some((span, started)) = recorder {
            span.record("elapsed_ms", started.elapsed().as_millis() as u64);
            let retcode = match &result {
                Ok(_) => "0",
                Err(e) => e.retcode().map_or("-", |r| r.code()),
            };
            span.record("retcode", retcode);
        }
        match &result {
            Ok(_) => tracing::debug!("done"),
            Err(e) => tracing::debug!(kind = ?e.kind(), "failed"),
        }
        result.map_err(|e| e.with_operation(op.log_name))
    }
    .instrument(span)
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use ccgw_api::types::CommonAnswer;

    #[tokio::test]
    async fn no_attempt_leaves_once_the_session_stops_being_open() {
        use std::sync::atomic::{AtomicBool, AtomicU32, Ordering::SeqCst};
        let sends = AtomicU32::new(0);
        let open = AtomicBool::new(true);
        let attempts = Attempts {
            connect_retries: 3,
            limit: Duration::from_secs(5),
        };
        let result: Result<CommonAnswer, Error> = run(
            &ccgw_api::operations::LISTEN,
            attempts,
            "101",
            None,
            || open.load(SeqCst),
            || 0,
            || async {
                sends.fetch_add(1, SeqCst);
                // A sign-out begins while this attempt fails to connect (nothing listens
                // on the port).
                open.store(false, SeqCst);
                let http = ccgw_sim::testing::loopback_http(Duration::from_secs(5));
                let port = ccgw_sim::testing::unused_port();
                let refused = http
                    .get(format!("http://127.0.0.1:{port}/"))
                    .send()
                    .await
                    .unwrap_err();
                Err(ccgw_api::Error::CommunicationError(refused))
            },
        )
        .await;
        assert_eq!(sends.load(SeqCst), 1, "the retry was not sent");
        assert_eq!(result.unwrap_err().kind(), ErrorKind::SessionClosed);
    }
}
