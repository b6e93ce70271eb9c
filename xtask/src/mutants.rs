//! `cargo xtask mutants [FILE...]`: cargo-mutants, the judge of the tests, on the
//! safety-critical code (by default every file of [`CRITICAL`]; or the files named). Every
//! mutant there must be caught by a test, or excluded in `.cargo/mutants.toml` with a
//! one-line reason. Too slow for every CI run: each result is kept in `MUTANTS.md`, a row
//! a file (date, commit, caught, missed, unviable, timeouts), and the missed mutants are
//! listed under the table.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

/// The files whose mutants must all be caught: sign-in, sign-out, recovery, sending,
/// classification, the overload budget, the audit journal, downloads (and their disk
/// writer), signals, prints, and the board's actions and keys.
pub const CRITICAL: &[&str] = &[
    "crates/ccgw/src/session/sign_in.rs",
    "crates/ccgw/src/session/sign_out.rs",
    "crates/ccgw/src/session/recovery.rs",
    "crates/ccgw/src/session/send.rs",
    "crates/ccgw/src/transport/send.rs",
    "crates/ccgw/src/transport/classify.rs",
    "crates/ccgw/src/transport/budget.rs",
    "crates/ccgw/src/audit/journal.rs",
    "crates/ccgw/src/audit/verify.rs",
    "crates/ccgw/src/operations/recordings/download.rs",
    "crates/ccgw/src/operations/recordings/to_disk.rs",
    "crates/ccgw-cli/src/signals.rs",
    "crates/ccgw-cli/src/stdio.rs",
    "crates/ccgw-cli/src/board/actions.rs",
    "crates/ccgw-cli/src/board/keys.rs",
];

/// How the mutants of one file fared.
#[derive(Default)]
struct Tally {
    caught: u32,
    missed: Vec<String>,
    unviable: u32,
    timeouts: u32,
}

