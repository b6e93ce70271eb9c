//! An answer's shape against the OpenAPI document, told without its values: differences
//! by field path, the retcode, state codes and event types (closed sets). A field name
//! passes only when the document names it for that operation; any other becomes
//! `<key>`, whatever it looks like, so a gateway that keys an object by an agent's name
//! or a phone number does not put it in a report.

use std::collections::{BTreeMap, BTreeSet};

use ccgw_codegen::shapes::{self, Difference};
use openapiv3::{OpenAPI, ReferenceOr};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The OpenAPI document the SDK was built from, with the field names it gives each
/// operation's answer.
pub struct Document {
    spec: OpenAPI,
    named: BTreeMap<String, BTreeSet<String>>,
}

/// The field names of one operation's answer: the only names a report repeats.
pub type Named = BTreeSet<String>;

impl Document {
    /// Reads the document shipped with `ccgw-api`.
    pub fn load() -> Result<Document, String> {
        let spec = ccgw_codegen::parse(ccgw_api::DOCUMENT)
            .map_err(|e| format!("the OpenAPI document does not parse: {e}"))?;
        let mut named = BTreeMap::new();
        for (_, item) in spec.paths.paths.iter() {
            let ReferenceOr::Item(item) = item else {
                continue;
            };
            for (_, op) in item.iter() {
                let Some(id) = &op.operation_id else { continue };
                let names = match shapes::answer_schema(&spec, id) {
                    Ok(Some(schema)) => shapes::named_fields(&spec, &schema)
                        .map_err(|e| format!("the OpenAPI document: {e}"))?,
                    _ => BTreeSet::new(),
                };
                named.insert(id.clone(), names);
            }
        }
        Ok(Document { spec, named })
    }

    /// The field names the document gives `operation`'s answer (none for one it does
    /// not have).
    pub fn named(&self, operation: &str) -> &Named {
        static NONE: Named = BTreeSet::new();
        self.named.get(operation).unwrap_or(&NONE)
    }

    /// Every field name the document gives any answer.
    pub fn every_name(&self) -> impl Iterator<Item = &str> {
        self.named.values().flatten().map(String::as_str)
    }

    /// How `answer` differs from what the document says `operation` answers; `None` when
    /// the document does not describe that answer.
    pub fn differences(&self, operation: &str, answer: &Value) -> Option<Vec<Found>> {
        let schema = shapes::answer_schema(&self.spec, operation).ok()??;
        let found = shapes::differences(&self.spec, &schema, answer).ok()?;
        let named = self.named(operation);
        Some(found.iter().map(|d| Found::of(d, named)).collect())
    }
}

/// One difference, as a report holds it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Found {
    /// A required field is absent.
    Missing { path: String },
    /// A field the document does not have, in an object it closes.
    Extra { path: String, seen: String },
    /// A field the document does not name, in an object it leaves open.
    Undocumented { path: String, seen: String },
    /// Digits in text where the document names a number first.
    NumberAsText { path: String },
    /// Another type than the document's.
    Type {
        path: String,
        documented: String,
        seen: String,
    },
    /// Text padded with NUL characters.
    NulPadded { path: String },
}

impl Found {
    fn of(difference: &Difference, named: &Named) -> Found {
        let safe = |path: &str| safe(path, named);
        match difference {
            Difference::Missing { path } => Found::Missing { path: safe(path) },
            Difference::Extra { path, name, seen } => Found::Extra {
                path: safe_field(path, name, named),
                seen: seen.name().to_owned(),
            },
            Difference::Undocumented { path, name, seen } => Found::Undocumented {
                path: safe_field(path, name, named),
                seen: seen.name().to_owned(),
            },
            Difference::NumberAsText { path } => Found::NumberAsText { path: safe(path) },
            Difference::Type {
                path,
                documented,
                seen,
            } => Found::Type {
                path: safe(path),
                documented: documented.clone(),
                seen: seen.name().to_owned(),
            },
            Difference::NulPadded { path } => Found::NulPadded { path: safe(path) },
        }
    }

    /// In plain words.
    pub fn words(&self) -> String {
        match self {
            Found::Missing { path } => format!("{path} is missing"),
            Found::Extra { path, seen } => format!("{path} ({seen}) is not in the document"),
            Found::Undocumented { path, seen } => {
                format!("{path} ({seen}) is allowed but not named by the document")
            }
            Found::NumberAsText { path } => format!("{path} is a number sent as text"),
            Found::Type {
                path,
                documented,
                seen,
            } => format!("{path} is {seen} where the document says {documented}"),
            Found::NulPadded { path } => format!("{path} is text padded with NUL characters"),
        }
    }
}

/// The path of a field the answer named (`name`, which may hold a `.`) below a path the
/// document gave.
fn safe_field(path: &str, name: &str, named: &Named) -> String {
    let parent = path
        .strip_suffix(name)
        .map_or("", |p| p.trim_end_matches('.'));
    let name = if named.contains(name) { name } else { "<key>" };
    if parent.is_empty() {
        name.to_owned()
    } else {
        format!("{}.{name}", safe(parent, named))
    }
}

/// A path with every segment the document does not name replaced by `<key>`.
pub fn safe(path: &str, named: &Named) -> String {
    path.split('.')
        .map(|segment| {
            let (name, list) = match segment.strip_suffix("[]") {
                Some(name) => (name, "[]"),
                None => (segment, ""),
            };
            if named.contains(name) {
                format!("{name}{list}")
            } else {
                format!("<key>{list}")
            }
        })
        .collect::<Vec<_>>()
        .join(".")
}

