//! Where the console's settings come from: flags beat a profile named with `--profile`
//! (in `<config dir>/ccgw/config.toml`), which beats the environment (`CCGW_GATEWAY`,
//! `CCGW_AGENT`): what a person names explicitly wins over what was left in the shell,
//! and a variable a profile overrides is named in a warning. The password never comes
//! from a flag's value nor from a profile.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use ccgw::Password;
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
    tenant_agents: Option<u32>,
    queues: Option<Vec<i32>>,
    agents: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    #[serde(default)]
    profiles: BTreeMap<String, Profile>,
    /// The alert rules, read by `ccgw watch` and the board (see `alerts::rules`).
    #[serde(default)]
    #[allow(dead_code)]
    alerts: Vec<toml::Value>,
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
    /// The tenant's size, if said (else the library's default).
    pub tenant_agents: Option<u32>,
    /// What to watch: skill queues (`None`: every queue of the VDN) and agents.
    pub watch: Watch,
}

/// What the board watches.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Watch {
    /// The skill queues (`None`: every queue of the VDN, or none when agents are named).
    pub queues: Option<Vec<ccgw::SkillId>>,
    /// Agents watched whatever their queues.
    pub agents: Vec<String>,
}

/// The configuration file: `<config dir>/ccgw/config.toml`.
pub fn config_path() -> Option<PathBuf> {
    dirs::config_dir().map(|d| d.join("ccgw").join("config.toml"))
}

/// The permission bits of `path` that group and others hold (Unix); none elsewhere.
fn shared_mode(path: &Path) -> std::io::Result<u32> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        Ok(std::fs::metadata(path)?.permissions().mode() & 0o077)
    }
    #[cfg(not(unix))]
    {
        std::fs::metadata(path).map(|_| 0)
    }
}

fn load_profile(path: &Path, name: &str) -> Result<Profile, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read the profile file {}: {e}", path.display()))?;
    // Anyone who can write it can point the console at their own "gateway".
    if shared_mode(path).is_ok_and(|mode| mode & 0o022 != 0) {
        errln!(
            "warning: others can write {}; run chmod go-w {}",
            path.display(),
            path.display()
        );
    }
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
    let mut profile = file
        .profiles
        .get(name)
        .cloned()
        .ok_or_else(|| format!("no profile {name:?} in {}", path.display()))?;
    // A relative CA file is where the settings file is, wherever the command runs.
    if let (Some(ca), Some(dir)) = (&profile.ca_cert, path.parent())
        && ca.is_relative()
    {
        profile.ca_cert = Some(dir.join(ca));
    }
    Ok(profile)
}

/// A variable of the environment, unless unset or empty.
fn from_env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// The profile's value, else the environment's; warns when both are set and differ.
fn profile_then_env(profile: Option<String>, variable: &str, name: &str) -> Option<String> {
    let env = from_env(variable);
    match (profile, env) {
        (Some(ours), Some(theirs)) => {
            if ours != theirs {
                errln!(
                    "warning: {variable} is set but profile {name:?} names another; using the profile's"
                );
            }
            Some(ours)
        }
        (ours, theirs) => ours.or(theirs),
    }
}

impl Settings {
    /// Flags first, then the profile named with `--profile`, then the environment.
    pub fn resolve(args: &ConnectionArgs) -> Result<Settings, String> {
        let name = args.profile.as_deref().unwrap_or_default();
        let mut profile = match &args.profile {
            Some(name) => {
                let path = config_path().ok_or("no configuration directory is known")?;
                load_profile(&path, name)?
            }
            None => Profile::default(),
        };
        // A flag makes both moot (and unwarned).
        if args.gateway.is_none() {
            profile.gateway = profile_then_env(profile.gateway, "CCGW_GATEWAY", name);
        }
        if args.agent.is_none() {
            profile.agent = profile_then_env(profile.agent, "CCGW_AGENT", name);
        }
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
            tenant_agents: args.tenant_agents.or(profile.tenant_agents),
            watch: Watch {
                queues: match args.queues.clone() {
                    Some(queues) => Some(queues),
                    None => skill_ids(profile.queues)?,
                },
                agents: args.agents.clone().or(profile.agents).unwrap_or_default(),
            },
        })
    }
}

/// The password, held as [`ccgw::Password`] from the moment it is read: from
/// `--password-file` (its first line; refused when group or others may read it), else
/// `CCGW_PASSWORD`, else a prompt without echo when standard input is a terminal.
pub fn password(args: &ConnectionArgs) -> Result<Password, String> {
    if let Some(path) = &args.password_file {
        let shared = shared_mode(path)
            .map_err(|e| format!("cannot read the password file {}: {e}", path.display()))?;
        if shared != 0 {
            return Err(format!(
                "the password file {} can be read or written by others (mode ...{:03o}); \
                 run chmod 600 {}",
                path.display(),
                shared,
                path.display()
            ));
        }
        let text = Password::from(
            std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read the password file {}: {e}", path.display()))?,
        );
        let first = text.first_line();
        if first.is_empty() {
            return Err(format!("the password file {} is empty", path.display()));
        }
        return Ok(first);
    }
    if let Ok(p) = std::env::var("CCGW_PASSWORD") {
        if p.is_empty() {
            return Err("CCGW_PASSWORD is set but empty".into());
        }
        return Ok(Password::from(p));
    }
    if std::io::stdin().is_terminal() {
        let typed = rpassword::prompt_password("password: ")
            .map(Password::from)
            .map_err(|e| format!("cannot read the password: {e}"))?;
        // Refused here like an empty file or variable, rather than sent to the gateway.
        if typed.is_empty() {
            return Err("the password typed is empty".into());
        }
        return Ok(typed);
    }
    Err(
        "set CCGW_PASSWORD or give --password-file (standard input is not a terminal, so \
         there is no prompt)"
            .into(),
    )
}

/// A profile's `queues`, each a skill queue ID.
fn skill_ids(queues: Option<Vec<i32>>) -> Result<Option<Vec<ccgw::SkillId>>, String> {
    queues
        .map(|ids| {
            ids.into_iter()
                .map(|id| ccgw::SkillId::new(id).map_err(|e| format!("the profile's queues: {e}")))
                .collect()
        })
        .transpose()
}
