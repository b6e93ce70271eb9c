//! Writing the journal: an intent line, synced, before a request leaves; an outcome line
//! after its answer. Every line is written under an exclusive lock of the file, after its
//! last line, so several processes keep one chain; and each write opens the file anew, so
//! a journal that was moved, removed or replaced is noticed rather than written past.

use std::fmt;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::SystemTime;

use super::anchor::{Anchoring, AuditAnchor};
use super::key::{AuditKey, Chain};
use super::line::{JournalHead, JournalLine, LineKind, Outcome, hex, sha256_hex};
use crate::error::{Error, ErrorKind};

/// What a request was about, for its intent line.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Subject<'a> {
    pub(crate) agent: Option<&'a str>,
    pub(crate) call: Option<&'a str>,
}

/// An append-only journal file, shared by every session of a client
/// ([`ClientBuilder::audit_journal`](crate::ClientBuilder::audit_journal)).
pub struct AuditJournal {
    path: PathBuf,
    chain: Chain,
    anchoring: Option<Anchoring>,
    /// Held while a line is written, so that this process's sessions take turns; the
    /// file lock does the same across processes. It keeps the journal's identity once
    /// known: a journal emptied or replaced since is refused, not started again.
    turn: Mutex<Option<String>>,
}

impl fmt::Debug for AuditJournal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuditJournal")
            .field("path", &self.path)
            .field("keyed", &self.chain.keyed())
            .field("anchor", &self.anchoring.as_ref().map(Anchoring::anchor))
            .finish_non_exhaustive()
    }
}

/// How to open a journal: [`AuditJournal::builder`].
#[derive(Debug)]
#[must_use]
pub struct AuditJournalBuilder {
    path: PathBuf,
    key: Option<AuditKey>,
    anchor: Option<AuditAnchor>,
}

impl AuditJournalBuilder {
    /// Chains the lines by HMAC-SHA-256 under the auditor's `key`, so that only its
    /// holder can re-chain the journal. A journal is keyed from its first line or never.
    pub fn key(mut self, key: AuditKey) -> Self {
        self.key = Some(key);
        self
    }

    /// Sends each new head to `anchor`, out of the inspector's reach.
    pub fn anchor(mut self, anchor: AuditAnchor) -> Self {
        self.anchor = Some(anchor);
        self
    }

    /// Opens the journal to append to it, creating it (private to its owner) and its
    /// folder if needed. An existing journal is continued from its last line; with an
    /// anchor, the anchor is reached once now.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`] when the file cannot be created, read or opened, its
    /// last line is not a whole journal line, it was written with another key (or with a
    /// key where none is given, or the other way round), or the anchor cannot be reached.
    pub fn open(self) -> Result<AuditJournal, Error> {
        let path = self.path;
        let refused = |why: String| Error::invalid_input(format!("{}: {why}", path.display()));
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| refused(format!("cannot create its folder: {e}")))?;
        }
        let mut options = OpenOptions::new();
        options.create(true).append(true).read(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let file = options
            .open(&path)
            .map_err(|e| refused(format!("cannot open it: {e}")))?;
        let chain = self.key.map_or(Chain::Plain, Chain::Keyed);
        // Checked now, so that a journal that cannot be continued stops a program before
        // it acts rather than after.
        let ends = Ends::of(&file).map_err(refused)?;
        ends.check(&chain).map_err(refused)?;
        let identity = ends.first.as_ref().map(|first| first.prev.clone());
        let anchoring = self.anchor.map(Anchoring::new);
        if let Some(anchoring) = &anchoring {
            anchoring.reach().map_err(|e| {
                Error::invalid_input(format!("cannot reach {}: {e}", anchoring.anchor()))
            })?;
        }
        Ok(AuditJournal {
            path,
            chain,
            anchoring,
            turn: Mutex::new(identity),
        })
    }
}

impl AuditJournal {
    /// Opens the journal at `path`, without a key or an anchor: see
    /// [`AuditJournalBuilder::open`].
    ///
    /// # Errors
    ///
    /// As [`AuditJournalBuilder::open`].
    pub fn open(path: impl Into<PathBuf>) -> Result<AuditJournal, Error> {
        AuditJournal::builder(path).open()
    }

