//! Recovering a session the gateway ended: signing in again as the session's
//! [`Recovery`](super::options::Recovery) policy says.

use super::inner::SessionInner;
use super::login::send_sign_in;
use crate::events::Event;

impl SessionInner {
    /// Called when the gateway no longer accepts the session. Signs in again if the
    /// policy allows, and tells subscribers; otherwise, or when every attempt fails, the
    /// session ends. Returns whether the session is alive.
    pub(crate) async fn recover(&self) -> bool {
        let Some((request, policy)) = &self.recovery else {
            self.mark_closed();
            return false;
        };
        let guid_before = self.headers.guid();
        let _one_at_a_time = self.recovering.lock().await;
        if self.is_closed() {
            return false;
        }
        if self.headers.guid() != guid_before {
            // Another caller recovered the session while this one waited.
            return true;
        }
        // The gateway ended every inspection with the session.
        self.modes.mark_all_unknown();
        let attempts = self.client.inner.attempts();
        for attempt in 1..=policy.attempts {
            tokio::time::sleep(policy.wait_before(attempt)).await;
            if self.is_closed() {
                return false;
            }
            let before = self.headers.guid();
            match send_sign_in(&self.api, attempts, request, policy.force).await {
                Ok(()) if self.headers.guid() != before => {
                    tracing::info!(agent = self.agent.as_str(), attempt, "signed in again");
                    let _ = self
                        .events
                        .send(Event::session_recovered(self.agent.as_str(), attempt));
                    return true;
                }
                Ok(()) => tracing::warn!(attempt, "the sign-in answer carried no new Guid"),
                Err(e) => tracing::warn!(attempt, error = %e, "signing in again failed"),
            }
        }
        self.mark_closed();
        false
    }
}
