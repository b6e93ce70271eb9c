//! The read-only queries over HTTP: what they report follows what happens to agents and
//! calls, and bad input gets the documented (or decided) retcodes.

use crate::common;

use common::{Gw, quick};
use reqwest::Method;
use serde_json::{Value, json};

const R: &str = "/agentgateway/resource";

/// An inspector on a simulator without the overload budget: these tests are about what
/// the queries answer, many at a time (the budget has its own tests in `contract`).
async fn inspector() -> (Gw, String) {
    let gw = Gw::start(quick().overload_budget(None)).await;
    let guid = gw.sign_in("101").await;
    (gw, guid)
}

impl Gw {
    async fn query(&self, guid: &str, path: &str) -> common::WireAnswer {
        self.call(Method::GET, &format!("{R}/{path}"), Some(guid), None)
            .await
    }

    async fn status_of(&self, guid: &str, who: &str) -> String {
        let a = self
            .query(guid, &format!("agentgroup/101/agentbyworkno/{who}"))
            .await;
        a.body["result"]["status"].to_string()
    }

    async fn query_with(&self, guid: &str, path: &str, body: Value) -> common::WireAnswer {
        self.call(Method::GET, &format!("{R}/{path}"), Some(guid), Some(body))
            .await
    }
}

#[tokio::test]
async fn a_seeded_agent_is_talking_with_the_call_that_intercept_accepts() {
    let (gw, g) = inspector().await;
    let info = gw.query(&g, "agentgroup/101/agentbyworkno/1001").await;
    assert_eq!(info.retcode(), "0", "{}", info.body);
    let agent = &info.body["result"];
    assert_eq!(agent["workno"], "1001");
    assert_eq!(
        agent["status"], 7,
        "states are numbers, as the reference's table types them"
    );
    assert_eq!(agent["ctiStatus"], 5);
    assert!(agent["currentstatetime"].is_u64());
    let calls = gw.query(&g, "calldata/101/allcallinfoEx/1001").await;
    let call = calls.body["result"][0]
        .as_str()
        .expect("one call ID")
        .to_owned();
    assert_eq!(Some(call.clone()), gw.sim.call_of("1001"));
    let details = gw
        .query(&g, &format!("calldata/101/callinfobycallid/{call}"))
        .await;
    assert_eq!(details.body["result"]["callid"], call.as_str());
    assert!(details.body["result"]["caller"].is_i64());

    gw.qc(Method::PUT, &g, "101", "addsupervise/1001").await;
    let taken = gw
        .qc(Method::PUT, &g, "101", &format!("intercept/1001/{call}"))
        .await;
    assert_eq!(taken.retcode(), "0", "{}", taken.body);
    let after = gw.query(&g, "agentgroup/101/agentbyworkno/1001").await;
    assert_eq!(after.body["result"]["status"], 4, "the agent is idle after");
    let own = gw.query(&g, "onlineagent/101/agentstatus").await;
    assert_eq!(
        own.body["result"],
        json!({"agentState": 7, "isWorking": true})
    );
    let own_call = gw.query(&g, "calldata/101/callinfo").await;
    assert_eq!(own_call.body["result"]["callid"], call.as_str());
}

