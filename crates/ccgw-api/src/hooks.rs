//! What every request of the generated [`Client`](crate::Client) passes through.
//!
//! progenitor lets the crate that holds the generated code implement its `ClientHooks`
//! trait; the orphan rule keeps any other crate from doing so. This module implements it
//! once and hands the decisions to an [`Interceptor`] that a wrapper crate provides, so the
//! session logic (Guid rotation, cookies, tracing) lives with the wrapper while this crate
//! stays generic.
//!
//! What the hooks always do:
//! * send `Content-Type: application/json; charset=UTF-8` on every request, as the gateway
//!   requires it even for requests without a body;
//! * cap the size of every answer body at its operation's bound ([`Hooks::answer_limit`],
//!   [`Hooks::answer_limits`]) while it streams in: a
//!   larger answer fails to read with an error whose source is [`AnswerTooLarge`], and no
//!   more than the limit is ever buffered;
//! * decode an answer by the `charset` its `Content-Type` names (GBK and GB18030 among
//!   them, as gateways with Chinese agent names send), so that the generated code always
//!   reads UTF-8; an answer that names none is read as UTF-8.

use std::fmt;
use std::sync::Arc;

use http_body_util::BodyExt;
pub use progenitor_client::OperationInfo;
use progenitor_client::{ClientHooks, ClientInfo, Error};
use reqwest::Url;
use reqwest::header::{CONTENT_TYPE, HeaderValue, USER_AGENT};

use crate::tap::AnswerTap;
use crate::urls::OperationUrls;

/// The largest answer body read by default: far above any real gateway answer.
pub const DEFAULT_ANSWER_LIMIT: usize = 1024 * 1024;

/// The `Content-Type` the gateway expects on every request.
pub const JSON_CONTENT_TYPE: &str = "application/json; charset=UTF-8";

/// Sees every request before it is sent and every outcome after it arrives.
///
/// Both methods run on the request's task and must not block.
pub trait Interceptor: Send + Sync + 'static {
    /// Called with the finished request just before it is sent.
    fn before_send(&self, request: &mut reqwest::Request, operation: &OperationInfo) {
        let _ = (request, operation);
    }

    /// Called with the outcome as soon as the answer's head arrived (the body is read
    /// later, by the generated code).
    fn after_answer(
        &self,
        outcome: &reqwest::Result<reqwest::Response>,
        operation: &OperationInfo,
    ) {
        let _ = (outcome, operation);
    }
}

/// The value every generated [`Client`](crate::Client) carries.
#[derive(Clone)]
pub struct Hooks {
    interceptor: Option<Arc<dyn Interceptor>>,
    answer_limit: usize,
    /// Operations with a bound of their own, by the name the hooks receive.
    answer_limits: Arc<[(&'static str, usize)]>,
    urls: Arc<OperationUrls>,
    user_agent: Option<HeaderValue>,
    tap: Option<Arc<dyn AnswerTap>>,
}

impl Default for Hooks {
    fn default() -> Self {
        Self {
            interceptor: None,
            answer_limit: DEFAULT_ANSWER_LIMIT,
            answer_limits: Arc::new([]),
            urls: Arc::default(),
            user_agent: None,
            tap: None,
        }
    }
}

impl fmt::Debug for Hooks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Hooks")
            .field("interceptor", &self.interceptor.is_some())
            .field("answer_limit", &self.answer_limit)
            .field("answer_limits", &self.answer_limits)
            .field("user_agent", &self.user_agent)
            .field("tap", &self.tap.is_some())
            .finish()
    }
}

impl Hooks {
    /// Hooks that hand every request and outcome to `interceptor`.
    pub fn with_interceptor(interceptor: Arc<dyn Interceptor>) -> Self {
        Self {
            interceptor: Some(interceptor),
            ..Self::default()
        }
    }

    /// Sends `value` as the `User-Agent` of every request, through these hooks rather than
    /// as a default header of the reqwest client (see BENCHMARKS.md for why).
    pub fn user_agent(mut self, value: HeaderValue) -> Self {
        self.user_agent = Some(value);
        self
    }

    /// Shows every answer to `tap` as it came off the wire (see [`crate::tap`]).
    pub fn tap(mut self, tap: Arc<dyn AnswerTap>) -> Self {
        self.tap = Some(tap);
        self
    }

