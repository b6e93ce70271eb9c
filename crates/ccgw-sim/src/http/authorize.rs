//! Authenticating a request by its Guid and affinity cookie, and the common path of every
//! operation that needs a session.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Instant;

use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::{Value, json};

use super::respond::{ConnAbort, LISTING_MESSAGE, Outcome, begin, deliver};
use crate::answers::{CommonAnswer, retcode};
use crate::ids::is_agent_id;
use crate::state::Shared;
use crate::world::{Failure, Found, World};

/// A request's path and query parameters by name.
pub(super) type Params = HashMap<String, String>;

fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// The parameter `name`, or empty when the request lacks it.
pub(super) fn param<'a>(params: &'a Params, name: &str) -> &'a str {
    params.get(name).map(String::as_str).unwrap_or_default()
}

/// Authenticates the request for the path's `agentid`, then runs `act` on the world.
/// Returns what `act` returned and, under dynamic authentication, a Guid to announce.
pub(super) fn authorized<T>(
    shared: &Shared,
    params: &Params,
    headers: &HeaderMap,
    act: impl FnOnce(&mut World, &str) -> Result<T, Failure>,
) -> Result<(T, Option<String>), Failure> {
    let agent = param(params, "agentid");
    if !is_agent_id(agent) {
        return Err(Failure {
            retcode: retcode::BAD_PARAMETER,
            message: "the agent ID is not valid".into(),
        });
    }
    let mut world = shared.world();
    // The floor moves on to now before anything reads it.
    world.catch_up();
    let auth = world.authorize(
        agent,
        header_str(headers, "Guid"),
        header_str(headers, "Cookie"),
        Instant::now(),
    )?;
    if !auth.had_cookie {
        shared.cookie_misses.fetch_add(1, Ordering::Relaxed);
    }
    act(&mut world, agent).map(|value| (value, auth.announce))
}

/// The common path of an authenticated operation: count, apply any fault, authenticate,
/// act, log and answer. `act` returns the answer's `result`: `None` for the common
/// answer of an action (`{}`), a value for a query (`null` leaves `result` out).
pub(super) async fn authenticated_operation(
    shared: Arc<Shared>,
    operation_id: &'static str,
    conn: Option<ConnAbort>,
    params: Params,
    headers: HeaderMap,
    act: impl FnOnce(&mut World, &str, &Params) -> Result<Option<Found>, Failure>,
) -> Response {
    let fault = match begin(&shared, operation_id).await {
        Ok(fault) => fault,
        Err(response) => return *response,
    };
    let result = authorized(&shared, &params, &headers, |world, me| {
        act(world, me, &params)
    });
    tracing::info!(
        operation = operation_id,
        agent = params.get("agentid").map(String::as_str).unwrap_or("-"),
        target = params.get("workNo").map(String::as_str).unwrap_or("-"),
        retcode = result.as_ref().err().map_or("0", |f| f.retcode),
        "request"
    );
    let outcome = match result {
        Ok((result, announce)) => Outcome {
            // Real gateways send the session's Guid on answers other than sign-in and
            // polls too: a client must follow it wherever it comes.
            set_guid: announce.or_else(|| {
                let everywhere = shared.quirks
                    || shared
                        .shapes
                        .as_ref()
                        .is_some_and(|s| s.guid_on_every_answer());
                everywhere
                    .then(|| shared.world().current_guid(param(&params, "agentid")))
                    .flatten()
            }),
            ..match result {
                None => Outcome::of(CommonAnswer::ok()),
                Some(Found::Json(result)) => Outcome::of(query_answer(result)),
                Some(Found::Agents(lists)) => Outcome::listing(lists),
            }
        },
        Err(f) => Outcome::failure(f),
    };
    deliver(outcome, fault, conn.as_ref(), &shared, operation_id).await
}

/// A successful query's answer: `result` as given, left out when it is `null`.
fn query_answer(result: Value) -> Value {
    let mut answer = json!({"message": LISTING_MESSAGE, "retcode": retcode::OK});
    if !result.is_null() {
        answer["result"] = result;
    }
    answer
}
