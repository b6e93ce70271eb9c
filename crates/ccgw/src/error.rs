//! One error type for everything that can go wrong, with a kind a program can match on.
//! Messages never carry the password or a Guid; excerpts of answers are short and masked.

use std::fmt;

use crate::redact::{excerpt, mask};

/// What kind of transport failure happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransportKind {
    /// No connection could be made; nothing was sent.
    Connect,
    /// The TLS handshake failed (certificate not trusted, wrong host, ...); nothing was sent.
    Tls,
    /// No answer in time; the request may have reached the gateway.
    Timeout,
    /// The connection broke; the request may have reached the gateway.
    Other,
}

/// What went wrong, for matching.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The input was rejected before anything was sent.
    InvalidInput,
    /// The request or its answer was lost on the way.
    Transport(TransportKind),
    /// Something in front of the gateway (a load balancer, a proxy) answered with this
    /// HTTP status instead of the gateway.
    HttpStatus(u16),
    /// The answer was not the JSON the gateway sends.
    MalformedAnswer,
    /// The answer was larger than the client's limit.
    AnswerTooLarge,
    /// The gateway answered with a failure retcode.
    Gateway,
    /// The session was signed out; sign in again.
    SessionClosed,
    /// An awaited event did not arrive in time.
    EventTimeout,
    /// The gateway's overload budget for queue and agent-group queries had no room within
    /// the wait allowed; nothing was sent. See
    /// [`ClientBuilder::overload_budget`](crate::ClientBuilder::overload_budget).
    OverBudget,
    /// A file on this machine could not be written (a download's target): the source
    /// says why. Nothing that looks whole was left.
    LocalFile,
    /// The gateway accepted a playback but could not play it (`AgentMediaEvent_Play_Fail`).
    PlaybackFailed,
    /// The gateway's overload budget refused a query (retcode 000-007): more queue or
    /// agent-group queries of this inspector in its window than it allows. The client
    /// paces its own queries, but pacing is per client: another program querying as the
    /// same inspector counts too. A read-only query refused so was already sent again
    /// once, after the window; a state-changing request never is.
    Overloaded,
    /// The audit journal could not record a state-changing request before it was sent
    /// (it cannot be written or synced, its last line is torn, its head cannot be
    /// anchored): the request was refused and nothing was sent.
    AuditJournal,
}

impl fmt::Display for TransportKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TransportKind::Connect => "could not connect",
            TransportKind::Tls => "TLS failed",
            TransportKind::Timeout => "timed out",
            TransportKind::Other => "connection broken",
        })
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ErrorKind::InvalidInput => f.write_str("invalid input"),
            ErrorKind::Transport(kind) => write!(f, "transport: {kind}"),
            ErrorKind::HttpStatus(status) => write!(f, "HTTP status {status}"),
            ErrorKind::MalformedAnswer => f.write_str("malformed answer"),
            ErrorKind::AnswerTooLarge => f.write_str("answer too large"),
            ErrorKind::Gateway => f.write_str("refused by the gateway"),
            ErrorKind::SessionClosed => f.write_str("session closed"),
            ErrorKind::OverBudget => f.write_str("over the overload budget"),
            ErrorKind::EventTimeout => f.write_str("event timeout"),
            ErrorKind::LocalFile => f.write_str("local file"),
            ErrorKind::PlaybackFailed => f.write_str("playback failed"),
            ErrorKind::AuditJournal => f.write_str("audit journal"),
            ErrorKind::Overloaded => f.write_str("overloaded"),
        }
    }
}

/// A retcode the gateway answered with, its known meaning and the gateway's message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Retcode {
    code: String,
    message: String,
}

impl fmt::Display for Retcode {
    /// The code with its meaning, `100-006 (the agent is not signed in)`, or with
    /// `(a code the document does not know)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.meaning() {
            Some(meaning) => write!(f, "{} ({meaning})", self.code),
            None => write!(f, "{} (a code the document does not know)", self.code),
        }
    }
}

impl std::str::FromStr for Retcode {
    type Err = Error;

