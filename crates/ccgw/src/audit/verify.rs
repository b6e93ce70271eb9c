//! Checking a journal: its own chain, and, where the auditor has them, a head kept
//! elsewhere, the heads anchored in a system log, and the key.

use std::collections::BTreeMap;
use std::fmt;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use super::anchor::anchors_in;
use super::key::{AuditKey, Chain};
use super::line::{JournalHead, JournalLine, LineKind, is_hash, sha256_hex};

/// What to check a journal against besides its own chain: see [`verify_journal_with`].
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct VerifyOptions {
    head: Option<JournalHead>,
    anchors: Option<PathBuf>,
    key: Option<AuditKey>,
}

impl VerifyOptions {
    /// Nothing but the chain.
    pub fn new() -> Self {
        VerifyOptions::default()
    }

    /// A head kept elsewhere: the journal must still hold that line, unchanged.
    pub fn head(mut self, head: JournalHead) -> Self {
        self.head = Some(head);
        self
    }

    /// A file of syslog lines holding the journal's anchored heads: the journal must
    /// hold each, unchanged, and at least one.
    pub fn anchors(mut self, log: impl Into<PathBuf>) -> Self {
        self.anchors = Some(log.into());
        self
    }

    /// The key the journal was written with.
    pub fn key(mut self, key: AuditKey) -> Self {
        self.key = Some(key);
        self
    }
}

/// A journal that checked out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// How many lines.
    pub lines: u64,
    /// The last line's number and SHA-256 (`0:` and 64 zeros for an empty journal): keep
    /// it elsewhere to vouch for the journal up to there.
    pub head: JournalHead,
    /// The journal's identity (its first line's `prev`), as its anchors name it.
    pub journal: String,
    /// The intents without an outcome: a request still in flight, or a program that
    /// ended (a crash, a kill) between sending and its answer.
    pub unsettled: Vec<u64>,
    /// How many anchored heads of this journal the log held, each found unchanged.
    pub anchored: usize,
    /// Whether the lines are chained under a key (and the key given checked them).
    pub keyed: bool,
}

/// Why a journal did not check out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalBroken {
    /// The line (from 1) where the journal no longer matches; 0 for the whole file.
    pub line: u64,
    /// What is wrong there.
    pub why: String,
}

impl fmt::Display for JournalBroken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.why)
    }
}

impl std::error::Error for JournalBroken {}

/// Checks a journal's own chain: every line a journal line, numbered in turn, each
/// carrying the hash of the line before, every outcome settling an earlier intent.
///
/// This finds an edit or a deletion made without care, but not a rewrite: whoever can
/// write the file can recompute the chain, and cut its tail. Use
/// [`verify_journal_with`] and a head kept elsewhere, the anchors, or the key for that.
///
/// # Errors
///
/// [`JournalBroken`] naming the first line where the journal breaks (a file that cannot
/// be read breaks at line 0).
pub fn verify_journal(path: &Path) -> Result<Verified, JournalBroken> {
    verify_journal_with(path, &VerifyOptions::new())
}

