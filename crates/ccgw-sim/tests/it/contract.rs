//! The simulator against the document: answer schemas and served operations.

use crate::common;

use std::collections::BTreeSet;

use ccgw_sim::answers::{CommonAnswer, EventAnswer, SignInAnswer};
use common::{Gw, quick};
use openapiv3::{OpenAPI, Schema, SchemaKind, Type};
use serde_json::Value;

fn spec() -> OpenAPI {
    ccgw_codegen::parse(
        &ccgw_codegen::workspace_spec(std::path::Path::new(env!("CARGO_MANIFEST_DIR"))).unwrap(),
    )
    .unwrap()
}

fn component<'a>(spec: &'a OpenAPI, name: &str) -> &'a Schema {
    spec.components.as_ref().unwrap().schemas[name]
        .as_item()
        .expect("inline component")
}

/// The JSON type name a document schema allows, plus "null" when nullable.
fn doc_types(schema: &Schema) -> BTreeSet<String> {
    let mut types = BTreeSet::new();
    types.insert(
        match &schema.schema_kind {
            SchemaKind::Type(Type::String(_)) => "string",
            SchemaKind::Type(Type::Object(_)) => "object",
            SchemaKind::Type(Type::Array(_)) => "array",
            SchemaKind::Type(Type::Integer(_)) => "integer",
            SchemaKind::Type(Type::Boolean(_)) => "boolean",
            // A schema with no type at all: the document takes any value there.
            SchemaKind::Any(any) if any.typ.is_none() && any.properties.is_empty() => "any",
            other => panic!("unexpected schema kind {other:?}"),
        }
        .to_owned(),
    );
    if schema.schema_data.nullable {
        types.insert("null".to_owned());
    }
    types
}

/// The JSON types a schemars property allows, following `$ref`s into `$defs`.
fn sim_types(root: &Value, property: &Value) -> BTreeSet<String> {
    if let Some(r) = property.get("$ref").and_then(Value::as_str) {
        let name = r.trim_start_matches("#/$defs/");
        return sim_types(root, &root["$defs"][name]);
    }
    if let Some(any) = property.get("anyOf").and_then(Value::as_array) {
        return any.iter().flat_map(|p| sim_types(root, p)).collect();
    }
    match &property["type"] {
        Value::String(t) => [t.clone()].into(),
        Value::Array(ts) => ts
            .iter()
            .filter_map(|t| t.as_str().map(str::to_owned))
            .collect(),
        other => panic!("no type in {property}: {other}"),
    }
}

fn assert_same_shape(name: &str, sim: Value) {
    let spec = spec();
    let doc = component(&spec, name);
    let SchemaKind::Type(Type::Object(object)) = &doc.schema_kind else {
        panic!("{name} is an object")
    };
    let doc_fields: BTreeSet<&str> = object.properties.keys().map(String::as_str).collect();
    let sim_fields: BTreeSet<&str> = sim["properties"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(sim_fields, doc_fields, "{name}: fields");
    let sim_required: BTreeSet<&str> = sim["required"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    for field in &object.required {
        assert!(
            sim_required.contains(field.as_str()),
            "{name}: the simulator always sends {field}"
        );
    }
    for (field, schema) in &object.properties {
        let doc = doc_types(ccgw_codegen::resolve_boxed(&spec, schema).unwrap());
        if doc.contains("any") {
            continue;
        }
        let sim = sim_types(&sim, &sim["properties"][field]);
        assert_eq!(sim, doc, "{name}.{field}: types");
    }
}

#[test]
fn common_answer_matches_the_document() {
    assert_same_shape(
        "CommonAnswer",
        serde_json::to_value(schemars::schema_for!(CommonAnswer)).unwrap(),
    );
}

#[test]
fn sign_in_answer_matches_the_document() {
    assert_same_shape(
        "SignInAnswer",
        serde_json::to_value(schemars::schema_for!(SignInAnswer)).unwrap(),
    );
}

#[test]
fn event_answer_matches_the_document() {
    assert_same_shape(
        "EventAnswer",
        serde_json::to_value(schemars::schema_for!(EventAnswer)).unwrap(),
    );
}

#[test]
fn the_simulator_serves_the_operations_of_the_document() {
    let documented: BTreeSet<String> = ccgw_codegen::operation_facts(&spec())
        .unwrap()
        .into_iter()
        .map(|f| f.id)
        .collect();
    let served: BTreeSet<String> = ccgw_sim::OPERATION_IDS
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(served, documented);
}

#[tokio::test]
async fn every_documented_operation_answers_on_its_path_and_method() {
    let gw = Gw::start(quick()).await;
    let guid = gw.sign_in("101").await;
    for op in ccgw_codegen::operation_facts(&spec()).unwrap() {
        let path = op
            .path
            .replace("{agentid}", "101")
            .replace("{workNo}", "1001")
            .replace("{workno}", "1001")
            .replace("{skillid}", "1")
            .replace("{callId}", "1-1")
            .replace("{callid}", "1-1")
            .replace("{time}", "60")
            .replace("{reason}", "1");
        let query = match op.id.as_str() {
            "requestWhisper" | "stopWhisper" => "?whisperagentid=1001",
            "switchMode" => "?whisperagentid=1001&switchtype=0",
            "queryCallInfo" => "?isNoContainLastCall=false",
            _ => "",
        };
        let method = reqwest::Method::from_bytes(op.method.as_bytes()).unwrap();
        let body = serde_json::json!({"password": "x", "phonenum": "1", "workNo": "1001", "skills": [1], "agentList": ["1001"]});
        let guid = op.requires_guid.then_some(guid.as_str());
        let before = gw.sim.received(&op.id);
        let answer = gw
            .call(method, &format!("{path}{query}"), guid, Some(body))
            .await;
        assert_eq!(answer.status, 200, "{} {}", op.method, op.path);
        assert!(
            answer.body["retcode"].is_string(),
            "{}: {}",
            op.id,
            answer.body
        );
        assert_eq!(
            gw.sim.received(&op.id),
            before + 1,
            "{} counted under its operationId",
            op.id
        );
    }
}

#[test]
fn the_simulator_counts_exactly_the_budgeted_operations_of_the_document() {
    let facts = ccgw_codegen::operation_facts(&spec()).unwrap();
    let documented: BTreeSet<&str> = facts
        .iter()
        .filter(|f| f.overload_budget)
        .map(|f| f.id.as_str())
        .collect();
    let counted: BTreeSet<&str> = ccgw_sim::budgeted_operations().into_iter().collect();
    assert_eq!(counted, documented);
}

#[tokio::test]
async fn a_sixth_budgeted_query_within_two_seconds_is_refused_and_others_are_not_counted() {
    let gw = Gw::start(quick()).await;
    let guid = gw.sign_in("101").await;
    let path = "/agentgateway/resource/queuedevice/101/skillwaitnum/1";
    for _ in 0..5 {
        let a = gw.call(reqwest::Method::GET, path, Some(&guid), None).await;
        assert_eq!(a.retcode(), "0", "{}", a.body);
    }
    // The agent's own state is not a queue or agent-group query: not counted.
    let own = "/agentgateway/resource/onlineagent/101/agentstatus";
    let a = gw.call(reqwest::Method::GET, own, Some(&guid), None).await;
    assert_eq!(a.retcode(), "0", "{}", a.body);
    let over = "/agentgateway/resource/agentgroup/101/allonlineagents";
    let a = gw.call(reqwest::Method::GET, over, Some(&guid), None).await;
    assert_eq!(a.retcode(), "000-007", "{}", a.body);
}
