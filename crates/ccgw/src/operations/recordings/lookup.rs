//! Finding the recordings of a call (`queryRecordingsByCallId`): the way to the
//! recording of a call an inspector listened to, since the recording event goes only to
//! the recorded agent.

use ccgw_api::operations as ops;

use crate::error::Error;
use crate::ids::{AgentId, CallId};
use crate::info::{Recording, recordings_of_call};
use crate::session::Session;
use crate::session::send::send_request;

impl Session {
    /// The recordings of call `call`, in which `agent` took part, each ready for
    /// [`download_recording`](Self::download_recording) or [`play`](Self::play) (`queryRecordFileByCallId`).
    /// An empty list when the gateway knows none (a call still going on, or one not
    /// recorded).
    ///
    /// Where a recording's name comes from otherwise: the recorded agent's
    /// `AgentMediaEvent_Record` event ([`Event::recording`](crate::Event::recording)),
    /// which an inspector only sees for a call it took over by
    /// [`intercept`](Self::intercept). An inspector who listens or inserts is not the
    /// recorded party and never gets that event: this lookup is its way.
    ///
    /// Huawei's own client uses this route, but no published page gives its answer and
    /// none has been seen from a real gateway: the answer is read in every plausible
    /// form, and an entry that names no file is left out and told as an
    /// [`EntriesSkipped`](crate::EventType::EntriesSkipped) event that quotes it.
    /// `ccgw probe` asks it, so that its report shows the real shape.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sim = ccgw_sim::Simulator::start(ccgw_sim::SimConfig::default()).await?;
    /// # let client = ccgw::Client::builder(sim.base_url()).build()?;
    /// let session = client.sign_in(ccgw::SignIn::new("101".parse()?, ccgw_sim::DEFAULT_PASSWORD)).await?;
    /// let agent = client.agent_id("1001")?;
    /// let call = session.call_ids(&agent).await?.remove(0);
    /// let recordings = session.recordings_of_call(&agent, &call).await?;
    /// assert_eq!(recordings[0].call_id(), Some(&call));
    /// session.sign_out().await?;
    /// # Ok(()) }
    /// ```
    ///
    #[doc = ccgw_api::errors_doc!(QUERY_RECORDINGS_BY_CALL_ID)]
    pub async fn recordings_of_call(
        &self,
        agent: &AgentId,
        call: &CallId,
    ) -> Result<Vec<Recording>, Error> {
        let answer = send_request!(query_one self, query_recordings_by_call_id,
            about: Some(agent),
            workno(agent.wire()),
            callid(call.wire()),
        )?;
        let (found, skips) = recordings_of_call::from_wire(answer.result, call);
        self.report_skipped(&ops::QUERY_RECORDINGS_BY_CALL_ID, skips);
        Ok(found)
    }
}
