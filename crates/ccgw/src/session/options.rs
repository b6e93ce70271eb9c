//! What an inspector signs in with, and what the session does when the gateway ends it.

use std::time::Duration;

use ccgw_api::types::SignInRequest;

use crate::ids::AgentId;
use crate::secret::Password;

/// When to take over a session the agent already holds elsewhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ForceLogin {
    /// Never: a sign-in answered 100-002 fails with [`Error::is_already_signed_in`](crate::Error::is_already_signed_in).
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
#[must_use]
pub struct SignIn {
    agent: AgentId,
    password: Password,
    phone: String,
    force: ForceLogin,
    busy: bool,
    poll_events: bool,
    recovery: Option<Recovery>,
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
            recovery: None,
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

    /// Signs in again when the gateway ends the session, as `policy` says (default: the
    /// session just ends). Needs event polling, which is how the session learns that
    /// the gateway ended it.
    pub fn recover(mut self, policy: Recovery) -> Self {
        self.recovery = Some(policy);
        self
    }

    pub(super) fn agent(&self) -> &AgentId {
        &self.agent
    }

    pub(super) fn force_policy(&self) -> ForceLogin {
        self.force
    }

    pub(super) fn polls_events(&self) -> bool {
        self.poll_events
    }

    pub(super) fn recovery(&self) -> Option<Recovery> {
        self.recovery
    }

    pub(super) fn body(&self) -> SignInRequest {
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

/// What a session does when the gateway ends it (expired, taken over, signed out by
/// another inspector): sign in again, at most `attempts` times, waiting `backoff` before
/// the first attempt and twice as long before each next one. The request that found the
/// session gone is not sent again: its caller gets its error.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let sim = ccgw_sim::Simulator::start(ccgw_sim::SimConfig::default()).await?;
/// # let client = ccgw::Client::builder(sim.base_url()).build()?;
/// # let password = ccgw_sim::DEFAULT_PASSWORD;
/// use std::time::Duration;
/// use ccgw::{EventType, ForceLogin, Recovery, SignIn};
/// let policy = Recovery::default().attempts(5).backoff(Duration::from_millis(200));
/// let request = SignIn::new("101".parse()?, password).recover(policy.force(ForceLogin::Always));
/// let session = client.sign_in(request).await?;
/// let mut events = session.events();
/// // Another console takes inspector 101 over; this session takes it back.
/// let _other = client.sign_in(SignIn::new("101".parse()?, password).force(ForceLogin::Always)).await?;
/// events.wait_for(|e| e.event_type() == &EventType::SessionRecovered, Duration::from_secs(5)).await?;
/// session.own_state().await?; // signed in again
/// session.sign_out().await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
#[must_use]
pub struct Recovery {
    /// How many sign-ins to try before the session ends (default 3).
    pub attempts: u32,
    /// The wait before the first attempt; it doubles before each next one (default 1 s).
    pub backoff: Duration,
    /// Whether the new sign-in takes over a session held elsewhere (default: never, so
    /// that two consoles never take one inspector from each other in turn).
    pub force: ForceLogin,
}

impl Default for Recovery {
    fn default() -> Self {
        Recovery {
            attempts: 3,
            backoff: Duration::from_secs(1),
            force: ForceLogin::Never,
        }
    }
}

impl Recovery {
    /// Sets how many sign-ins to try.
    pub fn attempts(mut self, attempts: u32) -> Self {
        self.attempts = attempts;
        self
    }

    /// Sets the wait before the first attempt.
    pub fn backoff(mut self, backoff: Duration) -> Self {
        self.backoff = backoff;
        self
    }

    /// Sets whether the new sign-in takes over a session held elsewhere.
    pub fn force(mut self, force: ForceLogin) -> Self {
        self.force = force;
        self
    }

    /// The wait before attempt `n` (from 1).
    pub(super) fn wait_before(&self, n: u32) -> Duration {
        self.backoff
            .saturating_mul(1 << n.saturating_sub(1).min(10))
            .min(Duration::from_secs(60))
    }
}
