//! Running one generated request: its tracing span, the connect-only retry, and turning
//! whatever came back into an answer or a typed [`Error`].

use std::future::Future;
use std::time::{Duration, Instant};

use ccgw_api::operations::Operation;
use ccgw_api::types::{
    AgentInfoAnswer, AgentListAnswer, AgentStatusAnswer, CallIdsAnswer, CallInfoAnswer,
    CallListAnswer, CommonAnswer, EventAnswer, OnlineAgentsAnswer, QueueLengthAnswer, SignInAnswer,
    SkillsAnswer,
};
use tracing::Instrument;

use crate::error::{Error, ErrorKind, Retcode, TransportKind};

pub(crate) type ApiResult<T> = Result<ccgw_api::ResponseValue<T>, ccgw_api::Error<()>>;

/// The parts every gateway answer shares.
pub(crate) trait Answer {
    fn retcode(&self) -> &str;
    fn message(&self) -> &str;
}

macro_rules! impl_answer {
    ($($t:ty),*) => {$(
        impl Answer for $t {
            fn retcode(&self) -> &str {
                &self.retcode
            }
            fn message(&self) -> &str {
                self.message.as_deref().unwrap_or_default()
            }
        }
    )*};
}

impl_answer!(
    CommonAnswer,
    SignInAnswer,
    EventAnswer,
    AgentStatusAnswer,
    AgentInfoAnswer,
    AgentListAnswer,
    OnlineAgentsAnswer,
    CallIdsAnswer,
    CallInfoAnswer,
    CallListAnswer,
    QueueLengthAnswer,
    SkillsAnswer
);

/// Success for retcode `"0"`, a gateway error otherwise.
pub(crate) fn check<T: Answer>(answer: T) -> Result<T, Error> {
    if answer.retcode() == "0" {
        Ok(answer)
    } else {
        Err(Error::gateway(Retcode::new(
            answer.retcode(),
            answer.message(),
        )))
    }
}

/// Decodes the body of a quality-control answer exactly as a session does: the JSON of
/// the common answer, then its retcode. Never panics, whatever the bytes.
///
/// ```
/// assert!(ccgw::decode_answer(br#"{"message":"","retcode":"0","result":{}}"#).is_ok());
/// let refused = ccgw::decode_answer(br#"{"message":"","retcode":"100-006"}"#).unwrap_err();
/// assert!(refused.is_not_signed_in());
/// assert_eq!(ccgw::decode_answer(b"<html>").unwrap_err().kind(), ccgw::ErrorKind::MalformedAnswer);
/// ```
///
/// # Errors
///
/// [`ErrorKind::MalformedAnswer`] when the body is not the common answer;
/// [`ErrorKind::Gateway`] for a retcode other than `"0"`.
pub fn decode_answer(body: &[u8]) -> Result<CommonAnswer, Error> {
    let answer: CommonAnswer =
        serde_json::from_slice(body).map_err(|e| Error::malformed(body, e))?;
    check(answer)
}

/// The span of one request, named by the gateway's own log name so that both logs line up.
macro_rules! named_span {
    ($log_name:expr, $agent:expr, $target:expr, [$($name:literal),*]) => {
        match $log_name {
            $($name => tracing::info_span!(
                $name,
                agent = $agent,
                target = $target,
                retcode = tracing::field::Empty,
                elapsed_ms = tracing::field::Empty,
            ),)*
            other => tracing::info_span!(
                "gateway_request",
                operation = other,
                agent = $agent,
                target = $target,
                retcode = tracing::field::Empty,
                elapsed_ms = tracing::field::Empty,
            ),
        }
    };
}

/// `span_for(log_name, agent, target)`: the span of a request, named by its log name;
/// names the document does not list share a generic span with an `operation` field.
/// The list of names comes from the document, through `ccgw_api::for_log_names!`.
macro_rules! define_span_for {
    ([$($name:literal),*]) => {
        pub(crate) fn span_for(
            log_name: &'static str,
            agent: &str,
            target: Option<&str>,
        ) -> tracing::Span {
            // Without anything listening at INFO, skip matching the name.
            if !tracing::level_enabled!(tracing::Level::INFO) {
                return tracing::Span::none();
            }
            let target = target.unwrap_or("-");
            named_span!(log_name, agent, target, [$($name),*])
        }
    };
}
ccgw_api::for_log_names!(define_span_for);

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

