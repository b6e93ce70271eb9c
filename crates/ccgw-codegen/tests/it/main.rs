//! The integration tests of ccgw-codegen, one binary: the rules the OpenAPI document must
//! follow, the facts of the switch operation the project started from, and README's
//! table of names.

mod document_rules;
mod readme_names;
mod switch_operation;

/// The workspace's OpenAPI document, parsed.
fn spec() -> openapiv3::OpenAPI {
    let text =
        ccgw_codegen::workspace_spec(std::path::Path::new(env!("CARGO_MANIFEST_DIR"))).unwrap();
    ccgw_codegen::parse(&text).unwrap()
}