    /// Sets the largest answer body that will be read, in bytes, for every operation
    /// without a bound of its own.
    pub fn answer_limit(mut self, bytes: usize) -> Self {
        self.answer_limit = bytes;
        self
    }

    /// Gives operations bounds of their own: `(name the hooks receive, bytes)`, such as
    /// a list of agents that grows with the tenant.
    pub fn answer_limits(
        mut self,
        limits: impl IntoIterator<Item = (&'static str, usize)>,
    ) -> Self {
        self.answer_limits = limits.into_iter().collect();
        self
    }

    /// The largest answer body read for `operation` (the name the hooks receive).
    pub fn answer_limit_of(&self, operation: &str) -> usize {
        self.answer_limits
            .iter()
            .find(|(name, _)| *name == operation)
            .map_or(self.answer_limit, |(_, bytes)| *bytes)
    }
}

/// The error behind a body read that stopped at the answer limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AnswerTooLarge {
    /// The limit that was reached, in bytes.
    pub limit: usize,
}

impl fmt::Display for AnswerTooLarge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the answer is larger than {} bytes", self.limit)
    }
}

impl std::error::Error for AnswerTooLarge {}

/// Whether `error`, or any error behind it, is an [`AnswerTooLarge`].
pub fn is_answer_too_large(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut next = Some(error);
    while let Some(e) = next {
        if e.is::<AnswerTooLarge>() {
            return true;
        }
        next = e.source();
    }
    false
}

fn cap_body(response: reqwest::Response, limit: usize) -> reqwest::Response {
    // A declared length within the limit is enforced by the HTTP layer already: leave
    // such answers as they are, which keeps the common path free of any conversion.
    if response
        .content_length()
        .is_some_and(|len| len <= limit as u64)
    {
        return response;
    }
    let response: http::Response<reqwest::Body> = response.into();
    let (parts, body) = response.into_parts();
    let capped = http_body_util::Limited::new(body, limit).map_err(
        move |e| -> Box<dyn std::error::Error + Send + Sync> {
            if e.is::<http_body_util::LengthLimitError>() {
                Box::new(AnswerTooLarge { limit })
            } else {
                e
            }
        },
    );
    http::Response::from_parts(parts, reqwest::Body::wrap(capped)).into()
}

/// The label the `charset` parameter of a `Content-Type` value names, as written
/// (`GBK` in `application/json; charset="GBK"`), if it names one.
///
/// ```
/// use ccgw_api::hooks::charset_label;
/// assert_eq!(charset_label("application/json; Charset=\"GBK\""), Some("GBK"));
/// assert_eq!(charset_label("application/json"), None);
/// ```
pub fn charset_label(content_type: &str) -> Option<&str> {
    content_type.split(';').skip(1).find_map(|param| {
        let (name, value) = param.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| value.trim().trim_matches('"'))
    })
}

/// The encoding the `charset` parameter of `content_type` names, when it is one other
/// than UTF-8 (`None` for UTF-8, no charset, or a label nobody knows; the JSON decoder then
/// reads the bytes as UTF-8 and reports any that are not).
fn foreign_charset(content_type: &HeaderValue) -> Option<&'static encoding_rs::Encoding> {
    let text = content_type.to_str().ok()?;
    // Only text is re-encoded: a file's bytes are what they are, whatever label it has.
    let essence = text.split(';').next().unwrap_or_default().trim();
    if essence.eq_ignore_ascii_case("application/octet-stream") {
        return None;
    }
    let label = charset_label(text)?;
    // The common answer names UTF-8: settle it without the label table.
    if label.eq_ignore_ascii_case("utf-8") || label.eq_ignore_ascii_case("utf8") {
        return None;
    }
    let encoding = encoding_rs::Encoding::for_label(label.as_bytes())?;
    (encoding != encoding_rs::UTF_8).then_some(encoding)
}

/// Re-encodes an answer in a charset other than UTF-8 as UTF-8 (read whole, within the
/// answer limit that `response` already carries), naming UTF-8 in its `Content-Type`.
async fn as_utf8(
    response: reqwest::Response,
    encoding: &'static encoding_rs::Encoding,
) -> reqwest::Result<reqwest::Response> {
    let response: http::Response<reqwest::Body> = response.into();
    let (mut parts, body) = response.into_parts();
    let bytes = reqwest::Response::from(http::Response::new(body))
        .bytes()
        .await?;
    let (text, _) = encoding.decode_without_bom_handling(&bytes);
    let utf8 = text.into_owned().into_bytes();
    parts.headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=UTF-8"),
    );
    parts
        .headers
        .insert(http::header::CONTENT_LENGTH, HeaderValue::from(utf8.len()));
    Ok(http::Response::from_parts(parts, reqwest::Body::from(utf8)).into())
}

