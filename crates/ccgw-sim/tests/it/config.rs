//! Configuration files.

use std::io::Write;

use ccgw_sim::{AuthMode, SimConfig};

#[test]
fn the_default_world_is_the_documented_one() {
    let config = SimConfig::default();
    assert!(config.is_default_password());
    assert_eq!(config.vdns.len(), 2);
    assert_eq!(config.vdns[0].inspectors, ["101"]);
    assert_eq!(config.vdns[0].agents.len(), 10);
    assert_eq!(config.vdns[1].inspectors, ["201"]);
    assert_eq!(config.vdns[1].agents.len(), 5);
    assert!(
        !format!("{config:?}").contains(&config.password),
        "Debug hides the password"
    );
}

#[test]
fn toml_files_override_defaults() {
    let mut file = tempfile::Builder::new().suffix(".toml").tempfile().unwrap();
    writeln!(file, "password = \"s3cret\"\nauth_mode = \"dynamic\"\npoll_wait = 250\n[[vdns]]\nid = 7\ninspectors = [\"701\"]\nagents = [\"7001\"]").unwrap();
    let config = SimConfig::from_file(file.path()).unwrap();
    assert_eq!(config.password, "s3cret");
    assert_eq!(config.auth_mode, AuthMode::Dynamic);
    assert_eq!(config.poll_wait.as_millis(), 250);
    assert_eq!(config.vdns.len(), 1);
    assert_eq!(config.session_timeout, SimConfig::default().session_timeout);
}

#[test]
fn json_files_work_too() {
    let mut file = tempfile::Builder::new().suffix(".json").tempfile().unwrap();
    write!(file, r#"{{"password": "p", "guid_grace": 10}}"#).unwrap();
    let config = SimConfig::from_file(file.path()).unwrap();
    assert_eq!(config.guid_grace.as_millis(), 10);
    assert_eq!(config.vdns.len(), 2, "defaults kept");
}

#[test]
fn bad_files_are_rejected_with_a_reason() {
    let mut file = tempfile::Builder::new().suffix(".toml").tempfile().unwrap();
    writeln!(file, "[[vdns]]\nid = 1\ninspectors = [\"12\"]\nagents = []").unwrap();
    let error = SimConfig::from_file(file.path()).unwrap_err().to_string();
    assert!(error.contains("not an agent ID"), "{error}");
    let mut file = tempfile::Builder::new().suffix(".toml").tempfile().unwrap();
    writeln!(file, "pasword = \"typo\"").unwrap();
    assert!(
        SimConfig::from_file(file.path()).is_err(),
        "unknown fields are errors"
    );
}

#[test]
fn a_poll_that_outlasts_the_session_and_a_vdn_twice_are_refused() {
    let slow = SimConfig::default()
        .poll_wait(std::time::Duration::from_secs(60))
        .session_timeout(std::time::Duration::from_secs(30));
    let e = slow.validate().unwrap_err().to_string();
    assert!(e.contains("poll_wait"), "{e}");
    let mut twice = SimConfig::default();
    twice.vdns[1].id = twice.vdns[0].id;
    let e = twice.validate().unwrap_err().to_string();
    assert!(e.contains("VDN 1 is configured twice"), "{e}");
    SimConfig::default()
        .validate()
        .expect("the default is valid");
}
