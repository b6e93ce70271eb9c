//! What each key does: a pure function of the board and the key, so that it can be tested
//! without a terminal.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::model::{Action, Board, Mode};

/// What the loop must do after a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Intent {
    Nothing,
    /// Send this action for the selected agent.
    Act(Action),
    /// Sign out and leave.
    Quit,
}

/// Applies `key` to the board and says what else to do.
pub fn handle(board: &mut Board, key: KeyEvent) -> Intent {
    let ctrl_c = key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL);
    if ctrl_c {
        return Intent::Quit;
    }
    match board.mode.clone() {
        Mode::Help => {
            board.mode = Mode::Normal;
            Intent::Nothing
        }
        Mode::Filtering => {
            match key.code {
                KeyCode::Enter | KeyCode::Esc => board.mode = Mode::Normal,
                KeyCode::Backspace => {
                    board.filter.pop();
                }
                KeyCode::Char(c) => board.filter.push(c),
                _ => {}
            }
            board.refilter();
            Intent::Nothing
        }
        Mode::Confirming(action) => {
            board.mode = Mode::Normal;
            if matches!(key.code, KeyCode::Char('y' | 'Y')) {
                Intent::Act(action)
            } else {
                board.status = super::model::Status::Info("not sent".to_owned());
                Intent::Nothing
            }
        }
        Mode::Normal => normal(board, key.code),
    }
}

fn normal(board: &mut Board, code: KeyCode) -> Intent {
    let action = match code {
        KeyCode::Up | KeyCode::Char('k') => {
            board.move_selection(-1);
            return Intent::Nothing;
        }
        KeyCode::Down | KeyCode::Char('j') => {
            board.move_selection(1);
            return Intent::Nothing;
        }
        KeyCode::Char('/') => {
            board.mode = Mode::Filtering;
            return Intent::Nothing;
        }
        KeyCode::Char('?') => {
            board.mode = Mode::Help;
            return Intent::Nothing;
        }
        KeyCode::Char('q') => return Intent::Quit,
        KeyCode::Char('l') => Action::Listen,
        KeyCode::Char('i') => Action::Insert,
        KeyCode::Char('w') => Action::Whisper,
        KeyCode::Char('s') => Action::Switch,
        KeyCode::Char('x') => Action::Stop,
        KeyCode::Char('b') => Action::ForceBusy,
        KeyCode::Char('d') => Action::ForceIdle,
        KeyCode::Char('o') => Action::ForceSignOut,
        KeyCode::Char('c') => Action::DropCall,
        KeyCode::Char('t') => Action::Intercept,
        _ => return Intent::Nothing,
    };
    if board.selected.is_none() {
        board.status = super::model::Status::Error("no agent is selected".to_owned());
        return Intent::Nothing;
    }
    if action.is_destructive() {
        board.mode = Mode::Confirming(action);
        return Intent::Nothing;
    }
    Intent::Act(action)
}

/// The keys, for the help pane.
pub const KEYS: &[(&str, &str)] = &[
    ("Up/Down, k/j", "select an agent"),
    ("l  i  w", "listen, insert, whisper"),
    ("s", "switch between listening and inserting"),
    ("x", "stop inspecting"),
    ("b  d", "force busy, force idle"),
    (
        "o  c  t",
        "force sign-out, drop call, intercept (y/n first)",
    ),
    ("/", "filter by work number, name or state"),
    ("?", "show these keys"),
    ("q, Ctrl-C", "sign out and quit"),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::board::model::{AgentRow, Status};
    use ccgw::{AgentState, TrackedMode};

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    fn board() -> Board {
        let mut board = Board::new("101");
        let rows = ["1003", "1001", "1002"]
            .iter()
            .map(|id| AgentRow {
                work_no: id.parse().unwrap(),
                name: format!("Agent {id}"),
                state: if *id == "1002" {
                    AgentState::Idle
                } else {
                    AgentState::Talking
                },
                time_in_state: None,
                inspecting: TrackedMode::Idle,
            })
            .collect();
        board.set_agents(rows);
        board
    }

    #[test]
    fn the_first_row_is_selected_and_arrows_move_within_the_list() {
        let mut b = board();
        assert_eq!(
            b.selected.as_ref().unwrap().as_str(),
            "1001",
            "sorted by work number"
        );
        handle(&mut b, key(KeyCode::Up));
        assert_eq!(b.selected_index(), Some(0), "stays at the top");
        handle(&mut b, key(KeyCode::Char('j')));
        handle(&mut b, key(KeyCode::Down));
        handle(&mut b, key(KeyCode::Down));
        assert_eq!(
            b.selected.as_ref().unwrap().as_str(),
            "1003",
            "stays at the bottom"
        );
        handle(&mut b, key(KeyCode::Char('k')));
        assert_eq!(b.selected.as_ref().unwrap().as_str(), "1002");
    }

    #[test]
    fn action_keys_act_and_destructive_ones_ask_first() {
        let mut b = board();
        for (c, action) in [
            ('l', Action::Listen),
            ('i', Action::Insert),
            ('w', Action::Whisper),
            ('s', Action::Switch),
            ('x', Action::Stop),
            ('b', Action::ForceBusy),
            ('d', Action::ForceIdle),
        ] {
            assert_eq!(handle(&mut b, key(KeyCode::Char(c))), Intent::Act(action));
        }
        for (c, action) in [
            ('o', Action::ForceSignOut),
            ('c', Action::DropCall),
            ('t', Action::Intercept),
        ] {
            assert_eq!(handle(&mut b, key(KeyCode::Char(c))), Intent::Nothing);
            assert_eq!(b.mode, Mode::Confirming(action));
            assert_eq!(handle(&mut b, key(KeyCode::Char('n'))), Intent::Nothing);
            assert_eq!(b.status, Status::Info("not sent".into()));
            handle(&mut b, key(KeyCode::Char(c)));
            assert_eq!(handle(&mut b, key(KeyCode::Char('y'))), Intent::Act(action));
        }
    }

    #[test]
    fn filter_help_and_quit() {
        let mut b = board();
        handle(&mut b, key(KeyCode::Char('/')));
        for c in "idle".chars() {
            assert_eq!(
                handle(&mut b, key(KeyCode::Char(c))),
                Intent::Nothing,
                "typed, not acted"
            );
        }
        assert_eq!(b.visible().len(), 1);
        assert_eq!(b.selected.as_ref().unwrap().as_str(), "1002");
        handle(&mut b, key(KeyCode::Enter));
        handle(&mut b, key(KeyCode::Char('?')));
        assert_eq!(b.mode, Mode::Help);
        handle(&mut b, key(KeyCode::Char('q')));
        assert_eq!(b.mode, Mode::Normal, "any key closes the help");
        assert_eq!(handle(&mut b, key(KeyCode::Char('q'))), Intent::Quit);
        let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(handle(&mut b, ctrl_c), Intent::Quit);
    }

    #[test]
    fn nothing_is_sent_without_a_selection() {
        let mut b = Board::new("101");
        assert_eq!(handle(&mut b, key(KeyCode::Char('l'))), Intent::Nothing);
        assert!(matches!(b.status, Status::Error(_)));
    }
}