/// Checks a journal's chain, and also: that it still holds the kept head unchanged
/// ([`VerifyOptions::head`]: catches a cut tail and a rewrite up to that line), that it
/// holds every head the system log anchored for it ([`VerifyOptions::anchors`]: the
/// same, up to the newest anchored line), and that its chain is keyed by the auditor's
/// key ([`VerifyOptions::key`]: catches any rewrite by someone without the key, but not
/// a cut tail).
///
/// # Errors
///
/// [`JournalBroken`] naming the first line that no longer matches, or the line after
/// the last when the file ends before a kept or anchored head.
pub fn verify_journal_with(
    path: &Path,
    options: &VerifyOptions,
) -> Result<Verified, JournalBroken> {
    let broken = |line: u64, why: String| JournalBroken { line, why };
    let anchors = match &options.anchors {
        None => None,
        Some(log) => {
            let text = std::fs::read(log)
                .map_err(|e| broken(0, format!("cannot read the log {}: {e}", log.display())))?;
            Some(anchors_in(&String::from_utf8_lossy(&text)))
        }
    };
    let chain = options.key.clone().map_or(Chain::Plain, Chain::Keyed);
    let file = File::open(path).map_err(|e| broken(0, format!("cannot read it: {e}")))?;
    let mut journal = String::new();
    // The anchored hashes of this journal's lines, by line, once its identity is known.
    let mut anchored: BTreeMap<u64, Vec<String>> = BTreeMap::new();
    let mut open_intents: BTreeMap<u64, (String, String)> = BTreeMap::new();
    let mut prev = String::new();
    let mut head = JournalHead::empty();
    for text in BufReader::new(file).lines() {
        let number = head.seq + 1;
        let text = text.map_err(|e| broken(number, format!("cannot read it: {e}")))?;
        let line: JournalLine = serde_json::from_str(&text)
            .map_err(|e| broken(number, format!("not a journal line ({e})")))?;
        if line.seq != number {
            return Err(broken(
                number,
                format!(
                    "numbered {} where {number} was due: a line was deleted",
                    line.seq
                ),
            ));
        }
        match (line.keyed, chain.keyed()) {
            (true, false) => {
                return Err(broken(
                    number,
                    "it is keyed: verify with the journal's audit key".into(),
                ));
            }
            (false, true) => {
                return Err(broken(
                    number,
                    "it is not keyed, but a key was given".into(),
                ));
            }
            _ => {}
        }
        if number == 1 {
            if !is_hash(&line.prev) {
                return Err(broken(1, "its prev is not a journal's identity".into()));
            }
            journal.clone_from(&line.prev);
            for anchor in anchors.iter().flatten().filter(|a| a.journal == journal) {
                anchored
                    .entry(anchor.head.seq)
                    .or_default()
                    .push(anchor.head.hash.clone());
            }
        } else if line.prev != prev {
            return Err(broken(
                number,
                if chain.keyed() {
                    "it does not carry the keyed hash of the line before: that line was edited \
                     or deleted, or the key is not the journal's"
                } else {
                    "it does not carry the hash of the line before: that line was edited or \
                     deleted"
                }
                .to_owned(),
            ));
        }
        if !chain.sealed(&line) {
            return Err(broken(
                number,
                "its own keyed hash does not match: the line was edited, or the key is not \
                 the journal's"
                    .to_owned(),
            ));
        }
        settle(&line, &mut open_intents).map_err(|why| broken(number, why))?;
        let hash = sha256_hex(&text);
        if anchored
            .get(&number)
            .is_some_and(|hashes| hashes.iter().any(|h| *h != hash))
        {
            return Err(broken(
                number,
                "the system log anchored another line here: this line, or one before it, was \
                 rewritten"
                    .to_owned(),
            ));
        }
        if options
            .head
            .as_ref()
            .is_some_and(|kept| kept.seq == number && kept.hash != hash)
        {
            return Err(broken(
                number,
                "it is not the line of the kept head: this line, or one before it, was rewritten"
                    .to_owned(),
            ));
        }
        prev = chain.link(&text);
        head = JournalHead { seq: number, hash };
    }
    let lines = head.seq;
    if let Some(kept) = options.head.as_ref().filter(|kept| kept.seq > lines) {
        return Err(broken(
            lines + 1,
            format!(
                "the file ends at line {lines}, before the kept head's line {}: its tail was cut",
                kept.seq
            ),
        ));
    }
    if anchors.is_some() {
        match anchored.last_key_value() {
            None => {
                return Err(broken(
                    0,
                    format!(
                        "the log holds no head of this journal ({}): it was replaced, its \
                         first line rewritten, or it was never anchored there",
                        if journal.is_empty() {
                            "an empty file"
                        } else {
                            &journal
                        }
                    ),
                ));
            }
            Some((&newest, _)) if newest > lines => {
                return Err(broken(
                    lines + 1,
                    format!(
                        "the file ends at line {lines}, but the log anchored line {newest}: its tail was cut"
                    ),
                ));
            }
            Some(_) => {}
        }
    }
    Ok(Verified {
        lines,
        head,
        journal,
        unsettled: open_intents.into_keys().collect(),
        anchored: anchored.values().map(Vec::len).sum(),
        keyed: chain.keyed(),
    })
}

/// Keeps the intents still open: an intent opens, an outcome closes its own.
fn settle(line: &JournalLine, open: &mut BTreeMap<u64, (String, String)>) -> Result<(), String> {
    match line.kind {
        LineKind::Intent if line.outcome.is_none() && line.intent.is_none() => {
            open.insert(line.seq, (line.operation.clone(), line.inspector.clone()));
            Ok(())
        }
        LineKind::Outcome if line.outcome.is_some() => {
            let intent = line.intent.unwrap_or_default();
            match open.remove(&intent) {
                Some((operation, inspector))
                    if operation == line.operation && inspector == line.inspector =>
                {
                    Ok(())
                }
                _ => Err(format!(
                    "an outcome of line {intent}, which is no open intent of {} by {}",
                    line.operation, line.inspector
                )),
            }
        }
        LineKind::Record if line.outcome.is_some() && line.intent.is_none() => Ok(()),
        kind => Err(format!(
            "a line of kind {kind:?} with fields that kind has not"
        )),
    }
}
