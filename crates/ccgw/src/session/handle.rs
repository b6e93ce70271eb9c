//! The [`Session`] handle: what every clone shares, and the one path by which each
//! quality-control request is sent.

use std::fmt;
use std::future::Future;
use std::sync::Arc;

use ccgw_api::operations::Operation;
use ccgw_api::types::CommonAnswer;

use super::inner::{LinkHealth, SessionInner};
use crate::client::Client;
use crate::error::{Error, ErrorKind};
use crate::events::EventStream;
use crate::ids::AgentId;
use crate::mode::TrackedMode;
use crate::request::{Answer, ApiResult, run};

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
    pub(super) fn from_inner(inner: Arc<SessionInner>) -> Self {
        Session { inner }
    }

    pub(super) fn inner(&self) -> &SessionInner {
        &self.inner
    }

    /// The inspections the session tracks: each agent it inspects and the mode it
    /// believes, by agent ID. Agents it does not inspect are left out.
    pub fn inspections(&self) -> Vec<(AgentId, TrackedMode)> {
        self.inner.modes.all()
    }

    /// Records the mode an answered request put `target` in.
    pub(super) fn track(&self, target: &AgentId, mode: TrackedMode) {
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

    /// Sends one request (built by `send`; the hooks add the newest Guid) and returns its
    /// answer. Only quality-control operations that start, change or end an inspection
    /// (the document's `x-inspection`) touch `target`'s tracked mode: a toggle that
    /// succeeded flips it, and one whose outcome is unknown (it failed after the request
    /// may have left, or its future was dropped) makes it [`TrackedMode::Unknown`].
    pub(super) async fn send_op<'a, T, F, Fut>(
        &'a self,
        op: &'static Operation,
        target: Option<&'a AgentId>,
        send: F,
    ) -> Result<T, Error>
    where
        T: Answer,
        F: Fn(&'a ccgw_api::Client) -> Fut,
        Fut: Future<Output = ApiResult<T>> + 'a,
    {
        self.inner.ready()?;
        let attempts = self.inner.client.inner.attempts();
        let api = &self.inner.api;
        let inspected = target.filter(|_| op.inspection);
        if inspected.is_some() {
            self.inner.modes.bump();
        }
        // Until the outcome is known, a drop of this future leaves the mode unknown.
        let pending = inspected.map(|target| UnknownUnlessSettled {
            modes: &self.inner.modes,
            target,
        });
        let inner = &self.inner;
        let result = run(
            op,
            attempts,
            self.inner.agent.as_str(),
            target.map(AgentId::as_str),
            || !inner.is_closing(),
            || send(api),
        )
        .await;
        if let Some(pending) = pending {
            std::mem::forget(pending);
        }
        if let Err(e) = &result
            && (e.is_auth_expired() || e.is_not_signed_in())
        {
            // Perhaps the gateway ended the session: let the poller check now.
            self.inner.suspect.notify_one();
        }
        if let Some(target) = inspected {
            match &result {
                Ok(_) if op.toggle => self.inner.modes.toggle(target),
                Err(e) if e.kind() != ErrorKind::Gateway && e.may_have_reached_gateway() => {
                    self.inner.modes.set(target, TrackedMode::Unknown)
                }
                _ => {}
            }
        }
        result
    }

    /// [`send_op`](Self::send_op) for the actions, whose answer carries nothing.
    pub(super) async fn act<'a, F, Fut>(
        &'a self,
        op: &'static Operation,
        target: Option<&'a AgentId>,
        send: F,
    ) -> Result<(), Error>
    where
        F: Fn(&'a ccgw_api::Client) -> Fut,
        Fut: Future<Output = ApiResult<CommonAnswer>> + 'a,
    {
        self.send_op(op, target, send).await.map(|_| ())
    }
}

/// Marks an inspection's mode unknown when dropped: the guard of a request in flight,
/// forgotten once the outcome is known.
struct UnknownUnlessSettled<'a> {
    modes: &'a crate::mode::ModeTracker,
    target: &'a AgentId,
}

impl Drop for UnknownUnlessSettled<'_> {
    fn drop(&mut self) {
        self.modes.set(self.target, TrackedMode::Unknown);
    }
}

/// Sends the generated request `$method` in the inspector's name through
/// [`Session::act`]: `about` is the agent whose tracked mode the request concerns (if
/// any), and each `name(value)` after it sets one parameter of the generated builder. The
/// operation is found from the builder method's name alone, at compile time: a name the
/// table does not know fails the build, so the two can never disagree.
macro_rules! send_request {
    ($session:expr, $method:ident, about: $about:expr
        $(, $param:ident($value:expr))* $(,)?) => {
        send_request!(@via act, $session, $method, $about $(, $param($value))*)
    };
    // A query about one agent, named by `workno`.
    (query $session:expr, $method:ident, agent: $agent:expr $(,)?) => {
        send_request!(@via send_op, $session, $method, Some($agent), workno($agent.wire()))
    };
    // A query: the answer itself, not just whether it succeeded.
    (query $session:expr, $method:ident, about: $about:expr
        $(, $param:ident($value:expr))* $(,)?) => {
        send_request!(@via send_op, $session, $method, $about $(, $param($value))*)
    };
    (@via $send:ident, $session:expr, $method:ident, $about:expr
        $(, $param:ident($value:expr))*) => {{
        const OPERATION: &ccgw_api::operations::Operation =
            match ccgw_api::operations::by_hook_id(stringify!($method)) {
                Some(operation) => operation,
                None => panic!(concat!("no operation has the builder ", stringify!($method))),
            };
        let me = $session.agent_id();
        $session
            .$send(OPERATION, $about, |api| {
                api.$method()
                    .agentid(me.wire())
                    $(.$param($value))*
                    .guid(crate::session::headers::GUID_PLACEHOLDER)
                    .send()
            })
            .await
    }};
}
pub(super) use send_request;
