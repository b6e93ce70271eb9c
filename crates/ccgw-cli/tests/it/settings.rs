//! Where the console's settings come from: flags beat an explicitly named profile, which
//! beats CCGW_GATEWAY and CCGW_AGENT (with a warning when it overrides one); the password
//! comes from a file or a non-empty CCGW_PASSWORD, never a profile.

use crate::common;

use ccgw_sim::{DEFAULT_PASSWORD, SimConfig, Simulator};
use std::os::unix::fs::PermissionsExt;

use common::ccgw;

/// A config directory whose `ccgw/config.toml` holds `profiles`.
fn config_home(profiles: &str) -> tempfile::TempDir {
    let home = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(home.path().join("ccgw")).unwrap();
    std::fs::write(home.path().join("ccgw/config.toml"), profiles).unwrap();
    home
}

#[tokio::test]
async fn flags_beat_the_profile_which_beats_the_environment() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let url = sim.base_url();
    let home = config_home(&format!(
        "[profiles.lab]\ngateway = \"{url}\"\nagent = \"201\"\n"
    ));
    let xdg = home.path().to_str().unwrap();
    let password = ("CCGW_PASSWORD", DEFAULT_PASSWORD);
    let script = ["status", "quit"];

    let profile = ccgw(
        &["console", "--profile", "lab", "--json"],
        &[("XDG_CONFIG_HOME", xdg), password],
        &script,
    )
    .await;
    assert_eq!(profile.status, 0, "{}", profile.stderr);
    assert!(
        profile.stderr.contains("signed in as 201"),
        "{}",
        profile.stderr
    );

    let env_agent = ccgw(
        &["console", "--profile", "lab", "--json"],
        &[("XDG_CONFIG_HOME", xdg), ("CCGW_AGENT", "101"), password],
        &script,
    )
    .await;
    assert_eq!(env_agent.status, 0, "{}", env_agent.stderr);
    assert!(
        env_agent.stderr.contains("signed in as 201"),
        "the profile named on the command line beats a leftover variable: {}",
        env_agent.stderr
    );
    assert!(
        env_agent
            .stderr
            .contains("warning: CCGW_AGENT is set but profile \"lab\" names another"),
        "{}",
        env_agent.stderr
    );

    let dead = "http://127.0.0.1:9";
    let env_gateway = ccgw(
        &["console", "--profile", "lab", "--json"],
        &[("XDG_CONFIG_HOME", xdg), ("CCGW_GATEWAY", dead), password],
        &script,
    )
    .await;
    assert_eq!(
        env_gateway.status, 0,
        "the profile's gateway was used, not the leftover one: {}",
        env_gateway.stderr
    );
    assert!(env_gateway.stderr.contains("warning: CCGW_GATEWAY"));

    let without_profile = ccgw(
        &["console", "--json"],
        &[("CCGW_GATEWAY", &url), ("CCGW_AGENT", "101"), password],
        &script,
    )
    .await;
    assert_eq!(without_profile.status, 0, "{}", without_profile.stderr);
    assert!(without_profile.stderr.contains("signed in as 101"));
    assert!(!without_profile.stderr.contains("warning"));

    let flag = ccgw(
        &[
            "console",
            "--profile",
            "lab",
            "--gateway",
            &url,
            "--agent",
            "101",
            "--json",
        ],
        &[
            ("XDG_CONFIG_HOME", xdg),
            ("CCGW_GATEWAY", dead),
            ("CCGW_AGENT", "201"),
            password,
        ],
        &script,
    )
    .await;
    assert_eq!(
        flag.status, 0,
        "flags beat the environment: {}",
        flag.stderr
    );
    assert!(flag.stderr.contains("signed in as 101"));

    let missing = ccgw(
        &["console", "--profile", "nope"],
        &[("XDG_CONFIG_HOME", xdg), password],
        &script,
    )
    .await;
    assert_eq!(missing.status, 2);
    assert!(
        missing.stderr.contains("no profile \"nope\""),
        "{}",
        missing.stderr
    );
}

