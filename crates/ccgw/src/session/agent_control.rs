//! Acting on an agent or a call directly: forced states, forced sign-out, ending a call,
//! and the agent's skill queues.

use ccgw_api::operations as ops;
use ccgw_api::types::AdjustSkillRequest;

use super::handle::{Session, on_agent};
use crate::error::Error;
use crate::ids::{AgentId, CallId, Skills};
use crate::mode::TrackedMode;

impl Session {
    /// Forces `target` busy: no new call is routed to it.
    ///
    #[doc = ccgw_api::errors_doc!(FORCE_BUSY)]
    pub async fn force_busy(&self, target: &AgentId) -> Result<(), Error> {
        on_agent!(self, FORCE_BUSY, force_busy, work_no, target)
    }

    /// Forces `target` idle, ready for calls.
    ///
    #[doc = ccgw_api::errors_doc!(FORCE_IDLE)]
    pub async fn force_idle(&self, target: &AgentId) -> Result<(), Error> {
        on_agent!(self, FORCE_IDLE, force_idle, work_no, target)
    }

    /// Forces `target` to rest for `seconds` (1 to 86399) with rest reason code `reason`
    /// (1 to 255). Out-of-range values are rejected before anything is sent.
    ///
    #[doc = ccgw_api::errors_doc!(FORCE_REST)]
    pub async fn force_rest(
        &self,
        target: &AgentId,
        seconds: u32,
        reason: u8,
    ) -> Result<(), Error> {
        if !(1..=86_399).contains(&seconds) {
            return Err(Error::invalid_input(format!(
                "rest time {seconds} s is outside 1..=86399"
            )));
        }
        if reason == 0 {
            return Err(Error::invalid_input("rest reason 0 is outside 1..=255"));
        }
        on_agent!(
            self,
            FORCE_REST,
            force_rest,
            work_no,
            target,
            time(seconds),
            reason(u32::from(reason)),
        )
    }

    /// Forces `target` to sign out (`forceLogOutAgent`).
    ///
    #[doc = ccgw_api::errors_doc!(FORCE_SIGN_OUT)]
    pub async fn force_sign_out(&self, target: &AgentId) -> Result<(), Error> {
        on_agent!(self, FORCE_SIGN_OUT, force_sign_out, work_no, target)?;
        self.track(target, TrackedMode::Idle)
    }

    /// Ends the call `call` for every party on it (`forceDropCall`).
    ///
    #[doc = ccgw_api::errors_doc!(FORCE_RELEASE_CALL)]
    pub async fn force_release_call(&self, call: &CallId) -> Result<(), Error> {
        let me = self.agent_id();
        self.act(&ops::FORCE_RELEASE_CALL, None, |api, guid| {
            api.force_release_call()
                .agentid(me.wire())
                .callid(call.as_str())
                .guid(guid)
                .send()
        })
        .await
    }

    /// Replaces the skill queues `target` serves with `skills` (`adjustSkill`).
    ///
    #[doc = ccgw_api::errors_doc!(ADJUST_SKILLS)]
    pub async fn adjust_skills(&self, target: &AgentId, skills: &Skills) -> Result<(), Error> {
        let me = self.agent_id();
        let body = AdjustSkillRequest {
            skills: skills.ids().to_vec(),
            work_no: target.wire(),
        };
        self.act(&ops::ADJUST_SKILLS, Some(target), |api, guid| {
            api.adjust_skills()
                .agentid(me.wire())
                .body(body.clone())
                .guid(guid)
                .send()
        })
        .await
    }
}
