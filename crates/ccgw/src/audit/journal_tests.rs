//! The journal's own lines and handle: each line's time, what its `Debug` shows, and the
//! bounded wait for another writer's lock.

use std::time::{Duration, SystemTime};

use super::journal::{Subject, lock_within};
use super::tests::lines_of;
use super::*;

#[test]
fn each_line_says_when_it_was_written() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.jsonl");
    let journal = AuditJournal::open(&path).unwrap();
    let before = SystemTime::now() - Duration::from_secs(1);
    let seq = journal
        .intent("101", "forceBusy", Subject::default())
        .unwrap();
    journal.outcome(seq, "101", "forceBusy", Outcome::Ok, None);
    let after = SystemTime::now() + Duration::from_secs(1);
    for text in lines_of(&path) {
        let line: JournalLine = serde_json::from_str(&text).unwrap();
        let at = humantime::parse_rfc3339(&line.at).unwrap();
        assert!(before <= at && at <= after, "{}", line.at);
    }
}

#[test]
fn a_journal_shows_its_path_and_whether_it_is_keyed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.jsonl");
    let key = AuditKey::from_bytes(b"the auditor's own key, not a password".to_vec()).unwrap();
    let journal = AuditJournal::builder(&path).key(key).open().unwrap();
    let shown = format!("{journal:?}");
    assert!(
        shown.contains("journal.jsonl") && shown.contains("keyed: true"),
        "{shown}"
    );
    assert!(!shown.contains("auditor's own key"), "{shown}");
}

#[test]
fn a_lock_another_writer_keeps_is_waited_for_a_while_then_given_up() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.jsonl");
    std::fs::write(&path, "").unwrap();
    let holder = std::fs::File::open(&path).unwrap();
    holder.lock().unwrap();
    let file = std::fs::File::open(&path).unwrap();
    // On a thread of its own, so that a wait without end fails this test, not hangs it.
    let (done, outcome) = std::sync::mpsc::channel();
    let waiter = std::thread::spawn(move || {
        let started = std::time::Instant::now();
        let given_up = lock_within(&file, Duration::from_millis(100));
        let _ = done.send((given_up, started.elapsed()));
        file
    });
    let (given_up, waited) = outcome
        .recv_timeout(Duration::from_secs(5))
        .expect("the wait has a limit");
    let e = given_up.unwrap_err();
    assert!(e.contains("another program has held its lock"), "{e}");
    assert!(waited >= Duration::from_millis(100));
    let file = waiter.join().unwrap();
    drop(holder);
    lock_within(&file, Duration::from_millis(100)).expect("free again");
}

#[test]
fn a_journal_whose_lines_are_long_opens_and_continues() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.jsonl");
    // One line of about 20 KB: longer than the tail read to find the last line.
    let long = "x".repeat(20_000);
    let journal = AuditJournal::open(&path).unwrap();
    journal.intent("101", &long, Subject::default()).unwrap();
    drop(journal);
    let journal = AuditJournal::open(&path).expect("its first and last lines are read whole");
    journal
        .intent("101", "forceBusy", Subject::default())
        .unwrap();
    assert_eq!(verify_journal(&path).unwrap().lines, 2);
}

#[test]
fn a_plain_journal_is_not_continued_with_a_key() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.jsonl");
    let journal = AuditJournal::open(&path).unwrap();
    journal
        .intent("101", "forceBusy", Subject::default())
        .unwrap();
    drop(journal);
    let key = AuditKey::from_bytes(b"the auditor's own key, not a password".to_vec()).unwrap();
    let e = AuditJournal::builder(&path).key(key).open().unwrap_err();
    assert!(
        e.to_string().contains("written without an audit key"),
        "{e}"
    );
}