impl ClientHooks<Hooks> for crate::Client {
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        info: &OperationInfo,
    ) -> Result<(), Error<E>> {
        let headers = request.headers_mut();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static(JSON_CONTENT_TYPE));
        if let Some(agent) = &self.inner().user_agent {
            headers.insert(USER_AGENT, agent.clone());
        }
        if let Some(interceptor) = &self.inner().interceptor {
            interceptor.before_send(request, info);
        }
        Ok(())
    }

    async fn post<E>(
        &self,
        result: &reqwest::Result<reqwest::Response>,
        info: &OperationInfo,
    ) -> Result<(), Error<E>> {
        if let Some(interceptor) = &self.inner().interceptor {
            interceptor.after_answer(result, info);
        }
        Ok(())
    }

    async fn exec(
        &self,
        request: reqwest::Request,
        info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        let started = std::time::Instant::now();
        let response = self.client().execute(request).await?;
        let limit = self.inner().answer_limit_of(info.operation_id);
        let mut response = cap_body(response, limit);
        // A file is streamed to disk: a tap does not read it whole. The operation is
        // looked up only when a tap is set, so that requests without one pay nothing.
        if let Some(tap) = &self.inner().tap
            && !crate::operations::by_hook_id(info.operation_id).is_some_and(|o| o.answers_file)
        {
            response = crate::tap::tapped(response, tap.as_ref(), info, started).await?;
        }
        match response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(foreign_charset)
        {
            Some(encoding) => as_utf8(response, encoding).await,
            None => Ok(response),
        }
    }
}

impl crate::Client {
    /// The URL of an operation: the base URL with `segments` appended, each
    /// percent-encoded as one path segment. The generated code calls it for every request
    /// (see `ccgw-codegen`); see [`OperationUrls`] for why.
    pub(crate) fn operation_url(&self, segments: &[&str]) -> Result<Url, String> {
        self.inner.urls.get(&self.baseurl, segments)
    }

    /// Sends `request`, which the document does not describe, through the same hooks as
    /// every generated operation (headers, the interceptor, the answer size cap), and
    /// decodes a 200 answer's JSON body as `T`. Any other status is
    /// [`Error::UnexpectedResponse`], as for a generated operation.
    ///
    /// The request is sent once; the interceptor sees it as operation `undocumented`.
    pub async fn send_undocumented<T: serde::de::DeserializeOwned>(
        &self,
        mut request: reqwest::Request,
    ) -> Result<crate::ResponseValue<T>, Error<()>> {
        let info = OperationInfo {
            operation_id: UNDOCUMENTED_OPERATION,
        };
        self.pre::<()>(&mut request, &info).await?;
        let result = self.exec(request, &info).await;
        self.post::<()>(&result, &info).await?;
        let response = result.map_err(Error::CommunicationError)?;
        match response.status().as_u16() {
            200 => crate::ResponseValue::from_response(response).await,
            _ => Err(Error::UnexpectedResponse(response)),
        }
    }
}

/// The operation name hooks see for [`Client::send_undocumented`](crate::Client::send_undocumented).
pub const UNDOCUMENTED_OPERATION: &str = "undocumented";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_charsets_other_than_utf8_are_foreign() {
        let named = |text: &'static str| foreign_charset(&HeaderValue::from_static(text));
        assert_eq!(
            named("application/json;charset=GBK"),
            Some(encoding_rs::GBK)
        );
        assert_eq!(
            named("application/json; Charset=\"gb18030\""),
            Some(encoding_rs::GB18030)
        );
        assert_eq!(named("application/json;charset=UTF-8"), None);
        assert_eq!(named("application/json;charset=utf8"), None);
        assert_eq!(named("application/json"), None);
        assert_eq!(named("application/json;charset=no-such-thing"), None);
        assert_eq!(
            named("application/octet-stream;charset=GBK"),
            None,
            "a file's bytes are never re-encoded"
        );
    }
}
