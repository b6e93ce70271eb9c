//! Anchors: each new head of a journal, sent where its owner cannot rewrite it, the
//! system log. One RFC 5424 message a line written, holding the journal's identity, the
//! line's number and its SHA-256: nothing about an agent or a call.
//!
//! `verify` reads them back from any file of syslog lines: the message text is found
//! wherever the daemon's format puts it.

use std::fmt;
use std::io::Write;
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use super::line::{JournalHead, is_hash};
use crate::error::Error;

/// The longest a head may take to leave: connecting, and writing.
const ANCHOR_WAIT: Duration = Duration::from_secs(2);

/// What each anchor message's text starts with.
const MARK: &str = "ccgw audit head ";

/// `authpriv.notice`: Debian's rsyslog keeps `authpriv` in a file only root reads.
const PRIORITY: u8 = 10 * 8 + 5;

/// Where a journal's heads are sent: the local system log or a collector over TCP.
///
/// Read from `syslog` (the local socket `/dev/log`), `syslog:///path/to/socket` (another
/// local socket) or `syslog+tcp://host:port` (RFC 6587 framing by octet count).
///
/// ```
/// let anchor: ccgw::AuditAnchor = "syslog+tcp://127.0.0.1:6514".parse().unwrap();
/// assert_eq!(anchor.to_string(), "syslog+tcp://127.0.0.1:6514");
/// assert!("syslog+udp://127.0.0.1:514".parse::<ccgw::AuditAnchor>().is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuditAnchor {
    /// A local syslog socket (datagrams), `/dev/log` for `syslog`.
    Local(PathBuf),
    /// A syslog collector over TCP, `host:port`.
    Tcp(String),
}

impl FromStr for AuditAnchor {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self, Error> {
        if text == "syslog" {
            return Ok(AuditAnchor::Local(PathBuf::from("/dev/log")));
        }
        if let Some(path) = text.strip_prefix("syslog://")
            && path.starts_with('/')
        {
            return Ok(AuditAnchor::Local(PathBuf::from(path)));
        }
        if let Some(address) = text.strip_prefix("syslog+tcp://") {
            let address = address.trim_end_matches('/');
            if address.rsplit_once(':').is_some_and(|(host, port)| {
                !host.is_empty() && port.parse::<u16>().is_ok_and(|p| p > 0)
            }) {
                return Ok(AuditAnchor::Tcp(address.to_owned()));
            }
        }
        Err(Error::invalid_input(format!(
            "not an audit anchor: {text:?}; use syslog, syslog:///path/to/socket or \
             syslog+tcp://host:port"
        )))
    }
}

impl fmt::Display for AuditAnchor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AuditAnchor::Local(path) if path.as_os_str() == "/dev/log" => f.write_str("syslog"),
            AuditAnchor::Local(path) => write!(f, "syslog://{}", path.display()),
            AuditAnchor::Tcp(address) => write!(f, "syslog+tcp://{address}"),
        }
    }
}

/// An open way to the anchor, kept between writes.
enum Link {
    #[cfg(unix)]
    Local(std::os::unix::net::UnixDatagram),
    Tcp(TcpStream),
}

/// Sends heads to an [`AuditAnchor`], one at a time.
pub(crate) struct Anchoring {
    anchor: AuditAnchor,
    link: Mutex<Option<Link>>,
}

impl Anchoring {
    pub(crate) fn new(anchor: AuditAnchor) -> Self {
        Anchoring {
            anchor,
            link: Mutex::new(None),
        }
    }

    pub(crate) fn anchor(&self) -> &AuditAnchor {
        &self.anchor
    }

    /// Opens the link now, to find an anchor that cannot be reached before anything is
    /// journaled.
    pub(crate) fn reach(&self) -> Result<(), String> {
        let open = self.connect()?;
        *self.link.lock().unwrap_or_else(|e| e.into_inner()) = Some(open);
        Ok(())
    }

    /// Sends one head of the journal `journal`. A link that broke since the last head is
    /// opened again once.
    pub(crate) fn send(&self, journal: &str, head: &JournalHead) -> Result<(), String> {
        let message = message(journal, head);
        let mut link = self.link.lock().unwrap_or_else(|e| e.into_inner());
        if link.as_ref().is_some_and(|open| !open.alive()) {
            *link = None;
        }
        let mut last_error = String::new();
        for _ in 0..2 {
            let open = match link.take() {
                Some(open) => open,
                None => match self.connect() {
                    Ok(open) => open,
                    Err(e) => {
                        last_error = e;
                        continue;
                    }
                },
            };
            match open.write(&message) {
                Ok(()) => {
                    *link = Some(open);
                    return Ok(());
                }
                Err(e) => last_error = e.to_string(),
            }
        }
        Err(format!(
            "cannot send the head to {}: {last_error}",
            self.anchor
        ))
    }

