//! What verifying catches beyond the chain: against anchored heads read back from a log
//! (and what other journals' anchors in the same log do not disturb), against a key, and
//! in each line the fields its kind may carry.

use super::tests::{rechain, write_three};
use super::*;

/// The syslog line an anchor writes for `head` of the journal named `journal`.
fn anchor_line(journal: &str, head: &JournalHead) -> String {
    format!(
        "Dec  7 10:00:00 host ccgw[42]: ccgw audit head journal={journal} seq={} hash={}\n",
        head.seq, head.hash
    )
}

#[test]
fn anchored_heads_catch_a_rechained_journal_and_others_anchors_are_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.jsonl");
    write_three(&path);
    let verified = verify_journal(&path).unwrap();
    // This journal's head, and another journal's line 1 with a hash this one's line 1
    // does not have.
    let other = JournalHead {
        seq: 1,
        hash: "ab".repeat(32),
    };
    let log = dir.path().join("syslog");
    let text =
        anchor_line(&"cd".repeat(32), &other) + &anchor_line(&verified.journal, &verified.head);
    std::fs::write(&log, text).unwrap();
    let with_anchors = VerifyOptions::new().anchors(&log);
    assert_eq!(verify_journal_with(&path, &with_anchors).unwrap().lines, 5);

    // A log with only another journal's heads vouches for nothing here.
    let foreign = dir.path().join("foreign-syslog");
    std::fs::write(&foreign, anchor_line(&"cd".repeat(32), &other)).unwrap();
    let e = verify_journal_with(&path, &VerifyOptions::new().anchors(&foreign)).unwrap_err();
    assert!(
        e.why.contains("the log holds no head of this journal"),
        "{e}"
    );

    // Its tail cut: the anchored head is past the end.
    let whole = std::fs::read_to_string(&path).unwrap();
    let cut: String = whole.lines().take(3).map(|l| format!("{l}\n")).collect();
    std::fs::write(&path, cut).unwrap();
    let e = verify_journal_with(&path, &with_anchors).unwrap_err();
    assert!(e.why.contains("its tail was cut"), "{e}");
    assert_eq!(e.line, 4, "the first line missing");
    std::fs::write(&path, whole).unwrap();

    // Rewritten and re-chained: the chain holds, the anchored head does not.
    rechain(&path, |text| text.replace("forceBusy", "forceIdle"));
    assert!(verify_journal(&path).is_ok(), "the chain alone cannot tell");
    let e = verify_journal_with(&path, &with_anchors).unwrap_err();
    assert_eq!(e.line, verified.head.seq, "{e}");
}

#[test]
fn a_plain_journal_verified_with_a_key_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.jsonl");
    write_three(&path);
    let key = AuditKey::from_bytes(b"the auditor's own key, not a password".to_vec()).unwrap();
    let e = verify_journal_with(&path, &VerifyOptions::new().key(key)).unwrap_err();
    assert_eq!(e.line, 1);
    assert!(
        e.why.contains("it is not keyed, but a key was given"),
        "{e}"
    );
}

#[test]
fn an_intent_that_carries_an_outcome_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.jsonl");
    write_three(&path);
    // Line 1 is an intent: given an outcome of its own, and re-chained.
    rechain(&path, |text| {
        let mut line: serde_json::Value = serde_json::from_str(text).unwrap();
        if line["seq"] == 1 {
            line["outcome"] = "ok".into();
        }
        line.to_string()
    });
    let e = verify_journal(&path).unwrap_err();
    assert_eq!(e.line, 1, "{e}");
    assert!(e.why.contains("with fields that kind has not"), "{e}");
}

#[test]
fn each_kind_of_line_carries_its_own_fields_and_an_outcome_answers_its_own_intent() {
    type Edit = fn(&mut serde_json::Value);
    // Line 2 is the outcome of line 1 (addSupervise by 101); line 5 an intent.
    let cases: [(u64, Edit, bool); 6] = [
        (2, |l| l["outcome"] = serde_json::Value::Null, false),
        (2, |l| l["operation"] = "forceIdle".into(), false),
        (2, |l| l["inspector"] = "102".into(), false),
        // Older versions wrote one record a request: read as such.
        (
            5,
            |l| {
                l["kind"] = "record".into();
                l["outcome"] = "ok".into();
            },
            true,
        ),
        (
            5,
            |l| {
                l["kind"] = "record".into();
                l["outcome"] = "ok".into();
                l["intent"] = 3.into();
            },
            false,
        ),
        (5, |l| l["kind"] = "record".into(), false),
    ];
    for (n, (seq, edit, fine)) in cases.into_iter().enumerate() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.jsonl");
        write_three(&path);
        rechain(&path, |text| {
            let mut line: serde_json::Value = serde_json::from_str(text).unwrap();
            if line["seq"] == seq {
                edit(&mut line);
            }
            line.to_string()
        });
        match verify_journal(&path) {
            Ok(_) => assert!(fine, "case {n} verified"),
            Err(e) => {
                assert!(!fine, "case {n}: {e}");
                assert_eq!(e.line, seq, "case {n}: {e}");
            }
        }
    }
}
