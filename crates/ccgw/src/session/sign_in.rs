//! Signing an inspector in: the first sign-in and starting the new session's event
//! poller.

use std::sync::Arc;

use ccgw_api::hooks::Hooks;
use ccgw_api::operations as ops;

use super::handle::Session;
use super::headers::SessionHeaders;
use super::inner::SessionInner;
use super::login::send_sign_in;
use super::options::SignIn;
use super::poller::run_poller;
use crate::client::Client;
use crate::error::Error;
use crate::request::missing_header;

impl Client {
    /// Signs an inspector in and returns its session. See [`SignIn`].
    ///
    #[doc = ccgw_api::errors_doc!(SIGN_IN)]
    pub async fn sign_in(&self, request: SignIn) -> Result<Session, Error> {
        let headers = Arc::new(SessionHeaders::default());
        let hooks = Hooks::with_interceptor(headers.clone())
            .answer_limit(self.inner.answer_limit)
            .user_agent(self.inner.user_agent.clone());
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
