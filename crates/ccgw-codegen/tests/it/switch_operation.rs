//! The switch interface is the document this project started from. Its facts, restated
//! here, must hold in the OpenAPI document exactly.

use ccgw_codegen::{OperationFacts, operation_facts};

fn switch() -> OperationFacts {
    let spec = crate::spec();
    operation_facts(&spec)
        .unwrap()
        .into_iter()
        .find(|f| f.id == "switchListenInsert")
        .expect("the switch operation exists")
}

#[test]
fn switch_is_a_post_to_the_documented_path() {
    let op = switch();
    assert_eq!(op.method, "POST", "only POST is supported");
    assert_eq!(
        op.path,
        "/agentgateway/resource/qualitycontrol/{agentid}/switch/{workNo}"
    );
    assert_eq!(op.tag, "qualitycontrol");
}

#[test]
fn switch_is_logged_as_switch_supervise_or_insert() {
    let op = switch();
    assert_eq!(op.log_name, "switchSuperviseOrInsert");
    assert!(op.log_name_verified);
}

#[test]
fn switch_lists_exactly_the_documented_retcodes() {
    assert_eq!(
        switch().retcodes,
        ["100-006", "900-001", "900-002", "900-003"]
    );
}

#[test]
fn switch_is_a_state_changing_toggle_that_needs_the_guid() {
    let op = switch();
    assert!(op.toggle && op.state_changing && op.requires_guid);
}

#[test]
fn switch_is_the_only_toggle() {
    let spec = crate::spec();
    let toggles: Vec<_> = operation_facts(&spec)
        .unwrap()
        .into_iter()
        .filter(|f| f.toggle)
        .map(|f| f.id)
        .collect();
    assert_eq!(toggles, ["switchListenInsert"]);
}