/// Runs `send` (which builds and sends one generated request) in the operation's span,
/// while `open` says the session may still send it.
/// A failure to connect, where nothing was sent, is retried up to the allowed number of
/// times with a doubling pause; nothing else ever is. Each attempt, answer body
/// included, must end within the limit. (The limit is kept here rather than in reqwest,
/// whose per-request timer is dearer: it also wraps the answer body.)
pub(crate) async fn run<T, F, Fut>(
    op: &'static Operation,
    attempts: Attempts,
    agent: &str,
    target: Option<&str>,
    open: impl Fn() -> bool,
    send: F,
) -> Result<T, Error>
where
    T: Answer,
    F: Fn() -> Fut,
    Fut: Future<Output = ApiResult<T>>,
{
    let span = span_for(op.log_name, agent, target);
    // Without a subscriber that wants the span, skip the clock and the recording.
    let recorder = (!span.is_disabled()).then(|| (span.clone(), Instant::now()));
    async move {
        let mut retried = 0;
        let result = loop {
            // Checked before every attempt, retries included: once a sign-out began, no
            // other request leaves.
            if !open() {
                break Err(Error::new(
                    ErrorKind::SessionClosed,
                    "the session is signing out; nothing was sent",
                ));
            }
            let this = attempt(&send, retried < attempts.connect_retries);
            let outcome = tokio::time::timeout(attempts.limit, this)
                .await
                .unwrap_or_else(|_| Attempt::Done(Err(timed_out())));
            match outcome {
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

/// No answer within the limit: the request may have reached the gateway.
fn timed_out() -> Error {
    Error::new(ErrorKind::Transport(TransportKind::Timeout), TIMED_OUT).reached(true)
}

const TIMED_OUT: &str = "no answer in time; the gateway may have acted on the request";

/// What kind of transport failure this is.
fn transport_kind(e: &reqwest::Error) -> TransportKind {
    if is_tls(e) {
        TransportKind::Tls
    } else if e.is_connect() {
        TransportKind::Connect
    } else if e.is_timeout() {
        TransportKind::Timeout
    } else {
        TransportKind::Other
    }
}

/// Whether a rustls error sits anywhere behind `e` (io errors hide theirs in `get_ref`).
fn is_tls(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut next: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(e) = next {
        #[cfg(feature = "rustls")]
        if e.is::<rustls::Error>() {
            return true;
        }
        #[cfg(feature = "native-tls")]
        if e.is::<native_tls::Error>() {
            return true;
        }
        if let Some(io) = e.downcast_ref::<std::io::Error>()
            && let Some(inner) = io.get_ref()
            && is_tls(inner)
        {
            return true;
        }
        next = e.source();
    }
    false
}

/// The most bytes of an unexpected answer read for its excerpt.
const EXCERPT_READ: usize = 512;

/// Turns a generated-layer error into ours.
pub(crate) async fn from_api(error: ccgw_api::Error<()>) -> Error {
    use ccgw_api::Error as Api;
    match error {
        Api::InvalidRequest(why) => Error::invalid_input(why),
        // An answer re-encoded from another charset is read whole by the hooks, so its
        // size limit shows here.
        Api::CommunicationError(e) if ccgw_api::hooks::is_answer_too_large(&e) => too_large(),
        Api::CommunicationError(e) => transport(e),
        Api::ResponseBodyError(e) if ccgw_api::hooks::is_answer_too_large(&e) => too_large(),
        Api::ResponseBodyError(e) => transport(e),
        Api::InvalidResponsePayload(body, e) => Error::malformed(&body, e),
        Api::UnexpectedResponse(mut response) => {
            let status = response.status().as_u16();
            let mut head = Vec::new();
            while head.len() < EXCERPT_READ {
                match response.chunk().await {
                    Ok(Some(chunk)) => head.extend_from_slice(&chunk),
                    _ => break,
                }
            }
            Error::http_status(status, &head)
        }
        Api::ErrorResponse(value) => Error::http_status(value.status().as_u16(), b""),
        Api::InvalidUpgrade(e) => transport(e),
        Api::Custom(why) => {
            Error::new(ErrorKind::Transport(TransportKind::Other), why).reached(true)
        }
    }
}

fn too_large() -> Error {
    Error::new(
        ErrorKind::AnswerTooLarge,
        "the answer is larger than the client's limit",
    )
    .reached(true)
}

fn transport(e: reqwest::Error) -> Error {
    let kind = transport_kind(&e);
    let (message, reached) = match kind {
        TransportKind::Connect => ("could not connect to the gateway; nothing was sent", false),
        // Only a failure while connecting (the handshake: an untrusted certificate, say)
        // means nothing was sent; a TLS failure later may follow a written request.
        TransportKind::Tls if e.is_connect() => (
            "TLS failed while connecting (is the gateway's certificate trusted for this \
             host?); nothing was sent",
            false,
        ),
        TransportKind::Tls => (
            "TLS failed after connecting; the gateway may have acted on the request",
            true,
        ),
        TransportKind::Timeout => (TIMED_OUT, true),
        TransportKind::Other => (
            "the connection broke; the gateway may have acted on the request",
            true,
        ),
    };
    // reqwest's messages name the URL: agent IDs only, never the Guid (a header).
    Error::new(ErrorKind::Transport(kind), message)
        .reached(reached)
        .with_source(e)
}

/// A malformed-answer error for a body already in hand (used where the generated layer
/// does not decode, such as missing headers).
pub(crate) fn missing_header(what: &str) -> Error {
    Error::malformed(b"", format!("the answer has no {what}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_gets_a_span_named_by_its_log_name() {
        let _guard = tracing::subscriber::set_default(tracing_subscriber::registry());
        for op in ccgw_api::operations::ALL {
            let span = span_for(op.log_name, "101", None);
            let name = span.metadata().map(|m| m.name());
            assert_eq!(name, Some(op.log_name), "{}", op.id);
        }
    }

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
            || async {
                sends.fetch_add(1, SeqCst);
                // A sign-out begins while this attempt fails to connect (nothing listens
                // on the discard port of loopback).
                open.store(false, SeqCst);
                let refused = reqwest::Client::new()
                    .get("http://127.0.0.1:9/")
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

    #[test]
    fn excerpt_of_html_is_short() {
        let e = decode_answer(&b"<html>".repeat(1000)).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::MalformedAnswer);
        assert!(e.excerpt().unwrap().len() <= 4 * crate::redact::EXCERPT_CHARS);
    }
}
