//! Reading the answer of the recording lookup by call (`queryRecordFileByCallId`). No
//! published page gives its shape and no real answer has been seen, so every plausible
//! form is read: a list of entries or one entry, possibly wrapped in an object that holds
//! the list; an entry as an object naming its file (under the recording event's
//! `fileName` or a likely alias, any case) or as the file name alone. An entry that names
//! no file is left out and reported with an excerpt of it, never dropped in silence.

use serde_json::{Map, Value};

use super::recording::Recording;
use super::wire::{json_number, stripped};
use crate::ids::CallId;
use crate::redact;
use crate::transport::salvage::Skips;

/// Where an entry may name its file, the recording event's own name first.
const FILE_KEYS: &[&str] = &[
    "fileName",
    "recordFileName",
    "recordFile",
    "filePath",
    "voicePath",
    "recordId",
];

/// The value under `name` in `map`, the name matched without regard to case.
fn field<'a>(map: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    map.get(name).or_else(|| {
        map.iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value)
    })
}

fn file_name(map: &Map<String, Value>) -> Option<&str> {
    FILE_KEYS
        .iter()
        .filter_map(|key| field(map, key)?.as_str())
        .map(stripped)
        .find(|name| !name.is_empty())
}

/// The entries of `result`, in the answer's order.
fn entries(result: Option<Value>) -> Vec<Value> {
    match result {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(list)) => list,
        Some(Value::String(text)) if stripped(&text).is_empty() => Vec::new(),
        Some(Value::Object(map)) if map.is_empty() => Vec::new(),
        Some(Value::Object(map)) if file_name(&map).is_none() => {
            // A wrapper such as `{"recordList": [...], "total": 1}`: its one list.
            let mut lists = map.values().filter(|v| v.is_array());
            match (lists.next(), lists.next()) {
                (Some(Value::Array(list)), None) => list.clone(),
                _ => vec![Value::Object(map)],
            }
        }
        Some(one) => vec![one],
    }
}

/// One entry as a recording of `call`, or why it cannot be one.
fn recording(entry: &Value, call: &CallId) -> Result<Recording, String> {
    let unread = || {
        let text = serde_json::to_vec(entry).unwrap_or_default();
        format!("no recording file named in {}", redact::excerpt(&text))
    };
    let (name, map) = match entry {
        Value::String(text) => (stripped(text), None),
        Value::Object(map) => (file_name(map).ok_or_else(unread)?, Some(map)),
        _ => return Err(unread()),
    };
    let mut found = Recording::new(name).map_err(|e| e.to_string())?;
    let own_call = map
        .and_then(|m| field(m, "callId"))
        .and_then(Value::as_str)
        .and_then(|id| CallId::parse(stripped(id)).ok());
    found = found.call(own_call.unwrap_or_else(|| call.clone()));
    let location = map
        .and_then(|m| field(m, "locationId"))
        .and_then(json_number);
    if let Some(location) = location.and_then(|n| u16::try_from(n).ok()) {
        found = found.location(location);
    }
    Ok(found)
}

/// The recordings `result` names, each of `call` unless it names its own, and the
/// entries left out.
pub(crate) fn from_wire(result: Option<Value>, call: &CallId) -> (Vec<Recording>, Skips) {
    let mut skips = Skips::default();
    let mut found = Vec::new();
    for (index, entry) in entries(result).iter().enumerate() {
        match recording(entry, call) {
            Ok(recording) => found.push(recording),
            Err(why) => skips.skip(index, "", why),
        }
    }
    (found, skips)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// A recording as (file name, location, call).
    type Found = (String, Option<u16>, String);

    fn read(result: Value) -> (Vec<Found>, Vec<String>) {
        let call = CallId::parse("1700000000-7").unwrap();
        let (found, skips) = from_wire(Some(result), &call);
        let found = found
            .iter()
            .map(|r| {
                let call = r.call_id().map(|c| c.as_str().to_owned());
                (r.file_name().to_owned(), r.location_id(), call.unwrap())
            })
            .collect();
        let skipped = skips.into_entries().into_iter().map(|s| s.field).collect();
        (found, skipped)
    }

    const NAME: &str = "y:/1/0/20231114/1001/7.V3";

    #[test]
    fn every_plausible_shape_names_the_same_recording() {
        let expected = vec![(NAME.to_owned(), Some(2), "1700000000-7".to_owned())];
        for shape in [
            json!([{"fileName": NAME, "locationId": 2, "callId": "1700000000-7"}]),
            json!({"fileName": NAME, "locationId": "2"}),
            json!([{"FILENAME": format!("{NAME}\u{0}\u{0}"), "locationid": " 2 "}]),
            json!({"recordList": [{"recordFileName": NAME, "locationId": 2}], "total": 1}),
            json!([{"voicePath": NAME, "LocationId": 2}]),
        ] {
            assert_eq!(read(shape.clone()), (expected.clone(), vec![]), "{shape}");
        }
        let bare = (
            vec![(NAME.to_owned(), None, "1700000000-7".to_owned())],
            vec![],
        );
        assert_eq!(read(json!([NAME])), bare);
        assert_eq!(read(json!(NAME)), bare);
    }

    #[test]
    fn nothing_found_is_an_empty_list_in_every_form() {
        for none in [json!(null), json!([]), json!({}), json!(""), json!("\u{0}")] {
            assert_eq!(read(none.clone()), (vec![], vec![]), "{none}");
        }
        assert!(from_wire(None, &CallId::parse("1-1").unwrap()).0.is_empty());
    }

    #[test]
    fn an_entry_that_names_no_file_is_reported_not_dropped() {
        let (found, skipped) = read(json!([
            {"fileName": NAME, "callId": "1700000001-9"},
            {"duration": 60},
            42,
        ]));
        assert_eq!(
            found,
            [(NAME.to_owned(), None, "1700000001-9".to_owned())],
            "an entry's own call is kept"
        );
        assert_eq!(skipped, ["result[1]", "result[2]"]);
        let call = CallId::parse("1-1").unwrap();
        let (_, skips) = from_wire(Some(json!([{"duration": 60}])), &call);
        let why = &skips.into_entries()[0].why;
        assert!(why.contains("duration"), "the entry is quoted: {why}");
    }

    #[test]
    fn an_object_with_two_lists_and_no_file_is_one_unreadable_entry() {
        let (found, skipped) = read(json!({"a": [NAME], "b": [NAME]}));
        assert!(found.is_empty());
        assert_eq!(skipped, ["result[0]"]);
    }
}
