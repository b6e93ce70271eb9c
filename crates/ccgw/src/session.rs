//! An inspector's session: sign-in, every quality-control operation, mode tracking,
//! events and sign-out.

use std::fmt;
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use ccgw_api::hooks::Hooks;
use ccgw_api::operations::{self as ops, Operation};
use ccgw_api::types::{AdjustSkillRequest, CommonAnswer, SignInRequest};
use tokio::sync::{Notify, broadcast};

use crate::call::{ApiResult, missing_header, run};
use crate::client::Client;
use crate::error::{Error, ErrorKind};
use crate::events::{EVENT_BUFFER, Event, EventStream, EventType, run_poller};
use crate::ids::{AgentId, CallId, Skills};
use crate::mode::{Mode, TrackedMode};
use crate::secret::Password;
use crate::wire::SessionWire;

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
}

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

pub(crate) struct SessionInner {
    client: Client,
    api: ccgw_api::Client,
    wire: Arc<SessionWire>,
    agent: AgentId,
    modes: crate::mode::ModeTracker,
    events: broadcast::Sender<Event>,
    closed: AtomicBool,
    closed_signal: Arc<Notify>,
    poller: Mutex<Option<tokio::task::JoinHandle<()>>>,
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

impl Drop for SessionInner {
    fn drop(&mut self) {
        if let Some(poller) = self.poller.lock().unwrap_or_else(|e| e.into_inner()).take() {
            poller.abort();
        }
    }
}

pub(crate) async fn sign_in(client: &Client, request: SignIn) -> Result<Session, Error> {
    let wire = Arc::new(SessionWire::new(client.inner.poll_timeout));
    let hooks = Hooks::with_interceptor(wire.clone()).answer_limit(client.inner.answer_limit);
    let api =
        ccgw_api::Client::new_with_client(&client.inner.base_url, client.inner.http.clone(), hooks);
    let body = SignInRequest {
        password: request.password.expose().to_owned(),
        phonenum: request.phone.clone(),
        status: Some(if request.busy { 5 } else { 4 }),
        releasephone: Some(false),
        autoanswer: Some(true),
        autoenteridle: Some(true),
    };
    let me = request.agent.as_str();
    let agent = &request.agent;
    let retries = client.inner.connect_retries;
    let attempt = |force: bool| {
        let (api, body) = (&api, &body);
        async move {
            if force {
                run(&ops::FORCE_SIGN_IN, retries, me, None, || {
                    api.force_sign_in()
                        .agentid(agent.wire())
                        .body(body.clone())
                        .send()
                })
                .await
            } else {
                run(&ops::SIGN_IN, retries, me, None, || {
                    api.sign_in()
                        .agentid(agent.wire())
                        .body(body.clone())
                        .send()
                })
                .await
            }
        }
    };
    let first = attempt(request.force == ForceLogin::Always).await;
    match first {
        Err(e) if e.is_already_signed_in() && request.force == ForceLogin::OnConflict => {
            tracing::info!(
                agent = me,
                "already signed in elsewhere; taking the session over"
            );
            attempt(true).await?;
        }
        other => {
            other?;
        }
    }
    if wire.guid().is_none() {
        return Err(missing_header("Set-GUID header").with_operation(ops::SIGN_IN.log_name));
    }
    let (events, _) = broadcast::channel(EVENT_BUFFER);
    let session = Session {
        inner: Arc::new(SessionInner {
            client: client.clone(),
            api,
            wire,
            agent: request.agent,
            modes: Default::default(),
            events,
            closed: AtomicBool::new(false),
            closed_signal: Arc::new(Notify::new()),
            poller: Mutex::new(None),
        }),
    };
    if request.poll_events {
        let poller = tokio::spawn(run_poller(Arc::downgrade(&session.inner)));
        *session
            .inner
            .poller
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = Some(poller);
    }
    Ok(session)
}

impl SessionInner {
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

    fn guid(&self) -> Result<String, Error> {
        if self.is_closed() {
            return Err(Error::new(
                ErrorKind::SessionClosed,
                "the session is signed out",
            ));
        }
        self.wire
            .guid()
            .map(|g| g.to_string())
            .ok_or_else(|| Error::new(ErrorKind::SessionClosed, "the session has no Guid"))
    }