    fn connect(&self) -> Result<Link, String> {
        match &self.anchor {
            #[cfg(unix)]
            AuditAnchor::Local(path) => {
                let socket =
                    std::os::unix::net::UnixDatagram::unbound().map_err(|e| e.to_string())?;
                socket
                    .set_write_timeout(Some(ANCHOR_WAIT))
                    .map_err(|e| e.to_string())?;
                socket.connect(path).map_err(|e| e.to_string())?;
                Ok(Link::Local(socket))
            }
            #[cfg(not(unix))]
            AuditAnchor::Local(_) => Err("no local syslog socket on this system".to_owned()),
            AuditAnchor::Tcp(address) => {
                let addresses: Vec<SocketAddr> = address
                    .to_socket_addrs()
                    .map_err(|e| e.to_string())?
                    .collect();
                let mut last = "the name has no address".to_owned();
                for to in addresses {
                    match TcpStream::connect_timeout(&to, ANCHOR_WAIT) {
                        Ok(stream) => {
                            stream
                                .set_write_timeout(Some(ANCHOR_WAIT))
                                .map_err(|e| e.to_string())?;
                            let _ = stream.set_nodelay(true);
                            return Ok(Link::Tcp(stream));
                        }
                        Err(e) => last = e.to_string(),
                    }
                }
                Err(last)
            }
        }
    }
}

impl Link {
    /// Whether the other end still listens: a collector that closed the connection makes
    /// the next write vanish without an error, so look before writing.
    fn alive(&self) -> bool {
        match self {
            #[cfg(unix)]
            Link::Local(_) => true,
            Link::Tcp(stream) => {
                if stream.set_nonblocking(true).is_err() {
                    return false;
                }
                let mut byte = [0u8; 1];
                let alive = match stream.peek(&mut byte) {
                    Ok(0) => false,
                    Ok(_) => true,
                    Err(e) => e.kind() == std::io::ErrorKind::WouldBlock,
                };
                stream.set_nonblocking(false).is_ok() && alive
            }
        }
    }

    fn write(&self, message: &str) -> std::io::Result<()> {
        match self {
            #[cfg(unix)]
            Link::Local(socket) => socket.send(message.as_bytes()).map(|_| ()),
            // RFC 6587 framing: the length in octets, a space, the message.
            Link::Tcp(stream) => {
                let mut stream: &TcpStream = stream;
                stream.write_all(format!("{} {message}", message.len()).as_bytes())
            }
        }
    }
}

/// One RFC 5424 message: priority, version, time, no host name (the daemon knows it),
/// app, process, message ID, no structured data, and the text.
fn message(journal: &str, head: &JournalHead) -> String {
    let at = humantime::format_rfc3339_millis(SystemTime::now());
    format!(
        "<{PRIORITY}>1 {at} - ccgw {} audit - {MARK}journal={journal} seq={} hash={}",
        std::process::id(),
        head.seq,
        head.hash
    )
}

/// A head found in a log, and the journal it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Anchored {
    pub(crate) journal: String,
    pub(crate) head: JournalHead,
}

/// Every head in `log`, a text of syslog lines in whatever format the daemon writes.
pub(crate) fn anchors_in(log: &str) -> Vec<Anchored> {
    log.lines()
        .filter_map(|line| {
            let (_, rest) = line.split_once(MARK)?;
            let mut journal = None;
            let mut seq = None;
            let mut hash = None;
            for word in rest.split_whitespace() {
                match word.split_once('=') {
                    Some(("journal", value)) if is_hash(value) => journal = Some(value),
                    Some(("seq", value)) => seq = value.parse().ok(),
                    Some(("hash", value)) if is_hash(value) => hash = Some(value),
                    _ => {}
                }
            }
            Some(Anchored {
                journal: journal?.to_ascii_lowercase(),
                head: JournalHead {
                    seq: seq?,
                    hash: hash?.to_ascii_lowercase(),
                },
            })
        })
        .collect()
}
