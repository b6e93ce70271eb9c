//! Every query answer of a living floor has exactly the shape the document gives it
//! (`ccgw_codegen::shapes`): no field missing, none undocumented, no type that differs.
//! With real gateways' quirks, state codes and numbers come as text, as in the samples.

use crate::common;

use ccgw_codegen::shapes::{Difference, answer_schema, differences};
use common::{Gw, quick};
use openapiv3::OpenAPI;
use reqwest::Method;
use serde_json::{Value, json};

fn spec() -> OpenAPI {
    ccgw_codegen::parse(
        &ccgw_codegen::workspace_spec(std::path::Path::new(env!("CARGO_MANIFEST_DIR"))).unwrap(),
    )
    .unwrap()
}

const R: &str = "/agentgateway/resource";

/// (method, operationId, path asked, body)
fn queries() -> Vec<(&'static str, &'static str, String, Option<Value>)> {
    vec![
        (
            "get",
            "getAgentStatus",
            "/onlineagent/101/agentstatus".into(),
            None,
        ),
        (
            "get",
            "queryAgentInfoByWorkNo",
            "/agentgroup/101/agentbyworkno/1001".into(),
            None,
        ),
        (
            "get",
            "queryAgentInfoBySkillId",
            "/agentgroup/101/agentbyskill/1".into(),
            None,
        ),
        (
            "get",
            "queryAllOnlineAgents",
            "/agentgroup/101/allonlineagents".into(),
            None,
        ),
        (
            "get",
            "queryAgentInfoByList",
            "/agentgroup/101/agentbylist".into(),
            Some(json!({"agentList": ["1001", "1002"]})),
        ),
        (
            "get",
            "queryAllCallInfoByAgentWorkNoEx",
            "/calldata/101/allcallinfoEx/1001".into(),
            None,
        ),
        (
            "get",
            "queryWaitCallInfoBySkillId",
            "/calldata/101/waitcallinfo/1".into(),
            None,
        ),
        (
            "post",
            "queryStatInfoOfAcd",
            "/queuedevice/101/queryacdstat".into(),
            Some(json!({"skills": [1, 2]})),
        ),
        (
            "get",
            "querySkillQueueOnAgentVDN",
            "/queuedevice/101/agentvdnskill".into(),
            None,
        ),
        (
            "get",
            "queryAgentSkillsByWorkNo",
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
        let schema = answer_schema(&spec, documented).unwrap().unwrap();
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

#[tokio::test]
async fn with_real_gateways_quirks_codes_and_numbers_come_as_text_and_nothing_else_differs() {
    let config = quick()
        .quirks(true)
        .traffic(ccgw_sim::Traffic::Busy, 2)
        .manual_clock(true);
    let mut texts = std::collections::BTreeSet::new();
    for (operation, found) in shapes_of(config).await {
        for difference in found {
            match difference {
                Difference::NumberAsText { path } => {
                    texts.insert(format!("{operation} {path}"));
                }
                other => panic!("{operation}: {other}"),
            }
        }
    }
    assert!(
        texts.contains("queryAgentInfoByWorkNo result.status"),
        "{texts:?}"
    );
    assert!(
        texts.contains("queryAgentInfoByWorkNo result.ctiStatus"),
        "{texts:?}"
    );
}
