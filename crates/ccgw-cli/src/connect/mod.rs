//! Connecting as an inspector, for `ccgw console` and `ccgw board`: the settings (flags,
//! environment, profile), the password, the client and the sign-in request.

mod args;
mod settings;

use std::process::ExitCode;
use std::time::Duration;

use ccgw::{Client, Edition, ForceLogin, Recovery, SignIn};

pub use args::{ConnectionArgs, EditionArg};
pub use settings::{Settings, Watch, config_path};

/// What a command needs to sign in.
pub struct Connection {
    pub client: Client,
    pub request: SignIn,
    pub settings: Settings,
}

/// Could not start: exit status 2.
pub fn cannot_start(command: &str, why: impl std::fmt::Display) -> ExitCode {
    errln!("ccgw {command}: {why}");
    ExitCode::from(2)
}

/// Why a sign-in failed, for a person: the error with its causes, and for retcode 100-002
/// (already signed in) what to do about it.
pub fn sign_in_failed(e: &ccgw::Error) -> String {
    let mut why = format!("sign-in failed: {}", crate::stdio::Why(e));
    if e.is_already_signed_in() {
        why.push_str(
            "\nThe inspector is signed in elsewhere: another console, or one that ended without \
             signing out (a crash, a killed terminal). If no other program of this inspector is \
             running, start again with --force-login to take that session over; if one is, \
             taking over ends its session, so leave that one first.",
        );
    }
    why
}

/// Resolves the settings, reads the password and builds the client; nothing is sent.
pub fn prepare(args: &ConnectionArgs) -> Result<Connection, String> {
    prepare_with(args, |builder| builder)
}

/// Like [`prepare`], with a last say on the client's settings (`ccgw probe` adds its tap).
pub fn prepare_with(
    args: &ConnectionArgs,
    adjust: impl FnOnce(ccgw::ClientBuilder) -> ccgw::ClientBuilder,
) -> Result<Connection, String> {
    let settings = Settings::resolve(args)?;
    let key = match &args.audit_key {
        Some(path) if !args.no_audit => {
            Some(ccgw::AuditKey::from_file(path).map_err(|e| e.to_string())?)
        }
        _ => None,
    };
    let client = build_client(&settings, args, key.clone(), adjust)?;
    let agent = client
        .agent_id(&settings.agent)
        .map_err(|e| e.to_string())?;
    let password = settings::password(args)?;
    if key.is_some_and(|key| key.is_password(&password)) {
        return Err(
            "the audit key is the inspector's password: the key must be one only \
                    the auditor holds"
                .to_owned(),
        );
    }
    let force = if args.force_login {
        ForceLogin::OnConflict
    } else {
        ForceLogin::Never
    };
    let mut request = SignIn::new(agent, password)
        .phone(&settings.phone)
        .force(force);
    if args.recover {
        request = request.recover(Recovery::default().force(force));
    }
    Ok(Connection {
        client,
        request,
        settings,
    })
}

fn build_client(
    settings: &Settings,
    args: &ConnectionArgs,
    key: Option<ccgw::AuditKey>,
    adjust: impl FnOnce(ccgw::ClientBuilder) -> ccgw::ClientBuilder,
) -> Result<Client, String> {
    let mut builder = Client::builder(&settings.gateway)
        .request_timeout(Duration::from_secs(settings.timeout_secs))
        .poll_timeout(Duration::from_secs(
            args.poll_timeout
                .unwrap_or(ccgw::DEFAULT_POLL_TIMEOUT.as_secs()),
        ))
        .edition(match settings.edition {
            EditionArg::Classic => Edition::Classic,
            EditionArg::Newest => Edition::Newest,
        });
    if let Some(agents) = settings.tenant_agents {
        builder = builder.tenant_size(ccgw::TenantSize::new(
            agents,
            ccgw::TenantSize::DEFAULT.queues_per_agent(),
        ));
    }
    if !args.no_audit {
        let path = crate::audit::default_path()
            .ok_or("no folder is known for the audit journal: set CCGW_AUDIT or pass --no-audit")?;
        let mut journal = ccgw::AuditJournal::builder(&path);
        if let Some(key) = key {
            journal = journal.key(key);
        }
        if let Some(anchor) = &args.audit_anchor {
            journal = journal.anchor(anchor.clone());
        }
        let journal = journal
            .open()
            .map_err(|e| format!("{e} (set CCGW_AUDIT to another file, or pass --no-audit)"))?;
        builder = builder.audit_journal(std::sync::Arc::new(journal));
    }
    if let Some(path) = &settings.ca_cert {
        let pem =
            std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        builder = builder.add_root_certificate_pem(&pem);
    }
    if args.danger_accept_invalid_certs {
        errln!("WARNING: TLS certificates are not verified; the password can be intercepted");
        builder = builder.danger_accept_invalid_certs(true);
    }
    // The library's own rule, asked first so that the refusal names this program's flag.
    if ccgw::needs_insecure_http(&settings.gateway) {
        if !args.insecure_http {
            return Err(format!(
                "refusing plain http:// to {}: the password and the session's Guid would cross \
                 the network unencrypted; use https://, or pass --insecure-http to allow it",
                settings.gateway
            ));
        }
        errln!("WARNING: plain HTTP: the password and every Guid cross the network unencrypted");
        builder = builder.insecure_http(true);
    }
    adjust(builder).build().map_err(|e| e.to_string())
}
