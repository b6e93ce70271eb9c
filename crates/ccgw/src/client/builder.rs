//! The [`ClientBuilder`]: TLS, timeouts, limits and pacing, checked once when the client
//! is built.

use std::sync::Arc;
use std::time::Duration;

use super::{
    Client, ClientInner, DEFAULT_CONNECT_RETRIES, DEFAULT_CONNECT_TIMEOUT, DEFAULT_EVENT_BUFFER,
    DEFAULT_POLL_FAILURES_TO_END, DEFAULT_POLL_TIMEOUT, DEFAULT_REQUEST_TIMEOUT,
    DEFAULT_TCP_KEEPALIVE, DEFAULT_USER_AGENT, plain_http_elsewhere,
};
use crate::audit::AuditJournal;
use crate::error::{Error, ErrorKind};
use crate::ids::Edition;
use crate::transport::budget::OverloadBudget;
use crate::transport::limits::TenantSize;
use ccgw_api::tap::AnswerTap;

/// Configures a [`Client`]. TLS certificates are verified against the system's roots
/// plus any added with [`add_root_certificate_pem`](Self::add_root_certificate_pem).
/// Every setting returns the builder, so that they chain; a setting that is not valid
/// makes [`build`](Self::build) fail, naming it.
#[derive(Debug, Clone)]
#[must_use]
pub struct ClientBuilder {
    base_url: String,
    connect_timeout: Duration,
    request_timeout: Duration,
    poll_timeout: Duration,
    poll_failures_to_end: u32,
    event_buffer: usize,
    roots: Vec<reqwest::Certificate>,
    /// The first setting that was not valid, for `build` to report.
    invalid: Option<String>,
    danger_accept_invalid_certs: bool,
    insecure_http: bool,
    proxy: Option<String>,
    user_agent: String,
    edition: Edition,
    answer_limit: usize,
    connect_retries: u32,
    configure_http: Option<ConfigureHttp>,
    overload_budget: Option<OverloadBudget>,
    tenant: TenantSize,
    audit: Option<Arc<AuditJournal>>,
    tap: Option<Arc<dyn AnswerTap>>,
}

/// A user's adjustment of the underlying `reqwest` client.
#[derive(Clone)]
struct ConfigureHttp(Arc<dyn Fn(reqwest::ClientBuilder) -> reqwest::ClientBuilder + Send + Sync>);

impl std::fmt::Debug for ConfigureHttp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ConfigureHttp(..)")
    }
}

impl Client {
    /// Starts configuring a client for the gateway at `base_url`, such as
    /// `https://gateway.example:8043`.
    pub fn builder(base_url: impl Into<String>) -> ClientBuilder {
        ClientBuilder::new(base_url.into())
    }
}

impl ClientBuilder {
    /// A builder with every default: see [`Client::builder`].
    fn new(base_url: String) -> ClientBuilder {
        ClientBuilder {
            base_url,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            poll_timeout: DEFAULT_POLL_TIMEOUT,
            poll_failures_to_end: DEFAULT_POLL_FAILURES_TO_END,
            event_buffer: DEFAULT_EVENT_BUFFER,
            roots: Vec::new(),
            invalid: None,
            danger_accept_invalid_certs: false,
            insecure_http: false,
            proxy: None,
            user_agent: DEFAULT_USER_AGENT.to_owned(),
            edition: Edition::Classic,
            answer_limit: ccgw_api::hooks::DEFAULT_ANSWER_LIMIT,
            connect_retries: DEFAULT_CONNECT_RETRIES,
            configure_http: None,
            overload_budget: Some(OverloadBudget::GATEWAY_DEFAULT),
            tenant: TenantSize::DEFAULT,
            audit: None,
            tap: None,
        }
    }

    /// How many events each session keeps for a subscriber that has not read them yet
    /// (default [`DEFAULT_EVENT_BUFFER`], at least 1).
    pub fn event_buffer(mut self, events: usize) -> Self {
        self.event_buffer = events.max(1);
        self
    }

