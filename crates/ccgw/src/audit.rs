//! The audit journal: who listened to, barged into, whispered to, intercepted or forced
//! which agent or call, when, and with what result. The gateway keeps no such record for
//! the supervisor; quality control is compliance work, so the client keeps one.
//!
//! One JSON object a line, appended, each carrying the SHA-256 of the line before it
//! (`prev`, hex; 64 zeros for the first) and a sequence number (`seq`, from 1). An edited
//! line breaks the `prev` of the line after it; a deleted line breaks both the `prev` and
//! the `seq` that follow. [`verify_journal`] checks a file and returns the hash of its
//! last line, the journal's head: keep it elsewhere, since nothing after the last line
//! can vouch for it.
//!
//! A line holds the time, the inspector, the operation's log name, the agent and call it
//! was about (where known), and the outcome: `ok`, `retcode` (with the gateway's retcode),
//! or `unknown` when the request may have reached the gateway but no answer came (a time
//! limit, a dropped future). A request refused before it was sent is not recorded. Never
//! a password or a Guid.

use std::fmt;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::SystemTime;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{Error, ErrorKind};

/// What the first line's `prev` holds.
const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One line of the journal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JournalLine {
    /// Its place in the journal, from 1.
    pub seq: u64,
    /// When the outcome was known, RFC 3339 in UTC, to the millisecond.
    pub at: String,
    /// The inspector's agent ID.
    pub inspector: String,
    /// The operation's log name, as in the gateway's logs (`addSupervise`, ...).
    pub operation: String,
    /// The agent the request was about, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent: Option<String>,
    /// The call the request was about, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call: Option<String>,
    /// `ok`, `retcode` or `unknown`.
    pub outcome: Outcome,
    /// The gateway's retcode, with `outcome` `retcode`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retcode: Option<String>,
    /// The SHA-256 of the line before, in hex.
    pub prev: String,
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
}

/// What a request was about, for its journal line.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Subject<'a> {
    pub(crate) agent: Option<&'a str>,
    pub(crate) call: Option<&'a str>,
}

/// An append-only journal file, shared by every session of a client
/// ([`ClientBuilder::audit_journal`](crate::ClientBuilder::audit_journal)).
pub struct AuditJournal {
    path: PathBuf,
    /// Locked while a line is written, so that this process's sessions take turns; the
    /// file lock does the same across processes.
    file: Mutex<File>,
}

impl fmt::Debug for AuditJournal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuditJournal")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

fn hash(line: &str) -> String {
    let digest = Sha256::digest(line.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

fn io_error(path: &Path, what: &str, e: std::io::Error) -> Error {
    Error::new(
        ErrorKind::InvalidInput,
        format!("cannot {what} the audit journal {}: {e}", path.display()),
    )
}

impl AuditJournal {
    /// Opens the journal at `path` to append to it, creating it (private to its owner)
    /// and its folder if needed. An existing journal is continued from its last line.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`] when the file cannot be created, read or opened, or
    /// its last line is not a journal line.
    pub fn open(path: impl Into<PathBuf>) -> Result<AuditJournal, Error> {
        let path = path.into();
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| io_error(&path, "create the folder of", e))?;
        }
        let mut options = OpenOptions::new();
        options.create(true).append(true).read(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let file = options
            .open(&path)
            .map_err(|e| io_error(&path, "open", e))?;
        // Checked now, so that a journal that cannot be continued stops a program before
        // it acts rather than after.
        head_of(&file).map_err(|why| Error::invalid_input(format!("{}: {why}", path.display())))?;
        Ok(AuditJournal {
            path,
            file: Mutex::new(file),
        })
    }

    /// Where the journal is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one line. Several processes may keep the same journal: each line is
    /// written under an exclusive lock of the file, after its last line, so the chain
    /// holds. A journal that cannot be written is reported in the log (the request it
    /// records has happened either way), and a line written only in part is taken back.
    pub(crate) fn record(
        &self,
        inspector: &str,
        operation: &str,
        subject: Subject<'_>,
        outcome: Outcome,
        retcode: Option<&str>,
    ) {
        let file = self.file.lock().unwrap_or_else(|e| e.into_inner());
        let failed = |e: &dyn fmt::Display| {
            tracing::error!(
                journal = %self.path.display(),
                error = %e,
                "could not write the audit journal"
            );
        };
        if let Err(e) = file.lock() {
            return failed(&e);
        }
        let written = (|| -> Result<(), String> {
            let (seq, prev) = head_of(&file)?;
            let line = JournalLine {
                seq: seq + 1,
                at: humantime::format_rfc3339_millis(SystemTime::now()).to_string(),
                inspector: inspector.to_owned(),
                operation: operation.to_owned(),
                agent: subject.agent.map(str::to_owned),
                call: subject.call.map(str::to_owned),
                outcome,
                retcode: retcode.map(str::to_owned),
                prev,
            };
            let text = serde_json::to_string(&line).expect("journal lines serialize");
            let length = file.metadata().map_err(|e| e.to_string())?.len();
            // One write a line; a line written in part is taken back.
            if let Err(e) = (&*file).write_all(format!("{text}\n").as_bytes()) {
                let _ = file.set_len(length);
                return Err(e.to_string());
            }
            Ok(())
        })();
        let _ = file.unlock();
        if let Err(e) = written {
            failed(&e);
        }
    }
}

/// The number and hash of a journal's last line (0 and [`GENESIS`] when empty), read from
/// its end.
fn head_of(file: &File) -> Result<(u64, String), String> {
    let length = file.metadata().map_err(|e| e.to_string())?.len();
    // A line is a few hundred bytes: its end is enough, unless a line is longer.
    let mut tail_from = length.saturating_sub(16 * 1024);
    loop {
        let mut reader = BufReader::new(file);
        reader
            .seek(SeekFrom::Start(tail_from))
            .map_err(|e| e.to_string())?;
        let mut tail = String::new();
        reader
            .read_to_string(&mut tail)
            .map_err(|e| format!("cannot read it: {e}"))?;
        if tail_from > 0 && tail.trim_end().lines().count() < 2 {
            tail_from = 0;
            continue;
        }
        if !tail.is_empty() && !tail.ends_with('\n') {
            return Err("its last line is incomplete".to_owned());
        }
        return match tail.lines().rev().find(|l| !l.is_empty()) {
            None => Ok((0, GENESIS.to_owned())),
            Some(line) => {
                let parsed: JournalLine = serde_json::from_str(line)
                    .map_err(|e| format!("its last line is not a journal line: {e}"))?;
                Ok((parsed.seq, hash(line)))
            }
        };
    }
}

/// A journal that checked out: how many lines, and the hash of the last one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// How many lines.
    pub lines: u64,
    /// The SHA-256 of the last line (64 zeros for an empty journal): keep it elsewhere to
    /// vouch for the last line too.
    pub head: String,
}

