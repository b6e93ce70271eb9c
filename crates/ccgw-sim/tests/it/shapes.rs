//! Every query answer of a living floor has exactly the shape the document gives it
//! (`ccgw_codegen::shapes`): no field missing, none undocumented, no type that differs.
//! With real gateways' quirks, the differences are the ones the quirks are.

use crate::common;

use ccgw_codegen::shapes::{Difference, differences};
use common::{Gw, quick};
use openapiv3::{OpenAPI, ReferenceOr, Schema};
use reqwest::Method;
use serde_json::{Value, json};

fn spec() -> OpenAPI {
    ccgw_codegen::parse(
        &ccgw_codegen::workspace_spec(std::path::Path::new(env!("CARGO_MANIFEST_DIR"))).unwrap(),
    )
    .unwrap()
}

/// The schema of the 200 answer of `method path` in the document.
fn answer_schema(spec: &OpenAPI, method: &str, path: &str) -> ReferenceOr<Schema> {
    let item = spec.paths.paths[path].as_item().unwrap();
    let op = match method {
        "get" => item.get.as_ref(),
        "post" => item.post.as_ref(),
        _ => None,
    }
    .unwrap();
    let response = op.responses.responses[&openapiv3::StatusCode::Code(200)].clone();
    let response = ccgw_codegen::resolve(spec, &response).unwrap();
    response.content["application/json"].schema.clone().unwrap()
}

const R: &str = "/agentgateway/resource";

/// (method, documented path, path asked, body)
fn queries() -> Vec<(&'static str, &'static str, String, Option<Value>)> {
    vec![
        (
            "get",
            "/onlineagent/{agentid}/agentstatus",
            "/onlineagent/101/agentstatus".into(),
            None,
        ),
        (
            "get",
            "/agentgroup/{agentid}/agentbyworkno/{workno}",
            "/agentgroup/101/agentbyworkno/1001".into(),
            None,
        ),
        (
            "get",
            "/agentgroup/{agentid}/agentbyskill/{skillid}",
            "/agentgroup/101/agentbyskill/1".into(),
            None,
        ),
        (
            "get",
            "/agentgroup/{agentid}/allonlineagents",
            "/agentgroup/101/allonlineagents".into(),
            None,
        ),
        (
            "get",
            "/agentgroup/{agentid}/agentbylist",
            "/agentgroup/101/agentbylist".into(),
            Some(json!({"agentList": ["1001", "1002"]})),
        ),
        (
            "get",
            "/calldata/{agentid}/allcallinfoEx/{workno}",
            "/calldata/101/allcallinfoEx/1001".into(),
            None,
        ),
        (
            "get",
            "/calldata/{agentid}/waitcallinfo/{skillid}",
            "/calldata/101/waitcallinfo/1".into(),
            None,
        ),
        (
            "post",
            "/queuedevice/{agentid}/queryacdstat",
            "/queuedevice/101/queryacdstat".into(),
            Some(json!({"skills": [1, 2]})),
        ),
        (
            "get",
            "/queuedevice/{agentid}/agentvdnskill",
            "/queuedevice/101/agentvdnskill".into(),
            None,
        ),
        (
            "get",
            "/onlineagent/{agentid}/agentskillsbyworkno/{workno}",
            "/onlineagent/101/agentskillsbyworkno/1001".into(),
            None,
        ),
    ]
}

async fn shapes_of(config: ccgw_sim::SimConfig) -> Vec<(String, Vec<Difference>)> {
    let spec = spec();
    let gw = Gw::start(config.overload_budget(None)).await;
    let guid = gw.sign_in("101").await;
    let mut found = Vec::new();
    for (method, documented, asked, body) in queries() {
        let http = if method == "post" {
            Method::POST
        } else {
            Method::GET
        };
        let answer = gw
            .call(http, &format!("{R}{asked}"), Some(&guid), body)
            .await;
        assert_eq!(answer.retcode(), "0", "{asked}: {}", answer.body);
        let schema = answer_schema(&spec, method, &format!("{R}{documented}"));
        found.push((
            documented.to_owned(),
            differences(&spec, &schema, &answer.body).unwrap(),
        ));
    }
    found
}

#[tokio::test]
async fn every_query_answer_of_a_living_floor_has_the_documented_shape() {
    let config = quick()
        .traffic(ccgw_sim::Traffic::Busy, 2)
        .manual_clock(true);
    for (path, found) in shapes_of(config).await {
        assert!(found.is_empty(), "{path}: {found:?}");
    }
}
