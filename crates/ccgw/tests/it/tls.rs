//! TLS with a locally generated CA: verified by default, a private CA trusted in one line,
//! and the dangerous opt-out the only way past a bad certificate.

use std::sync::Arc;

use ccgw::{AgentId, Client, SignIn};
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

struct Ca {
    pem: String,
    issuer: Issuer<'static, KeyPair>,
}

fn ca() -> Ca {
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params
        .distinguished_name
        .push(DnType::CommonName, "ccgw test CA");
    let key = KeyPair::generate().unwrap();
    let pem = params.self_signed(&key).unwrap().pem();
    Ca {
        pem,
        issuer: Issuer::new(params, key),
    }
}

/// A certificate for `hosts`, signed by `ca` or, without one, by itself.
fn leaf(hosts: &[&str], ca: Option<&Ca>) -> (CertificateDer<'static>, PrivateKeyDer<'static>) {
    let params =
        CertificateParams::new(hosts.iter().map(|h| h.to_string()).collect::<Vec<_>>()).unwrap();
    let key = KeyPair::generate().unwrap();
    let cert = match ca {
        Some(ca) => params.signed_by(&key, &ca.issuer).unwrap(),
        None => params.self_signed(&key).unwrap(),
    };
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
    (cert.der().clone(), key)
}

/// How the test gateway answers once it has read a request.
#[derive(Clone, Copy, PartialEq)]
enum Answer {
    /// A successful sign-in.
    SignedIn,
    /// Bytes that are not TLS, on the connection under the session: the request was read,
    /// and the client's TLS then fails.
    CorruptRecord,
}

/// An HTTPS "gateway" on loopback that answers every request with a successful sign-in.
async fn https_gateway(cert: (CertificateDer<'static>, PrivateKeyDer<'static>)) -> u16 {
    https_gateway_answering(cert, Answer::SignedIn).await
}

async fn https_gateway_answering(
    cert: (CertificateDer<'static>, PrivateKeyDer<'static>),
    how: Answer,
) -> u16 {
    // The server's cryptography, whichever TLS backend the client under test uses.
    ccgw_sim::testing::install_ring_provider();
    let provider = rustls::crypto::CryptoProvider::get_default()
        .expect("a provider is installed")
        .clone();
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![cert.0], cert.1)
        .unwrap();
    let acceptor = TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else {
                return;
            };
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let mut seen = Vec::new();
                let mut buf = [0u8; 4096];
                while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
                    match tls.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => seen.extend_from_slice(&buf[..n]),
                    }
                }
                if how == Answer::CorruptRecord {
                    let _ = tls.get_mut().0.write_all(b"HTTP/1.1 200 OK\r\n\r\n").await;
                    return;
                }
                let body =
                    r#"{"message":"","retcode":"0","result":{"workno":"101","mediatype":"TTT"}}"#;
                let answer = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
                     set-guid: JSESSIONID=tls-test.AgentGateway1\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = tls.write_all(answer.as_bytes()).await;
                let _ = tls.shutdown().await;
            });
        }
    });
    port
}

fn sign_in() -> SignIn {
    SignIn::new(AgentId::try_from(101).unwrap(), "pw").poll_events(false)
}

async fn outcome(port: u16, trust: Option<&str>, danger: bool) -> Result<(), ccgw::Error> {
    let mut builder = Client::builder(format!("https://localhost:{port}")).connect_retries(0);
    if let Some(pem) = trust {
        builder = builder.add_root_certificate_pem(pem.as_bytes());
    }
    let client = builder.danger_accept_invalid_certs(danger).build()?;
    client.sign_in(sign_in()).await.map(|_| ())
}

#[tokio::test]
async fn a_certificate_from_a_trusted_private_ca_is_accepted() {
    let ca = ca();
    let port = https_gateway(leaf(&["localhost"], Some(&ca))).await;
    outcome(port, Some(&ca.pem), false)
        .await
        .expect("trusted private CA");
    let e = outcome(port, None, false).await.unwrap_err();
    assert!(e.is_tls(), "without the CA it is not trusted: {e}");
    assert!(!e.may_have_reached_gateway());
}

