//! `cargo xtask tidy`: the shape rules of the codebase that no compiler checks. No module
//! imports one that imports it back (directly or around a longer circle), and no
//! hand-written Rust file grows past [`MAX_LINES`], and no insta snapshot outlives its test,
//! and `ccgw`'s default build pulls in none of the crates [`crate::light_tree`] keeps out.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The most lines a hand-written `.rs` file may have.
pub const MAX_LINES: usize = 450;

/// A module's path inside its crate: `["session", "handle"]`; the root is empty.
type ModPath = Vec<String>;

/// Runs every rule over the workspace at `root`; the error lists every breach.
pub fn tidy(root: &Path) -> Result<(), String> {
    let mut problems = Vec::new();
    let mut sources = Vec::new();
    for dir in ["crates", "xtask", "fuzz"] {
        collect_rs(&root.join(dir), &mut sources);
    }
    for file in &sources {
        let text = std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
        let lines = text.lines().count();
        if lines > MAX_LINES {
            problems.push(format!(
                "{}: {lines} lines, more than {MAX_LINES}: split it by job",
                file.display()
            ));
        }
    }
    let mut crate_roots: Vec<PathBuf> = sources
        .iter()
        .filter(|f| matches!(file_name(f), "lib.rs" | "main.rs") && parent_name(f) == "src")
        .map(|f| f.parent().expect("a file has a folder").to_path_buf())
        .collect();
    crate_roots.dedup();
    for src in crate_roots {
        problems.extend(import_circles(&src, &sources));
    }
    problems.extend(crate::snapshots::unreferenced(&sources));
    problems.extend(crate::light_tree::heavy_dependencies(root)?);
    if problems.is_empty() {
        println!(
            "tidy: {} files, no import circle, none over {MAX_LINES} lines, no snapshot \
             without its test, no heavy crate in ccgw's default build",
            sources.len()
        );
        Ok(())
    } else {
        Err(format!(
            "tidy found {} problem(s):\n{}",
            problems.len(),
            problems.join("\n")
        ))
    }
}

fn file_name(path: &Path) -> &str {
    path.file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default()
}

fn parent_name(path: &Path) -> &str {
    path.parent().map(file_name).unwrap_or_default()
}

fn collect_rs(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            if !matches!(file_name(&path), "target" | "corpus" | "artifacts") {
                collect_rs(&path, out);
            }
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The module a source file under `src` defines.
fn module_of(src: &Path, file: &Path) -> ModPath {
    let relative = file.strip_prefix(src).expect("the file is under src");
    let mut parts: ModPath = relative
        .with_extension("")
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    if matches!(
        parts.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        parts.pop();
    }
    parts
}

/// The modules each module of the crate at `src` imports, and every circle among them.
fn import_circles(src: &Path, sources: &[PathBuf]) -> Vec<String> {
    let files: BTreeMap<ModPath, &PathBuf> = sources
        .iter()
        .filter(|f| f.starts_with(src))
        .map(|f| (module_of(src, f), f))
        .collect();
    let mut edges: BTreeMap<&ModPath, BTreeSet<ModPath>> = BTreeMap::new();
    for (module, file) in &files {
        let text = std::fs::read_to_string(file).unwrap_or_default();
        // Tests may reach anywhere in their module; only the code that ships counts.
        let code = text.split("#[cfg(test)]").next().unwrap_or_default();
        let targets = used_paths(code)
            .into_iter()
            .filter_map(|path| target_module(module, &path, &files))
            .filter(|target| target != module);
        edges.entry(module).or_default().extend(targets);
    }
    let mut circles = BTreeSet::new();
    for start in edges.keys() {
        let mut stack = vec![(*start).clone()];
        find_circles(&edges, &mut stack, &mut circles);
    }
    circles
        .into_iter()
        .map(|c| format!("{}: import circle {c}", src.display()))
        .collect()
}

fn find_circles(
    edges: &BTreeMap<&ModPath, BTreeSet<ModPath>>,
    stack: &mut Vec<ModPath>,
    circles: &mut BTreeSet<String>,
) {
    let current = stack.last().expect("never empty").clone();
    for next in edges.get(&current).into_iter().flatten() {
        if next == &stack[0] {
            let names: Vec<String> = stack.iter().chain([next]).map(name).collect();
            circles.insert(names.join(" -> "));
        } else if !stack.contains(next) && next > &stack[0] {
            // Each circle is reported once, from its smallest module.
            stack.push(next.clone());
            find_circles(edges, stack, circles);
            stack.pop();
        }
    }
}

fn name(module: &ModPath) -> String {
    if module.is_empty() {
        "crate".to_owned()
    } else {
        module.join("::")
    }
}

/// The paths named by `use` items and by `crate::` paths in code.
fn used_paths(code: &str) -> Vec<Vec<String>> {
    let mut paths = Vec::new();
    let mut pending: Option<String> = None;
    for line in code.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("//") {
            continue;
        }
        let statement = match pending.take() {
            Some(start) => start + trimmed,
            None => match trimmed.find("use ") {
                Some(at) if is_use_item(&trimmed[..at]) => trimmed[at + 4..].to_owned(),
                _ => String::new(),
            },
        };
        if !statement.is_empty() {
            match statement.split_once(';') {
                Some((path, _)) => paths.push(split_path(path)),
                None => pending = Some(statement),
            }
            continue;
        }
        let mut rest = line;
        while let Some(at) = rest.find("crate::") {
            rest = &rest[at..];
            let end = rest
                .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                .unwrap_or(rest.len());
            paths.push(split_path(&rest[..end]));
            rest = &rest[end..];
        }
    }
    paths
}

