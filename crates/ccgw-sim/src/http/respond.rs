//! Turning an outcome into an HTTP answer, with the faults a test injected: what the load
//! balancer answers instead, delays, broken bodies and reset connections.

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};

use axum::body::{Body, Bytes};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::{Value, json};

use crate::faults::Fault;
use crate::state::Shared;
use crate::world::{AFFINITY_COOKIE, AgentLists, Failure};

/// The `message` of a successful query.
pub(super) const LISTING_MESSAGE: &str = "success";

/// Set on a connection's flag to end it without answering (one of the `END_*` values).
#[derive(Clone)]
pub(crate) struct ConnAbort(pub(crate) Arc<AtomicU8>);

/// The connection carries on.
pub(crate) const END_NONE: u8 = 0;
/// The connection drops with a reset.
pub(crate) const END_RESET: u8 = 1;
/// The connection closes cleanly: a FIN, then the socket closes.
pub(crate) const END_CLOSE: u8 = 2;
/// The sending side closes (a FIN); the connection stays open.
pub(crate) const END_HALF_CLOSE: u8 = 3;

/// Counts the request and returns the fault to apply, or the load balancer's answer
/// when the fault keeps the request from the gateway. A hang never returns.
pub(super) async fn begin(
    shared: &Shared,
    operation_id: &'static str,
) -> Result<Option<Fault>, Box<Response>> {
    shared.count(operation_id);
    match shared.faults.take(operation_id) {
        Some(Fault::Status(code)) => {
            let status = StatusCode::from_u16(code).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
            Err(Box::new((status, "service unavailable\n").into_response()))
        }
        Some(Fault::HtmlErrorPage) => Err(Box::new(
            (
                StatusCode::BAD_GATEWAY,
                [(header::CONTENT_TYPE, "text/html")],
                "<html><head><title>502 Bad Gateway</title></head>\
                 <body><h1>502 Bad Gateway</h1><p>NSLB: no healthy upstream</p></body></html>",
            )
                .into_response(),
        )),
        Some(Fault::Hang) => std::future::pending().await,
        Some(Fault::Retcode(code)) => Err(Box::new(
            axum::Json(
                serde_json::json!({ "message": "refused by an injected fault", "retcode": code }),
            )
            .into_response(),
        )),
        other => Ok(other),
    }
}

/// An answer ready to send, with the headers a session may need.
pub(super) struct Outcome {
    pub(super) body: Value,
    /// A list of agents for `result`, written out as it is sent; `body` is then the
    /// answer without it.
    pub(super) lists: Option<AgentLists>,
    pub(super) set_guid: Option<String>,
    pub(super) set_cookie: Option<String>,
}

impl Outcome {
    pub(super) fn of(body: impl Serialize) -> Self {
        Outcome {
            body: serde_json::to_value(body).expect("answer types serialize"),
            lists: None,
            set_guid: None,
            set_cookie: None,
        }
    }

    /// A successful query's answer with `result` written from `lists` as it is sent.
    pub(super) fn listing(lists: AgentLists) -> Self {
        Outcome {
            lists: Some(lists),
            ..Self::of(json!({"message": LISTING_MESSAGE, "retcode": crate::answers::retcode::OK}))
        }
    }

    /// A refusal. It carries no `result`: gateways leave it out when an operation
    /// fails, and a query's `result` has a shape of its own that `{}` would break.
    pub(super) fn failure(f: Failure) -> Self {
        Self::of(json!({"message": f.message, "retcode": f.retcode}))
    }
}

fn end_connection(conn: Option<&ConnAbort>, how: u8) {
    if let Some(conn) = conn {
        conn.0.store(how, Ordering::SeqCst);
    }
}

