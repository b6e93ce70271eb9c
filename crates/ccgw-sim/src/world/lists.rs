//! Agent lists as the queries answer them, built in time and memory proportional to the
//! answer: each agent's entry is serialized once, however many skill queues list it, and
//! the answer is written out piece by piece as it is sent, never as one tree of values.
//!
//! A large tenant makes `allonlineagents` large by nature (every agent under every queue
//! it serves); building it as a `serde_json::Value` cost about ten times its size in
//! memory, which is what this module avoids.

use std::sync::Arc;

use axum::body::Bytes;
use serde_json::Value;

/// The `result` of a query, ready to send.
pub enum Found {
    /// A small result, as a JSON value (`null` leaves `result` out of the answer).
    Json(Value),
    /// A list of agents, or a list of skill queues each with its agents.
    Agents(AgentLists),
}

impl From<Value> for Found {
    fn from(value: Value) -> Self {
        Found::Json(value)
    }
}

/// Agents' entries, each serialized once, and how the answer arranges them.
pub struct AgentLists {
    entries: Vec<Bytes>,
    groups: Vec<Group>,
}

/// One array of entries, with the object that holds it when there is one.
struct Group {
    /// The opening of the object around the array (its last key's `[` included), or
    /// `None` for a bare array.
    head: Option<Bytes>,
    members: Vec<u32>,
}

/// How large each piece of a streamed answer grows before it is sent.
const CHUNK: usize = 64 * 1024;

impl AgentLists {
    /// An empty list; add entries with [`entry`](Self::entry).
    pub(super) fn new() -> Self {
        AgentLists {
            entries: Vec::new(),
            groups: Vec::new(),
        }
    }

    /// Adds one agent's serialized entry; returns its number for [`bare`](Self::bare)
    /// and [`per_queue`](Self::per_queue).
    pub(super) fn entry(&mut self, json: Vec<u8>) -> u32 {
        self.entries.push(Bytes::from(json));
        u32::try_from(self.entries.len() - 1).expect("fewer than 4 billion agents")
    }

    /// The answer is one array of these entries, in this order.
    pub(super) fn bare(mut self, members: Vec<u32>) -> Self {
        self.groups = vec![Group {
            head: None,
            members,
        }];
        self
    }

    /// The answer is one object per skill queue, `{"skillMediaType":M,"skillId":S,
    /// "agent":[...]}`, in this order.
    pub(super) fn per_queue(mut self, queues: Vec<(i32, u32, Vec<u32>)>) -> Self {
        let groups = queues.into_iter().map(|(skill, media, members)| Group {
            head: Some(Bytes::from(format!(
                "{{\"skillMediaType\":{media},\"skillId\":{skill},\"agent\":["
            ))),
            members,
        });
        self.groups = groups.collect();
        self
    }

    /// The whole answer, `prefix` + the list + `suffix`, as pieces of about 64 KiB,
    /// written as they are read.
    pub fn into_chunks(
        self,
        prefix: impl Into<Bytes>,
        suffix: impl Into<Bytes>,
    ) -> impl Iterator<Item = Bytes> + Send + 'static {
        let entries = Arc::new(self.entries);
        let groups = self
            .groups
            .into_iter()
            .enumerate()
            .flat_map(move |(i, group)| {
                let entries = Arc::clone(&entries);
                let comma = (i > 0).then(|| Bytes::from_static(b","));
                let close = group.head.is_some().then(|| Bytes::from_static(b"]}"));
                let members = group
                    .members
                    .into_iter()
                    .enumerate()
                    .flat_map(move |(j, m)| {
                        let comma = (j > 0).then(|| Bytes::from_static(b","));
                        comma.into_iter().chain([entries[m as usize].clone()])
                    });
                comma
                    .into_iter()
                    .chain(group.head)
                    .chain(members)
                    .chain(close)
            });
        let pieces = [prefix.into(), Bytes::from_static(b"[")]
            .into_iter()
            .chain(groups)
            .chain([Bytes::from_static(b"]"), suffix.into()]);
        Coalesce {
            pieces,
            done: false,
        }
    }
}

/// Joins small pieces into chunks of about [`CHUNK`] bytes; a chunk always ends
/// between two pieces, so never inside a character.
struct Coalesce<I> {
    pieces: I,
    done: bool,
}

impl<I: Iterator<Item = Bytes>> Iterator for Coalesce<I> {
    type Item = Bytes;

    fn next(&mut self) -> Option<Bytes> {
        if self.done {
            return None;
        }
        let mut chunk = Vec::new();
        loop {
            match self.pieces.next() {
                Some(piece) => {
                    chunk.extend_from_slice(&piece);
                    if chunk.len() >= CHUNK {
                        return Some(Bytes::from(chunk));
                    }
                }
                None => {
                    self.done = true;
                    return (!chunk.is_empty()).then(|| Bytes::from(chunk));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(lists: AgentLists) -> String {
        let bytes: Vec<u8> = lists.into_chunks("<", ">").flatten().collect();
        String::from_utf8(bytes).unwrap()
    }

    #[test]
    fn a_bare_list_and_queues_share_entries_and_make_valid_json() {
        let mut lists = AgentLists::new();
        let a = lists.entry(br#"{"workno":"1001"}"#.to_vec());
        let b = lists.entry(br#"{"workno":"1002"}"#.to_vec());
        let bare = lists.bare(vec![b, a]);
        assert_eq!(text(bare), r#"<[{"workno":"1002"},{"workno":"1001"}]>"#);

        let mut lists = AgentLists::new();
        let a = lists.entry(br#"{"workno":"1001"}"#.to_vec());
        let queues = lists.per_queue(vec![(1, 5, vec![a]), (2, 5, vec![]), (3, 5, vec![a, a])]);
        let json: Value = serde_json::from_str(&text(queues).replace(['<', '>'], "")).unwrap();
        assert_eq!(json[0]["agent"][0]["workno"], "1001");
        assert_eq!(json[1]["agent"].as_array().unwrap().len(), 0);
        assert_eq!(json[2]["skillId"], 3);
        assert_eq!(json[2]["agent"].as_array().unwrap().len(), 2);
    }

    #[test]
    fn an_empty_list_is_an_empty_array_and_large_ones_come_in_pieces() {
        assert_eq!(text(AgentLists::new().bare(Vec::new())), "<[]>");
        assert_eq!(text(AgentLists::new().per_queue(Vec::new())), "<[]>");
        let mut lists = AgentLists::new();
        let entry = lists.entry(vec![b'1'; 1000]);
        let chunks: Vec<Bytes> = lists.bare(vec![entry; 1000]).into_chunks("", "").collect();
        assert!(chunks.len() > 10, "{} chunks", chunks.len());
        assert!(chunks.iter().all(|c| c.len() < 2 * CHUNK));
        assert_eq!(
            chunks.iter().map(Bytes::len).sum::<usize>(),
            1000 * 1000 + 999 + 2
        );
    }
}
