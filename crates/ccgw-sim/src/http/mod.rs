//! The simulator's HTTP face: the route of every operation in the document. Handlers
//! count the request, apply any injected fault, authenticate, and ask the world what
//! happens.

mod authorize;
mod quality;
mod queries;
mod recordings;
mod respond;
mod session;

use std::sync::Arc;

use axum::Router;
use axum::routing::{MethodFilter, delete, get, post, put};

use crate::state::Shared;
use crate::world::AgentState;
use crate::world::QcMode::{Inserting, Listening, Whispering};
use quality::Action::{self, *};
use quality::{adjust_skills, qc_route};
use queries::{Query, query_route};
use recordings::Control;

pub(crate) use respond::{ConnAbort, END_CLOSE, END_HALF_CLOSE, END_NONE, END_RESET};

const AGENT: &str = "/agentgateway/resource/onlineagent/{agentid}";
const QC: &str = "/agentgateway/resource/qualitycontrol/{agentid}";
const PUT: MethodFilter = MethodFilter::PUT;
const POST: MethodFilter = MethodFilter::POST;
const DELETE: MethodFilter = MethodFilter::DELETE;
const GET: MethodFilter = MethodFilter::GET;

/// The quality-control operations whose parameters are in the path or query: method,
/// path below [`QC`], operationId and what it does.
#[rustfmt::skip] // a table reads best one route a line
const QC_ROUTES: &[(MethodFilter, &str, &str, Action)] = &[
    (PUT, "/addinsert/{workNo}", "insert", Start(Inserting)),
    (PUT, "/addsupervise/{workNo}", "listen", Start(Listening)),
    (PUT, "/intercept/{workNo}", "intercept", Intercept),
    (PUT, "/intercept/{workNo}/{callId}", "interceptCall", InterceptCall),
    (DELETE, "/{workNo}", "stopListenOrInsert", Stop),
    (POST, "/forcebusy/{workNo}", "forceBusy", Force(AgentState::Busy)),
    (POST, "/forceidle/{workNo}", "forceIdle", Force(AgentState::Idle)),
    (POST, "/forcelogout/{workNo}", "forceSignOut", Force(AgentState::SignedOut)),
    (POST, "/forcedropcall/{callid}", "forceReleaseCall", ReleaseCall),
    (POST, "/switch/{workNo}", "switchListenInsert", Toggle),
    (POST, "/forcerest/{workNo}/{time}/{reason}", "forceRest", ForceRest),
    (POST, "/requestwhisperagent", "requestWhisper", Start(Whispering)),
    (POST, "/requeststopwhisperagent", "stopWhisper", StopWhisper),
    (POST, "/requestswitchinsertwhisperagent", "switchMode", SwitchMode),
];

const R: &str = "/agentgateway/resource";
const PLAY: &str = "/agentgateway/resource/recordplay/{agentid}";

/// The playback controls: method, path below [`PLAY`], operationId and what it does.
#[rustfmt::skip] // a table reads best one route a line
const PLAY_ROUTES: &[(MethodFilter, &str, &str, Control)] = &[
    (POST, "/pauseplay", "pausePlayback", Control::Pause),
    (POST, "/resumeplay", "resumePlayback", Control::Resume),
    (POST, "/forefast/{time}", "forwardPlayback", Control::Forward),
    (POST, "/backfast/{time}", "rewindPlayback", Control::Rewind),
    (DELETE, "/stopplay", "stopPlayback", Control::Stop),
];

