//! Answering in the shapes a real gateway was seen to send, from a `ccgw probe` report:
//! the charset each operation named, fields left out or added, numbers sent as text,
//! types that differ, and text padded with NULs. A user who probed their gateway runs
//! `ccgw sim --shapes report.json` and every test of their code meets those shapes here.
//!
//! The report names fields by path (`result[].status`, `event.eventType`); a path the
//! report could only give as `<key>` (a name it would not repeat) is left alone.

use std::collections::HashMap;
use std::path::Path;

use serde::Deserialize;
use serde_json::{Map, Value};

/// Why a report could not be read.
#[derive(Debug)]
pub struct ReportError(String);

impl std::fmt::Display for ReportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ReportError {}

/// How one operation's answers are reshaped.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OperationShape {
    /// The charset to encode answers in: `None` for UTF-8 named as such, `Some(None)` for
    /// no charset named at all.
    charset: Option<Option<&'static encoding_rs::Encoding>>,
    changes: Vec<Change>,
}

/// One change to an answer's shape, at a field path.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum Change {
    Missing {
        path: String,
    },
    Extra {
        path: String,
        seen: String,
    },
    Undocumented {
        path: String,
        seen: String,
    },
    NumberAsText {
        path: String,
    },
    Type {
        path: String,
        seen: String,
    },
    NulPadded {
        path: String,
    },
    #[serde(other)]
    Unknown,
}

/// The shapes of every operation a report describes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ShapeProfile {
    operations: HashMap<String, OperationShape>,
    guid_on_every_answer: bool,
}

#[derive(Deserialize)]
struct ReportIn {
    operations: Vec<OperationIn>,
}

#[derive(Deserialize)]
struct OperationIn {
    operation: String,
    #[serde(default)]
    set_guid: usize,
    #[serde(default)]
    charset: Vec<String>,
    #[serde(default)]
    differences: Vec<Change>,
}

impl ShapeProfile {
    /// Reads the shapes of a `ccgw probe` report.
    pub fn from_report(json: &str) -> Result<ShapeProfile, ReportError> {
        let report: ReportIn = serde_json::from_str(json)
            .map_err(|e| ReportError(format!("not a ccgw probe report: {e}")))?;
        // A gateway that sent `Set-GUID` on a query sends it on every answer of a session.
        let guid_on_every_answer = report.operations.iter().any(|op| {
            op.set_guid > 0
                && !matches!(
                    op.operation.as_str(),
                    "signIn" | "forceSignIn" | "pollEvent"
                )
        });
        let operations = report
            .operations
            .into_iter()
            .map(|op| {
                let charset = op.charset.iter().find_map(|name| match name.as_str() {
                    "none" => Some(None),
                    "UTF-8" | "unknown" => None,
                    label => encoding_rs::Encoding::for_label(label.as_bytes()).map(Some),
                });
                let changes = op
                    .differences
                    .into_iter()
                    .filter(|c| *c != Change::Unknown)
                    .collect();
                (op.operation, OperationShape { charset, changes })
            })
            .collect();
        Ok(ShapeProfile {
            operations,
            guid_on_every_answer,
        })
    }

    /// Reads a report file.
    pub fn from_file(path: &Path) -> Result<ShapeProfile, ReportError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| ReportError(format!("cannot read {}: {e}", path.display())))?;
        Self::from_report(&text).map_err(|e| ReportError(format!("{}: {e}", path.display())))
    }

    /// Whether every answer of a signed-in session carries `Set-GUID`, as the report saw.
    pub(crate) fn guid_on_every_answer(&self) -> bool {
        self.guid_on_every_answer
    }

    /// The shape of `operation`'s answers, if the report described it.
    pub(crate) fn of(&self, operation: &str) -> Option<&OperationShape> {
        self.operations.get(operation)
    }
}

impl OperationShape {
    /// The charset to send (see the field).
    pub(crate) fn charset(&self) -> Option<Option<&'static encoding_rs::Encoding>> {
        self.charset
    }

    /// Reshapes `answer`.
    pub(crate) fn apply(&self, answer: &mut Value) {
        for change in &self.changes {
            let path = match change {
                Change::Missing { path }
                | Change::Extra { path, .. }
                | Change::Undocumented { path, .. }
                | Change::NumberAsText { path }
                | Change::Type { path, .. }
                | Change::NulPadded { path } => path,
                Change::Unknown => continue,
            };
            if path.contains("<key>") {
                continue;
            }
            let segments: Vec<&str> = path.split('.').collect();
            at_path(answer, &segments, &mut |object, name| {
                change.make(object, name)
            });
        }
    }
}