/// Whether what stands before `use ` makes a `use` item: nothing, or a visibility.
fn is_use_item(before: &str) -> bool {
    let before = before.trim();
    before.is_empty() || before == "pub" || (before.starts_with("pub(") && before.ends_with(')'))
}

fn split_path(path: &str) -> Vec<String> {
    let flat: String = path.chars().filter(|c| !c.is_whitespace()).collect();
    flat.split("::")
        .map(|s| s.trim_start_matches('{').to_owned())
        .filter(|s| !s.is_empty())
        .collect()
}

/// The module of this crate that `path`, used in `module`, leads into, if any.
fn target_module(
    module: &ModPath,
    path: &[String],
    files: &BTreeMap<ModPath, &PathBuf>,
) -> Option<ModPath> {
    let (mut base, rest): (ModPath, &[String]) = match path.first()?.as_str() {
        "crate" => (Vec::new(), &path[1..]),
        "self" => (module.clone(), &path[1..]),
        "super" => {
            let supers = path.iter().take_while(|s| *s == "super").count();
            let keep = module.len().checked_sub(supers)?;
            (module[..keep].to_vec(), &path[supers..])
        }
        child => {
            let mut candidate = module.clone();
            candidate.push(child.to_owned());
            if !files.contains_key(&candidate) {
                return None;
            }
            (module.clone(), path)
        }
    };
    for segment in rest {
        base.push(segment.clone());
        if !files.contains_key(&base) {
            base.pop();
            break;
        }
    }
    Some(base)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn use_items_and_crate_paths_are_found() {
        let code = "use std::fmt;\npub(crate) use crate::a::{\n    B,\n    C,\n};\n\
                    use super::b::D;\nlet x = crate::c::f();\nfn use_thing() {}\n";
        let paths = used_paths(code);
        let joined: Vec<String> = paths.iter().map(|p| p.join("::")).collect();
        assert!(joined.contains(&"std::fmt".to_owned()));
        assert!(joined.iter().any(|p| p.starts_with("crate::a::B")));
        assert!(joined.contains(&"super::b::D".to_owned()));
        assert!(joined.contains(&"crate::c::f".to_owned()));
        assert_eq!(paths.len(), 4, "{joined:?}");
    }

    #[test]
    fn a_circle_is_found_and_a_tree_is_not() {
        let dir = std::env::temp_dir().join(format!("xtask-tidy-{}", std::process::id()));
        let src = dir.join("src");
        std::fs::create_dir_all(&src).unwrap();
        std::fs::write(src.join("lib.rs"), "mod a;\nmod b;\n").unwrap();
        std::fs::write(src.join("a.rs"), "use crate::b::B;\npub struct A;\n").unwrap();
        std::fs::write(src.join("b.rs"), "pub struct B;\n").unwrap();
        let files = |d: &Path| {
            let mut v = Vec::new();
            collect_rs(d, &mut v);
            v
        };
        assert!(import_circles(&src, &files(&src)).is_empty());
        std::fs::write(src.join("b.rs"), "use super::a::A;\npub struct B;\n").unwrap();
        let circles = import_circles(&src, &files(&src));
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(circles.len(), 1, "{circles:?}");
        assert!(
            circles[0].ends_with("import circle a -> b -> a"),
            "{circles:?}"
        );
    }
}
