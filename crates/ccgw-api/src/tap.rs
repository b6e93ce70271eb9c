//! Seeing every answer as it came off the wire, before anything reads it: for tools that
//! study a gateway (`ccgw probe`) rather than use it.
//!
//! A tap costs nothing when none is set. When one is set, every answer body (but a file's,
//! such as a downloaded recording) is read whole
//! (within the operation's answer limit) before the generated code decodes it, so the tap
//! sees the bytes and headers exactly as the gateway sent them: the `Content-Type` before
//! any charset was re-encoded, `Set-GUID` and `Set-Cookie` included. Those headers carry
//! secrets: a tap must never log or keep their values.

use std::time::{Duration, Instant};

use http::HeaderMap;

use progenitor_client::OperationInfo;

/// One answer as it arrived.
#[derive(Debug)]
#[non_exhaustive]
pub struct Exchange<'a> {
    /// The operation, by the name the hooks receive (`sign_in`; `undocumented` for a raw
    /// request): [`operations::by_hook_id`](crate::operations::by_hook_id) finds its facts.
    pub operation: &'a str,
    /// The HTTP status.
    pub status: u16,
    /// The answer's headers, as sent.
    pub headers: &'a HeaderMap,
    /// From sending the request to the last byte of the answer.
    pub latency: Duration,
    /// The body as sent, or why it could not be read whole (the connection failed, or the
    /// answer was over its limit).
    pub body: Result<&'a [u8], &'a reqwest::Error>,
}

/// Sees each answer once, on the request's task; it must not block.
pub trait AnswerTap: Send + Sync + 'static {
    /// Called with every answer whose head arrived.
    fn answer(&self, exchange: &Exchange<'_>);
}

/// Reads `response`'s body, shows the answer to `tap`, and hands back an answer with the
/// same head and body; a body that failed to read fails the request with that error.
pub(crate) async fn tapped(
    response: reqwest::Response,
    tap: &dyn AnswerTap,
    info: &OperationInfo,
    started: Instant,
) -> reqwest::Result<reqwest::Response> {
    let response: http::Response<reqwest::Body> = response.into();
    let (parts, body) = response.into_parts();
    let read = reqwest::Response::from(http::Response::new(body))
        .bytes()
        .await;
    let exchange = |body| Exchange {
        operation: info.operation_id,
        status: parts.status.as_u16(),
        headers: &parts.headers,
        latency: started.elapsed(),
        body,
    };
    match read {
        Ok(bytes) => {
            tap.answer(&exchange(Ok(&bytes)));
            Ok(http::Response::from_parts(parts, reqwest::Body::from(bytes)).into())
        }
        Err(e) => {
            tap.answer(&exchange(Err(&e)));
            Err(e)
        }
    }
}

impl std::fmt::Debug for dyn AnswerTap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AnswerTap")
    }
}
