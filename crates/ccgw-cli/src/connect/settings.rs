//! Where the console's settings come from: flags beat the environment (`CCGW_GATEWAY`,
//! `CCGW_AGENT`), which beats a named profile in `<config dir>/ccgw/config.toml`. The
//! password never comes from a flag's value nor from a profile.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::args::{ConnectionArgs, EditionArg};

/// One profile of the configuration file. A `password` key is refused: passwords are
/// never stored there.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Profile {
    gateway: Option<String>,
    agent: Option<String>,
    phone: Option<String>,
    ca_cert: Option<PathBuf>,
    edition: Option<EditionArg>,
    timeout: Option<u64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    #[serde(default)]
    profiles: BTreeMap<String, Profile>,
}

/// The settings in force, whatever their source.
#[derive(Debug, Clone)]
pub struct Settings {
    pub gateway: String,
    pub agent: String,
    pub phone: String,
    pub ca_cert: Option<PathBuf>,
    pub edition: EditionArg,
    pub timeout_secs: u64,
}

/// The configuration file: `<config dir>/ccgw/config.toml`.
pub fn config_path() -> Option<PathBuf> {
    dirs::config_dir().map(|d| d.join("ccgw").join("config.toml"))
}

fn load_profile(path: &Path, name: &str) -> Result<Profile, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read the profile file {}: {e}", path.display()))?;
    // The error's message only: its full text quotes the line, which could be a secret.
    let file: ConfigFile = toml::from_str(&text).map_err(|e| {
        let line = e
            .span()
            .map_or(0, |s| text[..s.start].matches('\n').count() + 1);
        let path = path.display();
        format!(
            "{path} line {line}: {} (passwords never go in profiles)",
            e.message()
        )
    })?;
    file.profiles
        .get(name)
        .cloned()
        .ok_or_else(|| format!("no profile {name:?} in {}", path.display()))
}

impl Settings {
    /// Flags (and, through clap, their environment variables) first, then the profile.
    pub fn resolve(args: &ConnectionArgs) -> Result<Settings, String> {
        let profile = match &args.profile {
            Some(name) => {
                let path = config_path().ok_or("no configuration directory is known")?;
                load_profile(&path, name)?
            }
            None => Profile::default(),
        };
        let needed = |flag: &Option<String>, from_profile: Option<String>, what: &str| {
            flag.clone().or(from_profile).ok_or_else(|| {
                format!(
                    "no {what}: give --{what}, set CCGW_{}, or use --profile",
                    what.to_uppercase()
                )
            })
        };
        Ok(Settings {
            gateway: needed(&args.gateway, profile.gateway, "gateway")?,
            agent: needed(&args.agent, profile.agent, "agent")?,
            phone: args.phone.clone().or(profile.phone).unwrap_or_default(),
            ca_cert: args.ca_cert.clone().or(profile.ca_cert),
            edition: args
                .edition
                .or(profile.edition)
                .unwrap_or(EditionArg::Classic),
            timeout_secs: args.timeout.or(profile.timeout).unwrap_or(10).max(1),
        })
    }
}

/// The password: from `--password-file` (its first line), else `CCGW_PASSWORD`, else a
/// prompt without echo when standard input is a terminal.
pub fn password(args: &ConnectionArgs) -> Result<String, String> {
    if let Some(path) = &args.password_file {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read the password file {}: {e}", path.display()))?;
        let first = text.lines().next().unwrap_or_default();
        if first.is_empty() {
            return Err(format!("the password file {} is empty", path.display()));
        }
        return Ok(first.to_owned());
    }
    if let Ok(p) = std::env::var("CCGW_PASSWORD") {
        return Ok(p);
    }
    if std::io::stdin().is_terminal() {
        return rpassword::prompt_password("password: ")
            .map_err(|e| format!("cannot read the password: {e}"));
    }
    Err(
        "set CCGW_PASSWORD or give --password-file (standard input is not a terminal, so \
         there is no prompt)"
            .into(),
    )
}
