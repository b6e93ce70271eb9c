//! The generated client is reviewed as a snapshot: any change to the document or the
//! codegen shows up as a diff here. Update it with `cargo xtask regen`.

#[test]
fn generated_client_matches_the_reviewed_snapshot() {
    insta::assert_snapshot!("generated_client", ccgw_api::GENERATED_SOURCE);
}

/// The hand-written client finds an operation by the name its hooks receive: every
/// operation of the document must reach the hooks under the table's `hook_id`, and the
/// table must find it again by that name.
#[test]
fn every_operation_reaches_the_hooks_under_its_table_name() {
    assert_eq!(ccgw_api::operations::ALL.len(), 41);
    for op in ccgw_api::operations::ALL {
        let given = format!("operation_id: \"{}\",", op.hook_id);
        assert_eq!(
            ccgw_api::GENERATED_SOURCE.matches(&given).count(),
            1,
            "{}: the generated request does not hand the hooks {:?}",
            op.id,
            op.hook_id
        );
        assert_eq!(ccgw_api::operations::by_hook_id(op.hook_id), Some(op));
    }
}

/// Every request builds its URL through the lean path (`operation_url`), none by
/// formatting the base URL as text: the codegen's rewrite reached all 41 operations.
#[test]
fn every_operation_goes_through_the_lean_request_path() {
    let source = ccgw_api::GENERATED_SOURCE;
    // Formatted source: `let url = client\n    .operation_url(`.
    assert_eq!(
        source.matches(".operation_url(").count(),
        ccgw_api::operations::ALL.len()
    );
    assert!(
        !source.contains("client.baseurl"),
        "a URL formatted from the base URL as text is left"
    );
    assert!(!source.contains("\"api-version\""));
}