#[tokio::test]
async fn a_self_signed_certificate_is_rejected_unless_dangerously_allowed() {
    let port = https_gateway(leaf(&["localhost"], None)).await;
    let e = outcome(port, None, false).await.unwrap_err();
    assert!(e.is_tls(), "{e}");
    assert!(
        e.to_string().contains("TLS"),
        "the error says what failed: {e}"
    );
    outcome(port, None, true)
        .await
        .expect("the dangerous opt-out accepts it");
}

#[tokio::test]
async fn a_certificate_for_another_host_is_rejected_unless_dangerously_allowed() {
    let ca = ca();
    let port = https_gateway(leaf(&["gateway.other.example"], Some(&ca))).await;
    let e = outcome(port, Some(&ca.pem), false).await.unwrap_err();
    assert!(e.is_tls(), "wrong host: {e}");
    outcome(port, Some(&ca.pem), true)
        .await
        .expect("the dangerous opt-out accepts it");
}

#[tokio::test]
async fn a_tls_failure_after_the_request_was_sent_may_have_reached_the_gateway() {
    let ca = ca();
    let port =
        https_gateway_answering(leaf(&["localhost"], Some(&ca)), Answer::CorruptRecord).await;
    let e = outcome(port, Some(&ca.pem), false).await.unwrap_err();
    assert!(e.is_tls(), "{e}");
    assert!(
        e.may_have_reached_gateway(),
        "the request was written before TLS failed, so it may have been acted on: {e}"
    );
}

/// A proxy that tunnels `CONNECT`: what the client sent through it, as it passed.
async fn connect_proxy() -> (u16, Arc<std::sync::Mutex<Vec<u8>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let kept = seen.clone();
    tokio::spawn(async move {
        while let Ok((mut client, _)) = listener.accept().await {
            let kept = kept.clone();
            tokio::spawn(async move {
                let Some(head) = ccgw_sim::testing::read_request_head(&mut client).await else {
                    return;
                };
                kept.lock().unwrap().extend_from_slice(head.as_bytes());
                let target = head.split(' ').nth(1).unwrap_or_default();
                let port = target.rsplit(':').next().unwrap_or_default();
                // Only ever to loopback, whatever the request names.
                let Ok(gateway) = tokio::net::TcpStream::connect(format!("127.0.0.1:{port}")).await
                else {
                    return;
                };
                let _ = client
                    .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
                    .await;
                let (mut from_client, mut to_client) = client.into_split();
                let (mut from_gateway, mut to_gateway) = gateway.into_split();
                tokio::spawn(async move {
                    let _ = tokio::io::copy(&mut from_gateway, &mut to_client).await;
                });
                let mut buf = [0u8; 16 * 1024];
                while let Ok(n) = from_client.read(&mut buf).await {
                    if n == 0 {
                        return;
                    }
                    kept.lock().unwrap().extend_from_slice(&buf[..n]);
                    if to_gateway.write_all(&buf[..n]).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    (port, seen)
}

#[tokio::test]
async fn https_through_a_proxy_is_a_tunnel_the_proxy_cannot_read() {
    let ca = ca();
    let port = https_gateway(leaf(&["localhost"], Some(&ca))).await;
    let (proxy, seen) = connect_proxy().await;
    let client = Client::builder(format!("https://localhost:{port}"))
        .add_root_certificate_pem(ca.pem.as_bytes())
        .proxy(format!("http://127.0.0.1:{proxy}"))
        .build()
        .unwrap();
    client
        .sign_in(SignIn::new(AgentId::try_from(101).unwrap(), "Secret@123").poll_events(false))
        .await
        .expect("signs in through the tunnel");
    let seen = seen.lock().unwrap().clone();
    assert!(
        seen.starts_with(b"CONNECT localhost:"),
        "{:?}",
        String::from_utf8_lossy(&seen[..40.min(seen.len())])
    );
    assert!(
        !seen.windows(10).any(|w| w == b"Secret@123"),
        "the proxy read the password"
    );
    assert!(
        !seen.windows(8).any(|w| w == b"/signin"),
        "the proxy read the request"
    );
}