    pub(crate) async fn poll_once(&self) -> Result<Option<Event>, Error> {
        let guid = self.guid()?;
        let me = self.agent.as_str();
        let answer = run(&ops::POLL_EVENT, 0, me, None, || {
            self.api
                .poll_event()
                .agentid(self.agent.wire())
                .guid(&*guid)
                .send()
        })
        .await?;
        Ok(answer.event.and_then(|e| e.0).map(Event::from_wire))
    }

    /// Updates the tracked modes from an event and hands it to subscribers.
    pub(crate) fn dispatch(&self, event: Event) {
        if let Ok(agent) = AgentId::parse_for(self.client.edition(), &event.work_no) {
            match event.event_type {
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

impl Session {
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

    /// How many times the gateway replaced the session's Guid since sign-in.
    pub fn guid_rotations(&self) -> u64 {
        self.inner.wire.rotations()
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

    /// Wraps the session in a guard that signs it out when dropped.
    pub fn guard(self) -> SessionGuard {
        SessionGuard {
            session: Some(self),
        }
    }

    async fn act<'a, F, Fut>(
        &'a self,
        op: &'static Operation,
        target: Option<&'a AgentId>,
        send: F,
    ) -> Result<(), Error>
    where
        F: Fn(&'a ccgw_api::Client, &str) -> Fut,
        Fut: Future<Output = ApiResult<CommonAnswer>> + 'a,
    {
        let guid = self.inner.guid()?;
        let retries = self.inner.client.inner.connect_retries;
        let api = &self.inner.api;
        let result = run(
            op,
            retries,
            self.inner.agent.as_str(),
            target.map(AgentId::as_str),
            || send(api, &guid),
        )
        .await;
        if let (Err(e), Some(target)) = (&result, target)
            && op.state_changing
            && e.kind() != ErrorKind::Gateway
            && e.may_have_reached_gateway()
        {
            self.inner.modes.set(target, TrackedMode::Unknown);
        }
        result.map(|_| ())
    }

    fn me(&self) -> &AgentId {
        &self.inner.agent
    }

    /// Listens silently to `target`'s call (`addSupervise`).
    ///
    /// Prerequisites: the inspector is signed in and idle; the agent is in a call in the
    /// same VDN. Events: `AgentOther_BeQcStart` for the agent.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sim = ccgw_sim::Simulator::start(ccgw_sim::SimConfig::default()).await?;
    /// # let client = ccgw::Client::builder(sim.base_url()).build()?;
    /// # let password = ccgw_sim::DEFAULT_PASSWORD;
    /// let session = client.sign_in(ccgw::SignIn::new("101".parse()?, password)).await?;
    /// let agent = client.agent_id("1001")?;
    /// session.listen(&agent).await?;
    /// assert_eq!(session.mode_of(&agent), ccgw::TrackedMode::Listening);
    /// session.stop(&agent).await?;
    /// session.sign_out().await?;
    /// # Ok(()) }
    /// ```
    pub async fn listen(&self, target: &AgentId) -> Result<(), Error> {
        let me = self.me();
        self.act(&ops::LISTEN, Some(target), |api, g| {
            api.listen()
                .agentid(me.wire())
                .work_no(target.wire())
                .guid(g)
                .send()
        })
        .await?;
        self.inner.modes.set(target, TrackedMode::Listening);
        Ok(())
    }

    /// Barges into `target`'s call (`addInsert`): both parties hear the inspector.
    ///
    /// Prerequisites: the inspector is signed in and idle; the agent is in a call.
    pub async fn insert(&self, target: &AgentId) -> Result<(), Error> {
        let me = self.me();
        self.act(&ops::INSERT, Some(target), |api, g| {
            api.insert()
                .agentid(me.wire())
                .work_no(target.wire())
                .guid(g)
                .send()
        })
        .await?;
        self.inner.modes.set(target, TrackedMode::Inserting);
        Ok(())
    }

    /// Whispers to `target` (`requestWhisperAgent`): the agent hears the inspector, the
    /// customer does not.
    ///
    /// Prerequisites: the inspector is signed in and idle; the agent is in a call.
    pub async fn whisper(&self, target: &AgentId) -> Result<(), Error> {
        let me = self.me();
        self.act(&ops::REQUEST_WHISPER, Some(target), |api, g| {
            api.request_whisper()
                .agentid(me.wire())
                .whisperagentid(target.wire())
                .guid(g)
                .send()
        })
        .await?;
        self.inner.modes.set(target, TrackedMode::Whispering);
        Ok(())
    }

    /// Toggles between listening and inserting (`switchSuperviseOrInsert`).
    ///
    /// **A toggle**: sending it twice flips the mode back, so it is never retried after
    /// the request may have reached the gateway, and the tracked mode becomes
    /// [`TrackedMode::Unknown`] when the outcome is not known. To reach a given mode
    /// safely, use [`set_mode`](Self::set_mode).
    ///
    /// Prerequisites: the inspector is listening to or inserted into the agent's call.
    pub async fn switch_listen_insert(&self, target: &AgentId) -> Result<(), Error> {
        let me = self.me();
        self.act(&ops::SWITCH_LISTEN_INSERT, Some(target), |api, g| {
            api.switch_listen_insert()
                .agentid(me.wire())
                .work_no(target.wire())
                .guid(g)
                .send()
        })
        .await?;
        self.inner.modes.toggle(target);
        Ok(())
    }

    /// Reaches `mode` on `target`'s call, idempotently: when the session is not
    /// inspecting the agent it starts listening, inserting or whispering; otherwise it
    /// uses the explicit switch (`requestSwitchInsertWhisperAgent`), which names its
    /// target, so sending it again changes nothing.
    pub async fn set_mode(&self, target: &AgentId, mode: Mode) -> Result<(), Error> {
        if self.mode_of(target) == TrackedMode::Idle {
            return match mode {
                Mode::Listen => self.listen(target).await,
                Mode::Insert => self.insert(target).await,
                Mode::Whisper => self.whisper(target).await,
            };
        }
        let me = self.me();
        self.act(&ops::SWITCH_MODE, Some(target), |api, g| {
            api.switch_mode()
                .agentid(me.wire())
                .whisperagentid(target.wire())
                .switchtype(mode.switch_type())
                .guid(g)
                .send()
        })
        .await?;
        self.inner.modes.set(target, mode.into());
        Ok(())
    }

    /// Stops listening to or inserting into `target`'s call (`stopSuperviseOrInsert`).
    pub async fn stop(&self, target: &AgentId) -> Result<(), Error> {
        let me = self.me();
        self.act(&ops::STOP_LISTEN_OR_INSERT, Some(target), |api, g| {
            api.stop_listen_or_insert()
                .agentid(me.wire())
                .work_no(target.wire())
                .guid(g)
                .send()
        })
        .await?;
        self.inner.modes.set(target, TrackedMode::Idle);
        Ok(())
    }

    /// Stops whispering to `target`.
    pub async fn stop_whisper(&self, target: &AgentId) -> Result<(), Error> {
        let me = self.me();
        self.act(&ops::STOP_WHISPER, Some(target), |api, g| {
            api.stop_whisper()
                .agentid(me.wire())
                .whisperagentid(target.wire())
                .guid(g)
                .send()
        })
        .await?;
        self.inner.modes.set(target, TrackedMode::Idle);
        Ok(())
    }

    /// Takes the customer over from `target` (`intercept`): the agent leaves the call and
    /// the inspector talks to the customer.
    ///
    /// Prerequisites: the inspector is listening to, inserted into or whispering on the
    /// agent's call.
    pub async fn intercept(&self, target: &AgentId) -> Result<(), Error> {
        let me = self.me();
        self.act(&ops::INTERCEPT, Some(target), |api, g| {
            api.intercept()
                .agentid(me.wire())
                .work_no(target.wire())
                .guid(g)
                .send()
        })
        .await?;
        self.inner.modes.set(target, TrackedMode::Intercepting);
        Ok(())
    }

    /// Like [`intercept`](Self::intercept), for the call `call` of `target` (newest
    /// edition).
    pub async fn intercept_call(&self, target: &AgentId, call: &CallId) -> Result<(), Error> {
        let me = self.me();
        self.act(&ops::INTERCEPT_CALL, Some(target), |api, g| {
            api.intercept_call()
                .agentid(me.wire())
                .work_no(target.wire())
                .call_id(call.as_str())
                .guid(g)
                .send()
        })
        .await?;
        self.inner.modes.set(target, TrackedMode::Intercepting);
        Ok(())
    }

    /// Forces `target` busy: no new call is routed to it.
    pub async fn force_busy(&self, target: &AgentId) -> Result<(), Error> {
        let me = self.me();
        self.act(&ops::FORCE_BUSY, Some(target), |api, g| {
            api.force_busy()
                .agentid(me.wire())
                .work_no(target.wire())
                .guid(g)
                .send()
        })
        .await
    }

    /// Forces `target` idle, ready for calls.
    pub async fn force_idle(&self, target: &AgentId) -> Result<(), Error> {
        let me = self.me();
        self.act(&ops::FORCE_IDLE, Some(target), |api, g| {
            api.force_idle()
                .agentid(me.wire())
                .work_no(target.wire())
                .guid(g)
                .send()
        })
        .await
    }

    /// Forces `target` to rest for `seconds` (1 to 86399) with rest reason code `reason`
    /// (1 to 255). Out-of-range values are rejected before anything is sent.
    pub async fn force_rest(
        &self,
        target: &AgentId,
        seconds: u32,
        reason: u8,
    ) -> Result<(), Error> {
        if !(1..=86_399).contains(&seconds) {
            return Err(Error::invalid_input(format!(
                "rest time {seconds} s is outside 1..=86399"
            )));
        }
        if reason == 0 {
            return Err(Error::invalid_input("rest reason 0 is outside 1..=255"));
        }
        let me = self.me();
        self.act(&ops::FORCE_REST, Some(target), |api, g| {
            api.force_rest()
                .agentid(me.wire())
                .work_no(target.wire())
                .time(seconds)
                .reason(u32::from(reason))
                .guid(g)
                .send()
        })
        .await
    }

    /// Forces `target` to sign out.
    pub async fn force_sign_out(&self, target: &AgentId) -> Result<(), Error> {
        let me = self.me();
        self.act(&ops::FORCE_SIGN_OUT, Some(target), |api, g| {
            api.force_sign_out()
                .agentid(me.wire())
                .work_no(target.wire())
                .guid(g)
                .send()
        })
        .await?;
        self.inner.modes.set(target, TrackedMode::Idle);
        Ok(())
    }

    /// Ends the call `call` for every party on it.
    pub async fn force_release_call(&self, call: &CallId) -> Result<(), Error> {
        let me = self.me();
        self.act(&ops::FORCE_RELEASE_CALL, None, |api, g| {
            api.force_release_call()
                .agentid(me.wire())
                .callid(call.as_str())
                .guid(g)
                .send()
        })
        .await
    }

    /// Replaces the skill queues `target` serves with `skills`.
    pub async fn adjust_skills(&self, target: &AgentId, skills: &Skills) -> Result<(), Error> {
        let me = self.me();
        let work_no = target.as_str().parse().map_err(|_| {
            Error::invalid_input("the agent ID does not fit the document's pattern")
        })?;
        let body = AdjustSkillRequest {
            skills: skills.ids().to_vec(),
            work_no,
        };
        self.act(&ops::ADJUST_SKILLS, Some(target), |api, g| {
            api.adjust_skills()
                .agentid(me.wire())
                .body(body.clone())
                .guid(g)
                .send()
        })
        .await
    }

    /// Signs the session out and stops its event polling. Signing out a closed session
    /// does nothing.
    pub async fn sign_out(&self) -> Result<(), Error> {
        if self.is_closed() {
            return Ok(());
        }
        let me = self.me();
        let result = self
            .act(&ops::SIGN_OUT, None, |api, g| {
                api.sign_out().agentid(me.wire()).guid(g).send()
            })
            .await;
        self.inner.mark_closed();
        result
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
