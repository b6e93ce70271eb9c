//! Drawing the board: a header with the inspector's own state and the queues, the agents
//! table, the event pane, and the status line. Fits 80x24 and redraws at any size.

use std::time::Duration;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Row, Table, TableState};

use super::keys::KEYS;
use super::model::{Board, Mode, Status};

/// `m:ss`, or `h:mm:ss` from an hour on.
pub fn clock(d: Duration) -> String {
    let s = d.as_secs();
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
    } else {
        format!("{}:{:02}", s / 60, s % 60)
    }
}

pub fn render(frame: &mut Frame, board: &Board) {
    let [header, table, events, status] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(5),
        Constraint::Length(6),
        Constraint::Length(1),
    ])
    .areas(frame.area());
    frame.render_widget(Paragraph::new(header_line(board)), header);
    render_agents(frame, board, table);
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
    let queues: Vec<String> = board
        .queues
        .iter()
        .map(|q| match q.waiting {
            Some(n) => format!("{} {n}", q.name),
            None => format!("{} ?", q.name),
        })
        .collect();
    let bold = Style::default().add_modifier(Modifier::BOLD);
    Line::from(vec![
        Span::styled("ccgw board", bold),
        Span::raw(format!("  inspector {}: {me}", board.me)),
        Span::raw(format!("  queues: {}", queues.join(", "))),
    ])
}

fn render_agents(frame: &mut Frame, board: &Board, area: Rect) {
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
    let title = if board.filter.is_empty() && board.mode != Mode::Filtering {
        format!(" agents ({}) ", visible.len())
    } else {
        format!(" agents ({}) filter: {} ", visible.len(), board.filter)
    };
    let widths = [
        Constraint::Length(8),
        Constraint::Min(10),
        Constraint::Length(11),
        Constraint::Length(8),
        Constraint::Length(13),
    ];
    let header = Row::new(["WORK NO", "NAME", "STATE", "IN STATE", "INSPECTING"])
        .style(Style::default().add_modifier(Modifier::BOLD));
    let table = Table::new(rows, widths)
        .header(header)
        .block(Block::default().borders(Borders::ALL).title(title))
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
        Mode::Confirming(action) => {
            let agent = board.selected.as_ref().map(|a| a.to_string()).unwrap_or_default();
            Line::from(Span::styled(
                format!("{} agent {agent}? y/n", action.words()),
                Style::default().add_modifier(Modifier::BOLD),
            ))
        }
        Mode::Filtering => Line::raw(format!("filter: {}_  (Enter to keep, Esc to end)", board.filter)),
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
    let width = area.width.min(64);
    let height = (KEYS.len() as u16 + 2).min(area.height);
    let popup = Rect::new(
        area.x + (area.width - width) / 2,
        area.y + (area.height - height) / 2,
        width,
        height,
    );
    let lines: Vec<Line> = KEYS
        .iter()
        .map(|(keys, what)| Line::raw(format!(" {keys:<14} {what}")))
        .collect();
    frame.render_widget(Clear, popup);
    let block = Block::default().borders(Borders::ALL).title(" keys (any key closes) ");
    frame.render_widget(Paragraph::new(lines).block(block), popup);
}
