//! The auditor's key: with it, each line vouches for the one before by an HMAC-SHA-256
//! that only the key's holder can compute, so the journal's owner can no longer re-chain
//! an edited journal.

use std::fmt;
use std::path::Path;
use std::sync::Arc;

use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretSlice};
use sha2::Sha256;

use super::line::{JournalLine, hex, sha256_hex};
use crate::error::Error;
use crate::secret::Password;

/// The fewest bytes a key may have: an HMAC-SHA-256 key shorter than this is guessable.
pub const MIN_KEY_BYTES: usize = 16;

/// A key for an audit journal's chain, held by the auditor (never the inspector's
/// password). Wiped from memory when dropped; its `Debug` prints `<redacted>`.
///
/// ```
/// let key = ccgw::AuditKey::from_bytes(b"an auditor's key, 32 bytes long".to_vec()).unwrap();
/// assert_eq!(format!("{key:?}"), "AuditKey(<redacted>)");
/// assert!(ccgw::AuditKey::from_bytes(b"short".to_vec()).is_err());
/// ```
#[derive(Clone)]
pub struct AuditKey(Arc<SecretSlice<u8>>);

impl fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AuditKey(<redacted>)")
    }
}

impl AuditKey {
    /// A key of these bytes.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) when it has fewer than
    /// [`MIN_KEY_BYTES`] bytes.
    pub fn from_bytes(bytes: Vec<u8>) -> Result<AuditKey, Error> {
        if bytes.len() < MIN_KEY_BYTES {
            return Err(Error::invalid_input(format!(
                "an audit key needs at least {MIN_KEY_BYTES} bytes, e.g. from `head -c 32 \
                 /dev/urandom | base64`"
            )));
        }
        Ok(AuditKey(Arc::new(SecretSlice::from(bytes))))
    }

    /// The key in a file: its bytes, without a trailing line end. The file must be
    /// private to its owner (no access for group or others), as a key anyone can read
    /// vouches for nothing.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) when the file cannot be
    /// read, others may read it, or the key is too short.
    pub fn from_file(path: &Path) -> Result<AuditKey, Error> {
        let cannot = |e: std::io::Error| {
            Error::invalid_input(format!("cannot read the audit key {}: {e}", path.display()))
        };
        let file = std::fs::File::open(path).map_err(cannot)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = file.metadata().map_err(cannot)?.permissions().mode();
            if mode & 0o077 != 0 {
                return Err(Error::invalid_input(format!(
                    "the audit key {} may be read by others (mode {:o}): make it private \
                     with `chmod 600`",
                    path.display(),
                    mode & 0o777
                )));
            }
        }
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut &file, &mut bytes).map_err(cannot)?;
        while bytes.last().is_some_and(|b| matches!(b, b'\n' | b'\r')) {
            bytes.pop();
        }
        AuditKey::from_bytes(bytes)
    }

    /// Whether the key is this password (or its first line): a key the inspector knows
    /// lets the inspector re-chain the journal, so a program should refuse it.
    ///
    /// ```
    /// let key = ccgw::AuditKey::from_bytes(b"same as the password!".to_vec()).unwrap();
    /// assert!(key.is_password(&ccgw::Password::from("same as the password!")));
    /// ```
    pub fn is_password(&self, password: &Password) -> bool {
        self.0.expose_secret() == password.expose().as_bytes()
    }

    /// The HMAC-SHA-256 of `text` under the key, in hex.
    pub(crate) fn mac_hex(&self, text: &str) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(self.0.expose_secret())
            .expect("HMAC takes a key of any length");
        mac.update(text.as_bytes());
        hex(&mac.finalize().into_bytes())
    }
}

/// How a line vouches for the one before it: by that line's SHA-256, which anyone can
/// recompute, or by its HMAC-SHA-256 under a key only the auditor holds.
#[derive(Clone, Default)]
pub(crate) enum Chain {
    #[default]
    Plain,
    Keyed(AuditKey),
}

impl Chain {
    /// What the next line's `prev` holds for a line whose text is `text`.
    pub(crate) fn link(&self, text: &str) -> String {
        match self {
            Chain::Plain => sha256_hex(text),
            Chain::Keyed(key) => key.mac_hex(text),
        }
    }

    pub(crate) fn keyed(&self) -> bool {
        matches!(self, Chain::Keyed(_))
    }
}

impl Chain {
    /// Seals `line` with its own MAC when keyed: written without `mac`, then with it.
    pub(crate) fn seal(&self, mut line: JournalLine) -> String {
        line.mac = None;
        let text = serde_json::to_string(&line).expect("journal lines serialize");
        match self {
            Chain::Plain => text,
            Chain::Keyed(key) => {
                line.mac = Some(key.mac_hex(&text));
                serde_json::to_string(&line).expect("journal lines serialize")
            }
        }
    }

    /// Whether a keyed `line` carries its own MAC under this key (always, unkeyed).
    pub(crate) fn sealed(&self, line: &JournalLine) -> bool {
        match self {
            Chain::Plain => true,
            Chain::Keyed(key) => {
                let mut bare = line.clone();
                let mac = bare.mac.take();
                let text = serde_json::to_string(&bare).expect("journal lines serialize");
                mac.is_some_and(|mac| mac == key.mac_hex(&text))
            }
        }
    }
}
