//! One line of the journal, how each line vouches for the one before it, and a head (a
//! line's number and the SHA-256 of its text, which an auditor keeps elsewhere).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// What the first line's `prev` held before journals had an identity: 64 zeros.
pub(crate) const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One line of the journal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JournalLine {
    /// Its place in the journal, from 1.
    pub seq: u64,
    /// When it was written, RFC 3339 in UTC, to the millisecond.
    pub at: String,
    /// An intent (written before the request is sent), an outcome, or a record (the one
    /// line a request had in journals written before intents existed).
    #[serde(default)]
    pub kind: LineKind,
    /// The inspector's agent ID.
    pub inspector: String,
    /// The operation's log name, as in the gateway's logs (`addSupervise`, ...).
    pub operation: String,
    /// The agent the request was about, if any (intents and records).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent: Option<String>,
    /// The call the request was about, if any (intents and records).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call: Option<String>,
    /// An outcome's intent: the `seq` of the line it settles.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intent: Option<u64>,
    /// How the request ended (outcomes and records).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<Outcome>,
    /// The gateway's retcode, with `outcome` `retcode`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retcode: Option<String>,
    /// Whether `prev` is an HMAC-SHA-256 under the auditor's key rather than a SHA-256.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub keyed: bool,
    /// The link to the line before: its SHA-256 (or HMAC-SHA-256, when `keyed`) in hex.
    /// The first line holds the journal's identity instead, a random value (64 zeros in
    /// journals older than identities).
    pub prev: String,
    /// With `keyed`: the HMAC-SHA-256 of this line itself (written without `mac`), so that
    /// the last line, which no later line vouches for, cannot be edited without the key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mac: Option<String>,
}

/// What a line says.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LineKind {
    /// A request is about to be sent: written and synced to disk before it is.
    Intent,
    /// How the request of an intent ended.
    Outcome,
    /// A request and its outcome in one line, written after the answer, by versions that
    /// wrote no intents; read, never written.
    #[default]
    Record,
}

/// How a recorded request ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// The gateway did it.
    Ok,
    /// The gateway refused it with a retcode.
    Retcode,
    /// It may have reached the gateway, but no answer says what happened.
    Unknown,
    /// It was never sent (the session was closing, the connection was refused, or the
    /// intent's head could not be anchored).
    #[serde(rename = "notsent")]
    NotSent,
}

/// The SHA-256 of a line's text as written (without its newline), in hex.
pub(crate) fn sha256_hex(text: &str) -> String {
    hex(&Sha256::digest(text.as_bytes()))
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A journal's head: the number of a line and the SHA-256 of its text as written, shown
/// and read as `SEQ:HASH`. Kept outside the inspector's reach, it vouches that the
/// journal still holds that line, unchanged, and everything before it.
///
/// ```
/// let head: ccgw::JournalHead = "3:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
///     .parse()
///     .unwrap();
/// assert_eq!(head.seq, 3);
/// assert!("3:9f86".parse::<ccgw::JournalHead>().is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct JournalHead {
    /// The line's number, from 1 (0 for an empty journal).
    pub seq: u64,
    /// The SHA-256 of the line's text, 64 lowercase hex digits.
    pub hash: String,
}

impl JournalHead {
    /// The head of an empty journal.
    pub(crate) fn empty() -> Self {
        JournalHead {
            seq: 0,
            hash: GENESIS.to_owned(),
        }
    }
}

impl fmt::Display for JournalHead {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.seq, self.hash)
    }
}

/// Why a text is not a head.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadHead(String);

impl fmt::Display for BadHead {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BadHead {}

impl FromStr for JournalHead {
    type Err = BadHead;

    fn from_str(text: &str) -> Result<Self, BadHead> {
        let bad = |why: &str| BadHead(format!("not a head SEQ:HASH ({why})"));
        let (seq, hash) = text.trim().split_once(':').ok_or_else(|| bad("no ':'"))?;
        let seq: u64 = seq.parse().map_err(|_| bad("SEQ is not a line number"))?;
        if seq == 0 {
            return Err(bad("lines are numbered from 1"));
        }
        if !is_hash(hash) {
            return Err(bad("HASH is not 64 hex digits"));
        }
        Ok(JournalHead {
            seq,
            hash: hash.to_ascii_lowercase(),
        })
    }
}

/// Whether `text` is 64 hex digits, as a SHA-256 in hex is.
pub(crate) fn is_hash(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit())
}