impl Change {
    fn make(&self, object: &mut Map<String, Value>, name: &str) {
        match self {
            Change::Missing { .. } => {
                object.remove(name);
            }
            Change::Extra { seen, .. } | Change::Undocumented { seen, .. } => {
                object
                    .entry(name.to_owned())
                    .or_insert_with(|| placeholder(seen));
            }
            Change::NumberAsText { .. } => {
                if let Some(value @ Value::Number(_)) = object.get_mut(name) {
                    *value = Value::String(value.to_string());
                }
            }
            Change::Type { seen, .. } => {
                if let Some(value) = object.get_mut(name) {
                    *value = retyped(value.take(), seen);
                }
            }
            Change::NulPadded { .. } => {
                if let Some(Value::String(text)) = object.get_mut(name)
                    && !text.ends_with('\0')
                {
                    text.push_str("\0\0");
                }
            }
            Change::Unknown => {}
        }
    }
}

/// Calls `change` with the object that holds the last segment's field, for every object
/// the path reaches (`[]` goes through each item of a list).
fn at_path(
    value: &mut Value,
    segments: &[&str],
    change: &mut dyn FnMut(&mut Map<String, Value>, &str),
) {
    let Some((first, rest)) = segments.split_first() else {
        return;
    };
    let (name, each) = match first.strip_suffix("[]") {
        Some(name) => (name, true),
        None => (*first, false),
    };
    let Value::Object(object) = value else {
        return;
    };
    if rest.is_empty() && !each {
        change(object, name);
        return;
    }
    let Some(next) = object.get_mut(name) else {
        return;
    };
    match (each, next) {
        (true, Value::Array(items)) if rest.is_empty() => {
            // A path ending in `[]` names the items themselves: not reshaped here.
            let _ = items;
        }
        (true, Value::Array(items)) => {
            for item in items {
                at_path(item, rest, change);
            }
        }
        (false, next) => at_path(next, rest, change),
        _ => {}
    }
}

fn placeholder(seen: &str) -> Value {
    match seen {
        "string" => Value::from("x"),
        "integer" => Value::from(0),
        "number" => Value::from(0.5),
        "boolean" => Value::from(false),
        "array" => Value::Array(Vec::new()),
        "object" => Value::Object(Map::new()),
        _ => Value::Null,
    }
}

/// `value` as the type `seen`, where it can be told that way.
fn retyped(value: Value, seen: &str) -> Value {
    match (seen, value) {
        ("string", Value::Number(n)) => Value::String(n.to_string()),
        ("string", Value::Bool(b)) => Value::String(b.to_string()),
        // An object, a list or null sent as text: the emptiest text, as some gateways'
        // samples send `"result": ""`.
        ("string", Value::Object(_) | Value::Array(_) | Value::Null) => {
            Value::String(String::new())
        }
        ("integer" | "number", Value::String(s)) => match s.parse::<i64>() {
            Ok(n) => Value::from(n),
            Err(_) => Value::String(s),
        },
        ("object", Value::Array(mut items)) if !items.is_empty() => items.swap_remove(0),
        ("object", Value::Array(_)) => Value::Object(Map::new()),
        ("array", Value::Object(object)) => Value::Array(vec![Value::Object(object)]),
        ("null", _) => Value::Null,
        (_, value) => value,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_report_reshapes_the_answers_of_its_operations() {
        let report = json!({"operations": [{
        "operation": "queryAgentInfoBySkillId",
        "charset": ["GBK"],
        "differences": [
            {"kind": "number_as_text", "path": "result[].status"},
            {"kind": "missing", "path": "result[].name"},
            {"kind": "undocumented", "path": "result[].level", "seen": "integer"},
            {"kind": "undocumented", "path": "result[].<key>", "seen": "string"},
            {"kind": "type", "path": "result[].vdnid", "documented": "integer", "seen": "string"},
            {"kind": "nul_padded", "path": "result[].workno"},
            {"kind": "something_new", "path": "result"}
        ]}]});
        let profile = ShapeProfile::from_report(&report.to_string()).unwrap();
        let shape = profile.of("queryAgentInfoBySkillId").unwrap();
        assert_eq!(shape.charset(), Some(Some(encoding_rs::GBK)));
        let mut answer = json!({"retcode": "0", "result": [
            {"workno": "1001", "name": "a", "status": 7, "vdnid": 1}]});
        shape.apply(&mut answer);
        assert_eq!(
            answer["result"][0],
            json!({"workno": "1001\u{0}\u{0}", "status": "7", "vdnid": "1", "level": 0})
        );
        assert!(profile.of("signIn").is_none());
    }
}