/// The answer's retcode when it has the shape of one (`0`, `100-006`), `"other"` when it
/// does not, `None` when there is none.
pub fn retcode(answer: &Value) -> Option<String> {
    let code = match &answer["retcode"] {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Null => return None,
        _ => return Some("other".to_owned()),
    };
    let shaped = match code.split_once('-') {
        Some((a, b)) => {
            a.len() == 3 && b.len() == 3 && a.bytes().chain(b.bytes()).all(|c| c.is_ascii_digit())
        }
        None => !code.is_empty() && code.len() <= 6 && code.bytes().all(|c| c.is_ascii_digit()),
    };
    Some(if shaped { code } else { "other".to_owned() })
}

/// The fields that hold state codes, by name.
const STATE_FIELDS: &[&str] = &["status", "ctiStatus", "agentState"];

/// State codes the answer holds, by field path (`result.status=7`): numbers below 1000,
/// sent as numbers or text, at paths told with the names the document gives.
pub fn state_codes(answer: &Value, named: &Named) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    collect_codes(
        answer.get("result").unwrap_or(&Value::Null),
        "result",
        &mut found,
    );
    found
        .into_iter()
        .map(|code| match code.split_once('=') {
            Some((path, value)) => format!("{}={value}", safe(path, named)),
            None => code,
        })
        .collect()
}

fn collect_codes(value: &Value, path: &str, found: &mut BTreeSet<String>) {
    match value {
        Value::Array(items) => {
            let path = format!("{path}[]");
            items.iter().for_each(|v| collect_codes(v, &path, found));
        }
        Value::Object(fields) => {
            for (name, field) in fields {
                let at = format!("{path}.{name}");
                if STATE_FIELDS.contains(&name.as_str()) {
                    let code = match field {
                        Value::Number(n) => n.as_u64(),
                        Value::String(s) => s.trim_end_matches('\0').parse().ok(),
                        _ => None,
                    };
                    if let Some(code) = code.filter(|c| *c < 1000) {
                        found.insert(format!("{at}={code}"));
                    }
                } else {
                    collect_codes(field, &at, found);
                }
            }
        }
        _ => {}
    }
}

/// The event type of a poll's answer: its name when the SDK knows it, `"other"` when it
/// does not (a closed set: an unknown name is never repeated).
pub fn event_type(answer: &Value) -> Option<String> {
    let name = answer["event"]["eventType"]
        .as_str()?
        .trim_end_matches('\0');
    Some(if ccgw::EventType::is_known_name(name) {
        name.to_owned()
    } else {
        "other".to_owned()
    })
}

/// How many entries the answer's `result` lists, when it is a list.
pub fn entries(answer: &Value) -> Option<usize> {
    answer["result"].as_array().map(Vec::len)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn named(names: &[&str]) -> Named {
        names.iter().map(|n| (*n).to_owned()).collect()
    }

    #[test]
    fn only_names_the_document_gives_pass_whatever_they_look_like() {
        let named = named(&["result", "skilllist", "id", "level", "status"]);
        assert_eq!(
            safe("result.skilllist[].id", &named),
            "result.skilllist[].id"
        );
        assert_eq!(safe("result.13800001111", &named), "result.<key>");
        assert_eq!(safe("result.张三[]", &named), "result.<key>[]");
        assert_eq!(
            safe("result.wangfang.status", &named),
            "result.<key>.status",
            "a name of plain letters is still a value used as a key"
        );
        assert_eq!(
            safe_field("result.gw01.corp.example", "gw01.corp.example", &named),
            "result.<key>",
            "a name that holds a dot is one name"
        );
        assert_eq!(
            safe_field("result[].level", "level", &named),
            "result[].level"
        );
    }

    #[test]
    fn retcodes_state_codes_and_event_types_come_from_closed_sets() {
        assert_eq!(retcode(&json!({"retcode": "100-006"})).unwrap(), "100-006");
        assert_eq!(retcode(&json!({"retcode": 0})).unwrap(), "0");
        assert_eq!(retcode(&json!({"retcode": "Zhang San"})).unwrap(), "other");
        assert_eq!(retcode(&json!({})), None);
        let named = named(&["result", "status", "ctiStatus", "agentState"]);
        let codes = state_codes(
            &json!({"result": [{"status": "7\u{0}", "name": "x"},
            {"ctiStatus": 4, "agentState": 123456}]}),
            &named,
        );
        assert_eq!(
            codes.into_iter().collect::<Vec<_>>(),
            ["result[].ctiStatus=4", "result[].status=7"]
        );
        let keyed = state_codes(
            &json!({"result": {"wangfang": {"agentState": 7}, "13800001111": {"status": 4}}}),
            &named,
        );
        assert_eq!(
            keyed.into_iter().collect::<Vec<_>>(),
            ["result.<key>.agentState=7", "result.<key>.status=4"]
        );
        assert_eq!(
            event_type(&json!({"event": {"eventType": "AgentState_SetRest_Success\u{0}"}}))
                .unwrap(),
            "AgentState_SetRest_Success"
        );
        assert_eq!(
            event_type(&json!({"event": {"eventType": "Wang_Fang"}})).unwrap(),
            "other",
            "a name of the event's shape that no gateway is known to send"
        );
        assert_eq!(
            event_type(&json!({"event": {"eventType": "call 13800001111"}})).unwrap(),
            "other"
        );
    }
}
