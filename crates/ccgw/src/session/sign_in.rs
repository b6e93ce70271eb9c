//! Signing an inspector in: the sign-in request itself (plain or forced, shared with
//! recovery), and the first sign-in, which starts the new session's event poll.

use std::sync::Arc;

use ccgw_api::hooks::Hooks;
use ccgw_api::operations as ops;
use futures::future::Either;

use super::Session;
use super::options::{ForceLogin, SignIn};
use super::polling::run_poller;
use super::state::SessionInner;
use crate::client::Client;
use crate::error::Error;
use crate::transport::classify::missing_header;
use crate::transport::headers::SessionHeaders;
use crate::transport::limits::listing_limits;
use crate::transport::send::{Attempts, run};

impl Client {
    /// Signs an inspector in and returns its session. See [`SignIn`].
    ///
    #[doc = ccgw_api::errors_doc!(SIGN_IN)]
    pub async fn sign_in(&self, request: SignIn) -> Result<Session, Error> {
        let headers = Arc::new(SessionHeaders::default());
        let mut hooks = Hooks::with_interceptor(headers.clone())
            .answer_limit(self.inner.answer_limit)
            .answer_limits(listing_limits(self.inner.answer_limit, self.inner.tenant))
            .user_agent(self.inner.user_agent.clone());
        if let Some(tap) = &self.inner.tap {
            hooks = hooks.tap(tap.clone());
        }
        let api =
            ccgw_api::Client::new_with_client(&self.inner.base_url, self.inner.http.clone(), hooks);
        send_sign_in(
            &api,
            self.inner.attempts(),
            &request,
            request.force_policy(),
        )
        .await?;
        if headers.guid().is_none() {
            return Err(missing_header("Set-GUID header").with_operation(ops::SIGN_IN.log_name));
        }
        let polls = request.polls_events();
        let inner = Arc::new(SessionInner::new(self.clone(), api, headers, request));
        if polls {
            let poller = tokio::spawn(run_poller(Arc::downgrade(&inner)));
            *inner.poller.lock().unwrap_or_else(|e| e.into_inner()) = Some(poller);
        }
        Ok(Session::from_inner(inner))
    }
}

/// Sends the sign-in of `request` on `api`, taking the session over as `force` says.
/// The Guid arrives through the session's headers.
pub(super) async fn send_sign_in(
    api: &ccgw_api::Client,
    attempts: Attempts,
    request: &SignIn,
    force: ForceLogin,
) -> Result<(), Error> {
    let body = request.body();
    let agent = request.agent();
    let attempt = |force: bool| {
        let body = &body;
        let op = if force {
            &ops::FORCE_SIGN_IN
        } else {
            &ops::SIGN_IN
        };
        // A recovery checks the session's life itself, around each attempt.
        run(
            op,
            attempts,
            agent.as_str(),
            None,
            || true,
            // No Guid yet: nothing a rotation could overtake.
            || 0,
            move || {
                // Two builders of one answer type: the forced one takes the session over.
                if force {
                    Either::Left(
                        api.force_sign_in()
                            .agentid(agent.wire())
                            .body(body.clone())
                            .send(),
                    )
                } else {
                    Either::Right(
                        api.sign_in()
                            .agentid(agent.wire())
                            .body(body.clone())
                            .send(),
                    )
                }
            },
        )
    };
    match attempt(force == ForceLogin::Always).await {
        Err(e) if e.is_already_signed_in() && force == ForceLogin::OnConflict => {
            tracing::info!(
                agent = agent.as_str(),
                "already signed in elsewhere; taking the session over"
            );
            attempt(true).await.map(|_| ())
        }
        other => other.map(|_| ()),
    }
}
