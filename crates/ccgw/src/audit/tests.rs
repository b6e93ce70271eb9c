use std::path::Path;

use super::journal::Subject;
use super::line::sha256_hex;
use super::*;

/// Writes two settled requests and one in flight, the last after reopening.
pub(super) fn write_three(path: &Path) {
    let journal = AuditJournal::open(path).unwrap();
    let about = Subject {
        agent: Some("1001"),
        call: None,
    };
    let listen = journal.intent("101", "addSupervise", about).unwrap();
    journal.outcome(listen, "101", "addSupervise", Outcome::Ok, None);
    let busy = journal.intent("101", "forceBusy", about).unwrap();
    journal.outcome(busy, "101", "forceBusy", Outcome::Retcode, Some("100-006"));
    drop(journal);
    // Reopened, it continues the chain.
    let journal = AuditJournal::open(path).unwrap();
    let call = Subject {
        agent: None,
        call: Some("1700000000-2"),
    };
    journal.intent("101", "forceDropCall", call).unwrap();
}

pub(super) fn lines_of(path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap();
    text.lines().map(str::to_owned).collect()
}

#[test]
fn a_journal_chains_intents_and_outcomes_and_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit").join("journal.jsonl");
    write_three(&path);
    let verified = verify_journal(&path).unwrap();
    assert_eq!(verified.lines, 5);
    assert_eq!(verified.unsettled, [5], "the last intent has no outcome");
    let lines = lines_of(&path);
    assert_eq!(verified.head.hash, sha256_hex(&lines[4]));
    assert_eq!(verified.head.seq, 5);
    assert!(lines[0].contains(r#""kind":"intent""#), "{}", lines[0]);
    assert!(lines[1].contains(r#""kind":"outcome""#), "{}", lines[1]);
    assert!(
        lines[1].contains(r#""intent":1,"outcome":"ok""#),
        "{}",
        lines[1]
    );
    assert!(lines[3].contains(r#""outcome":"retcode","retcode":"100-006""#));
    assert!(lines[4].contains(r#""call":"1700000000-2""#));
    // The journal's identity is random, not the zeros of old journals.
    assert_eq!(verified.journal.len(), 64);
    assert_ne!(verified.journal, line::GENESIS);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "private to its owner");
    }
}

#[test]
fn two_openers_of_one_file_keep_one_chain_and_a_torn_line_stops_both() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.jsonl");
    let (a, b) = (
        AuditJournal::open(&path).unwrap(),
        AuditJournal::open(&path).unwrap(),
    );
    for journal in [&a, &b, &a, &b] {
        let seq = journal
            .intent("101", "forceIdle", Subject::default())
            .unwrap();
        journal.outcome(seq, "101", "forceIdle", Outcome::Ok, None);
    }
    assert_eq!(verify_journal(&path).unwrap().lines, 8);
    // A line cut short (a writer cut off mid-write) is refused, not continued blindly.
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, &text[..text.len() - 5]).unwrap();
    let e = a
        .intent("101", "forceIdle", Subject::default())
        .unwrap_err();
    assert_eq!(e.kind(), crate::ErrorKind::AuditJournal);
    assert!(e.to_string().contains("incomplete"), "{e}");
    assert!(e.to_string().contains("nothing was sent"), "{e}");
    let e = AuditJournal::open(&path).unwrap_err();
    assert!(e.to_string().contains("incomplete"), "{e}");
}

#[test]
fn an_edited_or_deleted_line_is_found() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.jsonl");
    write_three(&path);
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replacen("forceBusy", "forceIdle", 2)).unwrap();
    let e = verify_journal(&path).unwrap_err();
    assert_eq!(e.line, 4, "{e}");
    assert!(e.to_string().contains("edited or deleted"), "{e}");

    let lines = lines_of(&path);
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

#[test]
fn journals_of_older_versions_still_verify_and_continue() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.jsonl");
    let old = r#"{"seq":1,"at":"2026-11-30T10:00:00.000Z","inspector":"101","operation":"addSupervise","agent":"1001","outcome":"ok","prev":"0000000000000000000000000000000000000000000000000000000000000000"}"#;
    std::fs::write(&path, format!("{old}\n")).unwrap();
    let journal = AuditJournal::open(&path).unwrap();
    let seq = journal
        .intent("101", "forceIdle", Subject::default())
        .unwrap();
    assert_eq!(seq, 2);
    journal.outcome(seq, "101", "forceIdle", Outcome::Ok, None);
    let verified = verify_journal(&path).unwrap();
    assert_eq!(
        (verified.lines, verified.journal.as_str()),
        (3, line::GENESIS)
    );
}

#[test]
fn a_head_is_read_only_in_its_one_form() {
    let hash = "ab".repeat(32);
    let head: JournalHead = format!("7:{}", hash.to_uppercase()).parse().unwrap();
    assert_eq!(head.to_string(), format!("7:{hash}"));
    let bad_heads = [
        "7".to_owned(),
        format!("0:{hash}"),
        format!("x:{hash}"),
        format!("7:{}", &hash[1..]),
    ];
    for bad in &bad_heads {
        assert!(bad.parse::<JournalHead>().is_err(), "{bad}");
    }
}

#[test]
fn anchors_are_read_from_any_syslog_format() {
    let (journal, hash) = ("cd".repeat(32), "ef".repeat(32));
    let log = format!(
        "Dec  7 10:00:00 host ccgw[42]: ccgw audit head journal={journal} seq=3 hash={hash}\n\
         <85>1 2026-12-07T10:00:00.000Z - ccgw 42 audit - ccgw audit head journal={journal} seq=4 hash={hash}\n\
         Dec  7 10:00:00 host other[1]: ccgw audit head journal=short seq=5 hash={hash}\n\
         noise\n"
    );
    let found = anchor::anchors_in(&log);
    let seqs: Vec<u64> = found.iter().map(|a| a.head.seq).collect();
    assert_eq!(seqs, [3, 4]);
    assert!(
        found
            .iter()
            .all(|a| a.journal == journal && a.head.hash == hash)
    );
}

/// What the journal's owner can do without the key: rewrite lines and recompute the
/// chain by SHA-256, as `verify` without a head, anchors or key cannot tell.
pub(super) fn rechain(path: &Path, edit: impl Fn(&str) -> String) {
    let mut prev = String::new();
    let mut out = String::new();
    for (n, text) in lines_of(path).iter().enumerate() {
        let mut line: JournalLine = serde_json::from_str(&edit(text)).unwrap();
        if n > 0 {
            line.prev = prev;
        }
        line.keyed = false;
        let text = serde_json::to_string(&line).unwrap();
        prev = sha256_hex(&text);
        out.push_str(&text);
        out.push('\n');
    }
    std::fs::write(path, out).unwrap();
}

#[test]
fn a_kept_head_catches_a_cut_tail_and_a_rewritten_prefix_but_not_growth() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.jsonl");
    write_three(&path);
    let kept = verify_journal(&path).unwrap().head;
    let with_head = VerifyOptions::new().head(kept.clone());
    assert_eq!(verify_journal_with(&path, &with_head).unwrap().lines, 5);

    // It grew: the kept head is still there.
    let journal = AuditJournal::open(&path).unwrap();
    journal.outcome(5, "101", "forceDropCall", Outcome::Unknown, None);
    assert_eq!(verify_journal_with(&path, &with_head).unwrap().lines, 6);
    let grown = std::fs::read_to_string(&path).unwrap();

    // The tail cut at the kept head's line: the chain alone holds, the head does not.
    let lines = lines_of(&path);
    std::fs::write(&path, format!("{}\n", lines[..4].join("\n"))).unwrap();
    assert!(verify_journal(&path).is_ok(), "a cut tail keeps its chain");
    let e = verify_journal_with(&path, &with_head).unwrap_err();
    assert_eq!(e.line, 5, "{e}");
    assert!(e.why.contains("tail was cut"), "{e}");

    // A rewritten prefix, re-chained: the chain holds, the head does not.
    std::fs::write(&path, &grown).unwrap();
    rechain(&path, |l| {
        l.replace("forceBusy", "forceIdle").replace("1001", "1009")
    });
    assert!(
        verify_journal(&path).is_ok(),
        "a re-chained journal verifies alone"
    );
    let e = verify_journal_with(&path, &with_head).unwrap_err();
    assert_eq!(e.line, 5, "{e}");
    assert!(e.why.contains("rewritten"), "{e}");
}

#[test]
fn with_a_key_a_journal_re_chained_without_it_fails() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.jsonl");
    let key = AuditKey::from_bytes(b"the auditor's own key, not a password".to_vec()).unwrap();
    let journal = AuditJournal::builder(&path)
        .key(key.clone())
        .open()
        .unwrap();
    for operation in ["forceBusy", "forceIdle"] {
        let seq = journal
            .intent("101", operation, Subject::default())
            .unwrap();
        journal.outcome(seq, "101", operation, Outcome::Ok, None);
    }
    let with_key = VerifyOptions::new().key(key.clone());
    let verified = verify_journal_with(&path, &with_key).unwrap();
    assert!(verified.keyed);
    assert_eq!(verified.lines, 4);
    let e = verify_journal(&path).unwrap_err();
    assert!(e.why.contains("verify with the journal's audit key"), "{e}");
    let other = AuditKey::from_bytes(b"somebody else's key, not the one".to_vec()).unwrap();
    let e = verify_journal_with(&path, &VerifyOptions::new().key(other.clone())).unwrap_err();
    assert_eq!(e.line, 1, "its own MAC is not under this key: {e}");
    // Continuing it needs the same key.
    assert!(AuditJournal::open(&path).is_err());
    assert!(
        AuditJournal::builder(&path)
            .key(other.clone())
            .open()
            .is_err()
    );

    // Re-chained without the key (by SHA-256, marked keyed or not): refused with it.
    let text = std::fs::read_to_string(&path).unwrap();
    rechain(&path, |l| l.replace("forceBusy", "forceIdle"));
    let e = verify_journal_with(&path, &with_key).unwrap_err();
    assert_eq!(e.line, 1, "{e}");
    std::fs::write(&path, &text).unwrap();
    rechain(&path, |l| l.replace("forceBusy", "forceIdle"));
    let marked: String = lines_of(&path)
        .iter()
        .map(|l| l.replace(r#","prev""#, r#","keyed":true,"prev""#) + "\n")
        .collect();
    std::fs::write(&path, marked).unwrap();
    let e = verify_journal_with(&path, &with_key).unwrap_err();
    assert_eq!(e.line, 1, "its own MAC no longer matches: {e}");
    std::fs::write(&path, text).unwrap();

    // The last line, which no later line vouches for, edited: its own MAC tells.
    let edited: Vec<String> = lines_of(&path);
    let last = edited.last().unwrap().replace("forceIdle", "forceBusy");
    let mut rewritten = edited[..edited.len() - 1].join("\n");
    rewritten.push_str(&format!("\n{last}\n"));
    std::fs::write(&path, rewritten).unwrap();
    let e = verify_journal_with(&path, &with_key).unwrap_err();
    assert_eq!(e.line, 4, "{e}");
    assert!(e.why.contains("own keyed hash"), "{e}");
    // A journal of one keyed line still tells a wrong key at open.
    let one = dir.path().join("one.jsonl");
    let journal = AuditJournal::builder(&one).key(key).open().unwrap();
    journal
        .intent("101", "forceBusy", Subject::default())
        .unwrap();
    assert!(AuditJournal::builder(&one).key(other).open().is_err());
}

#[test]
fn a_key_file_others_may_read_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("key");
    std::fs::write(&path, "0123456789abcdef0123456789abcdef\n").unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let e = AuditKey::from_file(&path).unwrap_err();
        assert!(e.to_string().contains("chmod 600"), "{e}");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let key = AuditKey::from_file(&path).unwrap();
    let same = crate::Password::from("0123456789abcdef0123456789abcdef");
    assert!(key.is_password(&same), "the line end is not the key's");
}

#[test]
fn openers_on_many_threads_keep_one_chain() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.jsonl");
    std::thread::scope(|scope| {
        for n in 0..4 {
            let path = &path;
            scope.spawn(move || {
                // Each thread its own opener, as separate processes would have.
                let journal = AuditJournal::open(path).unwrap();
                let inspector = format!("10{n}");
                for _ in 0..50 {
                    let seq = journal
                        .intent(&inspector, "forceIdle", Subject::default())
                        .unwrap();
                    journal.outcome(seq, &inspector, "forceIdle", Outcome::Ok, None);
                }
            });
        }
    });
    let verified = verify_journal(&path).unwrap();
    assert_eq!(verified.lines, 400);
    assert!(verified.unsettled.is_empty(), "{:?}", verified.unsettled);
}

#[test]
fn a_journal_emptied_or_replaced_since_it_was_opened_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.jsonl");
    let journal = AuditJournal::open(&path).unwrap();
    journal
        .intent("101", "forceIdle", Subject::default())
        .unwrap();
    let kept = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, "").unwrap();
    let e = journal
        .intent("101", "forceIdle", Subject::default())
        .unwrap_err();
    assert!(e.to_string().contains("emptied or replaced"), "{e}");
    // Another journal in its place is no better.
    let other = dir.path().join("other.jsonl");
    AuditJournal::open(&other)
        .unwrap()
        .intent("101", "forceBusy", Subject::default())
        .unwrap();
    std::fs::rename(&other, &path).unwrap();
    let e = journal
        .intent("101", "forceIdle", Subject::default())
        .unwrap_err();
    assert!(e.to_string().contains("emptied or replaced"), "{e}");
    std::fs::write(&path, kept).unwrap();
    journal
        .intent("101", "forceIdle", Subject::default())
        .unwrap();
}
