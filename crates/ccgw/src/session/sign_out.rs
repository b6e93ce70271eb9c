//! Ending a session: signing out now, or when a guard is dropped.

use super::handle::{Session, send_request};
use crate::error::Error;

impl Session {
    /// Signs the session out and stops its event polling. Signing out a closed session
    /// does nothing.
    ///
    #[doc = ccgw_api::errors_doc!(SIGN_OUT)]
    pub async fn sign_out(&self) -> Result<(), Error> {
        if self.is_closed() {
            return Ok(());
        }
        let result = send_request!(self, SIGN_OUT, sign_out, about: None);
        self.inner().mark_closed();
        result
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
