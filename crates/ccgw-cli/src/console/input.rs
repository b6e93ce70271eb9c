//! Where console lines come from: standard input read line by line (scripts), or the
//! line editor when standard input is a terminal. Both deliver [`Input`]s.

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::sync::mpsc;

use super::editor::Editor;
use super::reading::{Ask, Input};

/// A source of input: it reads only when asked, so that answers are never mixed with
/// the prompt.
pub enum Source {
    Piped(mpsc::Receiver<Input>),
    Editor(Editor),
}

impl Source {
    /// Lines from standard input, as scripts feed them.
    pub fn piped() -> Source {
        let (sender, receiver) = mpsc::channel(1);
        tokio::spawn(async move {
            let mut lines = BufReader::new(tokio::io::stdin()).lines();
            loop {
                let input = match lines.next_line().await {
                    Ok(Some(line)) => Input::Line(line),
                    Ok(None) => Input::Eof,
                    Err(e) => {
                        errln!("cannot read standard input: {e}");
                        Input::Eof
                    }
                };
                let last = matches!(input, Input::Eof);
                if sender.send(input).await.is_err() || last {
                    return;
                }
            }
        });
        Source::Piped(receiver)
    }

    /// The next input, asked for as `ask` says. Scripts are never asked to confirm:
    /// their lines are the user's decision already.
    pub async fn next(&mut self, ask: Ask) -> Input {
        match self {
            Source::Piped(receiver) => match ask {
                Ask::Command => receiver.recv().await.unwrap_or(Input::Eof),
                Ask::Confirm(_) => Input::Line("y".to_owned()),
            },
            Source::Editor(editor) => editor.read(ask).await,
        }
    }

    /// A Ctrl-C typed while the console is shutting down, if the prompt is still up.
    pub async fn interrupted(&mut self) {
        match self {
            Source::Piped(_) => std::future::pending().await,
            Source::Editor(editor) => editor.interrupted().await,
        }
    }

    /// Whether a person types the lines.
    pub fn is_interactive(&self) -> bool {
        matches!(self, Source::Editor(_))
    }
}
