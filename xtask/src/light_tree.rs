//! A consumer's build stays light: the crates `ccgw` with its default features must not
//! pull in, because each costs a cold build seconds for nothing `ccgw` uses (a C library
//! built with cmake, a proc-macro whose work the code does by hand, a second random
//! number generator beside the operating system's).

use std::path::Path;
use std::process::Command;

/// Crates kept out of `ccgw`'s default build, each with why.
const KEPT_OUT: &[(&str, &str)] = &[
    (
        "aws-lc-sys",
        "rustls uses ring unless the `aws-lc-rs` feature asks",
    ),
    (
        "aws-lc-rs",
        "rustls uses ring unless the `aws-lc-rs` feature asks",
    ),
    ("cmake", "no C library is built with cmake by default"),
    (
        "openssl-sys",
        "OpenSSL comes only with the `native-tls` feature",
    ),
    (
        "tracing-attributes",
        "spans are built by hand: no #[instrument]",
    ),
    (
        "futures-macro",
        "futures without default features: no select! or join!",
    ),
    (
        "futures-executor",
        "futures without default features: tokio runs them",
    ),
    (
        "rand",
        "random values come from the system through getrandom",
    ),
];

/// The breaches in `ccgw`'s normal and build dependencies with default features.
pub fn heavy_dependencies(root: &Path) -> Result<Vec<String>, String> {
    let output = Command::new(crate::cargo())
        .current_dir(root)
        .args(["tree", "-p", "ccgw", "-e", "normal,build"])
        .args(["--prefix", "none", "--format", "{p}"])
        .args(["--locked", "--offline"])
        .output()
        .map_err(|e| format!("cannot run cargo tree: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "cargo tree failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    Ok(breaches(&String::from_utf8_lossy(&output.stdout)))
}

/// The kept-out crates named in `tree` (one `name vX.Y.Z` per line).
fn breaches(tree: &str) -> Vec<String> {
    KEPT_OUT
        .iter()
        .filter(|(name, _)| {
            tree.lines()
                .any(|line| line.split_whitespace().next() == Some(name))
        })
        .map(|(name, why)| format!("ccgw's default build compiles {name}: {why}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kept_out_crate_is_named_by_its_exact_name() {
        let tree = "ccgw v0.1.0 (/w/crates/ccgw)\nrand_core v0.9.0\ntracing v0.1.44\n\
                    tracing-attributes v0.1.31 (proc-macro)\n";
        let found = breaches(tree);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].contains("tracing-attributes"));
        assert!(breaches("ccgw v0.1.0\nring v0.17.14\n").is_empty());
    }
}
