//! What the hooks do to every request and answer, seen on a real loopback socket.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use ccgw_api::ClientInfo;
use ccgw_api::hooks::{Hooks, Interceptor, OperationInfo, is_answer_too_large};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// A generated client. The workspace compiles reqwest's rustls without a cryptography
/// provider (`ccgw` names one), so a test that builds its client directly names it too.
/// Every request goes straight to the test's server on loopback (never through a proxy
/// of the runner's environment), and none waits longer than 10 s.
fn client(url: &str, hooks: Hooks) -> ccgw_api::Client {
    // Deprecated since rustls 0.23.48 (no post-quantum key exchange): enough for loopback.
    #[allow(deprecated)]
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    ccgw_api::Client::new_with_client(url, http, hooks)
}

/// What the server of [`one_shot_server`] received, waiting 10 s at most.
async fn received(server: tokio::task::JoinHandle<String>) -> String {
    tokio::time::timeout(Duration::from_secs(10), server)
        .await
        .expect("the server got its request within 10 s")
        .unwrap()
}

/// Serves one connection: records the request head and answers with `body`.
async fn one_shot_server(body: String) -> (String, tokio::task::JoinHandle<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut head = Vec::new();
        let mut buf = [0u8; 1024];
        while !head.windows(4).any(|w| w == b"\r\n\r\n") {
            let n = socket.read(&mut buf).await.unwrap();
            assert!(n > 0, "client closed before sending its request");
            head.extend_from_slice(&buf[..n]);
        }
        let answer = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
             set-guid: JSESSIONID=abc.AgentGateway1\r\nconnection: close\r\n\r\n{body}",
            body.len()
        );
        socket.write_all(answer.as_bytes()).await.unwrap();
        String::from_utf8_lossy(&head).to_lowercase()
    });
    (url, task)
}

