//! Ending a session: signing out now, or when a guard is dropped.

use ccgw_api::operations as ops;

use super::Session;
use super::state::SessionInner;
use crate::error::Error;
use crate::transport::headers::GUID_PLACEHOLDER;
use crate::transport::send::run;

/// Sends the sign-out request itself, whatever the session's life: the one request a
/// closing session still sends.
pub(super) async fn send_sign_out(inner: &SessionInner) -> Result<(), Error> {
    let me = &inner.agent;
    run(
        &ops::SIGN_OUT,
        inner.client.inner.attempts(),
        me.as_str(),
        None,
        // The one request a closing session still sends.
        || true,
        || inner.headers.rotations(),
        || {
            inner
                .api
                .sign_out()
                .agentid(me.wire())
                .guid(GUID_PLACEHOLDER)
                .send()
        },
    )
    .await
    .map(|_| ())
}

impl SessionInner {
    /// See [`Session::sign_out`]; also the way the poller signs out a session whose link
    /// was lost, so that the two never send at once.
    pub(super) async fn sign_out(&self) -> Result<(), Error> {
        let _one_sign_out = self.signing_out.lock().await;
        if self.is_closed() {
            return Ok(());
        }
        // A playback to the inspector's phone ends before the session does: the last
        // request other than the sign-out, whatever its outcome, and within a short
        // limit of its own, so that a slow stop never keeps the sign-out from going out.
        if self.ready().is_ok() {
            let limit = crate::operations::PLAYBACK_STOP_LIMIT;
            if let Some(Err(e)) = crate::operations::stop_if_playing(self, limit).await {
                tracing::warn!(error = %e, "the playback could not be stopped; signing out");
            }
        }
        self.begin_closing();
        let _no_recovery = self.recovering.lock().await;
        if self.is_closed() || !self.headers.has_guid() {
            self.mark_closed();
            return Ok(());
        }
        match send_sign_out(self).await {
            Ok(()) => {
                self.mark_closed();
                Ok(())
            }
            Err(e) if e.is_not_signed_in() => {
                self.mark_closed();
                Ok(())
            }
            Err(e) if e.is_auth_expired() => {
                // The Guid is no longer valid: no sign-out can be sent with it.
                self.mark_closed();
                Err(e)
            }
            Err(e) => Err(e),
        }
    }
}

impl Session {
    /// Signs the session out and stops its event polling.
    ///
    /// From the moment it starts, the session sends nothing else and never signs in
    /// again; a recovery in flight finishes first and its new Guid is the one signed out.
    /// Concurrent calls send one request. When the sign-out fails without the gateway
    /// answering (it could not be sent, or its outcome is unknown) or the gateway refuses
    /// it, the session stays signing out and a later call sends it again. Signing out a
    /// session that already ended does nothing; a gateway that no longer knows the
    /// session (`100-006`) counts as signed out.
    ///
    #[doc = ccgw_api::errors_doc!(SIGN_OUT)]
    pub async fn sign_out(&self) -> Result<(), Error> {
        self.inner().sign_out().await
    }

    /// The longest [`sign_out`](Self::sign_out) takes when every request of it waits
    /// for its whole limit: the stop of a playback ([`PLAYBACK_STOP_LIMIT`](crate::PLAYBACK_STOP_LIMIT)),
    /// then the sign-out request itself (the request timeout). A program that bounds its
    /// way out should allow this much.
    pub fn longest_sign_out(&self) -> std::time::Duration {
        let request = self.client().inner.request_timeout;
        crate::operations::PLAYBACK_STOP_LIMIT.min(request) + request
    }

    /// Wraps the session in a guard that signs it out when dropped.
    pub fn guard(self) -> SessionGuard {
        SessionGuard {
            session: Some(self),
        }
    }
}

/// Signs its session out when dropped. Prefer calling [`SessionGuard::sign_out`] and
/// awaiting it: a drop can only start the sign-out on the current tokio runtime, and
/// nobody learns whether it worked. Outside a runtime, a drop only logs a warning.
#[derive(Debug)]
pub struct SessionGuard {
    session: Option<Session>,
}

impl SessionGuard {
    /// Signs out now and reports how it went.
    ///
    /// # Errors
    ///
    /// As [`Session::sign_out`].
    pub async fn sign_out(mut self) -> Result<(), Error> {
        match self.session.take() {
            Some(session) => session.sign_out().await,
            None => Ok(()),
        }
    }
}

impl std::ops::Deref for SessionGuard {
    type Target = Session;

    fn deref(&self) -> &Session {
        self.session.as_ref().expect("present until signed out")
    }
}

impl Drop for SessionGuard {
    fn drop(&mut self) {
        let Some(session) = self.session.take() else {
            return;
        };
        if session.is_closed() {
            return;
        }
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                runtime.spawn(async move {
                    if let Err(e) = session.sign_out().await {
                        tracing::warn!(error = %e, "sign-out on drop failed");
                    }
                });
            }
            Err(_) => tracing::warn!(
                "a session guard was dropped outside a tokio runtime; not signed out"
            ),
        }
    }
}
