//! The table of names (`docs/operations.md`, linked from README) must agree with the
//! document: every operation appears once, with its gateway log name.

use std::collections::BTreeMap;

#[test]
fn readme_maps_every_operation_to_its_log_name() {
    let root =
        ccgw_codegen::find_workspace(std::path::Path::new(env!("CARGO_MANIFEST_DIR"))).unwrap();
    let readme = std::fs::read_to_string(root.join("docs/operations.md")).unwrap();
    let rows: BTreeMap<String, String> = readme
        .lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            let id = cells.get(1)?.strip_prefix('`')?.strip_suffix('`')?;
            let log = cells.get(2)?.strip_prefix('`')?.strip_suffix('`')?;
            Some((id.to_owned(), log.to_owned()))
        })
        .collect();
    let spec = crate::spec();
    let documented: BTreeMap<String, String> = ccgw_codegen::operation_facts(&spec)
        .unwrap()
        .into_iter()
        .map(|f| (f.id, f.log_name))
        .collect();
    assert_eq!(rows, documented);
}
