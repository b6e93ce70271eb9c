//! The query handlers: one generic GET handler for every read-only interface. Two of
//! them read a JSON body, as the gateway defines them.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Extension, Path, Query as UriQuery, State};
use axum::http::{HeaderMap, Uri};
use axum::routing::{MethodFilter, MethodRouter, on};
use serde_json::Value;

use super::authorize::{Params, authenticated_operation, param};
use super::respond::ConnAbort;
use crate::state::Shared;
use crate::world::{Failure, Found, World};

/// Which query a route answers.
#[derive(Debug, Clone, Copy)]
pub(super) enum Query {
    OwnStatus,
    AgentInfo,
    AgentsOfSkill,
    OnlineAgents,
    AgentsByList,
    CallIds,
    CallInfo,
    OwnCall,
    HeldCalls,
    QueueLength,
    VdnSkills,
    AgentSkills,
    QueueStats,
    WaitingCalls,
    CallRecordings,
}

fn answer(query: Query, w: &World, me: &str, p: &Params, body: &Value) -> Result<Found, Failure> {
    let work_no = param(p, "workno");
    match query {
        Query::AgentsOfSkill => w.agents_of_skill(me, param(p, "skillid"), body),
        Query::OnlineAgents => Ok(w.online_agents(me)),
        Query::AgentsByList => w.agents_by_list(me, body),
        Query::OwnStatus => Ok(w.own_status(me).into()),
        Query::AgentInfo => w.agent_info(me, work_no).map(Found::from),
        Query::CallIds => w.call_ids(me, work_no).map(Found::from),
        Query::CallInfo => w.call_info(me, param(p, "callid")).map(Found::from),
        Query::OwnCall => Ok(w
            .own_call(me, param(p, "isNoContainLastCall") == "true")
            .into()),
        Query::HeldCalls => w.held_calls(me, work_no).map(Found::from),
        Query::QueueLength => w.queue_length(me, param(p, "skillid")).map(Found::from),
        Query::VdnSkills => Ok(w.vdn_skills(me).into()),
        Query::AgentSkills => w.agent_skills(me, work_no).map(Found::from),
        Query::QueueStats => w.queue_stats(me, body).map(Found::from),
        Query::WaitingCalls => w.waiting_calls(me, param(p, "skillid")).map(Found::from),
        Query::CallRecordings => w
            .recordings_of_call(me, work_no, param(p, "callid"))
            .map(Found::from),
    }
}

/// The route of a query. Query-string parameters never replace path parameters; a
/// body that is not JSON counts as no body.
pub(super) fn query_route(
    method: MethodFilter,
    operation_id: &'static str,
    query: Query,
    budgeted: bool,
) -> MethodRouter<Arc<Shared>> {
    on(
        method,
        move |State(shared): State<Arc<Shared>>,
              conn: Option<Extension<ConnAbort>>,
              Path(mut params): Path<Params>,
              uri: Uri,
              headers: HeaderMap,
              body: Bytes| async move {
            if let Ok(UriQuery(extra)) = UriQuery::<Params>::try_from_uri(&uri) {
                for (name, value) in extra {
                    params.entry(name).or_insert(value);
                }
            }
            let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
            let conn = conn.map(|c| c.0);
            authenticated_operation(shared, operation_id, conn, params, headers, |w, me, p| {
                if budgeted {
                    w.spend_query_budget(me, std::time::Instant::now())?;
                }
                answer(query, w, me, p, &body).map(Some)
            })
            .await
        },
    )
}
