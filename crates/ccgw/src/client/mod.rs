//! The [`Client`]: one connection pool and one configuration, shared by every session.

use std::sync::Arc;
use std::time::Duration;

pub(crate) mod builder;
pub(crate) mod tls;

use crate::audit::AuditJournal;
use crate::error::Error;
use crate::ids::{AgentId, Edition};
use crate::transport::budget::OverloadBudget;
use crate::transport::limits::TenantSize;
use crate::transport::send::Attempts;

/// The default time to wait for a connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// The `User-Agent` a client sends unless told otherwise.
pub(crate) const DEFAULT_USER_AGENT: &str = concat!("ccgw/", env!("CARGO_PKG_VERSION"));
/// The default time to wait for an answer to an operation.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// The default time to wait for an event-poll answer: the gateway holds a poll for about
/// 10 s, so this must be longer.
pub const DEFAULT_POLL_TIMEOUT: Duration = Duration::from_secs(30);
/// The default number of events a session keeps for a subscriber that has not read
/// them yet. Each session allocates its buffer at once, so it is kept small: a session
/// sees a few events a second at most, and a subscriber that falls further behind is
/// told how many it missed ([`EventType::Lagged`](crate::EventType::Lagged)).
pub const DEFAULT_EVENT_BUFFER: usize = 64;
/// The default number of retries after a failure to connect (nothing was sent).
pub const DEFAULT_CONNECT_RETRIES: u32 = 2;
/// The default number of event polls that may fail in a row before the session is taken
/// as lost (as Huawei's own C# client does).
pub const DEFAULT_POLL_FAILURES_TO_END: u32 = 8;
/// The default TCP keepalive interval: a link that dies without a reset is noticed by the
/// operating system, not only by a time limit.
pub const DEFAULT_TCP_KEEPALIVE: Duration = Duration::from_secs(30);

/// A CC-Gateway client. Cheap to clone; every clone and every session made from it share
/// one connection pool.
///
/// ```no_run
/// # async fn demo() -> Result<(), ccgw::Error> {
/// let client = ccgw::Client::builder("https://gateway.example:8043")
///     .add_root_certificate_pem(&std::fs::read("private-ca.pem").unwrap())
///     .build()?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<ClientInner>,
}

pub(crate) struct ClientInner {
    pub(crate) base_url: String,
    pub(crate) http: reqwest::Client,
    pub(crate) edition: Edition,
    pub(crate) answer_limit: usize,
    pub(crate) connect_retries: u32,
    pub(crate) poll_timeout: Duration,
    pub(crate) poll_failures_to_end: u32,
    pub(crate) event_buffer: usize,
    /// How long one attempt of a request may take (the event poll has its own limit).
    pub(crate) request_timeout: Duration,
    /// Sent by the hooks of every session (see `ccgw_api::hooks::Hooks::user_agent`).
    pub(crate) user_agent: reqwest::header::HeaderValue,
    /// How each session paces its queue and agent-group queries; `None` does not.
    pub(crate) overload_budget: Option<OverloadBudget>,
    /// The tenant the bounds of answers that list agents derive from.
    pub(crate) tenant: TenantSize,
    /// Where every session records its state-changing requests, if anywhere.
    pub(crate) audit: Option<Arc<AuditJournal>>,
    /// What sees every answer as it came off the wire, if anything.
    pub(crate) tap: Option<Arc<dyn ccgw_api::tap::AnswerTap>>,
}

impl ClientInner {
    /// How the client's requests are tried: see [`Attempts`].
    pub(crate) fn attempts(&self) -> Attempts {
        Attempts {
            connect_retries: self.connect_retries,
            limit: self.request_timeout,
        }
    }

    /// [`attempts`](Self::attempts), each within `limit` as well (a short limit of its
    /// own, such as a stop sent on the way to a sign-out).
    pub(crate) fn attempts_within(&self, limit: Duration) -> Attempts {
        Attempts {
            limit: limit.min(self.request_timeout),
            ..self.attempts()
        }
    }
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url)
            .field("edition", &self.inner.edition)
            .finish()
    }
}

/// Whether a client for `url` needs [`ClientBuilder::insecure_http`](crate::ClientBuilder::insecure_http): plain `http://`
/// (in any letter case) to a host that is not a loopback address (`127.0.0.0/8`, `::1`,
/// `localhost`; any other name is not, whatever it resolves to). The builder refuses such
/// a URL without the opt-in; a program can ask first, to name its own opt-in.
///
/// ```
/// assert!(!ccgw::needs_insecure_http("http://127.0.0.1:8043"));
/// assert!(ccgw::needs_insecure_http("HTTP://gateway.example:8043"));
/// assert!(!ccgw::needs_insecure_http("https://gateway.example:8043"));
/// ```
pub fn needs_insecure_http(url: &str) -> bool {
    reqwest::Url::parse(url).is_ok_and(|url| plain_http_elsewhere(&url))
}

/// The one rule behind [`needs_insecure_http`] and the builder's refusal.
pub(crate) fn plain_http_elsewhere(url: &reqwest::Url) -> bool {
    url.scheme() == "http" && !is_loopback(url)
}

pub(crate) fn is_loopback(url: &reqwest::Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    match bare.parse::<std::net::IpAddr>() {
        Ok(ip) => ip.is_loopback(),
        Err(_) => host.eq_ignore_ascii_case("localhost") || host.eq_ignore_ascii_case("localhost."),
    }
}

impl Client {
    /// Parses an agent ID in this client's edition's range.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) when `text` is not an agent ID of
    /// this client's edition.
    pub fn agent_id(&self, text: &str) -> Result<AgentId, Error> {
        AgentId::parse_for(self.inner.edition, text)
    }

    /// The gateway edition this client checks agent IDs against.
    pub fn edition(&self) -> Edition {
        self.inner.edition
    }

    /// The gateway's base URL.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    fn loopback(url: &str) -> bool {
        is_loopback(&reqwest::Url::parse(url).unwrap())
    }

    #[test]
    fn only_loopback_addresses_and_localhost_are_loopback() {
        for yes in [
            "http://127.0.0.1:8043",
            "http://127.255.0.9/",
            "http://[::1]:8043",
            "http://localhost:8043",
            "http://LocalHost/",
        ] {
            assert!(loopback(yes), "{yes}");
        }
        for no in [
            "http://128.0.0.1",
            "http://10.0.0.1",
            "http://[::2]",
            "http://[::ffff:10.0.0.1]",
            "http://gateway.example",
            "http://localhost.example",
            "http://127.0.0.1.nip.example",
        ] {
            assert!(!loopback(no), "{no}");
        }
    }

    #[test]
    fn plain_http_elsewhere_than_loopback_is_refused_unless_named_insecure() {
        let refused = Client::builder("http://gateway.example:8043")
            .build()
            .unwrap_err();
        assert_eq!(refused.kind(), ErrorKind::InvalidInput);
        assert!(
            refused.to_string().contains("insecure_http(true)"),
            "{refused}"
        );
        Client::builder("http://gateway.example:8043")
            .insecure_http(true)
            .build()
            .expect("named insecure");
        Client::builder("http://127.0.0.1:8043")
            .build()
            .expect("loopback");
        Client::builder("https://gateway.example:8043")
            .build()
            .expect("https");
    }
}