#[tokio::test]
async fn requests_carry_json_content_type_and_no_api_version_header() {
    let (url, server) = one_shot_server(r#"{"message":"","retcode":"0","result":{}}"#.into()).await;
    let client = client(&url, Hooks::default());
    let answer = client
        .switch_listen_insert()
        .agentid("101".to_owned())
        .work_no("1001".to_owned())
        .guid("g")
        .send()
        .await
        .unwrap();
    assert_eq!(answer.retcode, "0");
    let head = received(server).await;
    assert!(head.starts_with("post /agentgateway/resource/qualitycontrol/101/switch/1001 "));
    assert!(
        head.contains("content-type: application/json; charset=utf-8\r\n"),
        "{head}"
    );
    assert!(head.contains("guid: g\r\n"));
    assert!(!head.contains("api-version"), "{head}");
}

/// The request line of one `poll_event` for agent `agentid` sent to `base` + the
/// server's address, through `hooks`.
async fn request_line(base_path: &str, agentid: &str, hooks: Hooks) -> String {
    let (url, server) = one_shot_server(r#"{"message":"","retcode":"0"}"#.into()).await;
    let client = client(&format!("{url}{base_path}"), hooks);
    let _ = client
        .poll_event()
        .agentid(agentid.to_owned())
        .guid("g")
        .send()
        .await;
    let head = received(server).await;
    head.lines().next().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn the_path_follows_the_base_url_path_and_a_trailing_slash_is_not_doubled() {
    let line = request_line("/gw/", "101", Hooks::default()).await;
    assert_eq!(
        line,
        "get /gw/agentgateway/resource/agentevent/101 http/1.1"
    );
    let line = request_line("", "101", Hooks::default()).await;
    assert_eq!(line, "get /agentgateway/resource/agentevent/101 http/1.1");
}

#[tokio::test]
async fn hooks_taken_from_one_client_do_not_carry_its_base_url_to_another() {
    let (url, server) = one_shot_server(r#"{"message":"","retcode":"0"}"#.into()).await;
    let first = client(&format!("{url}/first"), Hooks::default());
    let _ = first
        .poll_event()
        .agentid("101".to_owned())
        .guid("g")
        .send()
        .await;
    assert!(received(server).await.starts_with("get /first/"));
    let line = request_line("/second", "101", first.inner().clone()).await;
    assert_eq!(
        line,
        "get /second/agentgateway/resource/agentevent/101 http/1.1"
    );
}

#[tokio::test]
async fn a_base_url_that_does_not_parse_is_an_invalid_request_before_sending() {
    let client = client("not a url", Hooks::default());
    let error = client
        .poll_event()
        .agentid("101".to_owned())
        .guid("g")
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(&error, ccgw_api::Error::InvalidRequest(m) if m.contains("base URL")),
        "{error}"
    );
}

#[tokio::test]
async fn result_may_be_an_object_null_or_absent() {
    for body in [
        r#"{"message":"","retcode":"0","result":{}}"#,
        r#"{"message":"","retcode":"0","result":null}"#,
        r#"{"retcode":"0"}"#,
    ] {
        let (url, _server) = one_shot_server(body.into()).await;
        let client = client(&url, Hooks::default());
        let answer = client
            .force_busy()
            .agentid("101".to_owned())
            .work_no("1001".to_owned())
            .guid("g")
            .send()
            .await;
        assert_eq!(answer.unwrap().retcode, "0", "{body}");
    }
}

#[tokio::test]
async fn answers_above_the_limit_fail_with_answer_too_large() {
    let padding = "x".repeat(4096);
    let (url, _server) =
        one_shot_server(format!(r#"{{"message":"{padding}","retcode":"0"}}"#)).await;
    let client = client(&url, Hooks::default().answer_limit(1024));
    let error = client
        .force_idle()
        .agentid("101".to_owned())
        .work_no("1001".to_owned())
        .guid("g")
        .send()
        .await
        .unwrap_err();
    match &error {
        ccgw_api::Error::ResponseBodyError(e) => assert!(is_answer_too_large(e), "{e:?}"),
        other => panic!("expected a body error, got {other:?}"),
    }
}

#[derive(Default)]
struct Recorder {
    seen: Mutex<Vec<(String, Option<String>)>>,
}

impl Interceptor for Recorder {
    fn before_send(&self, request: &mut reqwest::Request, operation: &OperationInfo) {
        request
            .headers_mut()
            .insert("cookie", "NSLB=1".parse().unwrap());
        self.seen
            .lock()
            .unwrap()
            .push((operation.operation_id.to_owned(), None));
    }

    fn after_answer(&self, outcome: &reqwest::Result<reqwest::Response>, _: &OperationInfo) {
        let guid = outcome
            .as_ref()
            .ok()
            .and_then(|r| r.headers().get("set-guid"))
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        self.seen.lock().unwrap().push(("answer".into(), guid));
    }
}

#[tokio::test]
async fn the_interceptor_sees_the_request_and_the_answer_head() {
    let (url, server) = one_shot_server(r#"{"retcode":"0"}"#.into()).await;
    let recorder = Arc::new(Recorder::default());
    let client = client(&url, Hooks::with_interceptor(recorder.clone()));
    client
        .listen()
        .agentid("101".to_owned())
        .work_no("1001".to_owned())
        .guid("g")
        .send()
        .await
        .unwrap();
    let head = received(server).await;
    assert!(head.contains("cookie: nslb=1\r\n"));
    let seen = recorder.seen.lock().unwrap().clone();
    assert_eq!(
        seen,
        [
            ("listen".to_owned(), None),
            (
                "answer".to_owned(),
                Some("JSESSIONID=abc.AgentGateway1".to_owned())
            )
        ]
    );
}

#[test]
fn the_operation_table_names_every_operation() {
    assert_eq!(ccgw_api::operations::ALL.len(), 41);
    let switch = ccgw_api::operations::by_id("switchListenInsert").unwrap();
    assert_eq!(switch.log_name, "switchSuperviseOrInsert");
    assert!(switch.toggle);
    let poll = ccgw_api::operations::by_id("pollEvent").unwrap();
    assert!(!poll.state_changing);
}
