//! An inspector's session and its life: signing in ([`sign_in`]), the event poll that
//! keeps it alive and reports the link's health ([`polling`]), signing in again after the
//! gateway ended it ([`recovery`]) and signing out ([`sign_out`]). [`state`] holds what
//! every clone of a [`Session`] shares; [`send`] is the one path every request of a
//! session takes (ready check, transport, tracking what it did to an inspection). What a
//! session can do is in [`crate::operations`].

// The crate root re-exports the public items of `options`, `sign_out` and `state`
// itself: a re-export here would make this module depend on children that use `Session`.
pub(crate) mod options;
mod polling;
mod recovery;
pub(crate) mod send;
mod sign_in;
pub(crate) mod sign_out;
pub(crate) mod state;

use std::fmt;
use std::sync::Arc;

use self::state::{LinkHealth, SessionInner};
use crate::client::Client;
use crate::events::EventStream;
use crate::ids::AgentId;
use crate::mode::TrackedMode;

/// A signed-in inspector. Cheap to clone; clones share the session.
///
/// The session keeps the newest Guid the gateway announced, sends the load balancer's
/// cookies back, polls events in the background (which keeps it alive) and tracks the
/// quality-control mode of each agent it inspects. No request that may have reached the
/// gateway is ever sent again by this crate.
#[derive(Clone)]
pub struct Session {
    inner: Arc<SessionInner>,
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Session")
            .field("agent", &self.inner.agent)
            .field("gateway", &self.inner.client.base_url())
            .field("closed", &self.is_closed())
            .finish_non_exhaustive()
    }
}

impl Session {
    pub(crate) fn from_inner(inner: Arc<SessionInner>) -> Self {
        Session { inner }
    }

    pub(crate) fn inner(&self) -> &SessionInner {
        &self.inner
    }

    /// The inspections the session tracks: each agent it inspects and the mode it
    /// believes, by agent ID. Agents it does not inspect are left out.
    pub fn inspections(&self) -> Vec<(AgentId, TrackedMode)> {
        self.inner.modes.all()
    }

    /// Records the mode an answered request put `target` in.
    pub(crate) fn track(&self, target: &AgentId, mode: TrackedMode) {
        self.inner.modes.set(target, mode);
    }

    /// How the event poll's link fares: since when polls fail, how many in a row, and
    /// how many times the session recovered. A console shows it as "events stalled for
    /// 35 s"; the same news arrives as [`EventType::LinkFailing`](crate::EventType::LinkFailing)
    /// and [`EventType::LinkRestored`](crate::EventType::LinkRestored) events.
    pub fn link_health(&self) -> LinkHealth {
        self.inner.link_health()
    }

    /// The inspector's agent ID.
    pub fn agent_id(&self) -> &AgentId {
        &self.inner.agent
    }

    /// The client the session was made from.
    pub fn client(&self) -> &Client {
        &self.inner.client
    }

    /// Whether the session was signed out (by [`sign_out`](Self::sign_out), or because the
    /// gateway stopped accepting it).
    pub fn is_closed(&self) -> bool {
        self.inner.is_closed()
    }

    /// Whether a sign-out began (it may have failed and can be tried again) or the
    /// session ended: either way it sends no other request.
    pub fn is_closing(&self) -> bool {
        self.inner.is_closing()
    }

    /// How many times the gateway replaced the session's Guid since sign-in.
    pub fn guid_rotations(&self) -> u64 {
        self.inner.headers.rotations()
    }

    /// The events from now on. Subscribe before acting, so as not to miss what the
    /// action triggers.
    pub fn events(&self) -> EventStream {
        EventStream::new(self.inner.events.subscribe())
    }

    /// What the session believes `agent`'s mode is, from its own answered calls and from
    /// events.
    pub fn mode_of(&self, agent: &AgentId) -> TrackedMode {
        self.inner.modes.get(agent)
    }
}
