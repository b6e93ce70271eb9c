//! Ending a session: signing out now, or when a guard is dropped.

use ccgw_api::operations as ops;

use std::time::Duration;

use super::Session;
use super::state::SessionInner;
use crate::error::Error;
use crate::ids::AgentId;
use crate::mode::TrackedMode;
use crate::session::send::{Journaled, settle};
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

/// The longest a sign-out waits for each inspection it ends before it signs out: short,
/// so that a gateway slow to answer never keeps the sign-out from going out.
pub const INSPECTION_STOP_LIMIT: Duration = Duration::from_secs(3);

/// Ends every inspection `session` tracks as live (listening, inserting, whispering),
/// each within [`INSPECTION_STOP_LIMIT`]: an inspector who leaves should not be signed
/// out in the middle of a customer's call. Outcomes are logged, never fatal.
async fn end_inspections(session: &Session) {
    for (agent, mode) in session.inner().modes.all() {
        let stopped = match mode {
            TrackedMode::Listening | TrackedMode::Inserting => {
                tokio::time::timeout(INSPECTION_STOP_LIMIT, session.stop(&agent)).await
            }
            TrackedMode::Whispering => {
                tokio::time::timeout(INSPECTION_STOP_LIMIT, session.stop_whisper(&agent)).await
            }
            _ => continue,
        };
        if !matches!(stopped, Ok(Ok(()))) {
            tracing::warn!(%agent, "an inspection could not be ended before the sign-out");
        }
    }
}

/// Releases the call `session` took over (an intercept), within
/// [`INSPECTION_STOP_LIMIT`] for each request: the inspector talks to a customer there,
/// and a gateway may refuse to sign out an agent in a call.
async fn release_intercepted_call(session: &Session) {
    let intercepted =
        (session.inner().modes.all().iter()).any(|(_, mode)| *mode == TrackedMode::Intercepting);
    if !intercepted {
        return;
    }
    let own = tokio::time::timeout(INSPECTION_STOP_LIMIT, session.own_call(false)).await;
    if let Ok(Ok(Some(call))) = own {
        let released = session.force_release_call(&call.call_id);
        if !matches!(
            tokio::time::timeout(INSPECTION_STOP_LIMIT, released).await,
            Ok(Ok(()))
        ) {
            tracing::warn!("the call taken over could not be released before the sign-out");
        }
    }
}

/// Ends, from a session that is signing out and whose sign-out the gateway refused for
/// the inspector's state (100-010), an inspection it tracks as live or whose mode it no
/// longer knows (a start whose answer was lost, a recovery): the refusal says something
/// is still live, and a stop of what is not live is only refused. An unknown mode is
/// tried as a listening or an inserting first, then as a whisper; only an inspection that
/// neither ended is warned about.
async fn end_after_refusal(inner: &SessionInner, agent: &AgentId, mode: TrackedMode) {
    let ended = match mode {
        TrackedMode::Listening | TrackedMode::Inserting => {
            send_ending_stop(inner, agent, false).await
        }
        TrackedMode::Whispering => send_ending_stop(inner, agent, true).await,
        TrackedMode::Unknown => match send_ending_stop(inner, agent, false).await {
            Ok(()) => Ok(()),
            Err(e) => {
                // How an unknown mode is found out, not yet a failure.
                tracing::debug!(
                    %agent,
                    error = %e,
                    "not a listening or an inserting; trying a whisper"
                );
                send_ending_stop(inner, agent, true).await
            }
        },
        TrackedMode::Idle | TrackedMode::Intercepting => Ok(()),
    };
    if let Err(e) = ended {
        tracing::warn!(%agent, error = %e, "could not end an inspection");
    }
}

