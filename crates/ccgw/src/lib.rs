//! A client for the real-time quality-control interfaces of Huawei's CC-Gateway.
//!
//! Build a [`Client`], [sign in](Client::sign_in) an inspector, and call the operations
//! on the [`Session`]: [`listen`](Session::listen), [`insert`](Session::insert),
//! [`whisper`](Session::whisper), [`set_mode`](Session::set_mode),
//! [`stop`](Session::stop), [`intercept`](Session::intercept), the forced agent states,
//! and more.
//!
//! ```
//! use std::time::Duration;
//! use ccgw::{Client, EventType, Mode, SignIn, TrackedMode};
//! use ccgw_sim::{DEFAULT_PASSWORD, Simulator, testing::quick};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // A simulated gateway on loopback (`ccgw-sim`, a dev-dependency with its `testing`
//! // feature); a real one is `https://gateway.example:8043` and the inspector's password.
//! let sim = Simulator::start(quick()).await?;
//! let client = Client::builder(sim.base_url()).build()?;
//! let inspector = client.agent_id("101")?;
//! let session = client.sign_in(SignIn::new(inspector, DEFAULT_PASSWORD)).await?;
//! let agent = client.agent_id("1001")?;
//!
//! let mut events = session.events();
//! session.listen(&agent).await?;
//! // The inspector's own phone goes off-hook on the call (BeQcStart goes to the agent).
//! events.wait_for(|e| e.event_type() == &EventType::PhoneOffhook, Duration::from_secs(5)).await?;
//! session.set_mode(&agent, Mode::Insert).await?;
//! assert_eq!(session.mode_of(&agent), TrackedMode::Inserting);
//! session.stop(&agent).await?;
//! session.sign_out().await?;
//! # Ok(()) }
//! ```
//!
//! # Safety on the wire
//!
//! * TLS is verified (rustls); trust a private CA with
//!   [`ClientBuilder::add_root_certificate_pem`]. Turning verification off is
//!   [`ClientBuilder::danger_accept_invalid_certs`], never the default. Plain `http://`
//!   is accepted only to a loopback host (see [`needs_insecure_http`]) unless
//!   [`ClientBuilder::insecure_http`] says otherwise.
//! * A request that may have reached the gateway is never sent again. Only a failure to
//!   connect, where nothing was sent, is retried. The listen/insert toggle
//!   ([`Session::switch_listen_insert`]) in particular would flip back if resent;
//!   [`Session::set_mode`] is the idempotent way to reach a mode.
//! * Every failure is an [`Error`] with an [`ErrorKind`]; gateway failures carry the
//!   [`Retcode`]. No error, `Debug` output or log line carries the password or a Guid.
//! * Answers are read up to a size limit (1 MiB by default).
//! * Queue-device and agent-group queries are paced within the gateway's overload budget
//!   (by default 5 per agent per 2 s; [`ClientBuilder::overload_budget`]): a query waits
//!   for room, at most the request timeout, rather than go over.
//!
//! # Features
//!
//! * `rustls` (default): TLS by rustls with the `ring` cryptography provider, which builds
//!   without cmake. reqwest's TLS is compiled in without a provider of its own, so
//!   [`install_tls_provider`] names this one; a program that builds its own reqwest clients
//!   in the same process calls it first.
//! * `aws-lc-rs`: rustls with aws-lc-rs instead: post-quantum key exchange (which `ring`
//!   lacks, so rustls marks its provider deprecated since 0.23.48), FIPS builds, faster
//!   handshakes; its C library is built with cmake and lengthens a cold build.
//! * `native-tls`: the platform's TLS library (OpenSSL on Linux) instead of rustls; with
//!   both, reqwest uses native-tls.
//! * `serde`: `Serialize` and `Deserialize` on events, IDs, modes and query results.
//! * `schemars`: `JsonSchema` on the generated wire types of `ccgw-api`.