    /// A journal at `path`, with a key or an anchor to set before it is opened.
    pub fn builder(path: impl Into<PathBuf>) -> AuditJournalBuilder {
        AuditJournalBuilder {
            path: path.into(),
            key: None,
            anchor: None,
        }
    }

    /// Where the journal is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Writes and syncs the intent line of a request about to be sent, and anchors it;
    /// returns its number. The request must not be sent when this fails.
    pub(crate) fn intent(
        &self,
        inspector: &str,
        operation: &str,
        subject: Subject<'_>,
    ) -> Result<u64, Error> {
        let line = |seq, prev, keyed| JournalLine {
            seq,
            at: now(),
            kind: LineKind::Intent,
            inspector: inspector.to_owned(),
            operation: operation.to_owned(),
            agent: subject.agent.map(str::to_owned),
            call: subject.call.map(str::to_owned),
            intent: None,
            outcome: None,
            retcode: None,
            keyed,
            prev,
            mac: None,
        };
        let cannot = |why: String| {
            Error::new(
                ErrorKind::AuditJournal,
                format!(
                    "the audit journal cannot be written: {}: {why}; nothing was sent",
                    self.path.display()
                ),
            )
        };
        let (journal, head) = self.append(line, true).map_err(cannot)?;
        if let Some(anchoring) = &self.anchoring
            && let Err(why) = anchoring.send(&journal, &head)
        {
            // Refused after all: its outcome says so.
            self.outcome(head.seq, inspector, operation, Outcome::NotSent, None);
            return Err(cannot(why));
        }
        Ok(head.seq)
    }

    /// Writes the outcome line of the intent numbered `intent`. The request has happened
    /// (or not) either way, so a line that cannot be written is reported in the log; the
    /// next intent will find the journal as it is.
    pub(crate) fn outcome(
        &self,
        intent: u64,
        inspector: &str,
        operation: &str,
        outcome: Outcome,
        retcode: Option<&str>,
    ) {
        let line = |seq, prev, keyed| JournalLine {
            seq,
            at: now(),
            kind: LineKind::Outcome,
            inspector: inspector.to_owned(),
            operation: operation.to_owned(),
            agent: None,
            call: None,
            intent: Some(intent),
            outcome: Some(outcome),
            retcode: retcode.map(str::to_owned),
            keyed,
            prev,
            mac: None,
        };
        let anchored = self
            // A head leaves only for a line on disk: anchored, an outcome is synced too.
            .append(line, self.anchoring.is_some())
            .and_then(|(journal, head)| match &self.anchoring {
                Some(anchoring) => anchoring.send(&journal, &head),
                None => Ok(()),
            });
        if let Err(why) = anchored {
            tracing::error!(
                journal = %self.path.display(),
                intent,
                error = %why,
                "could not write the outcome line of an audited request"
            );
        }
    }

    /// Appends one line made by `line` (from its number, its `prev` and whether it is
    /// keyed); returns the journal's identity and the new head.
    fn append(
        &self,
        line: impl FnOnce(u64, String, bool) -> JournalLine,
        sync: bool,
    ) -> Result<(String, JournalHead), String> {
        let mut known = self.turn.lock().unwrap_or_else(|e| e.into_inner());
        // Not created again: a journal removed since it was opened is an error, not a
        // fresh start that would hide the removal.
        let file = OpenOptions::new()
            .append(true)
            .read(true)
            .open(&self.path)
            .map_err(|e| format!("cannot open it: {e}"))?;
        lock_within(&file, LOCK_WAIT)?;
        let ends = Ends::of(&file)?;
        ends.check(&self.chain)?;
        let (seq, prev, journal) = match (&ends.first, &ends.last) {
            (Some(first), Some(last)) => {
                (last.0.seq + 1, self.chain.link(&last.1), first.prev.clone())
            }
            _ => {
                // A new journal's identity: random, so that heads in a shared log are
                // told apart by journal.
                let mut drawn = [0u8; 32];
                getrandom::getrandom(&mut drawn)
                    .map_err(|e| format!("cannot draw its random identity: {e}"))?;
                let identity = hex(&drawn);
                (1, identity.clone(), identity)
            }
        };
        if known.as_ref().is_some_and(|identity| *identity != journal) {
            return Err(
                "it was emptied or replaced since this program opened it: look at it, \
                        and start again to begin a new journal"
                    .to_owned(),
            );
        }
        let text = self.chain.seal(line(seq, prev, self.chain.keyed()));
        let length = file.metadata().map_err(|e| e.to_string())?.len();
        // One write a line; a line written in part, or not synced when it must be, is
        // taken back.
        if let Err(e) = (&file).write_all(format!("{text}\n").as_bytes()) {
            let _ = file.set_len(length);
            return Err(e.to_string());
        }
        if sync && let Err(e) = file.sync_data() {
            let _ = file.set_len(length);
            return Err(format!("cannot sync it to disk: {e}"));
        }
        *known = Some(journal.clone());
        Ok((
            journal,
            JournalHead {
                seq,
                hash: sha256_hex(&text),
            },
        ))
    }
}

