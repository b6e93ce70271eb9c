//! Generates the client from the OpenAPI document into `OUT_DIR/ccgw_api.rs`. The document
//! travels with this package as `cc-gateway.yaml` (in the workspace, a link to
//! `openapi/cc-gateway.yaml`, the one source of truth).

use std::path::PathBuf;

fn main() {
    let dir = std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let spec_path = PathBuf::from(dir).join("cc-gateway.yaml");
    println!("cargo::rerun-if-changed={}", spec_path.display());
    println!("cargo::rerun-if-changed=build.rs");

    let source = ccgw_codegen::read_spec(&spec_path)
        .and_then(|yaml| ccgw_codegen::generate(&yaml))
        .unwrap_or_else(|e| panic!("cannot generate the ccgw-api client: {e}"));
    let out_dir = std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR for build scripts");
    let out = std::path::Path::new(&out_dir).join("ccgw_api.rs");
    std::fs::write(&out, source).unwrap_or_else(|e| panic!("cannot write {}: {e}", out.display()));
}
