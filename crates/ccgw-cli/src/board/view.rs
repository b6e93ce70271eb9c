//! Drawing the board: a header with the inspector's own state, the queue pane (the most
//! urgent queues first), the agents table, the event pane, and the status line. Fits
//! 80x24 and redraws at any size. Whatever needs attention carries a marker (`!`) as well
//! as a style, so that it shows on a monochrome terminal too.

use std::time::SystemTime;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Row, Table, TableState};

use super::keys::KEYS;
use super::model::{Board, Mode, Status};
use super::refresh::REQUESTS_PER_REFRESH;
use crate::clock::clock;

/// The most queues the queue pane shows; the rest are summed up in its title.
const QUEUE_ROWS: usize = 5;

pub fn render(frame: &mut Frame, board: &Board) {
    render_at(frame, board, SystemTime::now());
}

/// Draws the board as it is at `now`.
pub fn render_at(frame: &mut Frame, board: &Board, now: SystemTime) {
    let queue_rows = board.queues.len().clamp(1, QUEUE_ROWS) as u16;
    let alert_rows = u16::from(board.alerts.has_rules());
    let [header, alerts, queues, table, events, status] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(alert_rows),
        Constraint::Length(queue_rows + 3),
        Constraint::Min(5),
        Constraint::Length(6),
        Constraint::Length(1),
    ])
    .areas(frame.area());
    frame.render_widget(Paragraph::new(header_line(board)), header);
    frame.render_widget(Paragraph::new(alerts_line(board)), alerts);
    render_queues(frame, board, queues);
    render_agents(frame, board, table, now);
    render_events(frame, board, events);
    frame.render_widget(Paragraph::new(status_line(board)), status);
    if board.mode == Mode::Help {
        render_help(frame);
    }
}

fn header_line(board: &Board) -> Line<'static> {
    let me = match board.own_state {
        Some((state, true)) => format!("{} (in a call)", state.word()),
        Some((state, false)) => state.word().to_owned(),
        None => "...".to_owned(),
    };
    let bold = Style::default().add_modifier(Modifier::BOLD);
    let mut spans = vec![
        Span::styled("ccgw board", bold),
        Span::raw(format!("  inspector {}: {me}", board.me)),
    ];
    spans.extend(link_spans(&board.link, SystemTime::now()));
    Line::from(spans)
}

/// Nothing while events flow and the session never recovered; otherwise since when
/// events stalled and how many times the session signed in again.
fn link_spans(link: &ccgw::LinkHealth, now: SystemTime) -> Vec<Span<'static>> {
    let mut spans = Vec::new();
    if let Some(since) = link.failing_since {
        let stalled = now.duration_since(since).unwrap_or_default();
        spans.push(Span::styled(
            format!(
                "  events stalled for {} ({} failed polls)",
                clock(stalled),
                link.failures
            ),
            Style::default().add_modifier(Modifier::BOLD | Modifier::REVERSED),
        ));
    }
    if link.recoveries > 0 {
        spans.push(Span::raw(format!("  recovered {}x", link.recoveries)));
    }
    spans
}

/// The alerts in force, the furthest over its threshold first, each with a `!`.
fn alerts_line(board: &Board) -> Line<'static> {
    let active = board.alerts.active();
    if active.is_empty() {
        return Line::raw("alerts: none");
    }
    let mut spans = vec![Span::raw(format!("alerts ({}):", active.len()))];
    for alert in active {
        spans.push(Span::styled(
            format!(
                " ! {} {} {}>{}",
                alert.rule, alert.subject, alert.value, alert.threshold
            ),
            Style::default().add_modifier(Modifier::BOLD | Modifier::REVERSED),
        ));
    }
    Line::from(spans)
}

/// A table of five columns with bold headings, in a frame titled `title`.
fn framed_table<'a>(
    rows: Vec<Row<'a>>,
    widths: [Constraint; 5],
    headings: [&'a str; 5],
    title: String,
) -> Table<'a> {
    let header = Row::new(headings).style(Style::default().add_modifier(Modifier::BOLD));
    Table::new(rows, widths)
        .header(header)
        .block(Block::default().borders(Borders::ALL).title(title))
}

