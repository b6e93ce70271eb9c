//! What the console prints: one line per result or event, human or JSON. Results and
//! events go to standard output; everything else to standard error.

use crate::stdio::Why;
use std::time::SystemTime;

use ccgw::{Error, ErrorKind, Event};
use serde_json::{Map, Value, json};

use super::command::{Rejected, USAGE};
use super::editor::EventPrinter;

/// What a command was about: an agent (`workNo` in its JSON line) or a call (`callId`).
#[derive(Debug, Clone, Copy)]
pub enum Target<'a> {
    None,
    Agent(&'a str),
    Call(&'a str),
}

impl Target<'_> {
    fn insert_into(self, line: &mut Map<String, Value>) {
        match self {
            Target::None => {}
            Target::Agent(w) => {
                line.insert("workNo".into(), json!(w));
            }
            Target::Call(c) => {
                line.insert("callId".into(), json!(c));
            }
        }
    }

    fn words(self) -> String {
        match self {
            Target::None => String::new(),
            Target::Agent(id) | Target::Call(id) => format!(" {id}"),
        }
    }
}

/// What a successful command reports: fields for its JSON line, words for a person.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub fields: Map<String, Value>,
    pub text: String,
}

impl Report {
    /// The report of a gateway command: the gateway said `"0"`.
    pub fn done() -> Report {
        let mut fields = Map::new();
        fields.insert("retcode".into(), json!("0"));
        Report {
            fields,
            text: String::new(),
        }
    }

    /// The report of a list: its `items` under `key`, and their `words` joined by
    /// `separator` for a person (`none` for an empty list).
    pub fn list(key: &str, items: Vec<Value>, words: Vec<String>, separator: &str) -> Report {
        let text = if words.is_empty() {
            "none".to_owned()
        } else {
            words.join(separator)
        };
        Report {
            fields: Map::from_iter([(key.to_owned(), Value::from(items))]),
            text,
        }
    }
}

/// Prints results and events in one format.
#[derive(Debug, Clone)]
pub struct Output {
    pub json: bool,
    /// Where event lines go when a person is typing: above the prompt, time-stamped.
    pub above_prompt: Option<EventPrinter>,
}

impl Output {
    /// The outcome of a command. Every line of a gateway command carries `retcode` when
    /// the gateway answered ("0" on success); a local command's line carries none.
    pub fn result(&self, command: &str, target: Target<'_>, outcome: &Result<Report, Error>) {
        self.result_with_hint(command, target, outcome, None);
    }

    /// [`result`](Self::result), with what to try instead when it failed.
    pub fn result_with_hint(
        &self,
        command: &str,
        target: Target<'_>,
        outcome: &Result<Report, Error>,
        hint: Option<&str>,
    ) {
        let hint = hint.filter(|_| outcome.is_err());
        if self.json {
            let mut line = Map::new();
            line.insert("command".into(), json!(command));
            target.insert_into(&mut line);
            line.insert("ok".into(), json!(outcome.is_ok()));
            match outcome {
                Ok(report) => line.extend(report.fields.clone()),
                Err(e) => match (e.kind(), e.retcode()) {
                    (ErrorKind::Gateway | ErrorKind::Overloaded, Some(r)) => {
                        line.insert("retcode".into(), json!(r.code()));
                        line.insert("message".into(), json!(r.message()));
                    }
                    _ => {
                        line.insert("error".into(), json!(Why(e).to_string()));
                    }
                },
            }
            if let Some(hint) = hint {
                line.insert("hint".into(), json!(hint));
            }
            outln!("{}", Value::Object(line));
        } else {
            let target = target.words();
            match outcome {
                Ok(report) if report.text.is_empty() => outln!("ok      {command}{target}"),
                Ok(report) => outln!("ok      {command}{target}: {}", report.text),
                Err(e) => outln!("failed  {command}{target}: {}", Why(e)),
            }
            if let Some(hint) = hint {
                outln!("        try: {hint}");
            }
        }
    }

    /// A command a person declined to confirm: nothing was sent.
    pub fn declined(&self, command: &str, target: Target<'_>) {
        if self.json {
            let mut line = Map::new();
            line.insert("command".into(), json!(command));
            target.insert_into(&mut line);
            line.insert("ok".into(), json!(false));
            line.insert("declined".into(), json!(true));
            line.insert("error".into(), json!("not confirmed; nothing was sent"));
            outln!("{}", Value::Object(line));
        } else {
            errln!("not sent");
        }
    }

    /// A line that was not run.
    pub fn rejected(&self, rejected: &Rejected) {
        if self.json {
            let mut line = Map::new();
            line.insert("command".into(), json!(rejected.command));
            if let Some(argument) = &rejected.argument {
                line.insert("argument".into(), json!(argument));
            }
            line.insert("ok".into(), json!(false));
            line.insert("error".into(), json!(rejected.reason));
            outln!("{}", Value::Object(line));
        } else {
            outln!(
                "failed  {}: {} (nothing was sent)",
                rejected.command,
                rejected.reason
            );
        }
    }

    /// An event as it arrives, with the time it arrived: in an `at` field of JSON lines,
    /// and in front of the line when a person is typing. An event the client made itself
    /// (the session ended or recovered, the link failing or back, events missed) says so
    /// with `"local": true`.
    pub fn event(&self, event: &Event) {
        let at = humantime::format_rfc3339_seconds(SystemTime::now()).to_string();
        let line = if self.json {
            let mut line = json!({"event": event.name(), "workNo": event.work_no(), "content": event.content(), "at": at});
            if !event.is_from_gateway() {
                line["local"] = json!(true);
            }
            line.to_string()
        } else {
            let content = if event.content().is_null() {
                String::new()
            } else {
                format!(" {}", event.content())
            };
            format!("event   {} {}{content}", event.name(), event.work_no())
        };
        match &self.above_prompt {
            Some(printer) if self.json => {
                let _ = printer.send(format!("{line}\n"));
            }
            // The time of day (UTC) in front, as the prompt shows no clock.
            Some(printer) => {
                let _ = printer.send(format!("{} {line}\n", &at[11..19]));
            }
            None => outln!("{line}"),
        }
    }

    /// The command list, on standard error in JSON mode so that standard output stays
    /// one JSON object a line (which says `help` was done).
    pub fn help(&self) {
        let text: String = USAGE
            .iter()
            .chain(super::review::USAGE)
            .map(|(u, d)| format!("  {u:<32} {d}\n"))
            .collect();
        if self.json {
            err!("{text}");
            self.local_done("help");
        } else {
            out!("{text}");
        }
    }

    /// In JSON mode, the line of a local command that has nothing else to say.
    pub fn local_done(&self, command: &str) {
        if self.json {
            outln!("{}", json!({"command": command, "ok": true}));
        }
    }
}
