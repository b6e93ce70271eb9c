//! Turning an outcome into an HTTP answer, with the faults a test injected: what the load
//! balancer answers instead, delays, broken bodies and reset connections.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::{Value, json};

use crate::faults::Fault;
use crate::state::Shared;
use crate::world::{AFFINITY_COOKIE, Failure};

/// Set on a connection's flag to drop it without answering.
#[derive(Clone)]
pub(crate) struct ConnAbort(pub(crate) Arc<AtomicBool>);

/// Counts the request and returns the fault to apply, or the load balancer's answer
/// when the fault keeps the request from the gateway.
pub(super) fn begin(
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

/// Sends `outcome`, bent by `fault` if there is one.
pub(super) async fn deliver(
    outcome: Outcome,
    fault: Option<Fault>,
    conn: Option<&ConnAbort>,
) -> Response {
    let mut body = outcome.body;
    match &fault {
        Some(Fault::Latency(d)) => tokio::time::sleep(*d).await,
        Some(Fault::NumericRetcode) => {
            let digits: String = body["retcode"].as_str().unwrap_or("0").replace('-', "");
            body["retcode"] = Value::from(digits.parse::<u64>().unwrap_or(0));
        }
        Some(Fault::ConnectionReset) => {
            if let Some(conn) = conn {
                conn.0.store(true, Ordering::SeqCst);
            }
        }
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
    let mut response = (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json;charset=UTF-8")],
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