    /// A retcode from its code, such as `100-006` (without a gateway message).
    fn from_str(code: &str) -> Result<Self, Error> {
        let code = code.trim();
        let valid = code.len() == 7
            && code.as_bytes()[3] == b'-'
            && code
                .bytes()
                .enumerate()
                .all(|(i, b)| i == 3 || b.is_ascii_digit());
        if valid {
            Ok(Retcode::new(code, ""))
        } else {
            Err(Error::invalid_input(format!(
                "{:?} is not a retcode such as 100-006",
                excerpt(code.as_bytes())
            )))
        }
    }
}

impl Retcode {
    /// A retcode with the gateway's message.
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        Retcode {
            code: code.into(),
            message: message.into(),
        }
    }

    /// The code, verbatim, such as `100-006`.
    pub fn code(&self) -> &str {
        &self.code
    }

    /// The gateway's own message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// What the code means, from the document's `x-retcode-meanings`; `None` for a code
    /// it does not know.
    pub fn meaning(&self) -> Option<&'static str> {
        ccgw_api::operations::RETCODE_MEANINGS
            .iter()
            .find(|(c, _)| *c == self.code)
            .map(|(_, m)| *m)
    }
}

/// The error of every fallible call in this crate. Boxed, so that results stay small.
pub struct Error(Box<Inner>);

struct Inner {
    kind: ErrorKind,
    message: String,
    operation: Option<&'static str>,
    retcode: Option<Retcode>,
    excerpt: Option<String>,
    may_have_reached: bool,
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl Error {
    pub(crate) fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error(Box::new(Inner {
            kind,
            message: message.into(),
            operation: None,
            retcode: None,
            excerpt: None,
            may_have_reached: false,
            source: None,
        }))
    }

