//! `ccgw board`: a live wallboard of the inspector's agents, from which one key listens,
//! inserts, whispers, stops or acts on an agent. Everything goes through `ccgw`.

mod actions;
mod keys;
mod model;
pub(crate) mod refresh;
mod roster;
mod view;

use std::io::IsTerminal;
use std::process::ExitCode;
use std::time::{Duration, SystemTime};

use ccgw::{EventType, Session};
use crossterm::event::{Event as TermEvent, EventStream as TermEvents, KeyEventKind};
use futures::StreamExt;
use ratatui::DefaultTerminal;
use tokio::sync::mpsc;
use tokio::time::Instant;

use crate::alerts::storm::Told;
use crate::connect::{self, ConnectionArgs};
use crate::signals::{self, Signals};
use keys::Intent;
pub(crate) use model::Board;
use model::Status;

/// The shortest time between two refreshes, whatever `--refresh` or events ask: with at
/// most [`refresh::REQUESTS_PER_REFRESH`] requests a refresh, the board sends at most 6
/// requests a second, whatever the number of agents (and the overload budget paces the
/// queue and agent-group queries among them further).
pub const MIN_REFRESH: Duration = Duration::from_secs(1);

/// Options of `ccgw board`.
#[derive(Debug, clap::Args)]
pub struct BoardArgs {
    #[command(flatten)]
    connection: ConnectionArgs,
    /// Start the built-in simulator and watch it, as inspector 101 (no gateway needed).
    #[arg(long)]
    sim: bool,
    /// Seconds between refreshes from queries (at least 1). Events refresh at once.
    #[arg(long, value_name = "SECS", default_value_t = 2)]
    refresh: u64,
    /// A TOML file with alert rules (`[[alerts]]`, as for `ccgw watch`); default: the
    /// settings file's.
    #[arg(long, value_name = "FILE")]
    rules: Option<std::path::PathBuf>,
}

fn cannot_start(why: impl std::fmt::Display) -> ExitCode {
    connect::cannot_start("board", why)
}

/// Runs the board until `q`, Ctrl-C or a signal; signs out on every way out.
pub async fn run(args: BoardArgs) -> ExitCode {
    // Checked before signing in: without a terminal (ssh without -t, cron) the board can
    // only fail, and must not leave a session behind when it does.
    if !(std::io::stdin().is_terminal() && std::io::stdout().is_terminal()) {
        return cannot_start(
            "needs a terminal on standard input and output; for scripts use `ccgw console`",
        );
    }
    let rules = match crate::alerts::Rules::load(args.rules.as_ref()) {
        Ok(rules) => rules,
        Err(e) => return cannot_start(e),
    };
    let signals = match Signals::register() {
        Ok(signals) => signals,
        Err(e) => return cannot_start(format!("cannot watch for signals: {e}")),
    };
    let mut _sim = None;
    let connection = if args.sim {
        match crate::sim::embedded().await {
            Ok((sim, connection)) => {
                _sim = Some(sim);
                connection
            }
            Err(e) => return cannot_start(e),
        }
    } else {
        match connect::prepare(&args.connection) {
            Ok(connection) => connection,
            Err(e) => return cannot_start(e),
        }
    };
    // An invalid ID is refused before anything is sent.
    let watched_agents = match parse_watched(&connection.client, &connection.settings.watch) {
        Ok(agents) => agents,
        Err(e) => return cannot_start(e),
    };
    let session = match connection.client.sign_in(connection.request).await {
        Ok(session) => session,
        Err(e) => return cannot_start(connect::sign_in_failed(&e)),
    };
    crate::last_resort::remember(&session);
    let refresh = Duration::from_secs(args.refresh).max(MIN_REFRESH);
    let roster = refresh::Roster::new(connection.settings.watch.queues.clone(), watched_agents);
    let mut board = Board::new(session.agent_id().as_str(), roster, refresh);
    board.alerts = crate::alerts::Alerts::new(rules);
    let terminal = match ratatui::try_init() {
        Ok(terminal) => terminal,
        Err(e) => {
            ratatui::restore();
            signals::sign_out(&session).await;
            return cannot_start(format!("cannot take over the terminal: {e}"));
        }
    };
    // The board runs as a task of its own: even if it panics, the session signs out. It
    // hands the signals back, so that they stay watched without a gap.
    let ui = tokio::spawn({
        let session = session.clone();
        async move { ui_loop(terminal, board, session, refresh, signals).await }
    });
    let outcome = ui.await;
    ratatui::restore();
    errln!("signing out (Ctrl-C again to exit at once)");
    let (outcome, mut signals) = match outcome {
        Ok((outcome, signals)) => (Ok(outcome), signals),
        // Its signals went down with it: watch anew.
        Err(panic) => match Signals::register() {
            Ok(signals) => (Err(panic), signals),
            Err(_) => {
                signals::sign_out(&session).await;
                return ExitCode::from(1);
            }
        },
    };
    let signed_out = signals::sign_out(&session);
    let typed = std::future::pending();
    if let Err(code) = signals::sign_out_unless_interrupted(&mut signals, signed_out, typed).await {
        return code;
    }
    match outcome {
        Ok(Ok(())) => ExitCode::SUCCESS,
        Ok(Err(e)) => {
            errln!("ccgw board: {e}");
            ExitCode::from(1)
        }
        Err(_) => {
            errln!("ccgw board stopped on an internal error; the session was signed out");
            ExitCode::from(1)
        }
    }
}

