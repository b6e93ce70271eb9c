//! Recovering a session the gateway ended, or whose event polls keep failing: signing in
//! again as the session's [`Recovery`](super::options::Recovery) policy says.

use super::options::ForceLogin;
use super::sign_in::send_sign_in;
use super::state::SessionInner;
use crate::error::ErrorKind;
use crate::events::Event;

impl SessionInner {
    /// Called when the gateway no longer accepts the session. Signs in again if the
    /// policy allows, and tells subscribers; otherwise, or when every attempt fails, the
    /// session ends. Returns whether the session is alive. Once a sign-out began it never
    /// signs in again; a Guid obtained while the sign-out waited is signed out by it.
    pub(crate) async fn recover(&self) -> bool {
        let alive = self.sign_in_again(false).await;
        if self.recovery.is_some() {
            crate::telemetry::recovery(alive);
        }
        alive
    }

    /// Signs in again; after a lost link the gateway may still hold the old session, so
    /// a refusal as already signed in is answered by taking that session over.
    async fn sign_in_again(&self, lost_link: bool) -> bool {
        let Some((request, policy)) = &self.recovery else {
            self.mark_closed();
            return false;
        };
        let guid_before = self.headers.guid();
        let _one_at_a_time = self.recovering.lock().await;
        if self.is_closing() {
            return false;
        }
        if self.headers.guid() != guid_before {
            // Another caller recovered the session while this one waited.
            return true;
        }
        // The gateway ended every inspection with the session.
        self.modes.mark_all_unknown();
        let attempts = self.client.inner.attempts();
        let mut force = match policy.force {
            ForceLogin::Never if lost_link => ForceLogin::OnConflict,
            other => other,
        };
        for attempt in 1..=policy.attempts {
            tokio::select! {
                biased;
                _ = self.closing() => return false,
                _ = tokio::time::sleep(policy.wait_before(attempt)) => {}
            }
            if self.is_closing() {
                return false;
            }
            let before = self.headers.guid();
            match send_sign_in(&self.api, attempts, request, force).await {
                Ok(()) if self.is_closing() => {
                    // The sign-out waiting for this recovery signs the new Guid out.
                    return false;
                }
                Ok(()) if self.headers.guid() != before => {
                    tracing::info!(agent = self.agent.as_str(), attempt, "signed in again");
                    self.count_recovery();
                    let _ = self
                        .events
                        .send(Event::session_recovered(self.agent.as_str(), attempt));
                    return true;
                }
                Ok(()) => tracing::warn!(attempt, "the sign-in answer carried no new Guid"),
                Err(e) => {
                    tracing::warn!(attempt, error = %e, "signing in again failed");
                    if e.kind() != ErrorKind::Gateway
                        && e.may_have_reached_gateway()
                        && force == ForceLogin::Never
                    {
                        // The sign-in may have made a gateway session whose Guid never
                        // arrived: the next attempt takes that session over rather than
                        // being refused as already signed in and leaving it behind.
                        force = ForceLogin::OnConflict;
                    }
                }
            }
        }
        if lost_link {
            // The gateway may still hold the old session: sign it out as far as the link
            // allows (a sign-out waiting for this recovery then finds the session closed).
            self.begin_closing();
            if let Err(e) = super::sign_out::send_sign_out(self).await {
                tracing::warn!(error = %e, "signing out after the link was lost failed");
            }
        }
        self.mark_closed();
        false
    }

    /// Called when event polls failed too many times in a row. The gateway may still
    /// hold the session (only the link died), so without a recovery policy it is signed
    /// out as far as the link allows, as a user's sign-out would be, and the session ends.
    /// (A gateway also signs out by itself a session that stopped polling.)
    pub(crate) async fn recover_lost_link(&self) -> bool {
        if self.is_closing() {
            return false;
        }
        if self.recovery.is_some() {
            let alive = self.sign_in_again(true).await;
            crate::telemetry::recovery(alive);
            return alive;
        }
        if let Err(e) = self.sign_out(None).await {
            tracing::warn!(error = %e, "signing out after the link was lost failed");
        }
        self.mark_closed();
        false
    }
}
