//! The HTTP face of the simulator: one handler per operation of the document, each
//! counting the request, applying any fault, and asking the [`World`] what happens.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Instant;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use serde::Serialize;
use serde_json::Value;

use crate::faults::{Fault, Faults};
use crate::ids::is_agent_id;
use crate::wire::{CommonAnswer, EventAnswer, SignInAnswer, SignInResult, retcode};
use crate::world::{AgentState, Failure, PollStart, QcMode, World};
use crate::{AFFINITY_COOKIE, OPERATION_IDS};

type Params = Path<HashMap<String, String>>;
type QueryParams = Query<HashMap<String, String>>;

/// What every handler shares.
pub(crate) struct Shared {
    pub(crate) world: std::sync::Mutex<World>,
    pub(crate) faults: Faults,
    received: HashMap<&'static str, AtomicU64>,
    pub(crate) cookie_misses: AtomicU64,
}

impl Shared {
    pub(crate) fn new(world: World) -> Self {
        Shared {
            world: std::sync::Mutex::new(world),
            faults: Faults::default(),
            received: OPERATION_IDS
                .iter()
                .map(|op| (*op, AtomicU64::new(0)))
                .collect(),
            cookie_misses: AtomicU64::new(0),
        }
    }

    /// The world, even if a panic poisoned the lock: its data stays consistent because
    /// every change completes under the lock or not at all.
    pub(crate) fn world(&self) -> std::sync::MutexGuard<'_, World> {
        self.world.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn received(&self, operation_id: &str) -> u64 {
        self.received
            .get(operation_id)
            .map_or(0, |c| c.load(Ordering::Relaxed))
    }

    pub(crate) fn received_total(&self) -> u64 {
        self.received
            .values()
            .map(|c| c.load(Ordering::Relaxed))
            .sum()
    }

