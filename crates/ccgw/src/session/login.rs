//! The sign-in request itself, plain or forced, shared by the first sign-in and by
//! recovery.

use ccgw_api::operations as ops;
use futures::future::Either;

use super::options::{ForceLogin, SignIn};
use crate::error::Error;
use crate::request::{Attempts, run};

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
