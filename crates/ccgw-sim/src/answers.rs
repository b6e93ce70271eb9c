//! The answers the simulator sends, as typed values. Their JSON schemas are checked
//! against `openapi/cc-gateway.yaml` by the contract tests.

use schemars::JsonSchema;
use serde::Serialize;
use serde_json::{Map, Value};

/// Retcodes the simulator answers with; see the crate docs for when.
pub mod retcode {
    /// Success.
    pub const OK: &str = "0";
    /// An event poll with the wrong method.
    pub const WRONG_POLL_METHOD: &str = "000-001";
    /// A bad parameter in the URL or the body.
    pub const BAD_PARAMETER: &str = "000-002";
    /// No permission, or the Guid is unknown, expired or replaced.
    pub const NO_PERMISSION: &str = "000-003";
    /// The inspector tried to inspect itself.
    pub const SELF_INSPECTION: &str = "000-005";
    /// A sign-in or skill parameter is empty or invalid.
    pub const INVALID_SIGN_IN_PARAMETER: &str = "100-001";
    /// The agent is already signed in.
    pub const ALREADY_SIGNED_IN: &str = "100-002";
    /// Wrong agent ID or password.
    pub const WRONG_PASSWORD: &str = "100-004";
    /// The agent is not signed in.
    pub const NOT_SIGNED_IN: &str = "100-006";
    /// The target's call does not allow the operation.
    pub const CALL_STATE: &str = "900-001";
    /// The inspector is in the wrong quality-control state.
    pub const QC_STATE: &str = "900-002";
    /// The target is in another VDN.
    pub const OTHER_VDN: &str = "900-003";
    /// The target is already inspected by someone else.
    pub const ALREADY_INSPECTED: &str = "900-005";
    /// No call to drop: the call ended already (real gateways; the reference is silent).
    pub const NO_CALL_TO_DROP: &str = "200-025";
    /// A queue-device or agent-group query over the agent's overload budget. The
    /// reference does not say which retcode gateways send; the simulator uses the one
    /// documented for an interface "called repeatedly".
    pub const OVERLOADED: &str = "000-007";
    /// An exception during the agent's operation: a playback control with no playback
    /// to control, or a playback while the inspector is in a call.
    pub const AGENT_OPERATION: &str = "100-007";
    /// A sign-out refused for the agent's state: the reference lists it without saying
    /// which state; the simulator (behind `SimConfig::refuse_sign_out_in_call`) answers it
    /// to an inspector still in a call or an inspection.
    pub const SIGN_OUT_STATE: &str = "100-010";
    /// The recording file does not exist.
    pub const NO_SUCH_RECORDING: &str = "104-005";
    /// The recording belongs to another VDN than the one signed in to.
    pub const OTHER_VDN_RECORDING: &str = "100-018";
}

/// The answer of every quality-control operation, sign-out included.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct CommonAnswer {
    /// Description of the outcome.
    pub message: String,
    /// `"0"` or a failure code.
    pub retcode: String,
    /// Reserved: always `{}` from the simulator.
    pub result: Option<Map<String, Value>>,
}

/// The answer to a sign-in.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct SignInAnswer {
    /// Description of the outcome.
    pub message: String,
    /// `"0"` or a failure code.
    pub retcode: String,
    /// The new session, on success.
    pub result: Option<SignInResult>,
}

/// What a successful sign-in reports.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct SignInResult {
    /// The agent that signed in.
    pub workno: String,
    /// The media the session handles.
    pub mediatype: String,
}

/// The answer to an event poll.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct EventAnswer {
    /// Description of the outcome.
    pub message: String,
    /// `"0"` or a failure code.
    pub retcode: String,
    /// The next event, or `null` when the wait ran out.
    pub event: Option<AgentEvent>,
}

/// One agent event.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct AgentEvent {
    /// The event's name, such as `AgentOther_BeQcStart`.
    #[serde(rename = "eventType")]
    pub event_type: String,
    /// The agent the event is about.
    #[serde(rename = "workNo")]
    pub work_no: String,
    /// Details that depend on the event type.
    pub content: Option<Map<String, Value>>,
}

impl CommonAnswer {
    /// An answer with this retcode and a message describing it.
    pub fn new(retcode: &str, message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            retcode: retcode.to_owned(),
            result: Some(Map::new()),
        }
    }

    /// The success answer.
    pub fn ok() -> Self {
        Self::new(retcode::OK, "success")
    }
}
