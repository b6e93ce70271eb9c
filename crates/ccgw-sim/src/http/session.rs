//! The session handlers: sign-in (plain and forced), sign-out, and the event long poll.

use std::sync::Arc;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::{Extension, Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::{MethodRouter, put};
use serde_json::{Value, json};

use super::authorize::{Params, authenticated_operation, authorized, param};
use super::respond::{ConnAbort, Outcome, begin, deliver};
use crate::answers::{CommonAnswer, EventAnswer, SignInAnswer, SignInResult, retcode};
use crate::state::Shared;
use crate::world::PollStart;

async fn sign_in_common(
    shared: Arc<Shared>,
    conn: Option<ConnAbort>,
    agent: String,
    body: Bytes,
    force: bool,
) -> Response {
    let operation_id = if force { "forceSignIn" } else { "signIn" };
    let fault = match begin(&shared, operation_id).await {
        Ok(fault) => fault,
        Err(response) => return *response,
    };
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let password = body
        .get("password")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let status = body.get("status").and_then(Value::as_i64);
    let result = shared
        .world()
        .sign_in(&agent, password, status, force, Instant::now());
    tracing::info!(
        operation = operation_id,
        agent = agent.as_str(),
        retcode = result.as_ref().err().map_or("0", |f| f.retcode),
        "request"
    );
    let outcome = match result {
        Ok(session) => Outcome {
            set_guid: Some(session.guid),
            set_cookie: Some(session.cookie),
            ..Outcome::of(SignInAnswer {
                message: "success".into(),
                retcode: retcode::OK.into(),
                result: Some(SignInResult {
                    workno: agent,
                    mediatype: "TTT".into(),
                }),
            })
        },
        Err(f) => Outcome::of(SignInAnswer {
            message: f.message,
            retcode: f.retcode.into(),
            result: None,
        }),
    };
    deliver(outcome, fault, conn.as_ref(), &shared, operation_id).await
}

/// The route of `signIn` or, with `force`, `forceSignIn`.
pub(super) fn sign_in_route(force: bool) -> MethodRouter<Arc<Shared>> {
    put(
        move |State(shared): State<Arc<Shared>>,
              conn: Option<Extension<ConnAbort>>,
              Path(agent): Path<String>,
              body: Bytes| async move {
            sign_in_common(shared, conn.map(|c| c.0), agent, body, force).await
        },
    )
}

pub(super) async fn sign_out(
    State(shared): State<Arc<Shared>>,
    conn: Option<Extension<ConnAbort>>,
    Path(params): Path<Params>,
    headers: HeaderMap,
) -> Response {
    authenticated_operation(
        shared,
        "signOut",
        conn.map(|c| c.0),
        params,
        headers,
        |w, me, _| {
            w.sign_out(me)?;
            Ok(None)
        },
    )
    .await
}

pub(super) async fn poll_event(
    State(shared): State<Arc<Shared>>,
    conn: Option<Extension<ConnAbort>>,
    Path(params): Path<Params>,
    headers: HeaderMap,
) -> Response {
    let conn = conn.map(|c| c.0);
    let fault = match begin(&shared, "pollEvent").await {
        Ok(fault) => fault,
        Err(response) => return *response,
    };
    let start = authorized(&shared, &params, &headers, |w, me| {
        Ok(w.start_poll(me, Instant::now()))
    });
    let agent = param(&params, "agentid");
    let (ready, started_on) = match start {
        Err(f) => {
            return deliver(
                Outcome::failure(f),
                fault,
                conn.as_ref(),
                &shared,
                "pollEvent",
            )
            .await;
        }
        Ok((PollStart::Ready(event), _)) => (Some(event), None),
        Ok((PollStart::Wait(notify), _)) => {
            let until = tokio::time::Instant::now() + shared.world().config().poll_wait;
            // A wake-up stored by an event an earlier poll already took is not news: wait
            // on until there is an event, the session changes, or the time is up.
            while tokio::time::timeout_at(until, notify.notified())
                .await
                .is_ok()
                && !shared.world().poll_can_finish(agent, &notify)
            {}
            (None, Some(notify))
        }
    };
    let finished = shared
        .world()
        .finish_poll(agent, ready, started_on.as_ref(), Instant::now());
    let outcome = match finished {
        // Real gateways leave the `event` key out of an empty poll's answer.
        Some((None, guid)) if shared.quirks => Outcome {
            set_guid: guid,
            ..Outcome::of(json!({"message": "", "retcode": retcode::OK}))
        },
        Some((event, guid)) => {
            let mut outcome = Outcome::of(EventAnswer {
                message: String::new(),
                retcode: retcode::OK.into(),
                event,
            });
            if shared.quirks {
                pad_with_nuls(&mut outcome.body["event"]);
            }
            Outcome {
                set_guid: guid,
                ..outcome
            }
        }
        None => Outcome::of(CommonAnswer::new(
            retcode::NOT_SIGNED_IN,
            "the session ended",
        )),
    };
    deliver(outcome, fault, conn.as_ref(), &shared, "pollEvent").await
}

/// Pads every string in an event with trailing NULs, as some gateways send them.
fn pad_with_nuls(value: &mut Value) {
    match value {
        Value::String(s) => s.push_str("\0\0"),
        Value::Array(items) => items.iter_mut().for_each(pad_with_nuls),
        Value::Object(map) => map.values_mut().for_each(pad_with_nuls),
        _ => {}
    }
}

/// An event poll with another method than GET: the gateway's own retcode for it
/// (000-001, "wrong method for fetching agent events"), with status 405 and `Allow: GET`
/// so that HTTP tools see the method refused too.
pub(super) async fn poll_with_a_wrong_method() -> Response {
    use axum::http::{StatusCode, header};
    use axum::response::IntoResponse;
    let body = json!({"message": "wrong method for fetching agent events", "retcode": retcode::WRONG_POLL_METHOD});
    (
        StatusCode::METHOD_NOT_ALLOWED,
        [
            (header::ALLOW, "GET"),
            (header::CONTENT_TYPE, "application/json;charset=UTF-8"),
        ],
        body.to_string(),
    )
        .into_response()
}
