//! Inspecting an agent's call: listen, insert, whisper, the two mode switches, stop and
//! intercept.

use crate::error::{Error, ErrorKind};
use crate::ids::{AgentId, CallId};
use crate::mode::{Mode, TrackedMode};
use crate::session::Session;
use crate::session::send::{About, send_request};

impl Session {
    /// Listens silently to `target`'s call (`addSupervise`).
    ///
    /// Prerequisites: the inspector is signed in and idle; the agent is in a call in the
    /// same VDN. Events: the inspector's own `AgentOther_PhoneAlerting`,
    /// `AgentOther_PhoneOffhook` and `AgentState_Busy`; `AgentOther_BeQcStart` goes to the
    /// inspected agent, not to the inspector.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sim = ccgw_sim::Simulator::start(ccgw_sim::SimConfig::default()).await?;
    /// # let client = ccgw::Client::builder(sim.base_url()).build()?;
    /// # let password = ccgw_sim::DEFAULT_PASSWORD;
    /// let session = client.sign_in(ccgw::SignIn::new("101".parse()?, password)).await?;
    /// let agent = client.agent_id("1001")?;
    /// session.listen(&agent).await?;
    /// assert_eq!(session.mode_of(&agent), ccgw::TrackedMode::Listening);
    /// session.stop(&agent).await?;
    /// session.sign_out().await?;
    /// # Ok(()) }
    /// ```
    ///
    #[doc = ccgw_api::errors_doc!(LISTEN)]
    pub async fn listen(&self, target: &AgentId) -> Result<(), Error> {
        send_request!(self, listen, about: Some(target), work_no(target.wire()))?;
        self.track(target, TrackedMode::Listening);
        Ok(())
    }

    /// Barges into `target`'s call (`addInsert`): both parties hear the inspector.
    ///
    /// Prerequisites: the inspector is signed in and idle; the agent is in a call.
    ///
    #[doc = ccgw_api::errors_doc!(INSERT)]
    pub async fn insert(&self, target: &AgentId) -> Result<(), Error> {
        send_request!(self, insert, about: Some(target), work_no(target.wire()))?;
        self.track(target, TrackedMode::Inserting);
        Ok(())
    }

    /// Whispers to `target` (`requestWhisperAgent`): the agent hears the inspector, the
    /// customer does not.
    ///
    /// Prerequisites: the inspector is signed in and idle; the agent is in a call.
    ///
    #[doc = ccgw_api::errors_doc!(REQUEST_WHISPER)]
    pub async fn whisper(&self, target: &AgentId) -> Result<(), Error> {
        send_request!(self, request_whisper,
            about: Some(target),
            whisperagentid(target.wire()),
        )?;
        self.track(target, TrackedMode::Whispering);
        Ok(())
    }

    /// Toggles between listening and inserting (`switchSuperviseOrInsert`).
    ///
    /// **A toggle**: sending it twice flips the mode back, so it is never retried after
    /// the request may have reached the gateway, and the tracked mode becomes
    /// [`TrackedMode::Unknown`] when the outcome is not known. To reach a given mode
    /// safely, use [`set_mode`](Self::set_mode).
    ///
    /// Prerequisites: the inspector is listening to or inserted into the agent's call.
    ///
    #[doc = ccgw_api::errors_doc!(SWITCH_LISTEN_INSERT)]
    pub async fn switch_listen_insert(&self, target: &AgentId) -> Result<(), Error> {
        // The operation table marks it a toggle, so a success flips the tracked mode.
        send_request!(self, switch_listen_insert,
            about: Some(target),
            work_no(target.wire()),
        )
    }

    /// Reaches `mode` on `target`'s call, idempotently: when the session is not
    /// inspecting the agent it starts listening, inserting or whispering; otherwise it
    /// uses the explicit switch (`requestSwitchInsertWhisperAgent`), which names its
    /// target, so sending it again changes nothing. When the mode is
    /// [`TrackedMode::Unknown`] (after a recovery, or a request whose outcome is unknown)
    /// it tries the switch and, if the gateway refuses it, starts the inspection anew.
    ///
    #[doc = ccgw_api::errors_doc!(SWITCH_MODE)]
    pub async fn set_mode(&self, target: &AgentId, mode: Mode) -> Result<(), Error> {
        match self.mode_of(target) {
            TrackedMode::Idle => self.start(target, mode).await,
            TrackedMode::Unknown => match self.switch_to(target, mode).await {
                // Refused: most likely the inspection is gone (the gateway ended it with
                // the session); nothing changed, so starting anew is safe.
                Err(e) if e.kind() == ErrorKind::Gateway && !e.is_not_signed_in() => {
                    self.start(target, mode).await
                }
                other => other,
            },
            _ => self.switch_to(target, mode).await,
        }
    }

    /// Starts inspecting `target` in `mode`.
    async fn start(&self, target: &AgentId, mode: Mode) -> Result<(), Error> {
        match mode {
            Mode::Listen => self.listen(target).await,
            Mode::Insert => self.insert(target).await,
            Mode::Whisper => self.whisper(target).await,
        }
    }

    /// The explicit switch of an inspection to `mode`.
    async fn switch_to(&self, target: &AgentId, mode: Mode) -> Result<(), Error> {
        send_request!(self, switch_mode,
            about: Some(target),
            whisperagentid(target.wire()),
            switchtype(mode.switch_type()),
        )?;
        self.track(target, mode.into());
        Ok(())
    }

    /// Stops listening to or inserting into `target`'s call (`stopSuperviseOrInsert`).
    ///
    #[doc = ccgw_api::errors_doc!(STOP_LISTEN_OR_INSERT)]
    pub async fn stop(&self, target: &AgentId) -> Result<(), Error> {
        send_request!(self, stop_listen_or_insert,
            about: Some(target),
            work_no(target.wire()),
        )?;
        self.track(target, TrackedMode::Idle);
        Ok(())
    }

    /// Stops whispering to `target`.
    ///
    #[doc = ccgw_api::errors_doc!(STOP_WHISPER)]
    pub async fn stop_whisper(&self, target: &AgentId) -> Result<(), Error> {
        send_request!(self, stop_whisper,
            about: Some(target),
            whisperagentid(target.wire()),
        )?;
        self.track(target, TrackedMode::Idle);
        Ok(())
    }

    /// Takes the customer over from `target` (`intercept`): the agent leaves the call and
    /// the inspector talks to the customer.
    ///
    /// Prerequisites: the inspector is listening to, inserted into or whispering on the
    /// agent's call.
    ///
    #[doc = ccgw_api::errors_doc!(INTERCEPT)]
    pub async fn intercept(&self, target: &AgentId) -> Result<(), Error> {
        send_request!(self, intercept, about: Some(target), work_no(target.wire()))?;
        self.track(target, TrackedMode::Intercepting);
        Ok(())
    }

    /// Like [`intercept`](Self::intercept), for the call `call` of `target` (newest
    /// edition).
    ///
    #[doc = ccgw_api::errors_doc!(INTERCEPT_CALL)]
    pub async fn intercept_call(&self, target: &AgentId, call: &CallId) -> Result<(), Error> {
        send_request!(self, intercept_call,
            about: About::on_call(Some(target), call),
            work_no(target.wire()),
            call_id(call.wire()),
        )?;
        self.track(target, TrackedMode::Intercepting);
        Ok(())
    }
}
