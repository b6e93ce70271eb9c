//! The state one signed-in session shares among its handles and its event poller: its
//! life (open, closing, closed), the link's health, and the tracked modes.

use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use tokio::sync::{Notify, broadcast, watch};

use super::options::{Recovery, SignIn};
use crate::client::Client;
use crate::error::{Error, ErrorKind};
use crate::events::Event;
use crate::ids::AgentId;
use crate::mode::ModeTracker;
use crate::transport::budget::{Pacer, Place};
use crate::transport::headers::SessionHeaders;

/// Where a session is in its life. It only ever moves forward.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Life {
    /// Signed in: requests, polls and recovery may run.
    Open,
    /// A sign-out began: nothing is sent but the sign-out, nothing signs in again. A
    /// sign-out that failed leaves the session here, so that it can be tried again.
    Closing,
    /// Signed out, or ended by the gateway. Nothing more is sent.
    Closed,
}

/// How the event poll's link fares: see [`Session::link_health`](super::Session::link_health).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct LinkHealth {
    /// Since when every event poll has failed; `None` while polls are answered.
    pub failing_since: Option<SystemTime>,
    /// How many polls in a row have failed.
    pub failures: u32,
    /// How many times the session signed in again after the gateway ended it.
    pub recoveries: u32,
}

pub(crate) struct SessionInner {
    pub(crate) client: Client,
    pub(crate) api: ccgw_api::Client,
    pub(crate) headers: Arc<SessionHeaders>,
    pub(crate) agent: AgentId,
    pub(crate) modes: ModeTracker,
    pub(crate) events: broadcast::Sender<Event>,
    life: watch::Sender<Life>,
    link: Mutex<LinkHealth>,
    pub(crate) poller: Mutex<Option<tokio::task::JoinHandle<()>>>,
    /// What to sign in with again, kept only when a recovery policy asks for it.
    pub(crate) recovery: Option<(SignIn, Recovery)>,
    /// Held while a recovery runs, so that only one runs at a time, and by a sign-out, so
    /// that it signs out whatever Guid a recovery in flight obtains.
    pub(crate) recovering: tokio::sync::Mutex<()>,
    /// Held by a sign-out, so that concurrent sign-outs send one request.
    pub(crate) signing_out: tokio::sync::Mutex<()>,
    /// Woken when a request suggests the gateway ended the session, so that the poller
    /// checks at once rather than after its pause.
    pub(crate) suspect: Notify,
    /// Paces the session's queue and agent-group queries within the gateway's budget;
    /// shared by every clone, as the gateway counts per agent.
    pub(crate) pacer: Pacer,
    /// Whether a playback to the inspector's phone may be running: a sign-out stops it
    /// first.
    pub(crate) playing: std::sync::atomic::AtomicBool,
    /// Held while a playback is being stopped (by its handle, its drop or a sign-out), so
    /// that a sign-out never closes the session under a stop still on its way.
    pub(crate) stopping_playback: tokio::sync::Mutex<()>,
}

impl Drop for SessionInner {
    fn drop(&mut self) {
        if let Some(poller) = self.poller.lock().unwrap_or_else(|e| e.into_inner()).take() {
            poller.abort();
        }
    }
}

impl SessionInner {
    pub(crate) fn new(
        client: Client,
        api: ccgw_api::Client,
        headers: Arc<SessionHeaders>,
        request: SignIn,
    ) -> Self {
        let (events, _) = broadcast::channel(client.inner.event_buffer);
        let client_budget = client.inner.overload_budget;
        let agent = request.agent().clone();
        // Without a policy the password is not kept.
        let recovery = request.recovery().map(|policy| (request, policy));
        SessionInner {
            client,
            api,
            headers,
            agent,
            recovery,
            recovering: tokio::sync::Mutex::new(()),
            signing_out: tokio::sync::Mutex::new(()),
            suspect: Notify::new(),
            modes: ModeTracker::default(),
            events,
            life: watch::Sender::new(Life::Open),
            link: Mutex::new(LinkHealth::default()),
            poller: Mutex::new(None),
            pacer: Pacer::new(client_budget),
            playing: std::sync::atomic::AtomicBool::new(false),
            stopping_playback: tokio::sync::Mutex::new(()),
        }
    }

    fn life(&self) -> Life {
        *self.life.borrow()
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.life() == Life::Closed
    }

