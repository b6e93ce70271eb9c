//! What the console prints: one line per result or event, human or JSON. Results and
//! events go to standard output; everything else to standard error.

use std::time::SystemTime;

use ccgw::{Error, ErrorKind, Event};
use serde_json::{Map, Value, json};

use super::command::{Rejected, USAGE};
use super::editor::EventPrinter;

/// What a successful command reports: fields for its JSON line, words for a person.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub fields: Map<String, Value>,
    pub text: String,
}

impl Report {
    /// The report of an action: the gateway said `"0"`.
    pub fn done() -> Report {
        let mut fields = Map::new();
        fields.insert("retcode".into(), json!("0"));
        Report {
            fields,
            text: String::new(),
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
    /// The outcome of a gateway command or question.
    pub fn result(&self, command: &str, work_no: Option<&str>, outcome: &Result<Report, Error>) {
        if self.json {
            let mut line = Map::new();
            line.insert("command".into(), json!(command));
            if let Some(w) = work_no {
                line.insert("workNo".into(), json!(w));
            }
            line.insert("ok".into(), json!(outcome.is_ok()));
            match outcome {
                Ok(report) => line.extend(report.fields.clone()),
                Err(e) => match (e.kind(), e.retcode()) {
                    (ErrorKind::Gateway, Some(r)) => {
                        line.insert("retcode".into(), json!(r.code()));
                        line.insert("message".into(), json!(r.message()));
                    }
                    _ => {
                        line.insert("error".into(), json!(e.to_string()));
                    }
                },
            }
            outln!("{}", Value::Object(line));
        } else {
            let target = work_no.map(|w| format!(" {w}")).unwrap_or_default();
            match outcome {
                Ok(report) if report.text.is_empty() => outln!("ok      {command}{target}"),
                Ok(report) => outln!("ok      {command}{target}: {}", report.text),
                Err(e) => outln!("failed  {command}{target}: {e}"),
            }
        }
    }

    /// A line that was not run.
    pub fn rejected(&self, rejected: &Rejected) {
        if self.json {
            let mut line = Map::new();
            line.insert("command".into(), json!(rejected.command));
            if let Some(w) = &rejected.work_no {
                line.insert("workNo".into(), json!(w));
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
    /// and in front of the line when a person is typing.
    pub fn event(&self, event: &Event) {
        let at = humantime::format_rfc3339_seconds(SystemTime::now()).to_string();
        let line = if self.json {
            json!({"event": event.name(), "workNo": event.work_no(), "content": event.content(), "at": at})
                .to_string()
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

    /// The command list, on standard error in JSON mode so standard output stays JSON.
    pub fn help(&self) {
        let text: String = USAGE
            .iter()
            .map(|(u, d)| format!("  {u:<32} {d}\n"))
            .collect();
        if self.json {
            err!("{text}");
        } else {
            out!("{text}");
        }
    }
}
