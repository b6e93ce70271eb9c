//! `ccgw audit verify FILE`: checks an audit journal's chain, and where the journal of the
//! console and the board is kept.

use std::path::PathBuf;
use std::process::ExitCode;

/// What `ccgw audit` does.
#[derive(Debug, clap::Subcommand)]
pub enum AuditCommand {
    /// Check that no line of a journal was edited or deleted: prints the number of lines
    /// and the hash of the last (keep it elsewhere to vouch for that line too). Exit
    /// status 0 when the chain holds, 1 when it breaks, naming the line.
    Verify {
        /// The journal, e.g. the console's: see `ccgw console --help`.
        file: PathBuf,
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
        AuditCommand::Verify { file } => match ccgw::verify_journal(&file) {
            Ok(verified) => {
                outln!(
                    "ok: {} lines, the chain holds; last line's SHA-256 {}",
                    verified.lines,
                    verified.head
                );
                ExitCode::SUCCESS
            }
            Err(broken) => {
                errln!("ccgw audit verify: {}: {broken}", file.display());
                ExitCode::from(1)
            }
        },
    }
}