    /// Whether a sign-out began or the session ended: nothing but a sign-out is sent.
    pub(crate) fn is_closing(&self) -> bool {
        self.life() != Life::Open
    }

    /// Completes once a sign-out began or the session ended.
    pub(crate) async fn closing(&self) {
        let mut life = self.life.subscribe();
        let _ = life.wait_for(|life| *life != Life::Open).await;
    }

    /// From now on nothing is sent but the sign-out, and the poller stops.
    pub(crate) fn begin_closing(&self) {
        self.life.send_if_modified(|life| {
            let open = *life == Life::Open;
            if open {
                *life = Life::Closing;
            }
            open
        });
    }

    pub(crate) fn mark_closed(&self) {
        let changed = self.life.send_if_modified(|life| {
            let was_closed = *life == Life::Closed;
            *life = Life::Closed;
            !was_closed
        });
        if changed {
            let _ = self.events.send(Event::session_ended(self.agent.as_str()));
        }
    }

    /// Whether the session can send a request: open (no sign-out began), and holding a
    /// Guid.
    pub(crate) fn ready(&self) -> Result<(), Error> {
        match self.life() {
            Life::Open => {}
            Life::Closing => {
                return Err(Error::new(
                    ErrorKind::SessionClosed,
                    "the session is signing out",
                ));
            }
            Life::Closed => {
                return Err(Error::new(
                    ErrorKind::SessionClosed,
                    "the session is signed out",
                ));
            }
        }
        if !self.headers.has_guid() {
            return Err(Error::new(
                ErrorKind::SessionClosed,
                "the session has no Guid",
            ));
        }
        Ok(())
    }

    /// A place in the overload budget for a request the gateway counts (`budgeted`),
    /// waited for at most the request timeout; none for any other. Held until the answer
    /// is in: the budget counts a query from its end.
    pub(crate) async fn budget_place(&self, budgeted: bool) -> Result<Option<Place<'_>>, Error> {
        if !budgeted {
            return Ok(None);
        }
        let patience = self.client.inner.attempts().limit;
        let started = std::time::Instant::now();
        let place = self.pacer.take(patience).await;
        crate::telemetry::budget(place.as_ref().ok().map(|_| started.elapsed()));
        place.map(Some)
    }

    /// After a request failed with `error`: when the error says the gateway may have
    /// ended the session (authentication expired, not signed in), lets the poller check
    /// now rather than at its next poll.
    pub(crate) fn suspect_if_gone(&self, error: &Error) {
        if error.is_auth_expired() || error.is_not_signed_in() {
            self.suspect.notify_one();
        }
    }

    pub(crate) fn link_health(&self) -> LinkHealth {
        *self.link.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Records an answered poll, telling subscribers when it ends a run of failures.
    pub(crate) fn link_answered(&self) {
        let mut link = self.link.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(since) = link.failing_since.take() {
            let failures = std::mem::take(&mut link.failures);
            drop(link);
            tracing::info!(failures, "event polls are answered again");
            let _ = self
                .events
                .send(Event::link_restored(self.agent.as_str(), since, failures));
        }
    }

    /// Records a failed poll and tells subscribers; returns how many failed in a row.
    pub(crate) fn link_failed(&self, error: &Error) -> u32 {
        let mut link = self.link.lock().unwrap_or_else(|e| e.into_inner());
        let since = *link.failing_since.get_or_insert_with(SystemTime::now);
        link.failures += 1;
        let failures = link.failures;
        drop(link);
        tracing::warn!(failures, error = %error, "event poll failed");
        let _ = self.events.send(Event::link_failing(
            self.agent.as_str(),
            since,
            failures,
            &error.to_string(),
        ));
        failures
    }

    pub(crate) fn count_recovery(&self) {
        let mut link = self.link.lock().unwrap_or_else(|e| e.into_inner());
        link.recoveries += 1;
        link.failing_since = None;
        link.failures = 0;
    }

    /// Hands an event to subscribers. Events do not change tracked modes: the events about
    /// an inspection (`BeQcStart`, `BeQcStop`) go to the inspected agent, not to the
    /// inspector, so the modes follow the inspector's own answered requests.
    pub(crate) fn dispatch(&self, event: Event) {
        let _ = self.events.send(event);
    }
}
