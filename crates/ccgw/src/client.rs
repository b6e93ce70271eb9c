//! The [`Client`]: one connection pool and one configuration, shared by every session.

use std::sync::Arc;
use std::time::Duration;

use crate::error::{Error, ErrorKind};
use crate::ids::{AgentId, Edition};
use crate::transport::send::Attempts;

/// The default time to wait for a connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// The `User-Agent` a client sends unless told otherwise.
const DEFAULT_USER_AGENT: &str = concat!("ccgw/", env!("CARGO_PKG_VERSION"));
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
///     .add_root_certificate_pem(&std::fs::read("private-ca.pem").unwrap())?
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
}

impl ClientInner {
    /// How the client's requests are tried: see [`Attempts`].
    pub(crate) fn attempts(&self) -> Attempts {
        Attempts {
            connect_retries: self.connect_retries,
            limit: self.request_timeout,
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

/// Whether a client for `url` needs [`ClientBuilder::insecure_http`]: plain `http://`
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
fn plain_http_elsewhere(url: &reqwest::Url) -> bool {
    url.scheme() == "http" && !is_loopback(url)
}

fn is_loopback(url: &reqwest::Url) -> bool {
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
    /// Starts configuring a client for the gateway at `base_url`, such as
    /// `https://gateway.example:8043`.
    pub fn builder(base_url: impl Into<String>) -> ClientBuilder {
        ClientBuilder {
            base_url: base_url.into(),
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            poll_timeout: DEFAULT_POLL_TIMEOUT,
            poll_failures_to_end: DEFAULT_POLL_FAILURES_TO_END,
            event_buffer: DEFAULT_EVENT_BUFFER,
            roots: Vec::new(),
            danger_accept_invalid_certs: false,
            insecure_http: false,
            proxy: None,
            user_agent: DEFAULT_USER_AGENT.to_owned(),
            edition: Edition::Classic,
            answer_limit: ccgw_api::hooks::DEFAULT_ANSWER_LIMIT,
            connect_retries: DEFAULT_CONNECT_RETRIES,
            configure_http: None,
        }
    }

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

/// Configures a [`Client`]. TLS certificates are verified against the system's roots
/// plus any added with [`add_root_certificate_pem`](Self::add_root_certificate_pem).
#[derive(Debug, Clone)]
pub struct ClientBuilder {
    base_url: String,
    connect_timeout: Duration,
    request_timeout: Duration,
    poll_timeout: Duration,
    poll_failures_to_end: u32,
    event_buffer: usize,
    roots: Vec<reqwest::Certificate>,
    danger_accept_invalid_certs: bool,
    insecure_http: bool,
    proxy: Option<String>,
    user_agent: String,
    edition: Edition,
    answer_limit: usize,
    connect_retries: u32,
    configure_http: Option<ConfigureHttp>,
}

/// A user's adjustment of the underlying `reqwest` client.
#[derive(Clone)]
struct ConfigureHttp(Arc<dyn Fn(reqwest::ClientBuilder) -> reqwest::ClientBuilder + Send + Sync>);

impl std::fmt::Debug for ConfigureHttp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ConfigureHttp(..)")
    }
}

impl ClientBuilder {
    /// How many events each session keeps for a subscriber that has not read them yet
    /// (default [`DEFAULT_EVENT_BUFFER`], at least 1).
    pub fn event_buffer(mut self, events: usize) -> Self {
        self.event_buffer = events.max(1);
        self
    }

    /// Adjusts the underlying `reqwest` client with settings this builder does not name:
    /// a client certificate (`identity`), proxy rules, a local address, HTTP/2 or
    /// keep-alive settings. `configure` runs after this builder's own settings, so it may
    /// change them, except one: automatic retries stay off, because a request that may
    /// have reached the gateway must never be sent again. Every request still passes
    /// through the session's hooks (Guid, cookies, answer limit), which also apply the
    /// [`request_timeout`](Self::request_timeout) and the
    /// [`user_agent`](Self::user_agent): set those two here, not on reqwest.
    ///
    /// ```
    /// let client = ccgw::Client::builder("https://gateway.example:8043")
    ///     .configure_http(|http| http.tcp_keepalive(std::time::Duration::from_secs(30)))
    ///     .build()?;
    /// # Ok::<(), ccgw::Error>(())
    /// ```
    pub fn configure_http(
        mut self,
        configure: impl Fn(reqwest::ClientBuilder) -> reqwest::ClientBuilder + Send + Sync + 'static,
    ) -> Self {
        self.configure_http = Some(ConfigureHttp(Arc::new(configure)));
        self
    }

    /// How long to wait for a connection (default 5 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// How long one attempt of an operation may take, answer body included (default
    /// 10 s). Past it the call fails with a timeout, and its outcome on the gateway is
    /// unknown. Event polls have their own limit (see [`poll_timeout`](Self::poll_timeout)).
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// How long to wait for an event-poll answer (default 30 s; keep it above the
    /// gateway's 10 s hold). A poll not answered by then is abandoned, counted as a
    /// failure ([`EventType::LinkFailing`](crate::EventType::LinkFailing)) and followed by
    /// the next.
    pub fn poll_timeout(mut self, timeout: Duration) -> Self {
        self.poll_timeout = timeout;
        self
    }

    /// How many event polls may fail in a row before the session is taken as lost
    /// (default 8, at least 1): it then signs in again if its
    /// [`Recovery`](crate::Recovery) policy allows, or signs out as far as it can and ends
    /// ([`EventType::SessionEnded`](crate::EventType::SessionEnded)).
    pub fn poll_failures_to_end(mut self, failures: u32) -> Self {
        self.poll_failures_to_end = failures.max(1);
        self
    }

    /// Trusts the CA certificates in this PEM text (one or several), besides the system's.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) when `pem` holds no certificate.
    pub fn add_root_certificate_pem(mut self, pem: &[u8]) -> Result<Self, Error> {
        let certs = reqwest::Certificate::from_pem_bundle(pem).map_err(|e| {
            Error::invalid_input("the CA certificate is not valid PEM").with_source(e)
        })?;
        if certs.is_empty() {
            return Err(Error::invalid_input("the PEM text holds no certificate"));
        }
        self.roots.extend(certs);
        Ok(self)
    }

    /// **Dangerous**: accepts any certificate, for any host, so anyone on the path can read
    /// and change the traffic, the password included. Only for a lab gateway whose
    /// certificate cannot be trusted any other way; prefer
    /// [`add_root_certificate_pem`](Self::add_root_certificate_pem). Off by default.
    pub fn danger_accept_invalid_certs(mut self, accept: bool) -> Self {
        self.danger_accept_invalid_certs = accept;
        self
    }

    /// **Insecure**: allows a plain `http://` gateway URL whose host is not a loopback
    /// address, so that the password and every Guid cross the network in clear text.
    /// CC-Gateway itself is HTTPS only; plain HTTP is right for a local simulator
    /// (`127.0.0.0/8`, `::1`, `localhost`), which needs no opt-in. Off by default.
    pub fn insecure_http(mut self, allow: bool) -> Self {
        self.insecure_http = allow;
        self
    }

    /// Sends every request through this proxy URL.
    pub fn proxy(mut self, url: impl Into<String>) -> Self {
        self.proxy = Some(url.into());
        self
    }

    /// The `User-Agent` header (default `ccgw/<version>`).
    pub fn user_agent(mut self, agent: impl Into<String>) -> Self {
        self.user_agent = agent.into();
        self
    }

    /// The gateway edition, which decides the range of agent IDs (default classic).
    pub fn edition(mut self, edition: Edition) -> Self {
        self.edition = edition;
        self
    }

    /// The largest answer body read, in bytes (default 1 MiB).
    pub fn answer_limit(mut self, bytes: usize) -> Self {
        self.answer_limit = bytes;
        self
    }

    /// How many times to retry a request that could not connect (default 2). Only
    /// failures where nothing was sent are retried; an answered or possibly delivered
    /// request never is.
    pub fn connect_retries(mut self, retries: u32) -> Self {
        self.connect_retries = retries;
        self
    }

    /// Builds the client.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) for a base URL that is not
    /// `http(s)://`, a proxy URL that does not parse, or settings the HTTP client refuses.
    pub fn build(self) -> Result<Client, Error> {
        let url = reqwest::Url::parse(&self.base_url)
            .map_err(|e| Error::invalid_input(format!("the gateway URL is not valid: {e}")))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(Error::invalid_input(
                "the gateway URL must start with https:// or http://",
            ));
        }
        if plain_http_elsewhere(&url) {
            if !self.insecure_http {
                return Err(Error::invalid_input(format!(
                    "refusing plain http:// to {}: the password and the session's Guid would \
                     cross the network unencrypted; use https://, or allow it explicitly \
                     with ClientBuilder::insecure_http(true)",
                    url.host_str().unwrap_or_default()
                )));
            }
            tracing::warn!("plain HTTP to a host that is not loopback: traffic is not encrypted");
        }
        let mut http = reqwest::Client::builder()
            .connect_timeout(self.connect_timeout)
            .tcp_keepalive(DEFAULT_TCP_KEEPALIVE)
            .retry(reqwest::retry::never())
            .pool_max_idle_per_host(512);
        for root in self.roots {
            http = http.add_root_certificate(root);
        }
        if self.danger_accept_invalid_certs {
            tracing::warn!("TLS certificate verification is off for this client");
            http = http.danger_accept_invalid_certs(true);
        }
        if let Some(proxy) = self.proxy {
            let proxy = reqwest::Proxy::all(&proxy)
                .map_err(|e| Error::invalid_input("the proxy URL is not valid").with_source(e))?;
            http = http.proxy(proxy);
        }
        if let Some(configure) = &self.configure_http {
            http = (configure.0)(http);
        }
        let http = http.retry(reqwest::retry::never()).build().map_err(|e| {
            Error::new(ErrorKind::InvalidInput, "cannot build the HTTP client").with_source(e)
        })?;
        let user_agent = if self.user_agent == DEFAULT_USER_AGENT {
            reqwest::header::HeaderValue::from_static(DEFAULT_USER_AGENT)
        } else {
            reqwest::header::HeaderValue::try_from(self.user_agent.as_str()).map_err(|e| {
                Error::invalid_input("the user agent is not a valid header value").with_source(e)
            })?
        };
        Ok(Client {
            inner: Arc::new(ClientInner {
                user_agent,
                request_timeout: self.request_timeout,
                base_url: self.base_url.trim_end_matches('/').to_owned(),
                http,
                edition: self.edition,
                answer_limit: self.answer_limit,
                connect_retries: self.connect_retries,
                poll_timeout: self.poll_timeout,
                poll_failures_to_end: self.poll_failures_to_end,
                event_buffer: self.event_buffer,
            }),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
