//! Classifying what came back from one request: an answer whose retcode is checked, or a
//! failure turned into a typed [`Error`] that says whether the request may have reached
//! the gateway (the one fact that decides whether anything may be sent again).

use ccgw_api::Answer;
use ccgw_api::types::CommonAnswer;

use crate::error::{Error, ErrorKind, Retcode, TransportKind};

/// Success for retcode `"0"`, a gateway error otherwise. The NULs some gateways pad
/// strings with, and spaces, are stripped first, as Huawei's own clients do: `"0\0\0"`
/// is a success.
pub(crate) fn check<T: Answer>(answer: T) -> Result<T, Error> {
    let clean = |text: &str| {
        text.trim_matches(|c: char| c == '\0' || c.is_whitespace())
            .to_owned()
    };
    let code = clean(answer.retcode());
    if code == "0" {
        Ok(answer)
    } else {
        Err(Error::gateway(Retcode::new(code, clean(answer.message()))))
    }
}

/// The retcode and message of an answer read as plain JSON, where the document's type
/// does not fit it: the retcode as text or a number, the message when it is text.
#[derive(Debug)]
pub(crate) struct LooseAnswer {
    retcode: String,
    message: String,
}

impl LooseAnswer {
    /// `None` when `answer` has no retcode a gateway would send.
    pub(crate) fn of(answer: &serde_json::Value) -> Option<LooseAnswer> {
        let retcode = match answer.get("retcode")? {
            serde_json::Value::String(code) => code.clone(),
            serde_json::Value::Number(code) => code.to_string(),
            _ => return None,
        };
        let message = answer["message"].as_str().unwrap_or_default().to_owned();
        Some(LooseAnswer { retcode, message })
    }
}

impl Answer for LooseAnswer {
    fn retcode(&self) -> &str {
        &self.retcode
    }

    fn message(&self) -> &str {
        &self.message
    }
}

/// The answer to [`Session::send_raw`](crate::Session::send_raw) and
/// [`decode_answer`]: the common envelope, its retcode already checked.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct RawAnswer {
    /// The gateway's message.
    pub message: String,
    /// The `result`, as sent; `None` when absent or `null`.
    pub result: Option<serde_json::Value>,
}

/// Decodes the body of a quality-control answer exactly as a session does: the JSON of
/// the common answer, then its retcode; a success gives its message and `result`. Never
/// panics, whatever the bytes.
///
/// ```
/// assert!(ccgw::decode_answer(br#"{"message":"","retcode":"0","result":{}}"#).is_ok());
/// let refused = ccgw::decode_answer(br#"{"message":"","retcode":"100-006"}"#).unwrap_err();
/// assert!(refused.is_not_signed_in());
/// assert_eq!(ccgw::decode_answer(b"<html>").unwrap_err().kind(), ccgw::ErrorKind::MalformedAnswer);
/// ```
///
/// # Errors
///
/// [`ErrorKind::MalformedAnswer`] when the body is not the common answer;
/// [`ErrorKind::Gateway`] for a retcode other than `"0"` ([`ErrorKind::Overloaded`] for
/// 000-007).
pub fn decode_answer(body: &[u8]) -> Result<RawAnswer, Error> {
    let answer: CommonAnswer =
        serde_json::from_slice(body).map_err(|e| Error::malformed(body, e))?;
    let answer = check(answer)?;
    Ok(RawAnswer {
        message: answer.message.unwrap_or_default(),
        result: answer.result.filter(|r| !r.is_null()),
    })
}

/// No answer within the limit: the request may have reached the gateway.
pub(super) fn timed_out() -> Error {
    Error::new(ErrorKind::Transport(TransportKind::Timeout), TIMED_OUT).reached(true)
}

const TIMED_OUT: &str = "no answer in time; the gateway may have acted on the request";

/// What kind of transport failure this is.
pub(super) fn transport_kind(e: &reqwest::Error) -> TransportKind {
    if is_tls(e) {
        TransportKind::Tls
    } else if e.is_connect() {
        TransportKind::Connect
    } else if e.is_timeout() {
        TransportKind::Timeout
    } else {
        TransportKind::Other
    }
}

/// Whether a TLS library's error sits anywhere behind `e` (io errors hide theirs in
/// `get_ref`).
fn is_tls(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut next: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(e) = next {
        #[cfg(feature = "rustls")]
        if e.is::<rustls::Error>() {
            return true;
        }
        #[cfg(feature = "native-tls")]
        if e.is::<native_tls::Error>() {
            return true;
        }
        // After the handshake, native-tls hands OpenSSL's own error up inside an io::Error.
        #[cfg(all(
            feature = "native-tls",
            not(any(target_os = "windows", target_vendor = "apple"))
        ))]
        if e.is::<openssl::ssl::Error>() || e.is::<openssl::error::ErrorStack>() {
            return true;
        }
        if let Some(io) = e.downcast_ref::<std::io::Error>()
            && let Some(inner) = io.get_ref()
            && is_tls(inner)
        {
            return true;
        }
        next = e.source();
    }
    false
}

