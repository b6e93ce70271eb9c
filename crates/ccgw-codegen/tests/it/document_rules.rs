//! Rules every operation in `openapi/cc-gateway.yaml` must follow. A document that breaks
//! one fails `cargo test` before it can reach the generated client.

use std::collections::HashSet;

use ccgw_codegen::resolve;

use crate::spec;
use openapiv3::{
    OpenAPI, Operation, Parameter, ParameterSchemaOrContent, Schema, SchemaKind, Type,
};

/// The agent-ID pattern every agent parameter must carry.
const AGENT_ID_PATTERN: &str = "^(10[1-9]|1[1-9][0-9]|[2-9][0-9]{2}|[1-9][0-9]{3,5})$";
/// Parameters that name an agent.
const AGENT_PARAMETERS: &[&str] = &["agentid", "workNo", "workno", "whisperagentid"];

fn operations(spec: &OpenAPI) -> Vec<(String, String, &Operation)> {
    spec.paths
        .iter()
        .flat_map(|(path, item)| {
            let item = item.as_item().expect("inline path item");
            item.iter()
                .map(move |(method, op)| (method.to_uppercase(), path.clone(), op))
        })
        .collect()
}

fn schema_of<'a>(spec: &'a OpenAPI, p: &'a Parameter) -> &'a Schema {
    match &p.parameter_data_ref().format {
        ParameterSchemaOrContent::Schema(s) => resolve(spec, s).unwrap(),
        ParameterSchemaOrContent::Content(_) => panic!(
            "{}: content parameters are not used",
            p.parameter_data_ref().name
        ),
    }
}

#[test]
fn there_are_forty_one_operations_with_unique_ids() {
    let spec = spec();
    let ops = operations(&spec);
    assert_eq!(
        ops.len(),
        41,
        "15 quality-control, 3 session, 1 event operation, 14 queries, 6 playback \
         controls, 1 recording lookup and 1 download"
    );
    let ids: HashSet<_> = ops
        .iter()
        .map(|(_, _, op)| op.operation_id.clone())
        .collect();
    assert_eq!(ids.len(), ops.len(), "operationIds are unique");
    let qc = ops
        .iter()
        .filter(|(_, _, op)| op.tags == ["qualitycontrol"])
        .count();
    assert_eq!(qc, 15);
    let queries = ops.iter().filter(|(method, _, _)| method == "GET").count();
    assert_eq!(
        queries, 16,
        "the event poll, 13 queries, the recording lookup and the download are GETs; queue \
         statistics are a POST"
    );
    let playback = ops
        .iter()
        .filter(|(_, _, op)| op.tags == ["recordplay"])
        .count();
    assert_eq!(
        playback, 7,
        "play, pause, resume, forward, rewind, stop, and the recordings of a call"
    );
}

#[test]
fn every_operation_has_id_tag_log_name_and_facts() {
    let spec = spec();
    let tags: HashSet<_> = spec.tags.iter().map(|t| t.name.as_str()).collect();
    for (method, path, op) in operations(&spec) {
        let here = format!("{method} {path}");
        assert!(op.operation_id.is_some(), "{here}: operationId");
        assert_eq!(op.tags.len(), 1, "{here}: exactly one tag");
        assert!(
            tags.contains(op.tags[0].as_str()),
            "{here}: tag is declared"
        );
        let log_name = op.extensions.get("x-log-name").and_then(|v| v.as_str());
        assert!(
            log_name.is_some_and(|n| !n.is_empty()),
            "{here}: x-log-name"
        );
        assert!(
            op.description.as_ref().is_some_and(|d| d.len() > 40),
            "{here}: a description for a user"
        );
        assert!(op.summary.is_some(), "{here}: summary");
    }
    // The table generator reads the same extensions and rejects anything missing.
    ccgw_codegen::operation_facts(&spec).expect("every operation's facts are complete");
}

#[test]
fn guid_header_is_required_exactly_where_declared() {
    let spec = spec();
    for (method, path, op) in operations(&spec) {
        let wants = op.extensions["x-requires-guid"]
            .as_bool()
            .expect("x-requires-guid");
        let guid = op
            .parameters
            .iter()
            .map(|p| resolve(&spec, p).unwrap())
            .find(|p| {
                matches!(p, Parameter::Header { .. }) && p.parameter_data_ref().name == "Guid"
            });
        match guid {
            Some(p) => {
                assert!(
                    wants,
                    "{method} {path}: Guid header on an operation that needs none"
                );
                assert!(
                    p.parameter_data_ref().required,
                    "{method} {path}: Guid is required"
                );
            }
            None => assert!(!wants, "{method} {path}: the Guid header is missing"),
        }
    }
}