/// Whether callers wait in a queue where nobody is available.
fn unattended(q: &ccgw::QueueStats) -> bool {
    q.waiting.unwrap_or(0) > 0 && q.available == Some(0)
}

fn render_queues(frame: &mut Frame, board: &Board, area: Rect) {
    let mut queues: Vec<&ccgw::QueueStats> = board.queues.iter().collect();
    // The longest wait first: where it is going wrong.
    queues.sort_by_key(|q| std::cmp::Reverse((q.longest_wait, q.waiting)));
    let unknown = || "?".to_owned();
    let count = |n: Option<u32>| n.map_or_else(unknown, |n| n.to_string());
    let rows: Vec<Row> = queues
        .iter()
        .take(QUEUE_ROWS)
        .map(|q| {
            let mark = if unattended(q) { "!" } else { " " };
            let row = Row::new(vec![
                mark.to_owned(),
                format!("{} ({})", q.name, q.skill),
                count(q.waiting),
                q.longest_wait.map_or_else(unknown, clock),
                format!("{}/{}", count(q.available), count(q.signed_in)),
            ]);
            if unattended(q) {
                row.style(Style::default().add_modifier(Modifier::BOLD | Modifier::REVERSED))
            } else {
                row
            }
        })
        .collect();
    let waiting: u32 = board.queues.iter().filter_map(|q| q.waiting).sum();
    let hidden = board.queues.len().saturating_sub(QUEUE_ROWS);
    let more = if hidden > 0 {
        format!(", {hidden} more")
    } else {
        String::new()
    };
    let title = format!(" queues ({}{more}), {waiting} waiting ", board.queues.len());
    let widths = [
        Constraint::Length(1),
        Constraint::Min(12),
        Constraint::Length(8),
        Constraint::Length(8),
        Constraint::Length(12),
    ];
    let headings = ["", "QUEUE", "WAITING", "LONGEST", "AVAIL/IN"];
    let table = framed_table(rows, widths, headings, title);
    frame.render_widget(table, area);
}

fn render_agents(frame: &mut Frame, board: &Board, area: Rect, now: SystemTime) {
    let visible = board.visible();
    let rows: Vec<Row> = visible
        .iter()
        .map(|a| {
            Row::new(vec![
                a.work_no.to_string(),
                a.name.clone(),
                a.state.word().to_owned(),
                a.time_in_state.map(clock).unwrap_or_default(),
                a.inspecting_word().to_owned(),
            ])
        })
        .collect();
    let mut title = if board.filter.is_empty() && board.mode != Mode::Filtering {
        format!(" agents ({}) ", visible.len())
    } else {
        format!(" agents ({}) filter: {} ", visible.len(), board.filter)
    };
    if let Some(since) = board.stale_since {
        let age = now.duration_since(since).unwrap_or_default();
        title.push_str(&format!("! STALE: data from {} ago ", clock(age)));
    }
    let widths = [
        Constraint::Length(8),
        Constraint::Min(10),
        Constraint::Length(11),
        Constraint::Length(8),
        Constraint::Length(13),
    ];
    let headings = ["WORK NO", "NAME", "STATE", "IN STATE", "INSPECTING"];
    let table = framed_table(rows, widths, headings, title)
        .row_highlight_style(Style::default().add_modifier(Modifier::REVERSED))
        .highlight_symbol("> ");
    let mut state = TableState::default().with_selected(board.selected_index());
    frame.render_stateful_widget(table, area, &mut state);
}

