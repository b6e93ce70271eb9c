//! The CLI over HTTPS, through a TLS front on loopback before the simulator: a private
//! CA's certificate is refused by default and trusted with `--ca-cert`; a self-signed one
//! passes only with `--danger-accept-invalid-certs`, which prints its warning; a
//! gateway on loopback is reached directly whatever proxy the environment names.

use std::sync::Arc;

use ccgw_sim::{DEFAULT_PASSWORD, RunningSim, Simulator};
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

use crate::common::{self, ccgw, console_args, quick, signed_out};

type Cert = (CertificateDer<'static>, PrivateKeyDer<'static>);

/// A certificate for localhost signed by a new CA (returned as PEM), or by itself.
fn certificate(by_a_ca: bool) -> (Cert, Option<String>) {
    let params = CertificateParams::new(vec!["localhost".to_owned()]).unwrap();
    let key = KeyPair::generate().unwrap();
    let (cert, ca_pem) = if by_a_ca {
        let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca.distinguished_name
            .push(DnType::CommonName, "ccgw CLI test CA");
        let ca_key = KeyPair::generate().unwrap();
        let pem = ca.self_signed(&ca_key).unwrap().pem();
        let issuer = Issuer::new(ca, ca_key);
        (params.signed_by(&key, &issuer).unwrap(), Some(pem))
    } else {
        (params.self_signed(&key).unwrap(), None)
    };
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
    ((cert.der().clone(), key), ca_pem)
}

/// TLS on a loopback port, each connection passed on to the simulator; its URL.
async fn tls_front(sim: &RunningSim, cert: Cert) -> String {
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
    let url = format!(
        "https://localhost:{}",
        listener.local_addr().unwrap().port()
    );
    let behind = sim.addr();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let (Ok(mut tls), Ok(mut plain)) =
                    (acceptor.accept(tcp).await, TcpStream::connect(behind).await)
                else {
                    return;
                };
                let _ = tokio::io::copy_bidirectional(&mut tls, &mut plain).await;
            });
        }
    });
    url
}

async fn console(url: &str, flags: &[&str]) -> common::Run {
    let env = [("CCGW_PASSWORD", DEFAULT_PASSWORD)];
    ccgw(&console_args(url, flags), &env, &["listen 1001", "quit"]).await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_private_ca_is_refused_by_default_and_trusted_with_ca_cert() {
    let sim = Simulator::start(quick()).await.unwrap();
    let (cert, ca_pem) = certificate(true);
    let url = tls_front(&sim, cert).await;
    let run = console(&url, &[]).await;
    assert_eq!(run.status, 2, "{}", run.stderr);
    assert!(run.stderr.contains("sign-in failed"), "{}", run.stderr);
    // The reason, from rustls, several causes below what the client says.
    assert!(
        run.stderr
            .contains("invalid peer certificate: UnknownIssuer"),
        "{}",
        run.stderr
    );
    assert_eq!(
        sim.received("signIn"),
        0,
        "nothing got through the refused handshake"
    );

    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, ca_pem.unwrap()).unwrap();
    let run = console(&url, &["--ca-cert", ca.to_str().unwrap()]).await;
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(run.stdout.contains("ok      listen 1001"), "{}", run.stdout);
    assert!(!run.stderr.contains("WARNING"), "{}", run.stderr);
    assert!(signed_out(&sim));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_self_signed_certificate_passes_only_when_named_dangerous_and_says_so() {
    let sim = Simulator::start(quick()).await.unwrap();
    let (cert, _) = certificate(false);
    let url = tls_front(&sim, cert).await;
    let run = console(&url, &[]).await;
    assert_eq!(run.status, 2, "{}", run.stderr);
    assert_eq!(sim.received("signIn"), 0);

    let run = console(&url, &["--danger-accept-invalid-certs"]).await;
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("WARNING: TLS certificates are not verified"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.contains("ok      listen 1001"), "{}", run.stdout);
    assert!(signed_out(&sim));
}

/// An HTTPS gateway on this machine is reached directly: a proxy the environment names
/// (for every other host) could not reach this machine's loopback anyway.
#[tokio::test(flavor = "multi_thread")]
async fn an_environment_proxy_is_not_used_for_a_gateway_on_loopback() {
    let sim = Simulator::start(quick()).await.unwrap();
    let (cert, ca_pem) = certificate(true);
    let url = tls_front(&sim, cert).await;
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, ca_pem.unwrap()).unwrap();
    let (proxy, connections) = common::silent_listener().await;
    let proxy = format!("http://{proxy}");
    let names = ["https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"];
    let env: Vec<(&str, &str)> = names
        .into_iter()
        .map(|name| (name, proxy.as_str()))
        .chain([("CCGW_PASSWORD", DEFAULT_PASSWORD)])
        .collect();
    let args = console_args(&url, &["--ca-cert", ca.to_str().unwrap()]);
    let run = ccgw(&args, &env, &["listen 1001", "quit"]).await;
    assert_eq!(run.status, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(connections.load(std::sync::atomic::Ordering::SeqCst), 0);
    assert!(signed_out(&sim));
}
