//! Turning an outcome into an HTTP answer, with the faults a test injected: what the load
//! balancer answers instead, delays, broken bodies and reset connections.

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::{Value, json};

use crate::faults::Fault;
use crate::state::Shared;
use crate::world::{AFFINITY_COOKIE, Failure};

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
        other => Ok(other),
    }
}

/// An answer ready to send, with the headers a session may need.
pub(super) struct Outcome {
    pub(super) body: Value,
    pub(super) set_guid: Option<String>,
    pub(super) set_cookie: Option<String>,
}

impl Outcome {
    pub(super) fn of(body: impl Serialize) -> Self {
        Outcome {
            body: serde_json::to_value(body).expect("answer types serialize"),
            set_guid: None,
            set_cookie: None,
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

/// Sends `outcome`, bent by `fault` if there is one, in the shapes of a real gateway when
/// `quirks` says so.
pub(super) async fn deliver(
    outcome: Outcome,
    fault: Option<Fault>,
    conn: Option<&ConnAbort>,
    quirks: bool,
) -> Response {
    let mut body = outcome.body;
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
    let (content_type, bytes) = if quirks {
        // The whole answer in GBK, as gateways with Chinese names send it.
        let text = String::from_utf8_lossy(&bytes);
        let (gbk, _, _) = encoding_rs::GBK.encode(&text);
        ("application/json;charset=GBK", gbk.into_owned())
    } else {
        ("application/json;charset=UTF-8", bytes)
    };
    let mut response = (
        StatusCode::OK,
        [(header::CONTENT_TYPE, content_type)],
        bytes,
    )
        .into_response();
    let headers = response.headers_mut();
    if let Some(guid) = outcome
        .set_guid
        .and_then(|g| HeaderValue::try_from(format!("JSESSIONID={g}")).ok())
    {
        headers.insert("Set-GUID", guid);
    }
    if let Some(cookie) = outcome.set_cookie.and_then(|c| {
        HeaderValue::try_from(format!("{AFFINITY_COOKIE}={c}; Path=/; HttpOnly")).ok()
    }) {
        headers.insert(header::SET_COOKIE, cookie);
    }
    response
}