/// The watched agents, checked before anything is shown.
pub(crate) fn parse_watched(
    client: &ccgw::Client,
    watch: &connect::Watch,
) -> Result<Vec<ccgw::AgentId>, String> {
    watch
        .agents
        .iter()
        .map(|a| client.agent_id(a).map_err(|e| format!("--agents: {e}")))
        .collect()
}

/// What finished in the background.
enum Done {
    Refreshed(refresh::Snapshot),
    Acted(Result<String, String>),
    CallFound(ccgw::AgentId, Result<Option<ccgw::CallId>, String>),
}

async fn ui_loop(
    terminal: DefaultTerminal,
    board: Board,
    session: Session,
    refresh: Duration,
    mut signals: Signals,
) -> (std::io::Result<()>, Signals) {
    let outcome = ui_until_done(terminal, board, session, refresh, &mut signals).await;
    (outcome, signals)
}

async fn ui_until_done(
    mut terminal: DefaultTerminal,
    mut board: Board,
    session: Session,
    refresh: Duration,
    signals: &mut Signals,
) -> std::io::Result<()> {
    let mut keys = TermEvents::new();
    let mut events = session.events();
    let (done, mut finished) = mpsc::unbounded_channel::<Done>();
    let mut next_refresh = Instant::now();
    let mut refreshing = false;
    loop {
        if !refreshing && Instant::now() >= next_refresh {
            refreshing = true;
            next_refresh = Instant::now() + refresh;
            let plan = board.roster.plan(board.around_selection());
            let (session, done) = (session.clone(), done.clone());
            tokio::spawn(async move {
                let _ = done.send(Done::Refreshed(refresh::fetch(&session, plan).await));
            });
        }
        board.link = session.link_health();
        terminal.draw(|frame| view::render(frame, &board))?;
        tokio::select! {
            key = keys.next() => match key {
                Some(Ok(TermEvent::Key(key))) if key.kind == KeyEventKind::Press => {
                    match keys::handle(&mut board, key) {
                        Intent::Quit => return Ok(()),
                        Intent::Act(action, agent, call) => {
                            board.status = Status::Info(format!("{} agent {agent} ...", action.words()));
                            let (session, done) = (session.clone(), done.clone());
                            tokio::spawn(async move {
                                let outcome = actions::perform(&session, &agent, action, call).await;
                                let _ = done.send(Done::Acted(outcome));
                            });
                        }
                        Intent::FindCall(agent) => {
                            let (session, done) = (session.clone(), done.clone());
                            tokio::spawn(async move {
                                let found = actions::first_call(&session, &agent).await;
                                let _ = done.send(Done::CallFound(agent, found));
                            });
                        }
                        Intent::Nothing => {}
                    }
                }
                Some(Ok(_)) => {} // a resize: the next draw fits the new size
                Some(Err(e)) => return Err(e),
                None => return Ok(()),
            },
            event = events.next() => {
                let Some(event) = event else { continue };
                let text = format!("{} {}", event.name(), event.work_no());
                board.push_event(SystemTime::now(), text);
                if event.event_type() == &EventType::SessionEnded {
                    board.status = Status::Error("the gateway ended the session".to_owned());
                }
                actions::sync_inspections(&mut board, &session);
                // Events refresh at once, but never sooner than MIN_REFRESH apart.
                next_refresh = next_refresh.min(Instant::now() + MIN_REFRESH);
            },
            Some(finished) = finished.recv() => match finished {
                Done::Refreshed(snapshot) => {
                    refreshing = false;
                    let now = SystemTime::now();
                    let changes = refresh::apply(&mut board, snapshot, &session, now);
                    for told in crate::alerts::storm::tell(&changes, false) {
                        let text = match told {
                            Told::One(change) => {
                                format!("alert {}: {} {}", change.alert, change.rule, change.subject)
                            }
                            Told::Grouped(group) => format!("alerts: {}", group.words()),
                        };
                        board.push_event(now, text);
                    }
                }
                Done::CallFound(agent, found) => keys::call_found(&mut board, &agent, found),
                Done::Acted(outcome) => {
                    board.status = match outcome {
                        Ok(text) => Status::Info(text),
                        Err(text) => Status::Error(text),
                    };
                    actions::sync_inspections(&mut board, &session);
                    next_refresh = next_refresh.min(Instant::now() + MIN_REFRESH);
                }
            },
            () = tokio::time::sleep_until(next_refresh), if !refreshing => {}
            _ = signals.any() => return Ok(()),
        }
    }
}
