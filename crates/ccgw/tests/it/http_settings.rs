//! A user's own `reqwest` settings reach the wire, and the session's hooks still apply.

use crate::common;

use std::time::Duration;

use ccgw::{Client, SignIn};
use reqwest::header::{HeaderMap, HeaderValue};
use tokio::io::AsyncWriteExt;

#[tokio::test]
async fn configured_headers_go_out_with_the_session_headers() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (heads, mut received) = tokio::sync::mpsc::unbounded_channel::<String>();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let heads = heads.clone();
            tokio::spawn(async move {
                let Some(head) = common::read_request_head(&mut stream).await else {
                    return;
                };
                let _ = heads.send(head.to_lowercase());
                let body = r#"{"message":"","retcode":"0"}"#;
                let reply = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\
                     set-guid: JSESSIONID=g1\r\ncontent-length: {}\r\n\r\n{body}",
                    body.len()
                );
                let _ = stream.write_all(reply.as_bytes()).await;
            });
        }
    });
    let client = Client::builder(base)
        .request_timeout(Duration::from_secs(5))
        .configure_http(|http| {
            let mut headers = HeaderMap::new();
            headers.insert("x-tenant", HeaderValue::from_static("blue"));
            http.default_headers(headers)
        })
        .build()
        .unwrap();
    let session = client
        .sign_in(SignIn::new("101".parse().unwrap(), "pw").poll_events(false))
        .await
        .unwrap();
    session.force_busy(&"1001".parse().unwrap()).await.unwrap();
    let sign_in = received.recv().await.unwrap();
    let force_busy = received.recv().await.unwrap();
    let user_agent = format!("user-agent: ccgw/{}\r\n", env!("CARGO_PKG_VERSION"));
    assert!(sign_in.contains(&user_agent), "{sign_in}");
    assert!(force_busy.contains(&user_agent), "{force_busy}");
    assert!(force_busy.contains("x-tenant: blue"), "{force_busy}");
    assert!(
        force_busy.contains("guid: g1"),
        "the session's Guid still goes out"
    );
}

#[test]
fn a_user_agent_that_is_no_header_value_is_refused_at_build() {
    let error = Client::builder("http://127.0.0.1:1")
        .user_agent("two\nlines")
        .build()
        .unwrap_err();
    assert_eq!(error.kind(), ccgw::ErrorKind::InvalidInput);
}

/// A name that is not a loopback literal, made to resolve to the simulator on 127.0.0.1:
/// it stands in for a remote gateway without any traffic leaving this machine.
#[tokio::test]
async fn plain_http_to_a_remote_name_is_refused_before_anything_is_sent_unless_allowed() {
    let sim = common::sim(common::quick()).await;
    let addr = sim.addr();
    let url = format!("http://gateway.test:{}", addr.port());
    let resolve = move |http: reqwest::ClientBuilder| http.resolve("gateway.test", addr);
    let refused = ccgw::Client::builder(&url)
        .configure_http(resolve)
        .build()
        .unwrap_err();
    assert_eq!(refused.kind(), ccgw::ErrorKind::InvalidInput);
    assert!(refused.to_string().contains("unencrypted"), "{refused}");
    assert_eq!(sim.received_total(), 0, "nothing was sent");

    let allowed = ccgw::Client::builder(&url)
        .configure_http(resolve)
        .insecure_http(true)
        .build()
        .expect("explicitly allowed");
    let session = allowed
        .sign_in(ccgw::SignIn::new(
            common::agent("101"),
            ccgw_sim::DEFAULT_PASSWORD,
        ))
        .await
        .expect("reaches the simulator through the resolved name");
    session.sign_out().await.unwrap();
}

/// A user's settings that would retry (reqwest's retry policy) do not: a connection reset
/// after the request was read is reported, and the request went out once. A second send
/// of a toggle would undo the first.
#[tokio::test]
async fn a_retry_policy_in_the_users_settings_is_overruled_and_a_reset_request_goes_once() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let requests = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let seen = requests.clone();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let seen = seen.clone();
            tokio::spawn(async move {
                if common::read_request_head(&mut stream).await.is_some() {
                    seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    // A reset, not a close: zero linger, then drop.
                    let _ = stream.set_zero_linger();
                }
            });
        }
    });
    let client = Client::builder(&base)
        .connect_retries(0)
        .configure_http(|http| {
            http.retry(
                reqwest::retry::for_host("127.0.0.1")
                    .no_budget()
                    .max_retries_per_request(3)
                    .classify_fn(|attempt| attempt.retryable()),
            )
        })
        .build()
        .unwrap();
    let failed = client
        .sign_in(SignIn::new("101".parse().unwrap(), "pw").poll_events(false))
        .await
        .unwrap_err();
    assert!(failed.may_have_reached_gateway(), "{failed}");
    assert_eq!(
        requests.load(std::sync::atomic::Ordering::SeqCst),
        1,
        "sent once: {failed}"
    );
}
