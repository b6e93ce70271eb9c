//! Salvaging a list answer that holds an odd entry: one agent, call or queue of a shape
//! the document does not foresee must not cost the user every other entry. The answer is
//! typed again without each entry that does not fit (found by the path of the failure),
//! and the entries left out are reported, typed, as [`SkippedEntry`]s.

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::events::{Event, EventType};

/// One entry of a list answer that could not be read, and was left out.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct SkippedEntry {
    /// Its place in the answer's list, from 0.
    pub index: usize,
    /// The field that did not fit, such as `result[3].status`.
    pub field: String,
    /// Why it did not fit.
    pub why: String,
}

impl SkippedEntry {
    /// The entries an [`EventType::EntriesSkipped`] event says were left out (none for
    /// any other event).
    pub fn all_in(event: &Event) -> Vec<SkippedEntry> {
        if event.event_type() != &EventType::EntriesSkipped {
            return Vec::new();
        }
        let entries = event.content()["entries"].as_array().into_iter().flatten();
        entries
            .map(|e| {
                SkippedEntry::new(
                    e["index"].as_u64().unwrap_or_default() as usize,
                    e["field"].as_str().unwrap_or_default(),
                    e["why"].as_str().unwrap_or_default(),
                )
            })
            .collect()
    }

    /// The event that tells `skipped`, entries of `operation`'s answer to `agent`.
    pub(crate) fn event(agent: &str, operation: &str, skipped: &[SkippedEntry]) -> Event {
        let entries: Vec<Value> = skipped
            .iter()
            .map(|s| serde_json::json!({"index": s.index, "field": s.field, "why": s.why}))
            .collect();
        let content = serde_json::json!({ "operation": operation, "entries": entries });
        Event::local("EntriesSkipped", EventType::EntriesSkipped, agent, content)
    }

    pub(crate) fn new(index: usize, field: impl Into<String>, why: impl Into<String>) -> Self {
        SkippedEntry {
            index,
            field: field.into(),
            why: why.into(),
        }
    }
}

/// The entries of one list answer left out, and where each entry still in the list stood
/// in the answer as it came, so that every report names the gateway's own places.
#[derive(Debug, Default)]
pub(crate) struct Skips {
    skipped: Vec<SkippedEntry>,
    /// `None` while nothing was left out: every entry is where it came.
    places: Option<Vec<usize>>,
}

impl Skips {
    /// Where the entry now at `index` stood in the answer as it came.
    pub(crate) fn place(&self, index: usize) -> usize {
        self.places
            .as_ref()
            .and_then(|p| p.get(index).copied())
            .unwrap_or(index)
    }

    /// Leaves out the entry now at `index`: `field` is the rest of its path after
    /// `result[i]` (such as `.agent[2]`), `why` what did not fit.
    pub(crate) fn skip(&mut self, index: usize, field: &str, why: impl Into<String>) {
        let place = self.place(index);
        let entry = SkippedEntry::new(place, format!("result[{place}]{field}"), why);
        self.skipped.push(entry);
    }

    /// Every entry left out, in the answer's order.
    pub(crate) fn into_entries(mut self) -> Vec<SkippedEntry> {
        self.skipped.sort_by_key(|s| s.index);
        self.skipped
    }
}

/// At most this many entries are left out of one answer before it is called unreadable:
/// an answer that is mostly odd is not a list with a few odd entries.
const MOST_SKIPPED: usize = 1000;

/// `body` typed as `T` with every entry of its `result` list that does not fit left out,
/// and those entries; `None` when `body` is no JSON, when what does not fit is not inside
/// one entry of `result`, or when too many entries do not fit.
pub(crate) fn salvage<T: DeserializeOwned>(body: &[u8]) -> Option<(T, Skips)> {
    let mut answer: Value = serde_json::from_slice(body).ok()?;
    // Where each entry still in the list stood in the answer as it came.
    let mut places: Vec<usize> = (0..answer.get("result")?.as_array()?.len()).collect();
    let mut skipped = Vec::new();
    loop {
        let error = match serde_path_to_error::deserialize::<_, T>(answer.clone()) {
            Ok(typed) => {
                let skips = Skips {
                    skipped,
                    places: Some(places),
                };
                return Some((typed, skips));
            }
            Err(error) => error,
        };
        let field = error.path().to_string();
        let at = entry_of(&field)?;
        if at >= places.len() || skipped.len() >= MOST_SKIPPED {
            return None;
        }
        answer["result"].as_array_mut()?.remove(at);
        let index = places.remove(at);
        let field = format!("result[{index}]{}", &field[field.find(']')? + 1..]);
        skipped.push(SkippedEntry::new(index, field, error.inner().to_string()));
    }
}

/// The failure to read `body` as `T`, told with the path of the field that did not fit
/// (`result.status: invalid type: ...`), so that an error names the field, never only a
/// line and column.
pub(crate) fn naming_the_field<T: DeserializeOwned>(
    body: bytes::Bytes,
    error: serde_json::Error,
) -> ccgw_api::Error<()> {
    let mut reader = serde_json::Deserializer::from_slice(&body);
    let named = match serde_path_to_error::deserialize::<_, T>(&mut reader) {
        Err(e) if !e.path().to_string().is_empty() && e.path().to_string() != "." => {
            <serde_json::Error as serde::de::Error>::custom(format!("{}: {}", e.path(), e.inner()))
        }
        _ => error,
    };
    ccgw_api::Error::InvalidResponsePayload(body, named)
}

/// The entry of `result` a failure's path (`result[3].status`) points into.
fn entry_of(path: &str) -> Option<usize> {
    let rest = path.strip_prefix("result[")?;
    rest[..rest.find(']')?].parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    struct Answer {
        #[allow(dead_code)]
        retcode: String,
        result: Vec<Entry>,
    }

    #[derive(Debug, serde::Deserialize)]
    struct Entry {
        id: u32,
    }

    #[test]
    fn odd_entries_are_left_out_and_named_by_their_place_in_the_answer() {
        let body = br#"{"retcode":"0","result":[{"id":1},{"id":"x"},{"id":3},{},{"id":5}]}"#;
        let (answer, mut skips) = salvage::<Answer>(body).unwrap();
        let ids: Vec<u32> = answer.result.iter().map(|e| e.id).collect();
        assert_eq!(ids, [1, 3, 5]);
        // A later reader leaves out the entry now third: it came fifth.
        skips.skip(2, ".id", "too large");
        let skipped = skips.into_entries();
        let places: Vec<(usize, &str)> = skipped
            .iter()
            .map(|s| (s.index, s.field.as_str()))
            .collect();
        assert_eq!(
            places,
            [(1, "result[1].id"), (3, "result[3]"), (4, "result[4].id")]
        );
    }

    #[test]
    fn what_is_not_inside_one_entry_is_not_salvaged() {
        assert!(salvage::<Answer>(br#"{"retcode":0,"result":[{"id":1}]}"#).is_none());
        assert!(salvage::<Answer>(br#"{"retcode":"0","result":{"id":1}}"#).is_none());
        assert!(salvage::<Answer>(b"<html>").is_none());
    }
}
