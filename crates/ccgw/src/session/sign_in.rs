//! Signing an inspector in: the options, the (forced) sign-in requests, and starting the
//! event poller of the new session.

use std::sync::Arc;

use ccgw_api::hooks::Hooks;
use ccgw_api::operations as ops;
use ccgw_api::types::SignInRequest;
use futures::future::Either;

use super::handle::Session;
use super::headers::SessionHeaders;
use super::inner::SessionInner;
use super::poller::run_poller;
use crate::client::Client;
use crate::error::Error;
use crate::ids::AgentId;
use crate::request::{missing_header, run};
use crate::secret::Password;

/// When to take over a session the agent already holds elsewhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ForceLogin {
    /// Never: a sign-in answered 100-002 fails with [`Error::is_already_signed_in`].
    #[default]
    Never,
    /// Sign in normally; on 100-002, sign in again with force.
    OnConflict,
    /// Always use the forced sign-in.
    Always,
}

/// What to sign in with.
///
/// ```
/// use ccgw::{ForceLogin, SignIn};
/// let request = SignIn::new("101".parse()?, "secret").phone("70001").force(ForceLogin::OnConflict);
/// assert!(!format!("{request:?}").contains("secret"));
/// # Ok::<(), ccgw::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct SignIn {
    agent: AgentId,
    password: Password,
    phone: String,
    force: ForceLogin,
    busy: bool,
    poll_events: bool,
}

impl SignIn {
    /// Signs `agent` in with `password`.
    pub fn new(agent: AgentId, password: impl Into<Password>) -> Self {
        SignIn {
            agent,
            password: password.into(),
            phone: String::new(),
            force: ForceLogin::Never,
            busy: false,
            poll_events: true,
        }
    }

    /// The phone number the inspector's audio rings on.
    pub fn phone(mut self, phone: impl Into<String>) -> Self {
        self.phone = phone.into();
        self
    }

    /// When to take over an existing session (default: never).
    pub fn force(mut self, force: ForceLogin) -> Self {
        self.force = force;
        self
    }

    /// Signs in busy rather than idle.
    pub fn busy(mut self, busy: bool) -> Self {
        self.busy = busy;
        self
    }

    /// Whether the session polls events in the background (default: yes). Without
    /// polling, a gateway signs the session out after a while.
    pub fn poll_events(mut self, poll: bool) -> Self {
        self.poll_events = poll;
        self
    }

    fn body(&self) -> SignInRequest {
        SignInRequest {
            password: self.password.expose().to_owned(),
            phonenum: self.phone.clone(),
            status: Some(if self.busy { 5 } else { 4 }),
            releasephone: Some(false),
            autoanswer: Some(true),
            autoenteridle: Some(true),
        }
    }
}

impl Client {
    /// Signs an inspector in and returns its session. See [`SignIn`].
    ///
    #[doc = ccgw_api::errors_doc!(SIGN_IN)]
    pub async fn sign_in(&self, request: SignIn) -> Result<Session, Error> {
        let headers = Arc::new(SessionHeaders::new(self.inner.poll_timeout));
        let hooks = Hooks::with_interceptor(headers.clone()).answer_limit(self.inner.answer_limit);
        let api =
            ccgw_api::Client::new_with_client(&self.inner.base_url, self.inner.http.clone(), hooks);
        let body = request.body();
        let agent = &request.agent;
        let retries = self.inner.connect_retries;
        let attempt = |force: bool| {
            let (api, body) = (&api, &body);
            let op = if force {
                &ops::FORCE_SIGN_IN
            } else {
                &ops::SIGN_IN
            };
            run(op, retries, agent.as_str(), None, move || {
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
            })
        };
        match attempt(request.force == ForceLogin::Always).await {
            Err(e) if e.is_already_signed_in() && request.force == ForceLogin::OnConflict => {
                tracing::info!(
                    agent = agent.as_str(),
                    "already signed in elsewhere; taking the session over"
                );
                attempt(true).await?;
            }
            other => {
                other?;
            }
        }
        if headers.guid().is_none() {
            return Err(missing_header("Set-GUID header").with_operation(ops::SIGN_IN.log_name));
        }
        let inner = Arc::new(SessionInner::new(self.clone(), api, headers, request.agent));
        if request.poll_events {
            let poller = tokio::spawn(run_poller(Arc::downgrade(&inner)));
            *inner.poller.lock().unwrap_or_else(|e| e.into_inner()) = Some(poller);
        }
        Ok(Session::from_inner(inner))
    }
}