/// Runs cargo-mutants on each file and records the outcome in `MUTANTS.md`. With
/// `--in-place` first, the mutants are made in this tree (faster: no copy to build from
/// scratch; cargo-mutants puts every file back, but do not edit meanwhile).
pub fn mutants(root: &Path, args: &[&str]) -> Result<(), String> {
    let (in_place, files) = match args {
        ["--in-place", rest @ ..] => (true, rest),
        rest => (false, rest),
    };
    let files: Vec<&str> = if files.is_empty() {
        CRITICAL.to_vec()
    } else {
        files.to_vec()
    };
    let commit = git(root, &["rev-parse", "--short", "HEAD"])?;
    let date = git(root, &["log", "-1", "--format=%cs"])?;
    let mut rows = read_rows(&root.join("MUTANTS.md"));
    let notes = notes(&std::fs::read_to_string(root.join("MUTANTS.md")).unwrap_or_default());
    for file in files {
        let package = file
            .strip_prefix("crates/")
            .and_then(|rest| rest.split('/').next())
            .ok_or_else(|| format!("{file}: not a file of a crate under crates/"))?;
        let out = root.join("target/mutants").join(file.replace('/', "_"));
        std::fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
        let status = Command::new("cargo")
            .current_dir(root)
            .args(["mutants", "--package", package, "--file", file, "--output"])
            .arg(&out)
            .args(in_place.then_some("--in-place"))
            // The unit and integration tests judge each mutant (`--tests`: every target
            // with tests, the doc examples aside, which show usage and compile one by one).
            .arg("--cargo-test-arg=--tests")
            // As in CI: the tests mostly wait on sockets and timers.
            .env(
                "RUST_TEST_THREADS",
                std::env::var("RUST_TEST_THREADS").unwrap_or_else(|_| "8".into()),
            )
            .status()
            .map_err(|e| format!("cannot run cargo mutants (cargo install cargo-mutants): {e}"))?;
        // cargo-mutants exits 2 when a mutant was missed: the table says so.
        if !matches!(status.code(), Some(0 | 2 | 3)) {
            return Err(format!("cargo mutants failed on {file}: {status}"));
        }
        let tally = tally(&out.join("mutants.out/outcomes.json"))?;
        println!(
            "{file}: {} caught, {} missed, {} unviable, {} timeouts",
            tally.caught,
            tally.missed.len(),
            tally.unviable,
            tally.timeouts
        );
        rows.insert(file.to_owned(), (date.clone(), commit.clone(), tally));
        // Written after each file: a long run stopped half-way keeps what it found.
        let text = render(&rows) + &notes;
        std::fs::write(root.join("MUTANTS.md"), text).map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// The hand-written `## Notes` section at the end of `MUTANTS.md`, kept as it is (empty
/// when there is none): what a table cannot say, such as why a mutant was left.
fn notes(text: &str) -> String {
    match text.find("\n## Notes\n") {
        Some(at) => text[at..].to_owned(),
        None => String::new(),
    }
}

fn git(root: &Path, args: &[&str]) -> Result<String, String> {
    let output = Command::new("git")
        .current_dir(root)
        .args(args)
        .output()
        .map_err(|e| format!("git: {e}"))?;
    Ok(String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

/// Reads cargo-mutants' `outcomes.json`: each mutant's summary.
fn tally(path: &Path) -> Result<Tally, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let json: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut tally = Tally::default();
    for outcome in json["outcomes"].as_array().into_iter().flatten() {
        let Some(mutant) = outcome["scenario"].get("Mutant") else {
            continue;
        };
        match outcome["summary"].as_str().unwrap_or_default() {
            "CaughtMutant" => tally.caught += 1,
            "MissedMutant" => tally.missed.push(describe(mutant)),
            "Unviable" => tally.unviable += 1,
            "Timeout" => tally.timeouts += 1,
            _ => {}
        }
    }
    Ok(tally)
}

/// cargo-mutants' own description of `mutant` ("line 36: delete match arm KeyCode::Backspace
/// in handle"), without the file that heads its section.
fn describe(mutant: &serde_json::Value) -> String {
    let line = mutant["span"]["start"]["line"].as_u64().unwrap_or_default();
    let name = mutant["name"].as_str().unwrap_or("?");
    // The name begins with `file:line:column: `.
    let what = name.splitn(4, ':').nth(3).unwrap_or(name).trim();
    format!("line {line}: {what}")
}

type Rows = BTreeMap<String, (String, String, Tally)>;

/// The rows of an existing `MUTANTS.md` (their missed lists are not kept: run again).
fn read_rows(path: &Path) -> Rows {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let mut rows = Rows::new();
    for line in text.lines().filter(|l| l.starts_with("| `")) {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        if cells.len() < 8 {
            continue;
        }
        let number = |i: usize| cells[i].parse().unwrap_or_default();
        let missed = vec![String::new(); number(5) as usize];
        let tally = Tally {
            caught: number(4),
            missed,
            unviable: number(6),
            timeouts: number(7),
        };
        rows.insert(
            cells[1].trim_matches('`').to_owned(),
            (cells[2].to_owned(), cells[3].to_owned(), tally),
        );
    }
    // The missed mutants of the files not run this time, from their own sections, so that
    // a run on one file keeps what the others' last runs found.
    let mut section: Option<&str> = None;
    let mut listed: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for line in text.lines() {
        if let Some(file) = line.strip_prefix("## Missed in `") {
            section = file.strip_suffix('`');
        } else if line.starts_with('#') {
            section = None;
        } else if let (Some(file), Some(missed)) = (section, line.strip_prefix("- ")) {
            listed.entry(file).or_default().push(missed.to_owned());
        }
    }
    for (file, missed) in listed {
        if let Some((_, _, tally)) = rows.get_mut(file)
            && missed.len() == tally.missed.len()
        {
            tally.missed = missed;
        }
    }
    rows
}

fn render(rows: &Rows) -> String {
    let mut text = String::from(
        "# Mutation testing\n\n\
         The last run of `cargo xtask mutants FILE` for each file (cargo-mutants; exclusions,\n\
         each with its reason, in `.cargo/mutants.toml`). A missed mutant is a change to the\n\
         code that no test noticed.\n\n\
         | file | date | commit | caught | missed | unviable | timeouts |\n\
         |---|---|---|---|---|---|---|\n",
    );
    for (file, (date, commit, t)) in rows {
        text.push_str(&format!(
            "| `{file}` | {date} | {commit} | {} | {} | {} | {} |\n",
            t.caught,
            t.missed.len(),
            t.unviable,
            t.timeouts
        ));
    }
    for (file, (_, _, t)) in rows {
        let listed: Vec<&String> = t.missed.iter().filter(|m| !m.is_empty()).collect();
        if !listed.is_empty() {
            text.push_str(&format!("\n## Missed in `{file}`\n\n"));
            for missed in listed {
                text.push_str(&format!("- {missed}\n"));
            }
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missed_mutant_is_told_in_cargo_mutants_own_words() {
        let mutant = serde_json::json!({
            "name": "crates/x/src/keys.rs:36:17: delete match arm KeyCode::Backspace in handle",
            "span": {"start": {"line": 36, "column": 17}},
        });
        assert_eq!(
            describe(&mutant),
            "line 36: delete match arm KeyCode::Backspace in handle"
        );
    }

    #[test]
    fn a_run_on_one_file_keeps_what_the_others_missed() {
        let before = "| file | date | commit | caught | missed | unviable | timeouts |\n\
                      |---|---|---|---|---|---|---|\n\
                      | `a.rs` | 2026-12-07 | abc | 3 | 2 | 0 | 1 |\n\
                      | `b.rs` | 2026-12-07 | abc | 5 | 0 | 1 | 0 |\n\
                      \n## Missed in `a.rs`\n\n- line 1: one\n- line 2: two\n\
                      \n## Notes\n\nA note.\n";
        let path = std::env::temp_dir().join(format!("mutants-{}.md", std::process::id()));
        std::fs::write(&path, before).unwrap();
        let mut rows = read_rows(&path);
        std::fs::remove_file(&path).unwrap();
        let fresh = Tally {
            caught: 4,
            missed: vec!["line 9: nine".into()],
            unviable: 0,
            timeouts: 0,
        };
        rows.insert("b.rs".into(), ("2026-12-08".into(), "def".into(), fresh));
        let after = render(&rows) + &notes(before);
        assert!(after.ends_with("\n## Notes\n\nA note.\n"), "{after}");
        assert!(
            after.contains("## Missed in `a.rs`\n\n- line 1: one\n- line 2: two\n"),
            "{after}"
        );
        assert!(
            after.contains("## Missed in `b.rs`\n\n- line 9: nine\n"),
            "{after}"
        );
        assert!(
            after.contains("| `a.rs` | 2026-12-07 | abc | 3 | 2 | 0 | 1 |"),
            "{after}"
        );
    }
}