#![deny(missing_docs)]
#![deny(clippy::missing_errors_doc)]

mod audit;
mod client;
mod error;
mod events;
mod ids;
mod info;
mod mode;
mod operations;
mod redact;
mod secret;
mod session;
pub mod telemetry;
mod transport;

pub use audit::{
    AuditAnchor, AuditJournal, AuditJournalBuilder, AuditKey, BadHead, JournalBroken, JournalHead,
    JournalLine, LineKind as JournalLineKind, MIN_KEY_BYTES, Outcome as JournalOutcome, Verified,
    VerifyOptions, verify_journal, verify_journal_with,
};
pub use client::builder::ClientBuilder;
pub use client::tls::install_tls_provider;
pub use client::{
    Client, DEFAULT_CONNECT_RETRIES, DEFAULT_CONNECT_TIMEOUT, DEFAULT_EVENT_BUFFER,
    DEFAULT_POLL_FAILURES_TO_END, DEFAULT_POLL_TIMEOUT, DEFAULT_REQUEST_TIMEOUT,
    DEFAULT_TCP_KEEPALIVE, needs_insecure_http,
};
pub use error::{Error, ErrorKind, Retcode, TransportKind};
pub use events::{Event, EventStream, EventType, GATEWAY_EVENT_NAMES};
pub use ids::{AgentId, CallId, Edition, MAX_SKILLS, SkillId, Skills};
pub use info::{
    AgentFilter, AgentInfo, AgentState, CallInfo, CtiState, MAX_AGENT_LIMIT, MAX_PLAY_PATH,
    MAX_RECORD_ID, OwnState, PlayStopCause, QueueStats, Recording, SkillQueue, SkillQueueAgents,
};
pub use mode::{Mode, TrackedMode};
pub use operations::{
    AGENTS_PER_LIST_REQUEST, DEFAULT_MAX_DOWNLOAD, DEFAULT_MAX_DOWNLOAD_TIME, DEFAULT_PLAY_WAIT,
    DownloadOptions, DownloadProgress, Downloaded, Method, PLAYBACK_STOP_LIMIT, PlayOptions,
    Playback, PlaybackState, QUEUES_PER_STATS_REQUEST, RESOURCE_ROOT, RawAnswer, RecordingKind,
};
pub use redact::EXCERPT_CHARS;

/// Seeing every answer as it came off the wire ([`ClientBuilder::answer_tap`]).
///
/// [`Exchange`](tap::Exchange) holds reqwest 0.13's `HeaderMap` and `Error` as they came:
/// a tap studies the wire, and a copy into types of this crate would hide what it came to
/// see. A new major version of reqwest will change them.
pub mod tap {
    pub use ccgw_api::tap::{AnswerTap, Exchange};
}
pub use secret::Password;
pub use session::Session;
pub use session::options::{ForceLogin, Recovery, SignIn};
pub use session::sign_out::{INSPECTION_STOP_LIMIT, SessionGuard};
pub use session::state::LinkHealth;
pub use transport::budget::OverloadBudget;
pub use transport::decode_answer;
pub use transport::limits::{AGENT_ENTRY_BOUND, TenantSize};
pub use transport::salvage::SkippedEntry;

/// The README's Rust examples, compiled as doctests so that they cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
struct ReadmeExamples;

/// The library guide's Rust examples (`docs/library.md`), compiled likewise.
#[cfg(doctest)]
#[doc = include_str!("../../../docs/library.md")]
struct LibraryGuideExamples;

/// What must hold for sharing across tasks, checked at compile time: clients and
/// sessions are shared by reference, streams are moved into tasks.
const _: () = {
    const fn shared<T: Send + Sync>() {}
    const fn movable<T: Send + Unpin>() {}
    shared::<Client>();
    shared::<ClientBuilder>();
    shared::<Session>();
    shared::<SessionGuard>();
    shared::<Error>();
    shared::<Event>();
    movable::<EventStream>();
};
