//! Part of `cargo xtask tidy`: no insta snapshot without a test that still asserts it. A
//! snapshot left behind by a renamed or removed test is never compared again, so a
//! reader would trust a picture that nothing checks.

use std::path::{Path, PathBuf};

/// Every `.snap` file below `snapshots` folders among `sources`' folders that no source
/// beside that folder names: neither `snapshot!("NAME"` nor `fn NAME(`.
pub fn unreferenced(sources: &[PathBuf]) -> Vec<String> {
    let mut folders: Vec<&Path> = sources.iter().filter_map(|f| f.parent()).collect();
    folders.sort();
    folders.dedup();
    let mut problems = Vec::new();
    for folder in folders {
        let Ok(entries) = std::fs::read_dir(folder.join("snapshots")) else {
            continue;
        };
        let beside: Vec<String> = sources
            .iter()
            .filter(|f| f.parent() == Some(folder))
            .filter_map(|f| std::fs::read_to_string(f).ok())
            .collect();
        for entry in entries.flatten() {
            let path = entry.path();
            let Some(stem) = path
                .file_name()
                .and_then(|n| n.to_str())
                .and_then(|n| n.strip_suffix(".snap"))
            else {
                continue;
            };
            // `<module path>__<name>`: the name is the explicit one or the test's.
            let name = stem.rsplit("__").next().unwrap_or(stem);
            let named = |text: &String| {
                text.contains(&format!("snapshot!(\"{name}\""))
                    || text.contains(&format!("fn {name}("))
            };
            if !beside.iter().any(named) {
                problems.push(format!(
                    "{}: no test beside it asserts the snapshot {name:?}; remove it, or rename it \
                     to its test's new name",
                    path.display()
                ));
            }
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A folder of its own under the system's temporary folder, removed when dropped.
    struct Scratch(PathBuf);

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    #[test]
    fn a_snapshot_no_test_beside_it_names_is_reported_and_only_that_one() {
        let name = format!("ccgw-xtask-snapshots-{}", std::process::id());
        let scratch = Scratch(std::env::temp_dir().join(name));
        let tests = scratch.0.join("tests");
        std::fs::create_dir_all(tests.join("snapshots")).unwrap();
        let source = tests.join("screens.rs");
        std::fs::write(
            &source,
            "#[test]\nfn the_board() { insta::assert_snapshot!(draw()); }\n\
             #[test]\nfn help() { insta::assert_snapshot!(\"help_screen\", draw()); }\n",
        )
        .unwrap();
        for snap in [
            "screens__the_board.snap",
            "screens__help_screen.snap",
            "screens__a_renamed_test.snap",
            "notes.txt",
        ] {
            std::fs::write(tests.join("snapshots").join(snap), "---\n---\n").unwrap();
        }
        let problems = unreferenced(&[source]);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            problems[0].contains("screens__a_renamed_test.snap"),
            "{problems:?}"
        );
        assert!(problems[0].contains("\"a_renamed_test\""), "{problems:?}");
    }
}
