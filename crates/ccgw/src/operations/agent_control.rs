//! Acting on an agent or a call directly: forced states, forced sign-out, ending a call,
//! and the agent's skill queues.

use ccgw_api::types::AdjustSkillRequest;

use crate::error::Error;
use crate::ids::{AgentId, CallId, Skills};
use crate::mode::TrackedMode;
use crate::session::Session;
use crate::session::send::{About, send_request};

impl Session {
    /// Forces `target` busy: no new call is routed to it.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sim = ccgw_sim::Simulator::start(ccgw_sim::SimConfig::default()).await?;
    /// # let client = ccgw::Client::builder(sim.base_url()).build()?;
    /// # let password = ccgw_sim::DEFAULT_PASSWORD;
    /// let session = client.sign_in(ccgw::SignIn::new("101".parse()?, password)).await?;
    /// let agent = client.agent_id("1002")?;
    /// session.force_busy(&agent).await?;
    /// assert_eq!(session.agent(&agent).await?.state, ccgw::AgentState::Busy);
    /// session.force_idle(&agent).await?;
    /// session.force_rest(&agent, 600, 3).await?;
    /// assert!(session.force_rest(&agent, 0, 3).await.is_err(), "rejected before sending");
    /// session.sign_out().await?;
    /// # Ok(()) }
    /// ```
    ///
    #[doc = ccgw_api::errors_doc!(FORCE_BUSY)]
    pub async fn force_busy(&self, target: &AgentId) -> Result<(), Error> {
        send_request!(self, force_busy, about: Some(target), work_no(target.wire()))
    }

    /// Forces `target` idle, ready for calls.
    ///
    #[doc = ccgw_api::errors_doc!(FORCE_IDLE)]
    pub async fn force_idle(&self, target: &AgentId) -> Result<(), Error> {
        send_request!(self, force_idle, about: Some(target), work_no(target.wire()))
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
        send_request!(self, force_rest,
            about: Some(target),
            work_no(target.wire()),
            time(seconds),
            reason(u32::from(reason)),
        )
    }

    /// Forces `target` to sign out (`forceLogOutAgent`).
    ///
    #[doc = ccgw_api::errors_doc!(FORCE_SIGN_OUT)]
    pub async fn force_sign_out(&self, target: &AgentId) -> Result<(), Error> {
        send_request!(self, force_sign_out,
            about: Some(target),
            work_no(target.wire()),
        )?;
        // The gateway ends any inspection of an agent that signs out.
        self.track(target, TrackedMode::Idle);
        Ok(())
    }

    /// Ends the call `call` for every party on it (`forceDropCall`).
    ///
    #[doc = ccgw_api::errors_doc!(FORCE_RELEASE_CALL)]
    pub async fn force_release_call(&self, call: &CallId) -> Result<(), Error> {
        send_request!(self, force_release_call,
            about: About::on_call(None, call),
            callid(call.wire()),
        )
    }

    /// Replaces the skill queues `target` serves with `skills` (`adjustSkill`).
    ///
    #[doc = ccgw_api::errors_doc!(ADJUST_SKILLS)]
    pub async fn adjust_skills(&self, target: &AgentId, skills: &Skills) -> Result<(), Error> {
        let body = AdjustSkillRequest {
            skills: skills.ids().iter().map(|s| s.get()).collect(),
            work_no: target.wire(),
        };
        send_request!(self, adjust_skills,
            about: Some(target),
            body(body.clone()),
        )
    }
}