/// Sends `outcome`, the answer of `operation`, bent by `fault` if there is one, in the
/// shapes of a real gateway when the simulator has quirks, and in those of a probe report
/// when it has shapes.
pub(super) async fn deliver(
    outcome: Outcome,
    fault: Option<Fault>,
    conn: Option<&ConnAbort>,
    shared: &Shared,
    operation: &str,
) -> Response {
    let quirks = shared.quirks;
    let set_guid = match fault {
        Some(Fault::WithoutGuid) => None,
        _ => outcome.set_guid,
    };
    let shape = shared.shapes.as_ref().and_then(|s| s.of(operation));
    let mut body = outcome.body;
    let reshaped = shape.is_some()
        || matches!(
            fault,
            Some(Fault::NumericRetcode | Fault::TruncatedJson | Fault::OversizedAnswer(_))
        );
    let mut lists = outcome.lists;
    if reshaped && let Some(listed) = lists.take() {
        // A fault or shape that reshapes the answer needs it whole: only tests ask for that.
        let bytes: Vec<u8> = listed.into_chunks("", "").flatten().collect();
        body["result"] = serde_json::from_slice(&bytes).expect("listings are JSON");
    }
    match &fault {
        Some(Fault::Latency(d)) => tokio::time::sleep(*d).await,
        Some(Fault::NumericRetcode) => {
            let digits: String = body["retcode"].as_str().unwrap_or("0").replace('-', "");
            body["retcode"] = Value::from(digits.parse::<u64>().unwrap_or(0));
        }
        Some(Fault::ConnectionReset) => end_connection(conn, END_RESET),
        Some(Fault::CloseWithoutAnswer) => end_connection(conn, END_CLOSE),
        Some(Fault::HalfClose) => end_connection(conn, END_HALF_CLOSE),
        _ => {}
    }
    if let Some(shape) = shape {
        shape.apply(&mut body);
    }
    let charset = match shape.and_then(|s| s.charset()) {
        Some(named) => named,
        None if quirks => Some(encoding_rs::GBK),
        None => Some(encoding_rs::UTF_8),
    };
    if let Some(listed) = lists {
        // The envelope as written for any answer, split where `result` goes.
        body["result"] = Value::Null;
        let text = serde_json::to_string(&body).expect("JSON values serialize");
        let (open, close) = text
            .split_once("\"result\":null")
            .expect("the envelope holds the result");
        let open = format!("{open}\"result\":");
        let chunks = listed.into_chunks(open, close.to_owned());
        return streamed(chunks, charset, set_guid, outcome.set_cookie);
    }
    let mut bytes = serde_json::to_vec(&body).expect("JSON values serialize");
    match fault {
        Some(Fault::TruncatedJson) => bytes.truncate(bytes.len() / 2),
        Some(Fault::OversizedAnswer(size)) if size > bytes.len() => {
            let padded = format!(
                "{}{}",
                body["message"].as_str().unwrap_or_default(),
                "x".repeat(size - bytes.len())
            );
            body["message"] = Value::from(padded);
            bytes = serde_json::to_vec(&body).expect("JSON values serialize");
        }
        _ => {}
    }
    // With quirks, the whole answer in GBK, as gateways with Chinese names send it.
    let bytes = encoded(&bytes, charset);
    let response = (
        StatusCode::OK,
        [(header::CONTENT_TYPE, content_type(charset))],
        bytes,
    )
        .into_response();
    with_session_headers(response, set_guid, outcome.set_cookie)
}

/// The `Content-Type` of a JSON answer in `charset` (`None`: no charset named).
fn content_type(charset: Option<&'static encoding_rs::Encoding>) -> String {
    match charset {
        Some(encoding) => format!("application/json;charset={}", encoding.name()),
        None => "application/json".to_owned(),
    }
}

/// `utf8` in `charset` (UTF-8 when none is named).
fn encoded(utf8: &[u8], charset: Option<&'static encoding_rs::Encoding>) -> Vec<u8> {
    match charset {
        Some(encoding) if encoding != encoding_rs::UTF_8 => {
            let text = String::from_utf8_lossy(utf8);
            encoding.encode(&text).0.into_owned()
        }
        _ => utf8.to_vec(),
    }
}

/// An answer sent piece by piece, as its pieces are written (chunked, no length). Each
/// piece ends between two JSON values, so each can be re-encoded on its own.
fn streamed(
    chunks: impl Iterator<Item = Bytes> + Send + 'static,
    charset: Option<&'static encoding_rs::Encoding>,
    set_guid: Option<String>,
    set_cookie: Option<String>,
) -> Response {
    let chunks = chunks.map(move |chunk| {
        let chunk = match charset {
            Some(encoding) if encoding != encoding_rs::UTF_8 => {
                Bytes::from(encoded(&chunk, charset))
            }
            _ => chunk,
        };
        Ok::<_, std::convert::Infallible>(chunk)
    });
    let body = Body::from_stream(futures::stream::iter(chunks));
    let response = (
        StatusCode::OK,
        [(header::CONTENT_TYPE, content_type(charset))],
        body,
    )
        .into_response();
    with_session_headers(response, set_guid, set_cookie)
}

fn with_session_headers(
    mut response: Response,
    set_guid: Option<String>,
    set_cookie: Option<String>,
) -> Response {
    let headers = response.headers_mut();
    if let Some(guid) = set_guid.and_then(|g| HeaderValue::try_from(format!("JSESSIONID={g}")).ok())
    {
        headers.insert("Set-GUID", guid);
    }
    if let Some(cookie) = set_cookie.and_then(|c| {
        HeaderValue::try_from(format!("{AFFINITY_COOKIE}={c}; Path=/; HttpOnly")).ok()
    }) {
        headers.insert(header::SET_COOKIE, cookie);
    }
    response
}
