//! `ccgw watch`: the alert rules without a screen. Each round asks what the rules need,
//! within the overload budget (the statistics of the watched queues in one
//! `queryacdstat`; for agent rules, the agents of two queues and the details of 100 agents
//! in turn), and prints one JSON line per alert raised or cleared, also POSTed to
//! `--webhook`. Signs out on every way out, a closed output included (found at the next
//! alert it writes).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, SystemTime};

use ccgw::{AgentId, Session};

use crate::alerts::storm::{self, Told};
use crate::alerts::webhook::Webhook;
use crate::alerts::{Alerts, Rules};
use crate::board::refresh::{self, Plan, Roster};
use crate::board::{Board, parse_watched};
use crate::connect::{self, ConnectionArgs};
use crate::export::alertmanager::Alertmanager;
use crate::export::prometheus::{Metrics, listen_address};
use crate::signals::{self, Signals};

/// Options of `ccgw watch`.
#[derive(Debug, clap::Args)]
pub struct WatchArgs {
    #[command(flatten)]
    connection: ConnectionArgs,
    /// A TOML file with the rules (`[[alerts]]`); default: the settings file's.
    #[arg(long, value_name = "FILE")]
    rules: Option<PathBuf>,
    /// Seconds between rounds (at least 1).
    #[arg(long, value_name = "SECS", default_value_t = 2)]
    every: u64,
    /// Also POST the alerts to this URL as JSON (https://, or http:// to loopback): one
    /// batch a round at most, with every change of the round; while the receiver is down
    /// the latest change of each alert is kept and retried (backoff up to 30 s), and the
    /// first batch after carries every alert in force. Each batch has an
    /// `Idempotency-Key` header. A URL that holds a token
    /// is better given as CCGW_WEBHOOK or --webhook-file: the command line is visible to
    /// every user of the machine. The URL never appears in a message.
    #[arg(long, value_name = "URL", env = "CCGW_WEBHOOK", hide_env_values = true)]
    webhook: Option<String>,
    /// Read the webhook's URL from the first line of this file.
    #[arg(long, value_name = "FILE", conflicts_with = "webhook")]
    webhook_file: Option<PathBuf>,
    /// Stop after this many rounds (default: until a signal).
    #[arg(long, value_name = "N")]
    rounds: Option<u64>,
    /// Serve Prometheus metrics at http://ADDR/metrics: a port alone listens on loopback
    /// (`9464`); `IP:PORT` listens where named. A scrape reads the last round and never
    /// sends a request. The names are in README.
    #[arg(long, value_name = "ADDR")]
    metrics: Option<String>,
    /// Post the alerts to Alertmanager's v2 API at this URL (e.g. http://127.0.0.1:9093):
    /// the alerts in force every round, a cleared one with its end.
    #[arg(long, value_name = "URL")]
    alertmanager: Option<String>,
    /// One JSON line per subject even when a round changes more than 10 alerts of one
    /// rule (by default those are told as one line per rule).
    #[arg(long)]
    per_subject: bool,
}

fn cannot_start(why: impl std::fmt::Display) -> ExitCode {
    connect::cannot_start("watch", why)
}