#[tokio::test]
async fn the_password_comes_from_a_file_and_never_from_a_profile() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let url = sim.base_url();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("password");
    std::fs::write(&file, format!("{DEFAULT_PASSWORD}\n")).unwrap();
    let mode = |bits| std::fs::set_permissions(&file, std::fs::Permissions::from_mode(bits));
    mode(0o644).unwrap();
    let shared = ccgw(
        &[
            "console",
            "--gateway",
            &url,
            "--agent",
            "101",
            "--password-file",
            file.to_str().unwrap(),
        ],
        &[],
        &["status", "quit"],
    )
    .await;
    assert_eq!(shared.status, 2, "{}", shared.stderr);
    assert!(shared.stderr.contains("chmod 600"), "{}", shared.stderr);
    assert_eq!(
        sim.received("signIn"),
        0,
        "refused before anything was sent"
    );
    mode(0o600).unwrap();
    let from_file = ccgw(
        &[
            "console",
            "--gateway",
            &url,
            "--agent",
            "101",
            "--password-file",
            file.to_str().unwrap(),
        ],
        &[("CCGW_PASSWORD", "wrong")],
        &["status", "quit"],
    )
    .await;
    assert_eq!(
        from_file.status, 0,
        "the file beats the environment: {}",
        from_file.stderr
    );

    let home = config_home(&format!(
        "[profiles.lab]\ngateway = \"{url}\"\nagent = \"101\"\npassword = \"{DEFAULT_PASSWORD}\"\n"
    ));
    let refused = ccgw(
        &["console", "--profile", "lab"],
        &[
            ("XDG_CONFIG_HOME", home.path().to_str().unwrap()),
            ("CCGW_PASSWORD", DEFAULT_PASSWORD),
        ],
        &["quit"],
    )
    .await;
    assert_eq!(refused.status, 2);
    assert!(refused.stderr.contains("password"), "{}", refused.stderr);
    assert!(
        !refused.stderr.contains(DEFAULT_PASSWORD),
        "the password is not echoed"
    );
}

#[tokio::test]
async fn a_profiles_relative_ca_file_is_beside_the_settings_file() {
    let home = config_home(
        "[profiles.lab]\ngateway = \"https://gateway.invalid:8043\"\nagent = \"101\"\nca_cert = \"lab-ca.pem\"\n",
    );
    let run = ccgw(
        &["console", "--profile", "lab"],
        &[
            ("XDG_CONFIG_HOME", home.path().to_str().unwrap()),
            ("CCGW_PASSWORD", DEFAULT_PASSWORD),
        ],
        &["quit"],
    )
    .await;
    assert_eq!(run.status, 2, "{}", run.stderr);
    let expected = home.path().join("ccgw").join("lab-ca.pem");
    assert!(
        run.stderr
            .contains(&format!("cannot read {}", expected.display())),
        "resolved against the settings file's folder, not the current one: {}",
        run.stderr
    );
}

#[tokio::test]
async fn an_empty_password_variable_is_refused_like_an_empty_file() {
    let run = ccgw(
        &[
            "console",
            "--gateway",
            "http://127.0.0.1:9",
            "--agent",
            "101",
        ],
        &[("CCGW_PASSWORD", "")],
        &["quit"],
    )
    .await;
    assert_eq!(run.status, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("CCGW_PASSWORD is set but empty"),
        "{}",
        run.stderr
    );
}

#[tokio::test]
async fn plain_http_to_another_host_needs_insecure_http_and_says_so() {
    let password = ("CCGW_PASSWORD", DEFAULT_PASSWORD);
    // A name that cannot resolve: nothing is ever sent anywhere, with or without the flag.
    let args = [
        "console",
        "--gateway",
        "http://gateway.invalid:8043",
        "--agent",
        "101",
    ];
    let refused = ccgw(&args, &[password], &["quit"]).await;
    assert_eq!(refused.status, 2, "{}", refused.stderr);
    assert!(
        refused.stderr.contains("refusing plain http://")
            && refused.stderr.contains("--insecure-http"),
        "{}",
        refused.stderr
    );
    let mut allowed_args = args.to_vec();
    allowed_args.push("--insecure-http");
    let allowed = ccgw(&allowed_args, &[password], &["quit"]).await;
    assert_eq!(allowed.status, 2, "{}", allowed.stderr);
    assert!(
        allowed.stderr.contains("WARNING: plain HTTP"),
        "{}",
        allowed.stderr
    );
    assert!(
        allowed.stderr.contains("sign-in failed"),
        "past the refusal, the name does not resolve: {}",
        allowed.stderr
    );
}

#[tokio::test]
async fn a_settings_file_others_can_write_is_named_in_a_warning() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let url = sim.base_url();
    let home = config_home(&format!(
        "[profiles.lab]\ngateway = \"{url}\"\nagent = \"101\"\n"
    ));
    let file = home.path().join("ccgw/config.toml");
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o666)).unwrap();
    let run = ccgw(
        &["console", "--profile", "lab"],
        &[
            ("XDG_CONFIG_HOME", home.path().to_str().unwrap()),
            ("CCGW_PASSWORD", DEFAULT_PASSWORD),
        ],
        &["quit"],
    )
    .await;
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("warning: others can write"),
        "{}",
        run.stderr
    );
}