/// Why a journal did not check out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalBroken {
    /// The line (from 1) where the chain breaks.
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

/// Checks a journal: every line a journal line, numbered in turn, each carrying the hash
/// of the line before.
///
/// # Errors
///
/// [`JournalBroken`] naming the first line where the chain breaks (a file that cannot be
/// read breaks at line 0).
pub fn verify_journal(path: &Path) -> Result<Verified, JournalBroken> {
    let broken = |line: u64, why: String| JournalBroken { line, why };
    let file = File::open(path).map_err(|e| broken(0, format!("cannot read it: {e}")))?;
    let mut prev = GENESIS.to_owned();
    let mut number = 0;
    for text in BufReader::new(file).lines() {
        number += 1;
        let text = text.map_err(|e| broken(number, format!("cannot read it: {e}")))?;
        let line: JournalLine = serde_json::from_str(&text)
            .map_err(|e| broken(number, format!("not a journal line ({e})")))?;
        if line.prev != prev {
            return Err(broken(
                number,
                "it does not carry the hash of the line before: that line was edited or \
                 deleted"
                    .to_owned(),
            ));
        }
        if line.seq != number {
            return Err(broken(
                number,
                format!(
                    "numbered {} where {number} was due: a line was deleted",
                    line.seq
                ),
            ));
        }
        prev = hash(&text);
    }
    Ok(Verified {
        lines: number,
        head: prev,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write_three(path: &Path) {
        let journal = AuditJournal::open(path).unwrap();
        let about = Subject {
            agent: Some("1001"),
            call: None,
        };
        journal.record("101", "addSupervise", about, Outcome::Ok, None);
        journal.record("101", "forceBusy", about, Outcome::Retcode, Some("100-006"));
        drop(journal);
        // Reopened, it continues the chain.
        let journal = AuditJournal::open(path).unwrap();
        let call = Subject {
            agent: None,
            call: Some("1700000000-2"),
        };
        journal.record("101", "forceDropCall", call, Outcome::Unknown, None);
    }

    #[test]
    fn a_journal_chains_its_lines_and_verifies() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit").join("journal.jsonl");
        write_three(&path);
        let verified = verify_journal(&path).unwrap();
        assert_eq!(verified.lines, 3);
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(verified.head, hash(lines[2]));
        assert!(lines[0].contains(r#""prev":"0000"#), "{}", lines[0]);
        assert!(lines[1].contains(r#""outcome":"retcode","retcode":"100-006""#));
        assert!(lines[2].contains(r#""call":"1700000000-2""#));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o077, 0, "private to its owner");
        }
    }

    #[test]
    fn two_openers_of_one_file_keep_one_chain() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.jsonl");
        let (a, b) = (
            AuditJournal::open(&path).unwrap(),
            AuditJournal::open(&path).unwrap(),
        );
        for journal in [&a, &b, &a, &b] {
            journal.record("101", "forceIdle", Subject::default(), Outcome::Ok, None);
        }
        assert_eq!(verify_journal(&path).unwrap().lines, 4);
        // A line cut short (a crash mid-write) is refused, not continued blindly.
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, &text[..text.len() - 5]).unwrap();
        let e = AuditJournal::open(&path).unwrap_err();
        assert!(e.to_string().contains("incomplete"), "{e}");
    }

    #[test]
    fn an_edited_or_deleted_line_is_found() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.jsonl");
        write_three(&path);
        let text = std::fs::read_to_string(&path).unwrap();
        let edited = text.replacen("forceBusy", "forceIdle", 1);
        std::fs::write(&path, edited).unwrap();
        let e = verify_journal(&path).unwrap_err();
        assert_eq!(e.line, 3, "{e}");
        assert!(e.to_string().contains("edited or deleted"), "{e}");

        let lines: Vec<&str> = text.lines().collect();
        std::fs::write(&path, format!("{}\n{}\n", lines[0], lines[2])).unwrap();
        assert_eq!(verify_journal(&path).unwrap_err().line, 2);

        std::fs::write(&path, "not json\n").unwrap();
        assert!(
            verify_journal(&path)
                .unwrap_err()
                .why
                .contains("not a journal line")
        );
        assert!(AuditJournal::open(&path).is_err(), "not continued blindly");
    }
}
