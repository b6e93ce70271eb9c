//! The generated client is reviewed as a snapshot: any change to the document or the
//! codegen shows up as a diff here. Update it with `cargo xtask regen`.

#[test]
fn generated_client_matches_the_reviewed_snapshot() {
    insta::assert_snapshot!("generated_client", ccgw_api::GENERATED_SOURCE);
}
