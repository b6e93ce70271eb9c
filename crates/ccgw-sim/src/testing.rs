//! Fixtures for tests that run against the simulator, shared by this workspace's test
//! suites and available to users' own (feature `testing`): one quick configuration, a
//! bounded wait, a bare wire client for tests that check the wire itself rather than
//! go through `ccgw`, and a reader for hand-made servers that fake a broken gateway.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! use ccgw_sim::testing::{Wire, quick};
//!
//! let sim = ccgw_sim::Simulator::start(quick()).await.unwrap();
//! let wire = Wire::new(&sim.base_url());
//! let guid = wire.sign_in("101").await;
//! let answer = wire.qc(reqwest::Method::PUT, &guid, "101", "addsupervise/1001").await;
//! assert_eq!(answer.retcode(), "0");
//! # }
//! ```

use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{Value, json};

use crate::{DEFAULT_PASSWORD, SimConfig};

/// Where the quality-control operations live.
pub const QC: &str = "/agentgateway/resource/qualitycontrol";

/// The longest any fixture waits for something to happen.
pub const PATIENCE: Duration = Duration::from_secs(5);

/// A configuration for tests: event polls wait 200 ms (not the gateway's 25 s), so that
/// a test that polls or signs out finishes quickly, and sessions expire after 30 s of
/// silence, longer than any test's pause.
pub fn quick() -> SimConfig {
    SimConfig::default()
        .poll_wait(Duration::from_millis(200))
        .session_timeout(Duration::from_secs(30))
}

