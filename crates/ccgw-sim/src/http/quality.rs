//! The quality-control handlers: one generic handler for the operations whose parameters
//! sit in the path or query, and the skill adjustment, whose parameters are in its body.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Extension, Path, Query, State};
use axum::http::{HeaderMap, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodFilter, MethodRouter, on};
use serde_json::Value;

use super::authorize::{Params, authenticated_operation, param};
use super::respond::ConnAbort;
use crate::answers::retcode;
use crate::state::Shared;
use crate::world::{AgentState, Failure, QcMode, World};

/// What a quality-control operation does to the world.
#[derive(Debug, Clone, Copy)]
pub(super) enum Action {
    /// Listen, insert or whisper.
    Start(QcMode),
    /// Take the call over.
    Intercept,
    /// Take over the call named by `callId`.
    InterceptCall,
    /// Stop listening or inserting.
    Stop,
    /// Stop whispering.
    StopWhisper,
    /// Toggle listening and inserting.
    Toggle,
    /// Move to the mode named by `switchtype`.
    SwitchMode,
    /// Force the target into a state.
    Force(AgentState),
    /// Force the target to rest for `time` with `reason`.
    ForceRest,
    /// End the call named by `callid`.
    ReleaseCall,
}

/// The agent an operation is about: `workNo` in the path, or `whisperagentid`.
fn work_no(params: &Params) -> &str {
    params
        .get("workNo")
        .or_else(|| params.get("whisperagentid"))
        .map(String::as_str)
        .unwrap_or_default()
}

fn perform(action: Action, w: &mut World, me: &str, p: &Params) -> Result<(), Failure> {
    let target = work_no(p);
    match action {
        Action::Start(mode) => w.start_qc(me, target, mode),
        Action::Intercept => w.intercept(me, target, None),
        Action::InterceptCall => w.intercept(me, target, Some(param(p, "callId"))),
        Action::Stop => w.stop_qc(me, target, false),
        Action::StopWhisper => w.stop_qc(me, target, true),
        Action::Toggle => w.toggle(me, target),
        Action::SwitchMode => w.switch_mode(me, target, param(p, "switchtype")),
        Action::Force(state) => w.force_state(me, target, state),
        Action::ForceRest => w.force_rest(me, target, param(p, "time"), param(p, "reason")),
        Action::ReleaseCall => w.release_call(me, param(p, "callid")),
    }
}

/// The route of an operation whose parameters are in the path, or, when `reads_query`,
/// also in the query string.
pub(super) fn qc_route(
    method: MethodFilter,
    operation_id: &'static str,
    action: Action,
    reads_query: bool,
) -> MethodRouter<Arc<Shared>> {
    on(
        method,
        move |State(shared): State<Arc<Shared>>,
              conn: Option<Extension<ConnAbort>>,
              Path(mut params): Path<Params>,
              uri: Uri,
              headers: HeaderMap| async move {
            if reads_query {
                match Query::<Params>::try_from_uri(&uri) {
                    // The path's own parameters win: a query string cannot name another
                    // inspector or target than the path does.
                    Ok(Query(query)) => {
                        for (name, value) in query {
                            params.entry(name).or_insert(value);
                        }
                    }
                    Err(rejection) => return rejection.into_response(),
                }
            }
            let conn = conn.map(|c| c.0);
            authenticated_operation(shared, operation_id, conn, params, headers, |w, me, p| {
                perform(action, w, me, p).map(|()| None)
            })
            .await
        },
    )
}

/// `adjustSkills`: the target and its skills come in a JSON body.
pub(super) async fn adjust_skills(
    State(shared): State<Arc<Shared>>,
    conn: Option<Extension<ConnAbort>>,
    Path(params): Path<Params>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let parsed: Option<(String, Vec<i32>)> =
        serde_json::from_slice::<Value>(&body).ok().and_then(|v| {
            let target = v.get("workNo")?.as_str()?.to_owned();
            let skills = v
                .get("skills")?
                .as_array()?
                .iter()
                .map(|s| s.as_i64().and_then(|n| i32::try_from(n).ok()))
                .collect::<Option<Vec<i32>>>()?;
            Some((target, skills))
        });
    let conn = conn.map(|c| c.0);
    authenticated_operation(
        shared,
        "adjustSkills",
        conn,
        params,
        headers,
        move |w, me, _| match parsed {
            Some((target, skills)) => w.adjust_skills(me, &target, skills).map(|()| None),
            None => Err(Failure {
                retcode: retcode::INVALID_SIGN_IN_PARAMETER,
                message: "the body must be {\"workNo\": string, \"skills\": [int]}".into(),
            }),
        },
    )
    .await
}