    pub(crate) fn invalid_input(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidInput, message)
    }

    pub(crate) fn gateway(retcode: Retcode) -> Self {
        let mut e = if retcode.code == "000-007" {
            Self::new(
                ErrorKind::Overloaded,
                "the gateway's overload budget refused the query; pacing is per client, so \
                 another program querying as this inspector counts too",
            )
        } else {
            Self::new(ErrorKind::Gateway, "the gateway refused the request")
        };
        e.0.retcode = Some(retcode);
        e.0.may_have_reached = true;
        e
    }

    pub(crate) fn malformed(body: &[u8], why: impl fmt::Display) -> Self {
        let mut e = Self::new(
            ErrorKind::MalformedAnswer,
            format!("the answer is not what a gateway sends: {why}"),
        );
        e.0.excerpt = Some(excerpt(body));
        e.0.may_have_reached = true;
        e
    }

    pub(crate) fn http_status(status: u16, body: &[u8]) -> Self {
        let mut e = Self::new(
            ErrorKind::HttpStatus(status),
            format!("HTTP {status} from something in front of the gateway"),
        );
        e.0.excerpt = Some(excerpt(body));
        // A 502/503 from a load balancer usually means the gateway never saw it; a 504 or
        // anything else might not: only a toggle-free retry decision may rely on this.
        e.0.may_have_reached = !matches!(status, 502 | 503);
        e
    }

    /// A redirect, never followed: it would carry the password or the Guid to wherever it
    /// points. It names the host it pointed to, never the path or query (they may hold
    /// values); the request reached something at the gateway's address.
    pub(crate) fn redirected(status: u16, to_host: Option<&str>) -> Self {
        let to = to_host.map_or_else(
            || "elsewhere".to_owned(),
            |host| format!("to host {}", mask(host)),
        );
        let mut e = Self::new(
            ErrorKind::HttpStatus(status),
            format!(
                "HTTP {status}: the gateway's address redirects {to}; not followed (a \
                 redirect would carry the password and the session's Guid); check the \
                 gateway URL"
            ),
        );
        e.0.may_have_reached = true;
        e
    }

    pub(crate) fn with_operation(mut self, log_name: &'static str) -> Self {
        self.0.operation = Some(log_name);
        self
    }

    pub(crate) fn reached(mut self, reached: bool) -> Self {
        self.0.may_have_reached = reached;
        self
    }

    pub(crate) fn with_source(
        mut self,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        self.0.source = Some(Box::new(source));
        self
    }

    /// What went wrong.
    pub fn kind(&self) -> ErrorKind {
        self.0.kind
    }

    /// The gateway's retcode, when it answered with one.
    pub fn retcode(&self) -> Option<&Retcode> {
        self.0.retcode.as_ref()
    }

    /// The gateway's log name of the operation that failed, when there was one.
    pub fn operation(&self) -> Option<&'static str> {
        self.0.operation
    }

    /// A short, masked excerpt of an answer that could not be used.
    pub fn excerpt(&self) -> Option<&str> {
        self.0.excerpt.as_deref()
    }

    /// Whether the request may have reached the gateway (and so may have changed state).
    /// When true, do not resend a state-changing request blindly.
    pub fn may_have_reached_gateway(&self) -> bool {
        self.0.may_have_reached
    }

    fn has_code(&self, code: &str) -> bool {
        self.0.retcode.as_ref().is_some_and(|r| r.code == code)
    }

    /// Retcode 000-007: the gateway's overload budget refused the query
    /// ([`ErrorKind::Overloaded`]).
    pub fn is_overloaded(&self) -> bool {
        self.0.kind == ErrorKind::Overloaded
    }

    /// Retcode 100-006: the agent (inspector or target) is not signed in.
    pub fn is_not_signed_in(&self) -> bool {
        self.has_code("100-006")
    }

    /// Retcode 000-003: no permission, typically because the session's Guid expired.
    pub fn is_auth_expired(&self) -> bool {
        self.has_code("000-003")
    }

    /// Retcode 100-002: the agent is already signed in elsewhere.
    pub fn is_already_signed_in(&self) -> bool {
        self.has_code("100-002")
    }

    /// Retcode 200-025, from a force-release of a call: there is no call to drop, as it
    /// already ended. Real gateways answer so; dropping is idempotent in effect, so a
    /// caller may treat it as done.
    pub fn is_no_call_to_drop(&self) -> bool {
        self.has_code("200-025")
    }

    /// Retcode 100-004: wrong agent ID or password.
    pub fn is_wrong_password(&self) -> bool {
        self.has_code("100-004")
    }

    /// Whether the request or its answer was lost on the way.
    pub fn is_transport(&self) -> bool {
        matches!(self.0.kind, ErrorKind::Transport(_))
    }

    /// Whether no answer came in time.
    pub fn is_timeout(&self) -> bool {
        self.0.kind == ErrorKind::Transport(TransportKind::Timeout)
    }

    /// Whether TLS failed (an untrusted certificate, a wrong host name, ...).
    pub fn is_tls(&self) -> bool {
        self.0.kind == ErrorKind::Transport(TransportKind::Tls)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(op) = self.0.operation {
            write!(f, "{op}: ")?;
        }
        f.write_str(&self.0.message)?;
        if let Some(r) = &self.0.retcode {
            write!(f, ": retcode {r}")?;
            if !r.message.is_empty() {
                write!(f, ", gateway says {:?}", mask(&r.message))?;
            }
        }
        match &self.0.excerpt {
            Some(x) if x.is_empty() => f.write_str(" (empty answer)")?,
            Some(x) => write!(f, " (answer began {x:?})")?,
            None => {}
        }
        Ok(())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("kind", &self.0.kind)
            .field("operation", &self.0.operation)
            .field("retcode", &self.0.retcode)
            .field("may_have_reached_gateway", &self.0.may_have_reached)
            .field("message", &self.to_string())
            .finish()
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0
            .source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_answer_is_called_empty() {
        let e = Error::malformed(b"", "EOF while parsing");
        assert!(e.to_string().ends_with("(empty answer)"), "{e}");
    }

    #[test]
    fn known_codes_have_meanings_and_unknown_ones_stay_verbatim() {
        assert_eq!(
            Retcode::new("100-006", "").meaning(),
            Some("the agent is not signed in")
        );
        let unknown = Retcode::new("123-456", "odd");
        assert_eq!(unknown.meaning(), None);
        let e = Error::gateway(unknown);
        assert!(e.to_string().contains("123-456"));
        assert_eq!(e.kind(), ErrorKind::Gateway);
    }
}
