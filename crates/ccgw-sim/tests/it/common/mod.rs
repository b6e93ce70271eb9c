//! A bare HTTP client for the simulator tests: they check the wire, so they do not use
//! the `ccgw` client.
#![allow(dead_code)]

use std::time::Duration;

use ccgw_sim::{DEFAULT_PASSWORD, RunningSim, SimConfig, Simulator};
use reqwest::Method;
use serde_json::{Value, json};

pub const QC: &str = "/agentgateway/resource/qualitycontrol";

pub struct Gw {
    pub sim: RunningSim,
    pub http: reqwest::Client,
}

pub struct Answer {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Answer {
    pub fn retcode(&self) -> &str {
        self.body["retcode"].as_str().unwrap_or("<none>")
    }

    pub fn guid(&self) -> Option<String> {
        let v = self.headers.get("set-guid")?.to_str().ok()?;
        Some(v.strip_prefix("JSESSIONID=")?.to_owned())
    }
}

/// A test configuration: short waits so tests stay fast.
pub fn fast() -> SimConfig {
    SimConfig::default()
        .poll_wait(Duration::from_millis(200))
        .session_timeout(Duration::from_secs(30))
}

impl Gw {
    pub async fn start(config: SimConfig) -> Gw {
        Gw {
            sim: Simulator::start(config).await.expect("simulator starts"),
            http: reqwest::Client::new(),
        }
    }

    pub async fn call(
        &self,
        method: Method,
        path: &str,
        guid: Option<&str>,
        body: Option<Value>,
    ) -> Answer {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.sim.base_url()));
        if let Some(guid) = guid {
            request = request.header("Guid", guid);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("request sent");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let bytes = response.bytes().await.expect("body read");
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Answer {
            status,
            headers,
            body,
        }
    }

    pub async fn sign_in_with(&self, agent: &str, password: &str, force: bool) -> Answer {
        let suffix = if force { "/forcelogin" } else { "" };
        let path = format!("/agentgateway/resource/onlineagent/{agent}{suffix}");
        let body = json!({"password": password, "phonenum": "70001", "status": 4});
        self.call(Method::PUT, &path, None, Some(body)).await
    }

    /// Signs in and returns the Guid.
    pub async fn sign_in(&self, agent: &str) -> String {
        let answer = self.sign_in_with(agent, DEFAULT_PASSWORD, false).await;
        assert_eq!(answer.retcode(), "0", "{}", answer.body);
        answer.guid().expect("Set-GUID on sign-in")
    }

    pub async fn qc(&self, method: Method, guid: &str, me: &str, rest: &str) -> Answer {
        self.call(method, &format!("{QC}/{me}/{rest}"), Some(guid), None)
            .await
    }

    pub async fn poll(&self, me: &str, guid: &str) -> Answer {
        self.call(
            Method::GET,
            &format!("/agentgateway/resource/agentevent/{me}"),
            Some(guid),
            None,
        )
        .await
    }

    /// Polls until an event of this type arrives (or `tries` polls pass).
    pub async fn wait_event(&self, me: &str, guid: &str, event_type: &str) -> Value {
        for _ in 0..20 {
            let a = self.poll(me, guid).await;
            assert_eq!(a.retcode(), "0", "{}", a.body);
            if a.body["event"]["eventType"] == event_type {
                return a.body["event"].clone();
            }
        }
        panic!("no {event_type} event");
    }
}