    /// Adjusts the underlying `reqwest` client with settings this builder does not name:
    /// a client certificate (`identity`), proxy rules, a local address, HTTP/2 or
    /// keep-alive settings. `configure` runs after this builder's own settings, so it may
    /// change them, except two: automatic retries stay off, because a request that may
    /// have reached the gateway must never be sent again, and redirects are never
    /// followed, because one would carry the password and the Guid to wherever it points
    /// (a 3xx answer is an [`ErrorKind::HttpStatus`](crate::ErrorKind::HttpStatus) error
    /// that names the host it pointed to). A proxy set here is not checked against the
    /// plain-HTTP rule of [`proxy`](Self::proxy): prefer that. Every request still passes
    /// through the session's hooks (Guid, cookies, answer limit), which also apply the
    /// [`request_timeout`](Self::request_timeout) and the
    /// [`user_agent`](Self::user_agent): set those two here, not on reqwest.
    ///
    /// The closure takes and gives reqwest's own builder, so this method is tied to
    /// reqwest 0.13: a new major version of reqwest will change it. It stays because
    /// wrapping every HTTP setting a gateway's network may need (keep-alive, local address,
    /// DNS overrides, ...) would be a second, poorer reqwest.
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
    /// PEM text that holds no certificate makes [`build`](Self::build) fail with
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput), as reqwest's builder
    /// does, so that the settings still chain.
    pub fn add_root_certificate_pem(mut self, pem: &[u8]) -> Self {
        match reqwest::Certificate::from_pem_bundle(pem) {
            Ok(certs) if certs.is_empty() => {
                self.invalid("the PEM text of a CA certificate holds no certificate".to_owned())
            }
            Ok(certs) => self.roots.extend(certs),
            Err(e) => self.invalid(format!("the CA certificate is not valid PEM: {e}")),
        }
        self
    }

    /// Keeps the first setting that was not valid.
    fn invalid(&mut self, why: String) {
        self.invalid.get_or_insert(why);
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

    /// Sends every request through this proxy URL. For an `https://` gateway the proxy
    /// only tunnels TLS (HTTP `CONNECT`); for a plain `http://` gateway it would read the
    /// password and every Guid, so [`build`](Self::build) refuses it there unless
    /// [`insecure_http`](Self::insecure_http) is set. Without this setting, the
    /// environment's proxies (`https_proxy`, `ALL_PROXY`, ...) are used for `https://`
    /// gateways only, and not for one on loopback (`127.0.0.0/8`, `::1`, `localhost`):
    /// plain HTTP, and a gateway on this machine, go straight to the gateway.
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

    /// The largest answer body read, in bytes, for an answer that lists no agents
    /// (default 1 MiB); an answer that lists agents may add room for them, see
    /// [`tenant_size`](Self::tenant_size).
    pub fn answer_limit(mut self, bytes: usize) -> Self {
        self.answer_limit = bytes;
        self
    }

    /// How large a tenant the gateway serves (default [`TenantSize::DEFAULT`], 10,000
    /// agents with up to 4 skill queues each). A query that lists agents accepts an answer
    /// of [`answer_limit`](Self::answer_limit) plus [`AGENT_ENTRY_BOUND`] for each agent
    /// entry it may legitimately hold in such a tenant: 100 for `agents_by_id`, every
    /// agent for `agents_in_skill`, every agent under each queue it serves for
    /// `online_agents`. Anything larger is refused as [`ErrorKind::AnswerTooLarge`]
    /// while it streams in.
    ///
    /// [`AGENT_ENTRY_BOUND`]: crate::AGENT_ENTRY_BOUND
    pub fn tenant_size(mut self, tenant: TenantSize) -> Self {
        self.tenant = tenant;
        self
    }

    /// Records every state-changing request of every session in `journal` (off by
    /// default): an intent line (time, inspector, operation, agent and call), written and
    /// synced before the request is sent, and an outcome line after; never a password or
    /// a Guid. A request whose intent cannot be written is refused, nothing sent
    /// ([`ErrorKind::AuditJournal`](crate::ErrorKind::AuditJournal)). See
    /// [`AuditJournal`].
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sim = ccgw_sim::Simulator::start(ccgw_sim::SimConfig::default()).await?;
    /// # let dir = tempfile::tempdir()?;
    /// let path = dir.path().join("audit.jsonl");
    /// let journal = std::sync::Arc::new(ccgw::AuditJournal::open(&path)?);
    /// let client = ccgw::Client::builder(sim.base_url()).audit_journal(journal).build()?;
    /// # let password = ccgw_sim::DEFAULT_PASSWORD;
    /// let session = client.sign_in(ccgw::SignIn::new("101".parse()?, password)).await?;
    /// session.listen(&client.agent_id("1001")?).await?;
    /// session.sign_out().await?;
    /// let verified = ccgw::verify_journal(&path)?;
    /// // The listen, and the stop the sign-out sent first, each an intent and an outcome;
    /// // sign-in and sign-out are not quality control.
    /// assert_eq!(verified.lines, 4);
    /// assert!(verified.unsettled.is_empty());
    /// # Ok(()) }
    /// ```
    pub fn audit_journal(mut self, journal: Arc<AuditJournal>) -> Self {
        self.audit = Some(journal);
        self
    }

    /// Shows every answer of every session to `tap` as it came off the wire: status,
    /// headers (the `Content-Type` before any charset was re-encoded), latency and body.
    /// For tools that study a gateway, such as `ccgw probe`; see [`ccgw_api::tap`]. The
    /// headers carry the session's Guid: a tap must never log or keep their values.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sim = ccgw_sim::Simulator::start(ccgw_sim::SimConfig::default()).await?;
    /// use std::sync::{Arc, Mutex};
    /// use ccgw::tap::{AnswerTap, Exchange};
    ///
    /// #[derive(Default)]
    /// struct Statuses(Mutex<Vec<(String, u16)>>);
    /// impl AnswerTap for Statuses {
    ///     fn answer(&self, exchange: &Exchange<'_>) {
    ///         let seen = (exchange.operation.to_owned(), exchange.status);
    ///         self.0.lock().unwrap().push(seen);
    ///     }
    /// }
    /// let statuses = Arc::new(Statuses::default());
    /// let client = ccgw::Client::builder(sim.base_url()).answer_tap(statuses.clone()).build()?;
    /// # let password = ccgw_sim::DEFAULT_PASSWORD;
    /// let session = client.sign_in(ccgw::SignIn::new("101".parse()?, password)).await?;
    /// session.sign_out().await?;
    /// let seen = statuses.0.lock().unwrap().clone();
    /// assert_eq!(seen.first(), Some(&("sign_in".to_owned(), 200)));
    /// # Ok(()) }
    /// ```
    pub fn answer_tap(mut self, tap: Arc<dyn AnswerTap>) -> Self {
        self.tap = Some(tap);
        self
    }

    /// How many times to retry a request that could not connect (default 2). Only
    /// failures where nothing was sent are retried; an answered or possibly delivered
    /// request never is.
    pub fn connect_retries(mut self, retries: u32) -> Self {
        self.connect_retries = retries;
        self
    }

    /// How each session paces its queue-device and agent-group queries (the operations
    /// the document marks `x-overload-budget`), which gateways limit per agent: by default
    /// [`OverloadBudget::GATEWAY_DEFAULT`], 5 per 2 s. A query waits for room, at most the
    /// request timeout, and fails with [`ErrorKind::OverBudget`] rather than go over.
    /// `None` turns pacing off, for a gateway configured without overload control.
    pub fn overload_budget(mut self, budget: Option<OverloadBudget>) -> Self {
        self.overload_budget = budget;
        self
    }

    /// Builds the client.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) for a base URL that is not
    /// `http(s)://`, plain `http://` to a host that is not loopback or through a proxy
    /// (unless [`insecure_http`](Self::insecure_http)), a proxy URL that does not parse,
    /// or settings the HTTP client refuses.
    pub fn build(self) -> Result<Client, Error> {
        if let Some(why) = &self.invalid {
            return Err(Error::invalid_input(why.clone()));
        }
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
        let plain_http = url.scheme() == "http";
        if plain_http && self.proxy.is_some() && !self.insecure_http {
            return Err(Error::invalid_input(
                "refusing a proxy for a plain http:// gateway: the password and the session's \
                 Guid would reach the proxy unencrypted; use https:// (a proxy then only \
                 tunnels TLS), or allow it explicitly with ClientBuilder::insecure_http(true)",
            ));
        }
        super::tls::install_tls_provider();
        let mut http = reqwest::Client::builder()
            .connect_timeout(self.connect_timeout)
            .tcp_keepalive(DEFAULT_TCP_KEEPALIVE)
            .retry(reqwest::retry::never())
            .redirect(reqwest::redirect::Policy::none())
            .pool_max_idle_per_host(512);
        if plain_http && self.proxy.is_none() {
            // An environment proxy (`http_proxy`, `ALL_PROXY`) would see the password and
            // every Guid in clear text: plain HTTP goes straight to the gateway. Nothing
            // else on this client can speak TLS (no redirect is followed), so the system's
            // trusted roots are not read: a plain client (the simulator's, in every test
            // and demo) is built without opening the system's certificate files.
            http = http.no_proxy().tls_certs_only(Vec::new());
        } else if self.proxy.is_none() && super::is_loopback(&url) {
            // A gateway on this machine: a proxy the environment names (for every other
            // host) would take "localhost" to be its own, and never reach this one. Go's
            // HTTP client skips the proxy for loopback the same way.
            http = http.no_proxy();
        }
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
        // Re-applied after the user's adjustment: a redirect would carry the sign-in body
        // (the password) and the Guid header to wherever it points, and resend requests
        // that may have reached the gateway.
        let http = http
            .retry(reqwest::retry::never())
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| {
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
                overload_budget: self.overload_budget,
                tenant: self.tenant,
                audit: self.audit,
                tap: self.tap,
            }),
        })
    }
}
