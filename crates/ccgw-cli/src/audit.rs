//! `ccgw audit verify FILE`: checks an audit journal's chain, and where the journal of the
//! console and the board is kept.

use std::path::PathBuf;
use std::process::ExitCode;

/// What `ccgw audit` does.
#[derive(Debug, clap::Subcommand)]
pub enum AuditCommand {
    /// Check a journal: its chain, and what the auditor holds outside the inspector's
    /// reach. Prints the number of lines and the head (SEQ:HASH of the last line: keep it
    /// elsewhere). Exit status 0 when the journal holds, 1 when it does not, naming the
    /// first line that no longer matches.
    ///
    /// What each check detects:
    /// the chain alone finds a line edited or deleted by someone who did not recompute
    /// the chain, nothing more: the journal's owner can rewrite it and recompute the
    /// chain, or cut its tail, undetected.
    /// --head and --anchors find any rewrite and any cut tail up to the kept or newest
    /// anchored line (not in lines written after it).
    /// --audit-key finds any rewrite by someone without the key, but not a cut tail.
    #[command(verbatim_doc_comment)]
    Verify {
        /// The journal, e.g. the console's: see `ccgw console --help`.
        file: PathBuf,
        /// A head kept elsewhere, SEQ:HASH as an earlier `verify` printed it: the
        /// journal must still hold that line, unchanged.
        #[arg(long, value_name = "SEQ:HASH")]
        head: Option<ccgw::JournalHead>,
        /// A file of syslog lines holding the heads the journal anchored with
        /// `--audit-anchor` (e.g. /var/log/auth.log): the journal must hold each.
        #[arg(long, value_name = "LOG")]
        anchors: Option<PathBuf>,
        /// The key the journal was written with (`--audit-key` of the console).
        #[arg(long, value_name = "FILE")]
        audit_key: Option<PathBuf>,
    },
}

/// The journal the console and the board keep: `CCGW_AUDIT`, else
/// `<state or data dir>/ccgw/audit.jsonl`.
pub fn default_path() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("CCGW_AUDIT").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(path));
    }
    dirs::state_dir()
        .or_else(dirs::data_dir)
        .map(|d| d.join("ccgw").join("audit.jsonl"))
}

pub fn run(command: AuditCommand) -> ExitCode {
    match command {
        AuditCommand::Verify {
            file,
            head,
            anchors,
            audit_key,
        } => {
            let mut options = ccgw::VerifyOptions::new();
            let outside = head.is_some() || anchors.is_some();
            if let Some(head) = head {
                options = options.head(head);
            }
            if let Some(log) = &anchors {
                options = options.anchors(log);
            }
            if let Some(path) = &audit_key {
                match ccgw::AuditKey::from_file(path) {
                    Ok(key) => options = options.key(key),
                    Err(e) => {
                        errln!("ccgw audit verify: {e}");
                        return ExitCode::from(2);
                    }
                }
            }
            match ccgw::verify_journal_with(&file, &options) {
                Ok(verified) => {
                    report(&verified, anchors.is_some(), outside);
                    ExitCode::SUCCESS
                }
                Err(broken) => {
                    errln!("ccgw audit verify: {}: {broken}", file.display());
                    ExitCode::from(1)
                }
            }
        }
    }
}

/// What checked out, and what was not checked.
fn report(verified: &ccgw::Verified, anchors: bool, outside: bool) {
    outln!(
        "ok: {} lines, the chain holds; head {}",
        verified.lines,
        verified.head
    );
    if anchors {
        outln!(
            "the log's {} heads of this journal match",
            verified.anchored
        );
    }
    if verified.keyed {
        outln!("the chain is keyed by the given key");
    }
    if !outside && !verified.keyed {
        outln!(
            "note: checked without a kept head, anchors or a key, this shows only that the \
             file is consistent: its owner could have rewritten it"
        );
    }
    if !verified.unsettled.is_empty() {
        let seqs: Vec<String> = verified.unsettled.iter().map(u64::to_string).collect();
        outln!(
            "intents without an outcome (still in flight, or the program ended before the \
             answer): line {}",
            seqs.join(", ")
        );
    }
}
