//! The event names gateways are known to send.

/// Every event name the gateway's published pages and Huawei's own clients show, whether
/// or not this crate gives it a type of its own: a closed set that tools may repeat (the
/// probe's report names an event outside it only as "other").
pub const GATEWAY_EVENT_NAMES: &[&str] = &[
    "AgentEvent_Auto_Answer",
    "AgentEvent_Incoming_CallInfo",
    "AgentEvent_Ringing",
    "AgentEvent_Talking",
    "AgentMediaEvent_JumpPlayDone",
    "AgentMediaEvent_PausePlayDone",
    "AgentMediaEvent_Play",
    "AgentMediaEvent_Play_Fail",
    "AgentMediaEvent_Play_Succ",
    "AgentMediaEvent_Record",
    "AgentMediaEvent_Record_Fail",
    "AgentMediaEvent_ResumePlayDone",
    "AgentMediaEvent_StopPlayDone",
    "AgentMediaEvent_StopRecordDone",
    "AgentOther_BeQcStart",
    "AgentOther_BeQcStop",
    "AgentOther_PhoneAlerting",
    "AgentOther_PhoneOffhook",
    "AgentOther_PhoneRelease",
    "AgentState_Busy",
    "AgentState_CancelNotReady_Success",
    "AgentState_CancelRest_Success",
    "AgentState_CancelWork_Success",
    "AgentState_Ready",
    "AgentState_Rest_Timeout",
    "AgentState_SetNotReady_Success",
    "AgentState_SetRest_Success",
    "AgentState_SetWork_Success",
    "AgentState_Work",
    "QC_AgentState_Notify",
];
