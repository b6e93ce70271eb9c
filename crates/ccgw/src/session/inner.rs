//! The state one signed-in session shares among its handles and its event poller.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::{Notify, broadcast};

use super::headers::SessionHeaders;
use super::options::{Recovery, SignIn};
use crate::client::Client;
use crate::error::{Error, ErrorKind};
use crate::events::{Event, EventType};
use crate::ids::AgentId;
use crate::mode::{ModeTracker, TrackedMode};

pub(crate) struct SessionInner {
    pub(crate) client: Client,
    pub(crate) api: ccgw_api::Client,
    pub(crate) headers: Arc<SessionHeaders>,
    pub(crate) agent: AgentId,
    pub(crate) modes: ModeTracker,
    pub(crate) events: broadcast::Sender<Event>,
    closed: AtomicBool,
    closed_signal: Arc<Notify>,
    pub(crate) poller: Mutex<Option<tokio::task::JoinHandle<()>>>,
    /// What to sign in with again, kept only when a recovery policy asks for it.
    pub(crate) recovery: Option<(SignIn, Recovery)>,
    /// Held while a recovery runs, so that only one runs at a time.
    pub(crate) recovering: tokio::sync::Mutex<()>,
    /// Woken when a request suggests the gateway ended the session, so that the poller
    /// checks at once rather than after its pause.
    pub(crate) suspect: Notify,
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
            suspect: Notify::new(),
            modes: ModeTracker::default(),
            events,
            closed: AtomicBool::new(false),
            closed_signal: Arc::new(Notify::new()),
            poller: Mutex::new(None),
        }
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.closed.load(Ordering::SeqCst)
    }

    pub(crate) fn closed_signal(&self) -> Arc<Notify> {
        self.closed_signal.clone()
    }

    pub(crate) fn mark_closed(&self) {
        if !self.closed.swap(true, Ordering::SeqCst) {
            self.closed_signal.notify_waiters();
            let _ = self.events.send(Event::session_ended(self.agent.as_str()));
        }
    }

    /// Whether the session can send a request: not signed out, and holding a Guid.
    pub(crate) fn ready(&self) -> Result<(), Error> {
        if self.is_closed() {
            return Err(Error::new(
                ErrorKind::SessionClosed,
                "the session is signed out",
            ));
        }
        if !self.headers.has_guid() {
            return Err(Error::new(
                ErrorKind::SessionClosed,
                "the session has no Guid",
            ));
        }
        Ok(())
    }

    /// Updates the tracked modes from an event and hands it to subscribers.
    pub(crate) fn dispatch(&self, event: Event) {
        if let Ok(agent) = AgentId::parse_for(self.client.edition(), event.work_no()) {
            match event.event_type() {
                // The event tells how the inspection started, which a later answered
                // call may have changed: it only fills in what the session did not know.
                EventType::BeQcStart => {
                    if matches!(
                        self.modes.get(&agent),
                        TrackedMode::Idle | TrackedMode::Unknown
                    ) {
                        self.modes
                            .set(&agent, event.qc_mode().unwrap_or(TrackedMode::Unknown));
                    }
                }
                EventType::BeQcStop => self.modes.set(&agent, TrackedMode::Idle),
                _ => {}
            }
        }
        let _ = self.events.send(event);
    }
}