/// Sends, from a session that is signing out, the stop of a whisper (`whisper`) or of a
/// listening or inserting on `agent`: the one kind of request besides the sign-out a
/// closing session sends. Whether the inspection ended, and why not.
async fn send_ending_stop(
    inner: &SessionInner,
    agent: &AgentId,
    whisper: bool,
) -> Result<(), Error> {
    let me = &inner.agent;
    let attempts = inner.client.inner.attempts_within(INSPECTION_STOP_LIMIT);
    let op = if whisper {
        &ops::STOP_WHISPER
    } else {
        &ops::STOP_LISTEN_OR_INSERT
    };
    let journaled = Journaled::ending(inner, op.log_name, Some(agent).into());
    let api = &inner.api;
    let send = || async move {
        if whisper {
            let request = api.stop_whisper().whisperagentid(agent.wire());
            request
                .agentid(me.wire())
                .guid(GUID_PLACEHOLDER)
                .send()
                .await
        } else {
            let request = api.stop_listen_or_insert().work_no(agent.wire());
            request
                .agentid(me.wire())
                .guid(GUID_PLACEHOLDER)
                .send()
                .await
        }
    };
    // Sent while closing (`|| true`): the one exception besides the sign-out itself.
    let rotations = || inner.headers.rotations();
    let stopped = run(
        op,
        attempts,
        me.as_str(),
        Some(agent.as_str()),
        || true,
        rotations,
        send,
    )
    .await
    .map(|_| ());
    settle(inner, journaled, &stopped);
    if stopped.is_ok() {
        inner.modes.set(agent, TrackedMode::Idle);
    }
    stopped
}

impl SessionInner {
    /// See [`Session::sign_out`]; also the way the poller signs out a session whose link
    /// was lost (with no `session` to end inspections through: that link is gone), so
    /// that the two never send at once.
    pub(super) async fn sign_out(&self, session: Option<&Session>) -> Result<(), Error> {
        let _one_sign_out = self.signing_out.lock().await;
        if self.is_closed() {
            return Ok(());
        }
        if let Some(session) = session
            && self.ready().is_ok()
        {
            end_inspections(session).await;
            release_intercepted_call(session).await;
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
        let mut signed_out = send_sign_out(self).await;
        if let Err(e) = &signed_out
            && e.retcode().is_some_and(|r| r.code() == "100-010")
        {
            // Refused for the inspector's state: an inspection it could not end before, or
            // one whose start it never heard the end of, is still live. Stop what it can,
            // then try once more.
            tracing::warn!("the gateway refused the sign-out for the inspector's state");
            for (agent, mode) in self.modes.all() {
                end_after_refusal(self, &agent, mode).await;
            }
            signed_out = send_sign_out(self).await;
        }
        match signed_out {
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
        self.inner().sign_out(Some(self)).await
    }

    /// The longest [`sign_out`](Self::sign_out) takes when every request of it waits
    /// for its whole limit: the stop of a playback ([`PLAYBACK_STOP_LIMIT`](crate::PLAYBACK_STOP_LIMIT)),
    /// the end of each live inspection ([`INSPECTION_STOP_LIMIT`]), then the sign-out
    /// request itself (the request timeout), and once more after a refusal for the
    /// inspector's state, with the stop of each inspection live or of unknown mode (two
    /// for one of unknown mode: a listening's, then a whisper's). A program that bounds
    /// its way out should allow this much.
    pub fn longest_sign_out(&self) -> Duration {
        let request = self.client().inner.request_timeout;
        let modes = self.inner().modes.all();
        let live = (modes.iter())
            .filter(|(_, m)| {
                matches!(
                    m,
                    TrackedMode::Listening | TrackedMode::Inserting | TrackedMode::Whispering
                )
            })
            .count() as u32;
        let unknown = (modes.iter())
            .filter(|(_, m)| *m == TrackedMode::Unknown)
            .count() as u32;
        let intercepted = modes.iter().any(|(_, m)| *m == TrackedMode::Intercepting);
        // The playback's stop, each inspection's, a call taken over (asked for, then
        // released), the sign-out; while any of those is live or may be, a refusal for
        // the state (100-010) may add the inspections' stops (two for one whose mode is
        // unknown) and one more sign-out.
        let mut longest = crate::operations::PLAYBACK_STOP_LIMIT.min(request)
            + INSPECTION_STOP_LIMIT * live
            + request;
        if intercepted {
            longest += INSPECTION_STOP_LIMIT * 2;
        }
        if live > 0 || unknown > 0 || intercepted {
            longest += INSPECTION_STOP_LIMIT * (live + 2 * unknown) + request;
        }
        longest
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