/// The longest a write waits for another writer's lock of the journal.
const LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// Locks `file` exclusively, waiting at most `limit` for another holder to let go.
pub(super) fn lock_within(file: &File, limit: std::time::Duration) -> Result<(), String> {
    let deadline = std::time::Instant::now() + limit;
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(()),
            Err(std::fs::TryLockError::WouldBlock) if std::time::Instant::now() < deadline => {
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(format!(
                    "another program has held its lock for over {} s",
                    limit.as_secs()
                ));
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(format!("cannot lock it: {e}")),
        }
    }
}

fn now() -> String {
    humantime::format_rfc3339_millis(SystemTime::now()).to_string()
}

/// A journal's first line, and its last (with its text as written).
struct Ends {
    first: Option<JournalLine>,
    last: Option<(JournalLine, String)>,
}

impl Ends {
    /// Reads the ends of a journal: its first line from the start, the last from the end
    /// (a line is a few hundred bytes).
    fn of(file: &File) -> Result<Ends, String> {
        let cannot = |e: std::io::Error| format!("cannot read it: {e}");
        let length = file.metadata().map_err(cannot)?.len();
        let mut first = String::new();
        let mut reader = BufReader::new(file);
        reader.seek(SeekFrom::Start(0)).map_err(cannot)?;
        reader
            .by_ref()
            .take(64 * 1024)
            .read_line(&mut first)
            .map_err(cannot)?;
        let mut tail_from = length.saturating_sub(16 * 1024);
        let tail = loop {
            reader.seek(SeekFrom::Start(tail_from)).map_err(cannot)?;
            let mut tail = String::new();
            reader.read_to_string(&mut tail).map_err(cannot)?;
            // The first line of a tail read from the middle may be cut: keep one whole.
            if tail_from > 0 && tail.trim_end().lines().count() < 2 {
                tail_from = 0;
                continue;
            }
            break tail;
        };
        if !tail.is_empty() && !tail.ends_with('\n') {
            return Err(
                "its last line is incomplete (a writer was cut off mid-line): look \
                        at it before going on"
                    .to_owned(),
            );
        }
        let parse = |text: &str, which: &str| {
            serde_json::from_str::<JournalLine>(text)
                .map_err(|e| format!("its {which} line is not a journal line: {e}"))
        };
        let last = tail.lines().rev().find(|l| !l.is_empty());
        Ok(Ends {
            first: match first.trim_end() {
                "" => None,
                text => Some(parse(text, "first")?),
            },
            last: match last {
                None => None,
                Some(text) => Some((parse(text, "last")?, text.to_owned())),
            },
        })
    }

    /// Whether a line chained by `chain` may follow: the journal's lines are keyed just
    /// when `chain` is, and, with a key, the last line carries its own MAC under it.
    fn check(&self, chain: &Chain) -> Result<(), String> {
        let Some((last, _)) = &self.last else {
            return Ok(());
        };
        match (last.keyed, chain.keyed()) {
            (true, false) => Err("it was written with an audit key: give the key".to_owned()),
            (false, true) => Err(
                "it was written without an audit key: start a new journal to keep one with a key"
                    .to_owned(),
            ),
            // A keyed line carries its own MAC: even a journal of one line tells a wrong
            // key, with no need to read the line before.
            _ if !chain.sealed(last) => Err("it was written with another audit key".to_owned()),
            _ => Ok(()),
        }
    }
}
