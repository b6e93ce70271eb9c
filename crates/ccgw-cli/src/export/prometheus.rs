//! `ccgw watch --metrics ADDR`: the floor as Prometheus reads it, at `http://ADDR/metrics`.
//!
//! A scrape never sends a request to the gateway: it renders what the last round learned
//! (so the overload budget is the rounds' alone), with `ccgw_round_age_seconds` saying how
//! old that is. Per-queue series only: agents are counted by state, never one series an
//! agent (for cardinality, and for privacy). The exposition is the exporter crate's.

use std::collections::{BTreeMap, HashSet};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use metrics::{Unit, describe_gauge, gauge};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

use crate::board::Board;

/// The floor's metric names, documented in README.
pub const QUEUE_WAITING: &str = "ccgw_queue_waiting_calls";
pub const QUEUE_LONGEST_WAIT: &str = "ccgw_queue_longest_wait_seconds";
pub const QUEUE_AVAILABLE: &str = "ccgw_queue_agents_available";
pub const QUEUE_SIGNED_IN: &str = "ccgw_queue_agents_signed_in";
pub const AGENTS: &str = "ccgw_agents";
pub const ALERTS_FIRING: &str = "ccgw_alerts_firing";
pub const ROUND_AGE: &str = "ccgw_round_age_seconds";
pub const LINK_UP: &str = "ccgw_link_up";

/// Every state `ccgw_agents` has a series for, 0 included, so that a state nobody is in
/// reads 0 rather than vanishing.
const STATES: [&str; 8] = [
    "idle",
    "busy",
    "wrap-up",
    "talking",
    "rest",
    "pre-rest",
    "signed-out",
    "unknown",
];

/// The buckets of every histogram, in seconds: a loopback round trip to a slow gateway.
const BUCKETS: [f64; 11] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// Reads `--metrics`: a port alone means loopback (`9464` is `127.0.0.1:9464`); any
/// other address is the user's explicit choice.
pub fn listen_address(text: &str) -> Result<SocketAddr, String> {
    if let Ok(port) = text.parse::<u16>() {
        return Ok(SocketAddr::from(([127, 0, 0, 1], port)));
    }
    text.parse().map_err(|_| {
        format!("--metrics takes a port (on loopback) or an address IP:PORT, not {text:?}")
    })
}

/// The endpoint, and what the rounds tell it.
pub struct Metrics {
    last_round: Arc<Mutex<Option<Instant>>>,
    /// The rules that ever fired: their count reads 0 once none fires, rather than the
    /// last count staying.
    seen_rules: HashSet<&'static str>,
    /// Where it listens (the port the system chose for `:0`).
    pub address: SocketAddr,
}

impl Metrics {
    /// Installs the exporter as the process's recorder (the SDK's own metrics go to it
    /// too) and serves it at `address`.
    pub async fn start(address: SocketAddr) -> Result<Metrics, String> {
        // Histograms with buckets, as Prometheus aggregates them across instances (a
        // summary's quantiles cannot be).
        let handle = PrometheusBuilder::new()
            .set_buckets(&BUCKETS)
            .map_err(|e| format!("cannot set the metrics buckets: {e}"))?
            .install_recorder()
            .map_err(|e| format!("cannot install the metrics recorder: {e}"))?;
        ccgw::telemetry::describe_metrics();
        describe();
        let listener = tokio::net::TcpListener::bind(address)
            .await
            .map_err(|e| format!("cannot listen on {address} for --metrics: {e}"))?;
        let address = listener.local_addr().map_err(|e| e.to_string())?;
        let last_round = Arc::new(Mutex::new(None));
        let app = axum::Router::new().route(
            "/metrics",
            axum::routing::get({
                let handle = handle.clone();
                let last_round = last_round.clone();
                move || scrape(handle.clone(), last_round.clone())
            }),
        );
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(Metrics {
            last_round,
            seen_rules: HashSet::new(),
            address,
        })
    }

    /// Takes in what a round learned; `link_up` says whether it reached the gateway.
    pub fn round(&mut self, board: &Board, link_up: bool) {
        gauge!(LINK_UP).set(if link_up { 1.0 } else { 0.0 });
        if !link_up {
            return;
        }
        *self.last_round.lock().unwrap_or_else(|e| e.into_inner()) = Some(Instant::now());
        for queue in &board.queues {
            let labels = [
                ("queue", queue.skill.to_string()),
                ("name", queue.name.clone()),
            ];
            let set = |name: &'static str, value: Option<f64>| {
                gauge!(name, &labels).set(value.unwrap_or(f64::NAN));
            };
            set(QUEUE_WAITING, queue.waiting.map(f64::from));
            set(
                QUEUE_LONGEST_WAIT,
                queue.longest_wait.map(|d| d.as_secs_f64()),
            );
            set(QUEUE_AVAILABLE, queue.available.map(f64::from));
            set(QUEUE_SIGNED_IN, queue.signed_in.map(f64::from));
        }
        let mut by_state: BTreeMap<&str, u32> = STATES.iter().map(|s| (*s, 0)).collect();
        for agent in &board.agents {
            *by_state.entry(agent.state.word()).or_default() += 1;
        }
        for (state, count) in by_state {
            gauge!(AGENTS, "state" => state).set(f64::from(count));
        }
        let mut firing: BTreeMap<&'static str, u32> =
            self.seen_rules.iter().map(|r| (*r, 0)).collect();
        for active in board.alerts.active() {
            *firing.entry(active.rule).or_default() += 1;
        }
        for (rule, count) in firing {
            self.seen_rules.insert(rule);
            gauge!(ALERTS_FIRING, "rule" => rule).set(f64::from(count));
        }
    }
}

async fn scrape(handle: PrometheusHandle, last_round: Arc<Mutex<Option<Instant>>>) -> String {
    set_round_age(&last_round);
    handle.render()
}

/// How old the last round's data is, as of now (NaN before the first round).
fn set_round_age(last_round: &Mutex<Option<Instant>>) {
    let age = last_round
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .map_or(f64::NAN, |at| at.elapsed().as_secs_f64());
    gauge!(ROUND_AGE).set(age);
}

fn describe() {
    describe_gauge!(QUEUE_WAITING, "Callers waiting in the skill queue.");
    describe_gauge!(
        QUEUE_LONGEST_WAIT,
        Unit::Seconds,
        "How long the longest-waiting caller of the queue has waited."
    );
    describe_gauge!(QUEUE_AVAILABLE, "Agents of the queue available for a call.");
    describe_gauge!(QUEUE_SIGNED_IN, "Agents signed in to the queue.");
    describe_gauge!(AGENTS, "Watched agents, by state.");
    describe_gauge!(ALERTS_FIRING, "Alerts in force, by rule.");
    describe_gauge!(ROUND_AGE, Unit::Seconds, "Age of the last round's data.");
    describe_gauge!(
        LINK_UP,
        "Whether the last round reached the gateway (1) or not (0)."
    );
}
