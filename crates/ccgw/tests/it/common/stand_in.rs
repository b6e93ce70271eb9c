//! A stand-in gateway on loopback for what the simulator does not do: answers written
//! byte by byte, with pauses, cut short or left hanging. It signs in (with a Guid) and
//! answers every request `answer` does not take with success.

use std::time::Duration;

use tokio::io::AsyncWriteExt;
use tokio::net::TcpListener;

/// One step of an answer.
pub enum Step {
    /// These bytes.
    Send(Vec<u8>),
    /// A pause.
    Wait(Duration),
    /// Close the connection (a FIN) without another byte.
    Close,
    /// Keep the connection open and send nothing more.
    Hang,
}

/// An answer's head: `status`, `headers` (each a whole line), and `Content-Length` when
/// `length` says.
pub fn head(status: u16, headers: &[&str], length: Option<usize>) -> Step {
    let mut text = format!("HTTP/1.1 {status} Answer\r\n");
    for header in headers {
        text.push_str(header);
        text.push_str("\r\n");
    }
    if let Some(length) = length {
        text.push_str(&format!("content-length: {length}\r\n"));
    }
    text.push_str("\r\n");
    Step::Send(text.into_bytes())
}

/// A JSON success, as every request `answer` leaves alone gets.
fn success() -> Vec<Step> {
    let body = r#"{"message":"","retcode":"0","result":{}}"#;
    let guid = "set-guid: JSESSIONID=0123456789abcdef0123456789abcdef";
    vec![
        head(
            200,
            &["content-type: application/json", guid],
            Some(body.len()),
        ),
        Step::Send(body.into()),
    ]
}

/// Starts the stand-in; `answer` gets each request's first line and gives the steps of
/// its answer, or `None` for a success. Returns the base URL.
pub async fn start(answer: impl Fn(&str) -> Option<Vec<Step>> + Send + Sync + 'static) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let answer = std::sync::Arc::new(answer);
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let answer = answer.clone();
            tokio::spawn(async move {
                while let Some(request) = super::read_request_head(&mut stream).await {
                    let line = request.lines().next().unwrap_or_default();
                    for step in answer(line).unwrap_or_else(success) {
                        match step {
                            Step::Send(bytes) => {
                                if stream.write_all(&bytes).await.is_err() {
                                    return;
                                }
                                let _ = stream.flush().await;
                            }
                            Step::Wait(pause) => tokio::time::sleep(pause).await,
                            Step::Close => return,
                            Step::Hang => std::future::pending::<()>().await,
                        }
                    }
                }
            });
        }
    });
    base
}

/// Inspector 101 signed in (polling no events) on a stand-in gateway whose every request
/// with `path` in its first line gets `steps`, with a 2 s request timeout.
pub async fn session_where(
    path: &'static str,
    steps: impl Fn() -> Vec<Step> + Send + Sync + 'static,
) -> ccgw::Session {
    let base = start(move |line| line.contains(path).then(&steps)).await;
    let client = ccgw::Client::builder(&base)
        .request_timeout(Duration::from_secs(2))
        .build()
        .unwrap();
    client
        .sign_in(super::inspector_101().poll_events(false))
        .await
        .unwrap()
}