#[tokio::test]
async fn forced_states_and_dropped_calls_change_what_queries_report() {
    let (gw, g) = inspector().await;
    gw.qc(Method::POST, &g, "101", "forcebusy/1002").await;
    assert_eq!(gw.status_of(&g, "1002").await, "3");
    gw.qc(Method::POST, &g, "101", "forceidle/1002").await;
    assert_eq!(gw.status_of(&g, "1002").await, "4");
    gw.qc(Method::POST, &g, "101", "forcerest/1003/60/2").await;
    assert_eq!(
        gw.status_of(&g, "1003").await,
        "8",
        "a forced state applies at once"
    );
    let call = gw.sim.call_of("1003").unwrap();
    gw.qc(Method::POST, &g, "101", &format!("forcedropcall/{call}"))
        .await;
    assert_eq!(
        gw.status_of(&g, "1003").await,
        "8",
        "a dropped call leaves the rest"
    );
    let call = gw.sim.call_of("1005").unwrap();
    gw.qc(Method::POST, &g, "101", &format!("forcedropcall/{call}"))
        .await;
    assert_eq!(
        gw.status_of(&g, "1005").await,
        "4",
        "a dropped call ends the talk"
    );
    let calls = gw.query(&g, "calldata/101/allcallinfoEx/1003").await;
    assert_eq!(calls.body["result"], json!([]));
    gw.qc(Method::POST, &g, "101", "forcelogout/1004").await;
    assert_eq!(gw.status_of(&g, "1004").await, "2");
    let online = gw.query(&g, "agentgroup/101/agentbyskill/1").await;
    let listed: Vec<&str> = online.body["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["workno"].as_str().unwrap())
        .collect();
    assert!(
        !listed.contains(&"1004"),
        "a signed-out agent is not online"
    );
    assert!(listed.contains(&"1001"));
}

#[tokio::test]
async fn skill_queues_have_agents_filters_and_queue_lengths() {
    let (gw, g) = inspector().await;
    let all = gw.query(&g, "agentgroup/101/agentbyskill/1").await;
    assert_eq!(all.body["result"].as_array().unwrap().len(), 10);
    let vip = gw.query(&g, "agentgroup/101/agentbyskill/2").await;
    assert_eq!(vip.body["result"].as_array().unwrap().len(), 5);
    gw.qc(Method::POST, &g, "101", "forcebusy/1001").await;
    let filter = json!({"agentLimit": 5, "agentStatus": [3]});
    let busy = gw
        .query_with(&g, "agentgroup/101/agentbyskill/1", filter)
        .await;
    assert_eq!(busy.body["result"].as_array().unwrap().len(), 1);
    assert_eq!(busy.body["result"][0]["workno"], "1001");
    let half = json!({"agentStatus": [3]});
    let unfiltered = gw
        .query_with(&g, "agentgroup/101/agentbyskill/1", half)
        .await;
    assert_eq!(
        unfiltered.body["result"].as_array().unwrap().len(),
        10,
        "the filter applies only when both fields are sent"
    );
    let bad = json!({"agentLimit": 501, "agentStatus": [3]});
    let refused = gw
        .query_with(&g, "agentgroup/101/agentbyskill/1", bad)
        .await;
    assert_eq!(refused.retcode(), "000-002");
    let length = gw.query(&g, "queuedevice/101/skillwaitnum/1").await;
    assert_eq!(length.body["result"], json!(2));
    let unknown = gw.query(&g, "queuedevice/101/skillwaitnum/99").await;
    assert_eq!(
        unknown.body["result"],
        json!({}),
        "no count, as in the sample"
    );
    let skills = gw.query(&g, "queuedevice/101/agentvdnskill").await;
    assert_eq!(skills.body["result"].as_array().unwrap().len(), 2);
    let online = gw.query(&g, "agentgroup/101/allonlineagents").await;
    assert_eq!(online.body["result"][1]["skillId"], 2);
    let mine = gw
        .query(&g, "onlineagent/101/agentskillsbyworkno/1002")
        .await;
    assert_eq!(
        mine.body["result"],
        json!([{"name": "voice", "id": 1, "mediatype": 5}])
    );
}

#[tokio::test]
async fn agent_lists_over_the_limit_and_unknown_agents() {
    let (gw, g) = inspector().await;
    let list = json!({"agentList": ["1001", "1002", "2001", "9999"]});
    let found = gw.query_with(&g, "agentgroup/101/agentbylist", list).await;
    assert_eq!(found.retcode(), "0", "{}", found.body);
    let ids: Vec<&str> = found.body["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["workno"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        ["1001", "1002"],
        "other VDNs' and unknown agents are left out"
    );
    let many: Vec<String> = (1001..1102).map(|n| n.to_string()).collect();
    assert_eq!(many.len(), ccgw_sim::AGENT_LIST_LIMIT + 1);
    let over = gw
        .query_with(&g, "agentgroup/101/agentbylist", json!({"agentList": many}))
        .await;
    assert_eq!(over.retcode(), "000-002");
    let malformed = json!({"agentList": ["12"]});
    let bad = gw
        .query_with(&g, "agentgroup/101/agentbylist", malformed)
        .await;
    assert_eq!(bad.retcode(), "000-002");
    let missing = gw.query(&g, "agentgroup/101/agentbylist").await;
    assert_eq!(missing.retcode(), "000-002", "the body is required");
    for path in [
        "agentgroup/101/agentbyworkno/9999",
        "agentgroup/101/agentbyworkno/2001",
        "calldata/101/allcallinfoEx/9999",
    ] {
        assert_eq!(gw.query(&g, path).await.retcode(), "100-006", "{path}");
    }
    assert_eq!(
        gw.query(&g, "agentgroup/101/agentbyworkno/12")
            .await
            .retcode(),
        "000-002"
    );
    assert_eq!(
        gw.query(&g, "calldata/101/callinfobycallid/1-999")
            .await
            .retcode(),
        "900-001"
    );
}

#[tokio::test]
async fn queries_need_a_valid_guid_and_own_call_is_absent_without_one() {
    let (gw, g) = inspector().await;
    let denied = gw.query("not-a-guid", "onlineagent/101/agentstatus").await;
    assert_eq!(denied.status, 200);
    assert_eq!(denied.retcode(), "000-003");
    let none = gw
        .query(&g, "calldata/101/callinfo?isNoContainLastCall=true")
        .await;
    assert_eq!(none.retcode(), "0");
    assert!(none.body.get("result").is_none(), "{}", none.body);
}

#[tokio::test]
async fn queue_statistics_follow_forced_states_and_refuse_bad_bodies() {
    let (gw, g) = inspector().await;
    let path = format!("{R}/queuedevice/101/queryacdstat");
    let stats = |body: Value| gw.call(Method::POST, &path, Some(&g), Some(body));
    // Numbers and strings of digits, as Huawei's own clients send; queue 3 is VDN 2's.
    let found = stats(json!({"skills": [1, "2", 3, 77]})).await;
    assert_eq!(found.retcode(), "0", "{}", found.body);
    let result = found.body["result"].as_array().unwrap();
    assert_eq!(
        result.len(),
        2,
        "other VDNs' and unknown queues are left out"
    );
    assert_eq!(result[0]["deviceNo"], 1);
    assert_eq!(result[0]["skillDescrip"], "voice");
    assert_eq!(result[0]["queueSize"], 2);
    assert_eq!(result[0]["loggedOnAgents"], 10);
    assert_eq!(result[0]["availAgents"], 0);
    assert_eq!(
        result[1]["loggedOnAgents"], 5,
        "every second agent serves vip"
    );
    assert_eq!(result[1]["queueTime"], 0, "nobody waits in vip");
    let idle = gw
        .call(
            Method::POST,
            &format!("{R}/qualitycontrol/101/forceidle/1001"),
            Some(&g),
            None,
        )
        .await;
    assert_eq!(idle.retcode(), "0", "{}", idle.body);
    let after = stats(json!({"skills": [1]})).await;
    assert_eq!(after.body["result"][0]["availAgents"], 1);
    let too_many: Vec<i32> = (1..=101).collect();
    for bad in [
        json!({"skills": too_many}),
        json!({}),
        json!({"skills": ["x"]}),
    ] {
        assert_eq!(stats(bad.clone()).await.retcode(), "000-002", "{bad}");
    }
}