/// Waits until `done` holds, checking every 20 ms, for at most [`PATIENCE`].
///
/// # Panics
///
/// When `done` still does not hold after [`PATIENCE`]; the message names `what`.
pub async fn wait_until(done: impl Fn() -> bool, what: &str) {
    let deadline = Instant::now() + PATIENCE;
    while !done() {
        assert!(Instant::now() < deadline, "not {what} within {PATIENCE:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Reads one HTTP request head, up to its blank line, from a connection accepted by a
/// hand-made test server; `None` when the peer went away first.
pub async fn read_request_head(stream: &mut tokio::net::TcpStream) -> Option<String> {
    use tokio::io::AsyncReadExt;
    let mut buf = vec![0u8; 16 * 1024];
    let mut read = 0;
    while !buf[..read].windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buf[read..]).await {
            Ok(0) | Err(_) => return None,
            Ok(n) => read += n,
        }
    }
    Some(String::from_utf8_lossy(&buf[..read]).into_owned())
}

/// How long one [`Wire`] request may take, answer included.
pub const WIRE_TIMEOUT: Duration = Duration::from_secs(30);

/// A bare HTTP client for a gateway at one address: requests exactly as written, for
/// tests of the wire itself.
#[derive(Debug, Clone)]
pub struct Wire {
    base_url: String,
    http: reqwest::Client,
}

/// What came back from a [`Wire`] request: status, headers, and the body as JSON, read
/// by the charset its `Content-Type` names (`null` when it is not JSON).
#[derive(Debug)]
pub struct WireAnswer {
    /// The HTTP status.
    pub status: u16,
    /// The answer's headers.
    pub headers: reqwest::header::HeaderMap,
    /// The body, parsed as JSON; `null` for an empty or non-JSON body.
    pub body: Value,
}

impl WireAnswer {
    /// The body's `retcode`, or `<none>`.
    pub fn retcode(&self) -> &str {
        self.body["retcode"].as_str().unwrap_or("<none>")
    }

    /// The Guid the answer announces in `Set-GUID`.
    pub fn guid(&self) -> Option<String> {
        let v = self.headers.get("set-guid")?.to_str().ok()?;
        Some(v.strip_prefix("JSESSIONID=")?.to_owned())
    }
}

impl Wire {
    /// A client for the gateway at `base_url`, such as [`RunningSim::base_url`](crate::RunningSim::base_url).
    pub fn new(base_url: &str) -> Wire {
        // Every wait has a limit: longer than any poll a test configures, so a hung
        // connection fails the test instead of stalling it.
        Wire {
            base_url: base_url.trim_end_matches('/').to_owned(),
            http: loopback_http(WIRE_TIMEOUT),
        }
    }

    /// The underlying HTTP client, for requests the helpers do not cover.
    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// The full URL of `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// Sends `method path` with the Guid header and JSON body given.
    ///
    /// # Panics
    ///
    /// When the request cannot be sent or its body not read.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        guid: Option<&str>,
        body: Option<Value>,
    ) -> WireAnswer {
        let mut request = self.http.request(method, self.url(path));
        if let Some(guid) = guid {
            request = request.header("Guid", guid);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("request sent");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let bytes = response.bytes().await.expect("body read");
        // Read by the charset the answer names, as a real client must (GBK with quirks).
        let charset = headers
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split_once("charset="))
            .and_then(|(_, label)| encoding_rs::Encoding::for_label(label.trim().as_bytes()))
            .unwrap_or(encoding_rs::UTF_8);
        let (text, _) = charset.decode_without_bom_handling(&bytes);
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        WireAnswer {
            status,
            headers,
            body,
        }
    }

    /// Signs `agent` in with `password`, forcing the sign-in when `force` says so.
    pub async fn sign_in_with(&self, agent: &str, password: &str, force: bool) -> WireAnswer {
        let suffix = if force { "/forcelogin" } else { "" };
        let path = format!("/agentgateway/resource/onlineagent/{agent}{suffix}");
        let body = json!({"password": password, "phonenum": "70001", "status": 4});
        self.call(Method::PUT, &path, None, Some(body)).await
    }

    /// Signs `agent` in with [`DEFAULT_PASSWORD`] and returns its Guid.
    ///
    /// # Panics
    ///
    /// When the sign-in fails or announces no Guid.
    pub async fn sign_in(&self, agent: &str) -> String {
        let answer = self.sign_in_with(agent, DEFAULT_PASSWORD, false).await;
        assert_eq!(answer.retcode(), "0", "{}", answer.body);
        answer.guid().expect("Set-GUID on sign-in")
    }

    /// Sends the quality-control request `method QC/me/rest` as `me`.
    pub async fn qc(&self, method: Method, guid: &str, me: &str, rest: &str) -> WireAnswer {
        self.call(method, &format!("{QC}/{me}/{rest}"), Some(guid), None)
            .await
    }

    /// One event poll of `me`.
    pub async fn poll(&self, me: &str, guid: &str) -> WireAnswer {
        let path = format!("/agentgateway/resource/agentevent/{me}");
        self.call(Method::GET, &path, Some(guid), None).await
    }

    /// Polls until an event of `event_type` arrives, for at most 20 polls.
    ///
    /// # Panics
    ///
    /// When a poll fails or no such event arrives.
    pub async fn wait_event(&self, me: &str, guid: &str, event_type: &str) -> Value {
        for _ in 0..20 {
            let a = self.poll(me, guid).await;
            assert_eq!(a.retcode(), "0", "{}", a.body);
            if a.body["event"]["eventType"] == event_type {
                return a.body["event"].clone();
            }
        }
        panic!("no {event_type} event");
    }
}

/// A plain reqwest client for a test's requests to loopback, each answered within
/// `timeout`: it never uses a proxy from the runner's environment (which would carry the
/// request off this machine), and it names a TLS provider first (see
/// [`install_ring_provider`]).
pub fn loopback_http(timeout: Duration) -> reqwest::Client {
    install_ring_provider();
    reqwest::Client::builder()
        .no_proxy()
        .timeout(timeout)
        .build()
        .expect("a plain HTTP client builds")
}

/// A loopback port nothing listens on: bound, its number learnt, then closed. For a
/// connection that must be refused, or for a program of the test to listen on.
pub fn unused_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("a loopback port")
        .local_addr()
        .expect("its address")
        .port()
}

/// Makes rustls's `ring` provider the process-wide default unless the program chose one:
/// `ccgw` compiles reqwest's rustls in without a provider, so a reqwest client (or a TLS
/// front in a test) built before any `ccgw` client needs one named.
pub fn install_ring_provider() {
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        // Deprecated since rustls 0.23.48 for want of post-quantum key exchange, which a
        // loopback test does not need.
        #[allow(deprecated)]
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}