    /// Counts the request and returns the fault to apply, or the load balancer's answer
    /// when the fault keeps the request from the gateway.
    fn begin(&self, operation_id: &'static str) -> Result<Option<Fault>, Box<Response>> {
        if let Some(counter) = self.received.get(operation_id) {
            counter.fetch_add(1, Ordering::Relaxed);
        }
        match self.faults.take(operation_id) {
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
}

/// Set on a connection's flag to drop it without answering.
#[derive(Clone)]
pub(crate) struct ConnAbort(pub(crate) Arc<AtomicBool>);

/// An answer ready to send, with the headers a session may need.
struct Outcome {
    body: Value,
    set_guid: Option<String>,
    set_cookie: Option<String>,
}

impl Outcome {
    fn of(body: impl Serialize) -> Self {
        Outcome {
            body: serde_json::to_value(body).expect("answer types serialize"),
            set_guid: None,
            set_cookie: None,
        }
    }

    fn failure(f: Failure) -> Self {
        Self::of(CommonAnswer::new(f.retcode, f.message))
    }
}

async fn deliver(outcome: Outcome, fault: Option<Fault>, conn: Option<&ConnAbort>) -> Response {
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

fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// Authenticates the request for the path's `agentid`, then runs `act` on the world.
fn authorized<T>(
    shared: &Shared,
    params: &HashMap<String, String>,
    headers: &HeaderMap,
    act: impl FnOnce(&mut World, &str) -> Result<T, Failure>,
) -> Result<(T, Option<String>), Failure> {
    let agent = params
        .get("agentid")
        .map(String::as_str)
        .unwrap_or_default();
    if !is_agent_id(agent) {
        return Err(Failure {
            retcode: retcode::BAD_PARAMETER,
            message: "the agent ID is not valid".into(),
        });
    }
    let mut world = shared.world();
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

/// The common shape of a quality-control handler.
async fn qc(
    shared: Arc<Shared>,
    operation_id: &'static str,
    conn: Option<ConnAbort>,
    params: HashMap<String, String>,
    headers: HeaderMap,
    act: impl FnOnce(&mut World, &str, &HashMap<String, String>) -> Result<(), Failure>,
) -> Response {
    let fault = match shared.begin(operation_id) {
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
        Ok(((), announce)) => Outcome {
            set_guid: announce,
            ..Outcome::of(CommonAnswer::ok())
        },
        Err(f) => Outcome::failure(f),
    };
    deliver(outcome, fault, conn.as_ref()).await
}

fn param<'a>(params: &'a HashMap<String, String>, name: &str) -> &'a str {
    params.get(name).map(String::as_str).unwrap_or_default()
}

fn work_no(params: &HashMap<String, String>) -> &str {
    params
        .get("workNo")
        .or_else(|| params.get("whisperagentid"))
        .map(String::as_str)
        .unwrap_or_default()
}

/// Merges the query into the path parameters, for the whisper family.
fn with_query(Path(mut params): Params, Query(query): QueryParams) -> HashMap<String, String> {
    params.extend(query);
    params
}

macro_rules! qc_handler {
    ($name:ident, $op:literal, |$world:ident, $me:ident, $params:ident| $body:expr) => {
        async fn $name(
            State(shared): State<Arc<Shared>>,
            conn: Option<axum::Extension<ConnAbort>>,
            Path(params): Params,
            headers: HeaderMap,
        ) -> Response {
            qc(
                shared,
                $op,
                conn.map(|c| c.0),
                params,
                headers,
                |$world, $me, $params| $body,
            )
            .await
        }
    };
}

macro_rules! whisper_handler {
    ($name:ident, $op:literal, |$world:ident, $me:ident, $params:ident| $body:expr) => {
        async fn $name(
            State(shared): State<Arc<Shared>>,
            conn: Option<axum::Extension<ConnAbort>>,
            path: Params,
            query: QueryParams,
            headers: HeaderMap,
        ) -> Response {
            let params = with_query(path, query);
            qc(
                shared,
                $op,
                conn.map(|c| c.0),
                params,
                headers,
                |$world, $me, $params| $body,
            )
            .await
        }
    };
}

qc_handler!(insert, "insert", |w, me, p| w.start_qc(
    me,
    work_no(p),
    QcMode::Inserting
));
qc_handler!(listen, "listen", |w, me, p| w.start_qc(
    me,
    work_no(p),
    QcMode::Listening
));
qc_handler!(intercept, "intercept", |w, me, p| w.intercept(
    me,
    work_no(p),
    None
));
qc_handler!(intercept_call, "interceptCall", |w, me, p| w.intercept(
    me,
    work_no(p),
    Some(param(p, "callId"))
));
qc_handler!(stop, "stopListenOrInsert", |w, me, p| w.stop_qc(
    me,
    work_no(p),
    false
));
qc_handler!(force_busy, "forceBusy", |w, me, p| w.force_state(
    me,
    work_no(p),
    AgentState::Busy
));
qc_handler!(force_idle, "forceIdle", |w, me, p| w.force_state(
    me,
    work_no(p),
    AgentState::Idle
));
qc_handler!(force_sign_out, "forceSignOut", |w, me, p| w.force_state(
    me,
    work_no(p),
    AgentState::SignedOut
));
qc_handler!(force_release_call, "forceReleaseCall", |w, me, p| w
    .release_call(me, param(p, "callid")));
qc_handler!(switch, "switchListenInsert", |w, me, p| w
    .toggle(me, work_no(p)));
qc_handler!(force_rest, "forceRest", |w, me, p| w.force_rest(
    me,
    work_no(p),
    param(p, "time"),
    param(p, "reason")
));
whisper_handler!(whisper, "requestWhisper", |w, me, p| w.start_qc(
    me,
    work_no(p),
    QcMode::Whispering
));
whisper_handler!(stop_whisper, "stopWhisper", |w, me, p| w.stop_qc(
    me,
    work_no(p),
    true
));
whisper_handler!(switch_mode, "switchMode", |w, me, p| w.switch_mode(
    me,
    work_no(p),
    param(p, "switchtype")
));

async fn adjust_skills(
    State(shared): State<Arc<Shared>>,
    conn: Option<axum::Extension<ConnAbort>>,
    Path(params): Params,
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
    qc(
        shared,
        "adjustSkills",
        conn.map(|c| c.0),
        params,
        headers,
        move |w, me, _| match parsed {
            Some((target, skills)) => w.adjust_skills(me, &target, skills),
            None => Err(Failure {
                retcode: retcode::INVALID_SIGN_IN_PARAMETER,
                message: "the body must be {\"workNo\": string, \"skills\": [int]}".into(),
            }),
        },
    )
    .await
}

async fn sign_in_common(
    shared: Arc<Shared>,
    conn: Option<ConnAbort>,
    agent: String,
    body: Bytes,
    force: bool,
) -> Response {
    let operation_id = if force { "forceSignIn" } else { "signIn" };
    let fault = match shared.begin(operation_id) {
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
    deliver(outcome, fault, conn.as_ref()).await
}

async fn sign_in(
    State(shared): State<Arc<Shared>>,
    conn: Option<axum::Extension<ConnAbort>>,
    Path(agent): Path<String>,
    body: Bytes,
) -> Response {
    sign_in_common(shared, conn.map(|c| c.0), agent, body, false).await
}

async fn force_sign_in(
    State(shared): State<Arc<Shared>>,
    conn: Option<axum::Extension<ConnAbort>>,
    Path(agent): Path<String>,
    body: Bytes,
) -> Response {
    sign_in_common(shared, conn.map(|c| c.0), agent, body, true).await
}

async fn sign_out(
    State(shared): State<Arc<Shared>>,
    conn: Option<axum::Extension<ConnAbort>>,
    Path(params): Params,
    headers: HeaderMap,
) -> Response {
    qc(
        shared,
        "signOut",
        conn.map(|c| c.0),
        params,
        headers,
        |w, me, _| {
            w.sign_out(me);
            Ok(())
        },
    )
    .await
}

async fn poll_event(
    State(shared): State<Arc<Shared>>,
    conn: Option<axum::Extension<ConnAbort>>,
    Path(params): Params,
    headers: HeaderMap,
) -> Response {
    let conn = conn.map(|c| c.0);
    let fault = match shared.begin("pollEvent") {
        Ok(fault) => fault,
        Err(response) => return *response,
    };
    let start = authorized(&shared, &params, &headers, |w, me| {
        Ok(w.start_poll(me, Instant::now()))
    });
    let ready = match start {
        Err(f) => return deliver(Outcome::failure(f), fault, conn.as_ref()).await,
        Ok((PollStart::Ready(event), _)) => Some(event),
        Ok((PollStart::Wait(notify), _)) => {
            let wait = shared.world().config().poll_wait;
            let _ = tokio::time::timeout(wait, notify.notified()).await;
            None
        }
    };
    let agent = param(&params, "agentid");
    let finished = shared.world().finish_poll(agent, ready, Instant::now());
    let outcome = match finished {
        Some((event, guid)) => Outcome {
            set_guid: guid,
            ..Outcome::of(EventAnswer {
                message: String::new(),
                retcode: retcode::OK.into(),
                event,
            })
        },
        None => Outcome::of(CommonAnswer::new(
            retcode::NOT_SIGNED_IN,
            "the session ended",
        )),
    };
    deliver(outcome, fault, conn.as_ref()).await
}

/// Every route of the document.
pub(crate) fn router(shared: Arc<Shared>) -> Router {
    const AGENT: &str = "/agentgateway/resource/onlineagent/{agentid}";
    const QC: &str = "/agentgateway/resource/qualitycontrol/{agentid}";
    Router::new()
        .route(AGENT, put(sign_in))
        .route(&format!("{AGENT}/forcelogin"), put(force_sign_in))
        .route(&format!("{AGENT}/logout"), delete(sign_out))
        .route(
            "/agentgateway/resource/agentevent/{agentid}",
            get(poll_event),
        )
        .route(&format!("{QC}/addinsert/{{workNo}}"), put(insert))
        .route(&format!("{QC}/addsupervise/{{workNo}}"), put(listen))
        .route(&format!("{QC}/intercept/{{workNo}}"), put(intercept))
        .route(
            &format!("{QC}/intercept/{{workNo}}/{{callId}}"),
            put(intercept_call),
        )
        .route(&format!("{QC}/{{workNo}}"), delete(stop))
        .route(&format!("{QC}/forcebusy/{{workNo}}"), post(force_busy))
        .route(&format!("{QC}/forceidle/{{workNo}}"), post(force_idle))
        .route(
            &format!("{QC}/forcelogout/{{workNo}}"),
            post(force_sign_out),
        )
        .route(
            &format!("{QC}/forcedropcall/{{callid}}"),
            post(force_release_call),
        )
        .route(&format!("{QC}/adjustskill"), post(adjust_skills))
        .route(&format!("{QC}/switch/{{workNo}}"), post(switch))
        .route(
            &format!("{QC}/forcerest/{{workNo}}/{{time}}/{{reason}}"),
            post(force_rest),
        )
        .route(&format!("{QC}/requestwhisperagent"), post(whisper))
        .route(&format!("{QC}/requeststopwhisperagent"), post(stop_whisper))
        .route(
            &format!("{QC}/requestswitchinsertwhisperagent"),
            post(switch_mode),
        )
        .with_state(shared)
}