/// Runs the rules until `--rounds`, a signal or an error; signs out on every way out.
pub async fn run(args: WatchArgs) -> ExitCode {
    let rules = match Rules::load(args.rules.as_ref()) {
        Ok(rules) if rules.alerts.is_empty() => {
            return cannot_start("no alert rules: give --rules FILE with [[alerts]] entries");
        }
        Ok(rules) => rules,
        Err(e) => return cannot_start(e),
    };
    let connection = match connect::prepare(&args.connection) {
        Ok(connection) => connection,
        Err(e) => return cannot_start(e),
    };
    let watched = match parse_watched(&connection.client, &connection.settings.watch) {
        Ok(agents) => agents,
        Err(e) => return cannot_start(e),
    };
    let url = match &args.webhook_file {
        Some(file) => match std::fs::read_to_string(file) {
            Ok(text) => Some(text.lines().next().unwrap_or_default().trim().to_owned()),
            Err(e) => return cannot_start(format!("cannot read {}: {e}", file.display())),
        },
        None => args.webhook.clone(),
    };
    let webhook = match url.as_deref() {
        Some(url) => match Webhook::start(url, args.connection.insecure_http) {
            Ok(webhook) => Some(webhook),
            Err(e) => return cannot_start(e),
        },
        None => None,
    };
    let alertmanager = match args.alertmanager.as_deref() {
        Some(url) => match Alertmanager::new(url, args.connection.insecure_http) {
            Ok(alertmanager) => Some(alertmanager),
            Err(e) => return cannot_start(e),
        },
        None => None,
    };
    let metrics = match args.metrics.as_deref().map(listen_address) {
        Some(Ok(address)) => match Metrics::start(address).await {
            Ok(metrics) => {
                errln!("metrics at http://{}/metrics", metrics.address);
                Some(metrics)
            }
            Err(e) => return cannot_start(e),
        },
        Some(Err(e)) => return cannot_start(e),
        None => None,
    };
    let mut signals = match Signals::register() {
        Ok(signals) => signals,
        Err(e) => return cannot_start(format!("cannot watch for signals: {e}")),
    };
    let session = match connection.client.sign_in(connection.request).await {
        Ok(session) => session,
        Err(e) => return cannot_start(connect::sign_in_failed(&e)),
    };
    crate::last_resort::remember(&session);
    let timeout = Duration::from_secs(connection.settings.timeout_secs);
    let every = Duration::from_secs(args.every.max(1));
    let roster = Roster::new(connection.settings.watch.queues.clone(), watched);
    let mut board = Board::new(session.agent_id().as_str(), roster, every);
    board.alerts = Alerts::new(rules);
    let mut watch = Watch {
        board,
        next_detail: 0,
        webhook,
        alertmanager,
        metrics,
        per_subject: args.per_subject,
    };
    let rounds = args.rounds.unwrap_or(u64::MAX);
    let mut round = 0;
    // Ends after the rounds asked for, at a signal, when nobody reads the alerts any more
    // (a write to standard output failed), or when the gateway ended the session and it
    // was not signed in again: rules run on nothing new would only go quiet, so watch
    // stops and says so, and a service manager can start it again.
    let ended = loop {
        if round == rounds {
            break None;
        }
        round += 1;
        tokio::select! {
            () = watch.round(&session) => {}
            signal = signals.any() => break Some(Stop::Asked(signal.to_string())),
            () = crate::stdio::stdout_closed() => break Some(Stop::Asked("output closed".to_owned())),
        }
        if session.is_closed() {
            break Some(Stop::SessionEnded);
        }
        if round == rounds {
            break None;
        }
        tokio::select! {
            () = tokio::time::sleep(every) => {}
            signal = signals.any() => break Some(Stop::Asked(signal.to_string())),
            () = crate::stdio::stdout_closed() => break Some(Stop::Asked("output closed".to_owned())),
        }
    };
    match &ended {
        Some(Stop::SessionEnded) => errln!(
            "ccgw watch: the gateway ended the session; watch stops (with --recover it signs \
             in again by itself)"
        ),
        Some(Stop::Asked(why)) => errln!("{why}: signing out"),
        None => {}
    }
    if let Some(webhook) = watch.webhook {
        webhook.finish(timeout).await;
    }
    if let Some(alertmanager) = watch.alertmanager {
        alertmanager.finish(timeout).await;
    }
    let signed_out = signals::sign_out(&session);
    if let Err(code) =
        signals::sign_out_unless_interrupted(&mut signals, signed_out, std::future::pending()).await
    {
        return code;
    }
    match ended {
        Some(Stop::SessionEnded) => ExitCode::from(1),
        _ => ExitCode::SUCCESS,
    }
}

/// Why watch stopped before the rounds asked for were done.
enum Stop {
    /// A signal, or nobody reads the alerts any more (the words say which).
    Asked(String),
    /// The gateway ended the session and it was not signed in again.
    SessionEnded,
}

/// What `ccgw watch` knows between rounds.
struct Watch {
    board: Board,
    /// Where the next round's details start among the agents known.
    next_detail: usize,
    webhook: Option<Webhook>,
    alertmanager: Option<Alertmanager>,
    metrics: Option<Metrics>,
    per_subject: bool,
}

impl Watch {
    /// One round: ask, evaluate, report.
    async fn round(&mut self, session: &Session) {
        let plan = self.plan();
        let snapshot = refresh::fetch(session, plan).await;
        let link_up = snapshot.error.is_none();
        if let Some(e) = &snapshot.error {
            errln!("watch: {e}; the rules run on what is known");
        }
        let changes = refresh::apply(&mut self.board, snapshot, session, SystemTime::now());
        for told in storm::tell(&changes, self.per_subject) {
            let line = match told {
                Told::One(change) => serde_json::to_string(change),
                Told::Grouped(group) => serde_json::to_string(&group),
            };
            outln!("{}", line.expect("changes serialize"));
        }
        if let Some(metrics) = &mut self.metrics {
            metrics.round(&self.board, link_up);
        }
        let active = if self.webhook.is_some() || self.alertmanager.is_some() {
            self.board.alerts.active()
        } else {
            Vec::new()
        };
        if let Some(webhook) = &self.webhook {
            webhook.round(&changes, &active);
        }
        if let Some(alertmanager) = &mut self.alertmanager {
            alertmanager.round(&changes, &active);
        }
    }

    /// Queue rules need only the statistics; agent rules learn the agents two queues at a
    /// time and refresh their details 100 at a time, in turn.
    fn plan(&mut self) -> Plan {
        let mut plan = self.board.roster.plan(Vec::new());
        if !self.board.alerts.watches_agents() {
            plan.roster.clear();
            plan.details.clear();
            plan.list_first_queues = false;
            return plan;
        }
        let known: Vec<AgentId> = self
            .board
            .agents
            .iter()
            .map(|a| a.work_no.clone())
            .collect();
        if !known.is_empty() {
            let start = self.next_detail % known.len();
            let take = ccgw::AGENTS_PER_LIST_REQUEST.min(known.len());
            plan.details = (0..take)
                .map(|k| known[(start + k) % known.len()].clone())
                .collect();
            self.next_detail = start + take;
        }
        plan
    }
}