#[test]
fn every_operation_answers_with_the_common_response_shape() {
    let spec = spec();
    for (method, path, op) in operations(&spec) {
        let here = format!("{method} {path}");
        assert_eq!(
            op.responses.responses.len(),
            1,
            "{here}: one answer, HTTP 200"
        );
        let response = op
            .responses
            .responses
            .get(&openapiv3::StatusCode::Code(200))
            .map(|r| resolve(&spec, r).unwrap())
            .unwrap_or_else(|| panic!("{here}: a 200 answer"));
        if op.extensions.get("x-answer-body").is_some() {
            // A file, or the JSON failure the document cannot describe beside it.
            assert!(
                response.content.contains_key("application/octet-stream"),
                "{here}: a file answer"
            );
            assert!(response.headers.contains_key("Set-GUID"), "{here}");
            continue;
        }
        let media = &response.content["application/json"];
        let schema = resolve(&spec, media.schema.as_ref().expect("schema")).unwrap();
        let SchemaKind::Type(Type::Object(object)) = &schema.schema_kind else {
            panic!("{here}: the answer is an object");
        };
        assert!(
            object.required.iter().any(|r| r == "retcode"),
            "{here}: retcode required"
        );
        for field in ["message", "retcode"] {
            let s = object
                .properties
                .get(field)
                .unwrap_or_else(|| panic!("{here}: {field}"));
            let s = s.clone().unbox();
            let s = resolve(&spec, &s).unwrap();
            assert!(
                matches!(s.schema_kind, SchemaKind::Type(Type::String(_))),
                "{here}: {field} is a string"
            );
        }
        assert!(
            response.headers.contains_key("Set-GUID"),
            "{here}: Set-GUID is described"
        );
    }
}

#[test]
fn every_agent_parameter_carries_the_agent_id_pattern() {
    let spec = spec();
    let mut seen = 0;
    for (method, path, op) in operations(&spec) {
        for p in op.parameters.iter().map(|p| resolve(&spec, p).unwrap()) {
            let name = &p.parameter_data_ref().name;
            if !AGENT_PARAMETERS.contains(&name.as_str()) {
                continue;
            }
            seen += 1;
            let SchemaKind::Type(Type::String(s)) = &schema_of(&spec, p).schema_kind else {
                panic!("{method} {path}: {name} is a string");
            };
            assert_eq!(
                s.pattern.as_deref(),
                Some(AGENT_ID_PATTERN),
                "{method} {path}: {name}"
            );
        }
    }
    assert!(seen >= 30, "agent parameters found: {seen}");
}

#[test]
fn path_parameters_match_the_path_template() {
    let spec = spec();
    for (method, path, op) in operations(&spec) {
        let declared: HashSet<String> = op
            .parameters
            .iter()
            .map(|p| resolve(&spec, p).unwrap())
            .filter(|p| matches!(p, Parameter::Path { .. }))
            .map(|p| p.parameter_data_ref().name.clone())
            .collect();
        let in_template: HashSet<String> = path
            .split('/')
            .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .map(str::to_owned)
            .collect();
        assert_eq!(declared, in_template, "{method} {path}");
    }
}

/// Every failure retcode an operation lists has its meaning in the document, which is the
/// one source of the words the client's errors use; generation refuses a code without.
#[test]
fn every_listed_retcode_has_a_meaning_and_a_missing_one_fails_generation() {
    let mut spec = spec();
    let facts = ccgw_codegen::operation_facts(&spec).unwrap();
    let meanings = ccgw_codegen::retcode_meanings(&spec, &facts).unwrap();
    assert!(meanings.iter().any(|(code, _)| code == "100-006"));
    let Some(serde_json::Value::Object(map)) = spec.extensions.get_mut("x-retcode-meanings") else {
        panic!("no x-retcode-meanings");
    };
    map.remove("100-006");
    let e = ccgw_codegen::retcode_meanings(&spec, &facts)
        .unwrap_err()
        .to_string();
    assert!(e.contains("retcode 100-006 has no meaning"), "{e}");
}

#[test]
fn exactly_the_queue_device_and_agent_group_queries_count_against_the_overload_budget() {
    let spec = spec();
    let facts = ccgw_codegen::operation_facts(&spec).unwrap();
    for f in &facts {
        let budgeted_path = f.path.starts_with("/agentgateway/resource/queuedevice/")
            || f.path.starts_with("/agentgateway/resource/agentgroup/");
        assert_eq!(
            f.overload_budget, budgeted_path,
            "{}: x-overload-budget must mark exactly the queue-device and agent-group queries",
            f.id
        );
    }
    assert!(facts.iter().filter(|f| f.overload_budget).count() >= 6);
}

/// What is inferred says so: the conventions the reference does not pin down, and every
/// operation whose retcodes the reference does not list, carry an `x-evidence` note.
#[test]
fn what_is_inferred_carries_its_evidence() {
    let spec = spec();
    let root = spec
        .extensions
        .get("x-evidence")
        .expect("the document's x-evidence");
    for convention in [
        "always-http-200",
        "absent-values",
        "overload-retcode",
        "result-shapes",
    ] {
        assert!(
            root.get(convention)
                .and_then(|v| v.as_str())
                .is_some_and(|v| v.len() > 40),
            "x-evidence.{convention}"
        );
    }
    for (method, path, op) in operations(&spec) {
        let unverified = op.extensions.get("x-retcodes-verified") == Some(&false.into());
        if unverified {
            assert!(
                op.extensions.contains_key("x-evidence"),
                "{method} {path}: unverified retcodes without x-evidence"
            );
        }
    }
}
