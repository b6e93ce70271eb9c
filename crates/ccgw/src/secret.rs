//! The password type, on the `secrecy` crate: zeroized when dropped, never printed.
//! (The Guid is kept out of sight by the session's headers, which never expose it.)

use std::fmt;

use secrecy::{ExposeSecret, SecretString};

/// An agent's password: wiped from memory when dropped; its `Debug` prints
/// `<redacted>`, and it has no `Display`.
///
/// ```
/// let password = ccgw::Password::from("secret");
/// assert_eq!(format!("{password:?}"), "Password(<redacted>)");
/// ```
#[derive(Clone)]
pub struct Password(SecretString);

impl Password {
    /// Wraps a password.
    pub fn new(password: impl Into<String>) -> Self {
        Password(SecretString::from(password.into()))
    }

    /// The password itself, for the sign-in request only.
    pub(crate) fn expose(&self) -> &str {
        self.0.expose_secret()
    }

    /// The first line of the text held, as a password of its own, for a password read
    /// from a file whose first line is the password (empty when the text is empty). The
    /// whole text never leaves the secret.
    ///
    /// ```
    /// let file = ccgw::Password::from("s3cret\nanything else\n");
    /// assert!(!file.first_line().is_empty());
    /// assert!(ccgw::Password::from("").first_line().is_empty());
    /// ```
    pub fn first_line(&self) -> Password {
        Password::new(self.expose().lines().next().unwrap_or_default())
    }

    /// Whether the password is empty.
    pub fn is_empty(&self) -> bool {
        self.expose().is_empty()
    }
}

impl From<&str> for Password {
    fn from(s: &str) -> Self {
        Password::new(s)
    }
}

impl From<String> for Password {
    fn from(s: String) -> Self {
        Password::new(s)
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}
