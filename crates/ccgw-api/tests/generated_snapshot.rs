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
    assert_eq!(ccgw_api::operations::ALL.len(), 31);
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