/// The most bytes of an unexpected answer read for its excerpt.
const EXCERPT_READ: usize = 512;

/// Turns a generated-layer error into ours.
pub(crate) async fn from_api(error: ccgw_api::Error<()>) -> Error {
    use ccgw_api::Error as Api;
    match error {
        Api::InvalidRequest(why) => Error::invalid_input(why),
        // An answer re-encoded from another charset is read whole by the hooks, so its
        // size limit shows here.
        Api::CommunicationError(e) if ccgw_api::hooks::is_answer_too_large(&e) => too_large(),
        Api::CommunicationError(e) => transport(e),
        Api::ResponseBodyError(e) if ccgw_api::hooks::is_answer_too_large(&e) => too_large(),
        Api::ResponseBodyError(e) => transport(e),
        Api::InvalidResponsePayload(body, e) => Error::malformed(&body, e),
        Api::UnexpectedResponse(response) if response.status().is_redirection() => {
            let status = response.status().as_u16();
            let to = response
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|l| l.to_str().ok())
                .and_then(|l| response.url().join(l).ok());
            Error::redirected(status, to.as_ref().and_then(reqwest::Url::host_str))
        }
        Api::UnexpectedResponse(mut response) => {
            let status = response.status().as_u16();
            let mut head = Vec::new();
            while head.len() < EXCERPT_READ {
                match response.chunk().await {
                    Ok(Some(chunk)) => head.extend_from_slice(&chunk),
                    _ => break,
                }
            }
            Error::http_status(status, &head)
        }
        Api::ErrorResponse(value) => Error::http_status(value.status().as_u16(), b""),
        Api::InvalidUpgrade(e) => transport(e),
        Api::Custom(why) => {
            Error::new(ErrorKind::Transport(TransportKind::Other), why).reached(true)
        }
    }
}

fn too_large() -> Error {
    Error::new(
        ErrorKind::AnswerTooLarge,
        "the answer is larger than the client's limit",
    )
    .reached(true)
}

pub(crate) fn transport(e: reqwest::Error) -> Error {
    let kind = transport_kind(&e);
    let (message, reached) = match kind {
        TransportKind::Connect => ("could not connect to the gateway; nothing was sent", false),
        // Only a failure while connecting (the handshake: an untrusted certificate, say)
        // means nothing was sent; a TLS failure later may follow a written request.
        TransportKind::Tls if e.is_connect() => (
            "TLS failed while connecting (is the gateway's certificate trusted for this \
             host?); nothing was sent",
            false,
        ),
        TransportKind::Tls => (
            "TLS failed after connecting; the gateway may have acted on the request",
            true,
        ),
        TransportKind::Timeout => (TIMED_OUT, true),
        TransportKind::Other => (
            "the connection broke; the gateway may have acted on the request",
            true,
        ),
    };
    // reqwest's messages name the URL: agent IDs only, never the Guid (a header).
    Error::new(ErrorKind::Transport(kind), message)
        .reached(reached)
        .with_source(e)
}

/// A malformed-answer error for a body already in hand (used where the generated layer
/// does not decode, such as missing headers).
pub(crate) fn missing_header(what: &str) -> Error {
    Error::malformed(b"", format!("the answer has no {what}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpt_of_html_is_short() {
        let e = decode_answer(&b"<html>".repeat(1000)).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::MalformedAnswer);
        assert!(e.excerpt().unwrap().len() <= 4 * crate::redact::EXCERPT_CHARS);
    }

    #[test]
    fn a_decoded_answer_keeps_its_result_and_drops_a_null_one() {
        let answer = decode_answer(br#"{"message":"ok","retcode":"0","result":{"a":1}}"#);
        let answer = answer.unwrap();
        assert_eq!(answer.message, "ok");
        assert_eq!(answer.result, Some(serde_json::json!({"a": 1})));
        let answer = decode_answer(br#"{"message":"","retcode":"0","result":null}"#);
        assert_eq!(answer.unwrap().result, None);
    }

    #[test]
    fn a_loose_answer_keeps_the_gateways_words() {
        let answer = serde_json::json!({"retcode": 104005, "message": "no such file"});
        let e = check(LooseAnswer::of(&answer).unwrap()).unwrap_err();
        let retcode = e.retcode().unwrap();
        assert_eq!(
            (retcode.code(), retcode.message()),
            ("104005", "no such file")
        );
    }
}