fn render_events(frame: &mut Frame, board: &Board, area: Rect) {
    let lines: Vec<Line> = board
        .events
        .iter()
        .take(area.height.saturating_sub(2) as usize)
        .map(|(at, text)| {
            let stamp = humantime::format_rfc3339_seconds(*at).to_string();
            Line::raw(format!("{} {text}", &stamp[11..19]))
        })
        .collect();
    let block = Block::default().borders(Borders::ALL).title(" events ");
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

fn status_line(board: &Board) -> Line<'static> {
    match &board.mode {
        Mode::Confirming(question) => Line::from(Span::styled(
            question.words(),
            Style::default().add_modifier(Modifier::BOLD),
        )),
        Mode::Filtering => Line::raw(format!(
            "filter: {}_  (Enter to keep, Esc to end)",
            board.filter
        )),
        _ => match &board.status {
            Status::Info(text) => Line::raw(text.clone()),
            Status::Error(text) => Line::from(Span::styled(
                format!("error: {text}"),
                Style::default().add_modifier(Modifier::BOLD),
            )),
        },
    }
}

fn render_help(frame: &mut Frame) {
    let area = frame.area();
    let width = area.width.min(72);
    let height = (KEYS.len() as u16 + 4).min(area.height);
    let popup = Rect::new(
        area.x + (area.width - width) / 2,
        area.y + (area.height - height) / 2,
        width,
        height,
    );
    let mut lines: Vec<Line> = KEYS
        .iter()
        .map(|(keys, what)| Line::raw(format!(" {keys:<14} {what}")))
        .collect();
    lines.push(Line::raw(""));
    lines.push(Line::raw(format!(
        " a refresh sends at most {REQUESTS_PER_REFRESH} requests, at most once a second"
    )));
    frame.render_widget(Clear, popup);
    let block = Block::default()
        .borders(Borders::ALL)
        .title(" keys (any key closes) ");
    frame.render_widget(Paragraph::new(lines).block(block), popup);
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, SystemTime};

    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    use super::*;
    use crate::board::model::{Action, Board, CallLookup, Question};
    use crate::board::refresh::{self, Roster};

    #[test]
    fn the_header_says_when_events_stalled_and_how_often_the_session_recovered() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let mut link = ccgw::LinkHealth::default();
        assert!(link_spans(&link, now).is_empty(), "nothing while healthy");
        link.failing_since = Some(now - Duration::from_secs(35));
        link.failures = 3;
        link.recoveries = 2;
        let text: String = link_spans(&link, now)
            .iter()
            .map(|s| s.content.to_string())
            .collect();
        assert_eq!(
            text,
            "  events stalled for 0:35 (3 failed polls)  recovered 2x"
        );
    }

    /// The board of a fresh simulator, inspector 101 listening to agent 1001, with times
    /// fixed so that the picture does not depend on the clock.
    async fn simulated_board() -> Board {
        let sim = ccgw_sim::Simulator::start(ccgw_sim::SimConfig::default())
            .await
            .unwrap();
        let client = ccgw::Client::builder(sim.base_url()).build().unwrap();
        let me = client.agent_id("101").unwrap();
        let request = ccgw::SignIn::new(me, ccgw_sim::DEFAULT_PASSWORD).poll_events(false);
        let session = client.sign_in(request).await.unwrap();
        session
            .listen(&client.agent_id("1001").unwrap())
            .await
            .unwrap();
        session
            .force_busy(&client.agent_id("1004").unwrap())
            .await
            .unwrap();
        let mut board = Board::new("101", Roster::default(), Duration::from_secs(2));
        let plan = board.roster.plan(board.around_selection());
        let snapshot = refresh::fetch(&session, plan).await;
        assert!(snapshot.error.is_none(), "{:?}", snapshot.error);
        refresh::apply(&mut board, snapshot, &session, SystemTime::now());
        session.sign_out().await.unwrap();
        for (n, row) in board.agents.iter_mut().enumerate() {
            row.time_in_state = Some(Duration::from_secs(65 * n as u64 + 7));
            row.fetched = std::time::Instant::now();
        }
        for queue in &mut board.queues {
            if queue.waiting.unwrap_or(0) > 0 {
                queue.longest_wait = Some(Duration::from_secs(95));
            }
        }
        let at = SystemTime::UNIX_EPOCH + Duration::from_secs(1_790_000_000);
        for (n, text) in [
            "AgentOther_PhoneAlerting 101",
            "AgentOther_PhoneOffhook 101",
        ]
        .iter()
        .enumerate()
        {
            board.push_event(at + Duration::from_secs(n as u64), text.to_string());
        }
        board.status = Status::Info("listen to agent 1001: done".to_owned());
        board
    }

    /// The moment the pictures are drawn at.
    const AT: Duration = Duration::from_secs(1_790_000_100);

    fn draw(board: &Board, width: u16, height: u16) -> String {
        let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
        let now = SystemTime::UNIX_EPOCH + AT;
        terminal.draw(|frame| render_at(frame, board, now)).unwrap();
        terminal.backend().to_string()
    }

    #[tokio::test]
    async fn the_board_at_80_by_24() {
        let board = simulated_board().await;
        insta::assert_snapshot!(draw(&board, 80, 24));
    }

    #[tokio::test]
    async fn the_board_redrawn_wider_and_taller() {
        let board = simulated_board().await;
        insta::assert_snapshot!(draw(&board, 120, 30));
    }

    #[tokio::test]
    async fn help_filter_and_confirmation() {
        let mut board = simulated_board().await;
        board.mode = Mode::Help;
        insta::assert_snapshot!("help", draw(&board, 80, 24));
        board.mode = Mode::Filtering;
        board.filter = "busy".to_owned();
        board.refilter();
        insta::assert_snapshot!("filter", draw(&board, 80, 24));
        board.mode = Mode::Confirming(Question {
            action: Action::ForceSignOut,
            agent: board.selected.clone().unwrap(),
            call: CallLookup::NotNeeded,
        });
        insta::assert_snapshot!("confirm", draw(&board, 80, 24));
    }

    #[tokio::test]
    async fn a_failed_refresh_keeps_the_data_marked_stale_and_says_what_to_do() {
        let mut board = simulated_board().await;
        let sim = ccgw_sim::Simulator::start(ccgw_sim::SimConfig::default())
            .await
            .unwrap();
        let client = ccgw::Client::builder(sim.base_url()).build().unwrap();
        let me = client.agent_id("101").unwrap();
        let request = ccgw::SignIn::new(me, ccgw_sim::DEFAULT_PASSWORD).poll_events(false);
        let session = client.sign_in(request).await.unwrap();
        let fault = ccgw_sim::FaultRule::on("getAgentStatus", ccgw_sim::Fault::Status(503));
        sim.faults().inject(fault.times(1));
        let plan = board.roster.plan(board.around_selection());
        let failed = refresh::fetch(&session, plan).await;
        assert!(failed.error.is_some());
        // As when the gateway is down: no part of the refresh came back.
        let snapshot = refresh::Snapshot {
            error: failed.error,
            ..Default::default()
        };
        let now = SystemTime::UNIX_EPOCH + AT;
        board.last_good = Some(now - Duration::from_secs(12));
        refresh::apply(&mut board, snapshot, &session, now);
        session.sign_out().await.unwrap();
        assert_eq!(board.agents.len(), 10, "the last good data stays");
        insta::assert_snapshot!("stale", draw(&board, 100, 24));
        // The next good refresh clears the mark.
        board.refreshed(None, now);
        assert!(board.stale_since.is_none());
        assert!(!draw(&board, 100, 24).contains("STALE"));
    }

    #[tokio::test]
    async fn alerts_are_on_a_line_of_their_own_with_a_marker() {
        let mut board = simulated_board().await;
        let rules = "[[alerts]]\nrule = \"unattended\"\n[[alerts]]\nrule = \"longest-wait\"\n\
                     over = 60\n[[alerts]]\nrule = \"talking\"\nover = 300\n";
        board.alerts = crate::alerts::Alerts::new(crate::alerts::Rules::from_toml(rules).unwrap());
        let changes = board.evaluate_alerts(SystemTime::UNIX_EPOCH + AT);
        assert_eq!(changes.len(), 7, "{changes:?}");
        insta::assert_snapshot!("alerts", draw(&board, 100, 24));
    }
}
