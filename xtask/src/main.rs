//! `cargo xtask`: project chores, each a small function.
//!
//! * `cargo xtask regen` regenerates the client and rewrites its reviewed snapshot.
//! * `cargo xtask regen --check` fails with a diff when the snapshot is stale (for CI).
//! * `cargo xtask tidy` checks the shape rules: no import circle, no file over 450 lines,
//!   no heavy crate in `ccgw`'s default build.
//! * `cargo xtask mutants [FILE...]` runs cargo-mutants and records the result in MUTANTS.md.
//! * `cargo xtask cold-build` times a consumer's cold build on `ccgw` against a bare client.

mod cold_build;
mod light_tree;
mod mutants;
mod snapshots;
mod tidy;

use std::path::PathBuf;
use std::process::{Command, ExitCode};

/// The snapshot of the generated client, relative to the workspace root.
const SNAPSHOT: &str = "crates/ccgw-api/tests/snapshots/generated_snapshot__generated_client.snap";
/// The test that owns that snapshot.
const SNAPSHOT_TEST: &str = "generated_snapshot";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let outcome = match args.as_slice() {
        ["regen"] => regen(),
        ["regen", "--check"] => check(),
        ["tidy"] => workspace().and_then(|root| tidy::tidy(&root)),
        ["cold-build"] => workspace().and_then(|root| cold_build::cold_build(&root)),
        ["mutants", files @ ..] => workspace().and_then(|root| mutants::mutants(&root, files)),
        _ => Err(usage()),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}

fn usage() -> String {
    "usage: cargo xtask regen [--check] | tidy | mutants [--in-place] [FILE...] | cold-build\n\
     \n  regen          regenerate the client and update its snapshot\
     \n  regen --check  fail with a diff when the snapshot is stale\
     \n  tidy           fail on an import circle, a source file over 450 lines, a snapshot\
     \n                 without its test, or a heavy crate in ccgw's default build\
     \n  mutants        cargo-mutants on the safety-critical files (or FILE...), into MUTANTS.md;\
     \n                 --in-place first mutates this tree instead of a copy\
     \n  cold-build     a consumer's cold debug build on ccgw against a bare reqwest client"
        .to_owned()
}

fn generate() -> Result<String, String> {
    let root = workspace()?;
    let yaml = ccgw_codegen::read_spec(&root.join(ccgw_codegen::SPEC_PATH_IN_WORKSPACE))
        .map_err(|e| e.to_string())?;
    ccgw_codegen::generate(&yaml).map_err(|e| e.to_string())
}

/// Rebuilds `ccgw-api` (its build script runs the codegen) and lets insta write the new
/// snapshot in place.
fn regen() -> Result<(), String> {
    generate()?;
    let status = Command::new(cargo())
        .current_dir(workspace()?)
        .args(["test", "--quiet", "-p", "ccgw-api", "--test", SNAPSHOT_TEST])
        .env("INSTA_UPDATE", "always")
        .env_remove("CI")
        .env_remove("INSTA_FORCE_PASS")
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !status.success() {
        return Err(format!(
            "regenerating the snapshot failed: cargo test exited with {status}"
        ));
    }
    check()?;
    println!("regenerated {SNAPSHOT}: review it with `git diff`");
    Ok(())
}

/// Compares a fresh generation with the checked-in snapshot.
fn check() -> Result<(), String> {
    let fresh = generate()?;
    let path = snapshot_path()?;
    let stored = std::fs::read_to_string(&path).map_err(|e| {
        format!(
            "cannot read {}: {e}; run `cargo xtask regen`",
            path.display()
        )
    })?;
    let stored = snapshot_body(&stored)
        .ok_or_else(|| format!("{} is not an insta snapshot", path.display()))?;
    if stored.trim_end() == fresh.trim_end() {
        println!("{SNAPSHOT} is up to date");
        return Ok(());
    }
    let diff = similar::TextDiff::from_lines(stored.trim_end(), fresh.trim_end());
    let shown = diff
        .unified_diff()
        .context_radius(3)
        .header("snapshot (checked in)", "generated now")
        .to_string();
    Err(format!(
        "the generated client differs from its snapshot:\n\n{shown}\n\
         run `cargo xtask regen`, review the diff and commit it"
    ))
}

fn snapshot_path() -> Result<PathBuf, String> {
    workspace().map(|root| root.join(SNAPSHOT))
}

/// The part of an insta snapshot file after its metadata header.
fn snapshot_body(file: &str) -> Option<&str> {
    let rest = file.strip_prefix("---\n")?;
    let end = rest.find("\n---\n")?;
    Some(&rest[end + "\n---\n".len()..])
}

/// The workspace this command runs in, found from the current folder at run time (not
/// from where the xtask binary was built, which may be another checkout).
fn workspace() -> Result<PathBuf, String> {
    let here = std::env::current_dir().map_err(|e| format!("no current folder: {e}"))?;
    ccgw_codegen::find_workspace(&here)
        .ok_or_else(|| format!("{} is not inside the ccgw workspace", here.display()))
}

fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned())
}