/// The read-only queries: method, path below [`R`], operationId and which query it is.
#[rustfmt::skip] // a table reads best one route a line
const QUERY_ROUTES: &[(MethodFilter, &str, &str, Query)] = &[
    (GET, "/onlineagent/{agentid}/agentstatus", "getAgentStatus", Query::OwnStatus),
    (GET, "/agentgroup/{agentid}/agentbyworkno/{workno}", "queryAgentInfoByWorkNo", Query::AgentInfo),
    (GET, "/agentgroup/{agentid}/agentbyskill/{skillid}", "queryAgentInfoBySkillId", Query::AgentsOfSkill),
    (GET, "/agentgroup/{agentid}/allonlineagents", "queryAllOnlineAgents", Query::OnlineAgents),
    (GET, "/agentgroup/{agentid}/agentbylist", "queryAgentInfoByList", Query::AgentsByList),
    (GET, "/calldata/{agentid}/allcallinfoEx/{workno}", "queryAllCallInfoByAgentWorkNoEx", Query::CallIds),
    (GET, "/calldata/{agentid}/callinfobycallid/{callid}", "queryCallInfoByCallId", Query::CallInfo),
    (GET, "/calldata/{agentid}/callinfo", "queryCallInfo", Query::OwnCall),
    (GET, "/calldata/{agentid}/holdlistex/{workno}", "queryHoldListInfoEx", Query::HeldCalls),
    (GET, "/calldata/{agentid}/waitcallinfo/{skillid}", "queryWaitCallInfoBySkillId", Query::WaitingCalls),
    (GET, "/queuedevice/{agentid}/skillwaitnum/{skillid}", "queryQueueLengthBySkillId", Query::QueueLength),
    (POST, "/queuedevice/{agentid}/queryacdstat", "queryStatInfoOfAcd", Query::QueueStats),
    (GET, "/queuedevice/{agentid}/agentvdnskill", "querySkillQueueOnAgentVDN", Query::VdnSkills),
    (GET, "/onlineagent/{agentid}/agentskillsbyworkno/{workno}", "queryAgentSkillsByWorkNo", Query::AgentSkills),
    (GET, "/recordplay/{agentid}/queryrecordfilebycallid", "queryRecordingsByCallId", Query::CallRecordings),
];

/// Whether a query below [`R`] counts against the overload budget: the queue-device and
/// agent-group queries, as gateways count them.
fn is_budgeted(path: &str) -> bool {
    path.starts_with("/queuedevice/") || path.starts_with("/agentgroup/")
}

/// The operationIds of the queries the simulator counts against the overload budget.
pub fn budgeted_operations() -> Vec<&'static str> {
    QUERY_ROUTES
        .iter()
        .filter(|(_, path, _, _)| is_budgeted(path))
        .map(|&(_, _, id, _)| id)
        .collect()
}

/// Every route of the document.
pub(crate) fn router(shared: Arc<Shared>) -> Router {
    let mut router = Router::new()
        .route(AGENT, session::sign_in_route(false))
        .route(&format!("{AGENT}/forcelogin"), session::sign_in_route(true))
        .route(&format!("{AGENT}/logout"), delete(session::sign_out))
        .route(
            "/agentgateway/resource/agentevent/{agentid}",
            get(session::poll_event).fallback(session::poll_with_a_wrong_method),
        )
        .route(&format!("{QC}/adjustskill"), post(adjust_skills))
        .route(&format!("{PLAY}/play"), put(recordings::play))
        .route(
            &format!("{R}/recordfile/{{agentid}}"),
            get(recordings::download),
        );
    for &(method, path, operation_id, control) in PLAY_ROUTES {
        router = router.route(
            &format!("{PLAY}{path}"),
            recordings::control_route(method, operation_id, control),
        );
    }
    for &(method, path, operation_id, action) in QC_ROUTES {
        // Parameters that are not in the path come in the query string.
        let reads_query = !path.contains('{');
        router = router.route(
            &format!("{QC}{path}"),
            qc_route(method, operation_id, action, reads_query),
        );
    }
    for &(method, path, operation_id, query) in QUERY_ROUTES {
        let budgeted = is_budgeted(path);
        router = router.route(
            &format!("{R}{path}"),
            query_route(method, operation_id, query, budgeted),
        );
    }
    router.with_state(shared)
}
