//! The audit journal: who listened to, barged into, whispered to, intercepted or forced
//! which agent or call, when, and with what result. The gateway keeps no such record for
//! the supervisor; quality control is compliance work, so the client keeps one.
//!
//! One JSON object a line, appended. Before a state-changing request is sent, an
//! `intent` line naming the operation, the agent and the call is written and synced to
//! disk; when it cannot be, the request is refused and nothing is sent
//! ([`ErrorKind::AuditJournal`](crate::ErrorKind::AuditJournal)). After the answer, an
//! `outcome` line settles it by the intent's number: `ok`, `retcode` (with the
//! gateway's retcode), `unknown` (it may have reached the gateway, but no answer came)
//! or `notsent`. Never a password or a Guid.
//!
//! Each line carries the hash of the line before it (`prev`) and its number (`seq`), so
//! an edited or deleted line breaks the chain. What that proves depends on what the
//! auditor holds outside the inspector's reach:
//! - the chain alone: that no line was changed by someone who did not recompute the
//!   chain. The journal's owner can rewrite it and recompute it, or cut its tail,
//!   undetected;
//! - a head kept elsewhere (`SEQ:HASH`, the SHA-256 of a line as written), or the heads
//!   sent to the system log as each line is written ([`AuditAnchor`]): that the journal
//!   still holds those lines unchanged, so a rewrite or a cut tail up to the newest kept
//!   head is found. Lines written after it are vouched for only by the chain;
//! - the auditor's key ([`AuditKey`]): each `prev` is an HMAC-SHA-256 only the key's
//!   holder can compute, and each line carries an HMAC of itself (`mac`, covering the
//!   newest line too), so no rewrite verifies without the key, but a cut tail does.
//!   Together with anchors, both are found.
//!
//! [`verify_journal_with`] checks a journal against any of them.

mod anchor;
mod journal;
mod key;
mod line;
mod verify;

pub use anchor::AuditAnchor;
pub(crate) use journal::Subject;
pub use journal::{AuditJournal, AuditJournalBuilder};
pub use key::{AuditKey, MIN_KEY_BYTES};
pub use line::{BadHead, JournalHead, JournalLine, LineKind, Outcome};
pub use verify::{JournalBroken, Verified, VerifyOptions, verify_journal, verify_journal_with};

#[cfg(test)]
mod journal_tests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod verify_tests;
