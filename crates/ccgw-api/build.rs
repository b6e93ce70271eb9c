//! Generates the client from the OpenAPI document into `OUT_DIR/ccgw_api.rs`.

fn main() {
    let spec_path = ccgw_codegen::spec_path();
    println!("cargo::rerun-if-changed={}", spec_path.display());
    println!("cargo::rerun-if-changed=build.rs");

    let source = ccgw_codegen::read_spec()
        .and_then(|yaml| ccgw_codegen::generate(&yaml))
        .unwrap_or_else(|e| panic!("cannot generate the ccgw-api client: {e}"));
    let out_dir = std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR for build scripts");
    let out = std::path::Path::new(&out_dir).join("ccgw_api.rs");
    std::fs::write(&out, source).unwrap_or_else(|e| panic!("cannot write {}: {e}", out.display()));
}
