//! The last check before a report is shown or written: no value that any answer of the
//! run carried (a name, a phone number, an ID), no key the document does not name, and
//! no header value (a Guid, a cookie) appears in it. The report is built from closed sets
//! and documented names, so a hit means a bug: the report is refused, and the refusal
//! names the field that carried the value, never the value.

use serde_json::Value;

use super::record::Answer;
use super::shape::{self, Document};

/// Shorter strings are too common to mean anything (`0`, `ok`, `GBK`). Counted in bytes,
/// so that a name of two Chinese characters (six bytes) is still searched for.
const SHORTEST: usize = 4;

/// One string an answer carried, and where (told with documented names only).
#[derive(Debug)]
pub struct Carried {
    text: String,
    at: String,
}

/// Every string the run's answers carried that a report must not repeat, and the host.
pub fn carried(document: &Document, answers: &[Answer], host: Option<&str>) -> Vec<Carried> {
    let names: std::collections::HashSet<&str> = document.every_name().collect();
    let allowed = |text: &str| {
        names.contains(text)
            || ccgw::EventType::is_known_name(text)
            || shape::retcode(&serde_json::json!({ "retcode": text })).as_deref() == Some(text)
    };
    let mut found = Vec::new();
    let mut keep = |text: &str, at: String| {
        let text = text.trim_matches(|c: char| c == '\0' || c.is_whitespace());
        if text.len() >= SHORTEST && !allowed(text) {
            found.push(Carried {
                text: text.to_owned(),
                at,
            });
        }
    };
    for answer in answers {
        for secret in &answer.secrets {
            keep(secret, format!("{}: a header", answer.operation));
        }
        if let Some(json) = &answer.json {
            let named = document.named(answer.operation);
            walk(json, "", &mut |text, path| {
                keep(
                    text,
                    format!("{}: {}", answer.operation, shape::safe(path, named)),
                );
            });
        }
    }
    if let Some(host) = host {
        keep(host, "the gateway's host".to_owned());
    }
    found
}

/// Calls `found` with every key and string value below `value`, and its path.
fn walk<'v>(value: &'v Value, path: &str, found: &mut impl FnMut(&'v str, &str)) {
    match value {
        Value::String(text) => found(text, path),
        Value::Array(items) => {
            let path = format!("{path}[]");
            items.iter().for_each(|item| walk(item, &path, found));
        }
        Value::Object(fields) => {
            for (name, field) in fields {
                let at = if path.is_empty() {
                    name.clone()
                } else {
                    format!("{path}.{name}")
                };
                found(name, &at);
                walk(field, &at, found);
            }
        }
        _ => {}
    }
}

/// Where the first carried string that `report` (every key and string of it) or a line
/// of `screen` repeats came from; `None` when none does.
pub fn first_leak<'a>(
    carried: &'a [Carried],
    report: &Value,
    screen: &[String],
) -> Option<&'a str> {
    let mut texts: Vec<&str> = screen.iter().map(String::as_str).collect();
    walk(report, "", &mut |text, _| texts.push(text));
    carried
        .iter()
        .find(|c| texts.iter().any(|t| t.contains(c.text.as_str())))
        .map(|c| c.at.as_str())
}
