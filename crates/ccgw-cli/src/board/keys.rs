//! What each key does: a pure function of the board and the key, so that it can be tested
//! without a terminal.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use ccgw::{AgentId, CallId};

use super::model::{Action, Board, CallLookup, Mode, Question, Status};

/// What the loop must do after a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Intent {
    Nothing,
    /// Send this action for this agent (and, for an action on a call, this call).
    Act(Action, AgentId, Option<CallId>),
    /// Look up the call of this agent, which the open question is about.
    FindCall(AgentId),
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
        Mode::Confirming(question) => {
            let yes = matches!(key.code, KeyCode::Char('y' | 'Y'));
            let call = match question.call {
                CallLookup::Pending if yes => return Intent::Nothing,
                CallLookup::Known(call) => call,
                _ => None,
            };
            board.mode = Mode::Normal;
            if yes {
                Intent::Act(question.action, question.agent, call)
            } else {
                board.status = Status::Info("not sent".to_owned());
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
    let Some(agent) = board.selected.clone() else {
        board.status = Status::Error("no agent is selected".to_owned());
        return Intent::Nothing;
    };
    if !action.is_destructive() {
        return Intent::Act(action, agent, None);
    }
    let call = if action.is_on_a_call() {
        CallLookup::Pending
    } else {
        CallLookup::NotNeeded
    };
    board.mode = Mode::Confirming(Question {
        action,
        agent: agent.clone(),
        call: call.clone(),
    });
    match call {
        CallLookup::Pending => Intent::FindCall(agent),
        _ => Intent::Nothing,
    }
}

/// The call of `agent` was looked up for the open question: name it, or withdraw a drop
/// of a call that does not exist. An answer about another question is dropped.
pub fn call_found(board: &mut Board, agent: &AgentId, found: Result<Option<CallId>, String>) {
    let Mode::Confirming(question) = &mut board.mode else {
        return;
    };
    if &question.agent != agent || question.call != CallLookup::Pending {
        return;
    }
    match found {
        Ok(None) if question.action == Action::DropCall => {
            board.status = Status::Info(format!("agent {agent} has no call to drop"));
            board.mode = Mode::Normal;
        }
        Ok(call) => question.call = CallLookup::Known(call),
        Err(e) => {
            board.status = Status::Error(format!("cannot find the call of agent {agent}: {e}"));
            board.mode = Mode::Normal;
        }
    }
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
        let mut board = Board::new("101", Default::default(), std::time::Duration::from_secs(2));
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
                fetched: std::time::Instant::now(),
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

    fn agent(id: &str) -> AgentId {
        id.parse().unwrap()
    }

    fn question_words(board: &Board) -> Option<String> {
        match &board.mode {
            Mode::Confirming(question) => Some(question.words()),
            _ => None,
        }
    }

    #[test]
    fn action_keys_act_and_destructive_ones_ask_first() {
        let mut b = board();
        let selected = agent("1001");
        for (c, action) in [
            ('l', Action::Listen),
            ('i', Action::Insert),
            ('w', Action::Whisper),
            ('s', Action::Switch),
            ('x', Action::Stop),
            ('b', Action::ForceBusy),
            ('d', Action::ForceIdle),
        ] {
            assert_eq!(
                handle(&mut b, key(KeyCode::Char(c))),
                Intent::Act(action, selected.clone(), None)
            );
        }
        assert_eq!(handle(&mut b, key(KeyCode::Char('o'))), Intent::Nothing);
        assert_eq!(
            question_words(&b),
            Some("force to sign out agent 1001? y/n".into())
        );
        assert_eq!(handle(&mut b, key(KeyCode::Char('n'))), Intent::Nothing);
        assert_eq!(b.status, Status::Info("not sent".into()));
        handle(&mut b, key(KeyCode::Char('o')));
        assert_eq!(
            handle(&mut b, key(KeyCode::Char('y'))),
            Intent::Act(Action::ForceSignOut, selected.clone(), None)
        );
        for (c, action) in [('c', Action::DropCall), ('t', Action::Intercept)] {
            assert_eq!(
                handle(&mut b, key(KeyCode::Char(c))),
                Intent::FindCall(selected.clone()),
                "{action:?}"
            );
            assert_eq!(
                handle(&mut b, key(KeyCode::Char('y'))),
                Intent::Nothing,
                "no yes before the call is known"
            );
            assert!(matches!(b.mode, Mode::Confirming(_)), "still asking");
            let call: CallId = "1700000000-5".parse().unwrap();
            call_found(&mut b, &selected, Ok(Some(call.clone())));
            assert!(question_words(&b).unwrap().contains("(call 1700000000-5)"));
            assert_eq!(
                handle(&mut b, key(KeyCode::Char('y'))),
                Intent::Act(action, selected.clone(), Some(call))
            );
        }
    }

    #[test]
    fn a_question_acts_on_the_agent_it_named_or_is_withdrawn() {
        let mut b = board();
        handle(&mut b, key(KeyCode::Down));
        handle(&mut b, key(KeyCode::Down));
        assert_eq!(b.selected, Some(agent("1003")));
        handle(&mut b, key(KeyCode::Char('o')));
        // A refresh while the question is open: 1003 stays, the rows around it change.
        let mut rows = b.agents.clone();
        rows.retain(|r| r.work_no != agent("1002"));
        b.set_agents(rows);
        assert_eq!(
            handle(&mut b, key(KeyCode::Char('y'))),
            Intent::Act(Action::ForceSignOut, agent("1003"), None)
        );
        // Another question; this time its agent leaves the list before the answer.
        handle(&mut b, key(KeyCode::Char('o')));
        let rows = b
            .agents
            .iter()
            .filter(|r| r.work_no != agent("1003"))
            .cloned()
            .collect();
        b.set_agents(rows);
        assert_eq!(b.mode, Mode::Normal, "the question is withdrawn");
        assert_eq!(
            b.status,
            Status::Info("withdrawn: agent 1003 left the list; nothing was sent".into())
        );
        assert_eq!(handle(&mut b, key(KeyCode::Char('y'))), Intent::Nothing);
        // And with no agent at all, nothing is asked and nothing panics.
        b.set_agents(Vec::new());
        assert_eq!(handle(&mut b, key(KeyCode::Char('c'))), Intent::Nothing);
        assert_eq!(b.status, Status::Error("no agent is selected".into()));
    }

    #[test]
    fn a_no_while_the_call_is_looked_up_withdraws_the_question() {
        let mut b = board();
        handle(&mut b, key(KeyCode::Char('t')));
        assert_eq!(handle(&mut b, key(KeyCode::Char('n'))), Intent::Nothing);
        assert_eq!(b.mode, Mode::Normal);
        assert_eq!(b.status, Status::Info("not sent".into()));
        // The lookup's answer, arriving after the no, asks nothing again.
        call_found(
            &mut b,
            &agent("1001"),
            Ok(Some("1700000000-5".parse().unwrap())),
        );
        assert_eq!(b.mode, Mode::Normal);
    }

    #[test]
    fn a_drop_of_an_agent_without_a_call_is_withdrawn_an_intercept_is_not() {
        let mut b = board();
        let selected = agent("1001");
        handle(&mut b, key(KeyCode::Char('c')));
        call_found(&mut b, &agent("1002"), Ok(None));
        assert!(
            matches!(b.mode, Mode::Confirming(_)),
            "an answer about another agent is dropped"
        );
        call_found(&mut b, &selected, Ok(None));
        assert_eq!(b.mode, Mode::Normal);
        assert_eq!(
            b.status,
            Status::Info("agent 1001 has no call to drop".into())
        );
        // An intercept needs no call: it takes over whatever the agent has.
        handle(&mut b, key(KeyCode::Char('t')));
        call_found(&mut b, &selected, Ok(None));
        assert_eq!(
            handle(&mut b, key(KeyCode::Char('y'))),
            Intent::Act(Action::Intercept, selected, None)
        );
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
        // A typo taken back: "idlex", then Backspace.
        handle(&mut b, key(KeyCode::Char('x')));
        assert_eq!(b.visible().len(), 0);
        handle(&mut b, key(KeyCode::Backspace));
        assert_eq!(b.filter, "idle");
        assert_eq!(b.visible().len(), 1);
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
        let mut b = Board::new("101", Default::default(), std::time::Duration::from_secs(2));
        assert_eq!(handle(&mut b, key(KeyCode::Char('l'))), Intent::Nothing);
        assert!(matches!(b.status, Status::Error(_)));
    }
}
