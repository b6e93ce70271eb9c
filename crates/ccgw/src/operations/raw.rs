//! The escape hatch: a request to an interface this crate does not type yet, sent with
//! the session's Guid and cookies, and never to anywhere but the gateway's resource root.

use ccgw_api::operations::Operation;
use reqwest::Url;
use reqwest::header::HeaderValue;

use super::method::Method;
pub use crate::transport::classify::RawAnswer;
use serde::Deserialize;
use serde_json::Value;

use ccgw_api::Answer;

use crate::error::Error;
use crate::session::Session;
use crate::session::send::{About, Journaled, settle};
use crate::transport::headers::{GUID, GUID_PLACEHOLDER};
use crate::transport::send::run;

/// Where every interface of the gateway lives, below the base URL.
pub const RESOURCE_ROOT: &str = "agentgateway/resource/";

/// How an undocumented request is named in spans and errors. It may change state, so
/// like every such request it is never sent twice.
const UNDOCUMENTED: Operation = Operation {
    id: ccgw_api::hooks::UNDOCUMENTED_OPERATION,
    hook_id: ccgw_api::hooks::UNDOCUMENTED_OPERATION,
    log_name: ccgw_api::hooks::UNDOCUMENTED_OPERATION,
    state_changing: true,
    toggle: false,
    inspection: false,
    // Decided per path by `is_budgeted`.
    overload_budget: false,
    answer_entries: ccgw_api::operations::AnswerEntries::Few,
    answers_file: false,
};

#[derive(Debug, Deserialize)]
struct Envelope {
    #[serde(default)]
    message: Option<String>,
    retcode: String,
    #[serde(default)]
    result: Option<Value>,
}

impl Answer for Envelope {
    fn retcode(&self) -> &str {
        &self.retcode
    }

    fn message(&self) -> &str {
        self.message.as_deref().unwrap_or_default()
    }
}

/// The URL of `path` below the resource root of `base_url`, or why it is refused: an
/// absolute URL, a path starting with `/`, or one that leaves the root (`..`) could send
/// the Guid elsewhere.
pub(crate) fn resource_url(base_url: &str, path: &str) -> Result<Url, Error> {
    let refuse = |why: &str| Error::invalid_input(format!("the path {path:?} {why}"));
    if path.is_empty() || path.starts_with('/') || path.starts_with('\\') {
        return Err(refuse(&format!("must be relative to {RESOURCE_ROOT}")));
    }
    if path.contains('#') {
        return Err(refuse("must not carry a fragment"));
    }
    let root = Url::parse(&format!(
        "{}/{RESOURCE_ROOT}",
        base_url.trim_end_matches('/')
    ))
    .map_err(|e| Error::invalid_input(format!("the gateway URL is not valid: {e}")))?;
    let url = root
        .join(path)
        .map_err(|_| refuse("is not a valid URL path"))?;
    if url.origin() != root.origin() || !url.path().starts_with(root.path()) {
        return Err(refuse(&format!("leaves {RESOURCE_ROOT}")));
    }
    Ok(url)
}

/// Whether `url` (checked by [`resource_url`]) is a queue-device or agent-group request,
/// which the gateway's overload budget counts.
fn is_budgeted(url: &Url) -> bool {
    let path = url.path();
    let area = path
        .find(RESOURCE_ROOT)
        .and_then(|at| path[at + RESOURCE_ROOT.len()..].split('/').next());
    matches!(area, Some("queuedevice" | "agentgroup"))
}

impl Session {
    /// Sends a request to an interface this crate does not type yet: `path` is relative
    /// to `agentgateway/resource/` (such as `agentgroup/101/allagentstatus`, with any
    /// query string), `body` is sent as JSON. The session's Guid and cookies go with it,
    /// a rotated Guid is taken from the answer, and the common answer is decoded: a
    /// retcode other than `"0"` is an error.
    ///
    /// An absolute URL, a path starting with `/` or one that leaves the resource root is
    /// refused before anything is sent, so the Guid never goes to another host. Like every
    /// request that may change state, it is never sent twice.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sim = ccgw_sim::Simulator::start(ccgw_sim::SimConfig::default()).await?;
    /// # let client = ccgw::Client::builder(sim.base_url()).build()?;
    /// # let password = ccgw_sim::DEFAULT_PASSWORD;
    /// use ccgw::Method;
    /// let session = client.sign_in(ccgw::SignIn::new("101".parse()?, password)).await?;
    /// let answer = session.send_raw(Method::GET, "queuedevice/101/skillwaitnum/1", None).await?;
    /// assert_eq!(answer.result, Some(serde_json::json!(2)));
    /// let refused = session.send_raw(Method::GET, "https://elsewhere.example/x", None).await;
    /// assert_eq!(refused.unwrap_err().kind(), ccgw::ErrorKind::InvalidInput);
    /// session.sign_out().await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) for a refused path,
    /// [`ErrorKind::Gateway`](crate::ErrorKind::Gateway) for a retcode other than `"0"`,
    /// and the transport and answer errors of every request.
    pub async fn send_raw(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<RawAnswer, Error> {
        let url = resource_url(self.client().base_url(), path)?;
        let inner = self.inner();
        inner.ready()?;
        let http = &inner.client.inner.http;
        let attempts = inner.client.inner.attempts();
        // A raw queue-device or agent-group query counts against the budget like a typed one.
        let _place = inner.budget_place(is_budgeted(&url)).await?;
        // A request other than a GET may change state: the journal records it, by method
        // only (a path or query string may carry values).
        let operation = format!("{} {method}", UNDOCUMENTED.log_name);
        let journaled = if method == Method::GET {
            None
        } else {
            Journaled::intent(inner, &operation, About::default())
                .map_err(|e| e.with_operation(UNDOCUMENTED.log_name))?
        };
        let answer: Result<Envelope, Error> = run(
            &UNDOCUMENTED,
            attempts,
            self.agent_id().as_str(),
            None,
            || !inner.is_closing(),
            || inner.headers.rotations(),
            || {
                let mut request = http
                    .request(method.to_http(), url.clone())
                    // The hooks put the newest Guid in place, as for every request.
                    .header(GUID, HeaderValue::from_static(GUID_PLACEHOLDER));
                if let Some(body) = body {
                    request = request.json(body);
                }
                async move {
                    let request = request
                        .build()
                        .map_err(|e| ccgw_api::Error::InvalidRequest(e.to_string()))?;
                    inner.api.send_undocumented(request).await
                }
            },
        )
        .await;
        settle(inner, journaled, &answer);
        let answer = answer?;
        Ok(RawAnswer {
            message: answer.message.unwrap_or_default(),
            result: answer.result.filter(|r| !r.is_null()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queue_device_and_agent_group_paths_are_budgeted_wherever_they_resolve() {
        let base = "http://127.0.0.1:1/prefix";
        let budgeted = |path: &str| is_budgeted(&resource_url(base, path).unwrap());
        assert!(budgeted("queuedevice/101/skillwaitnum/1"));
        assert!(budgeted("agentgroup/101/allagentstatus?x=1"));
        assert!(budgeted("onlineagent/../agentgroup/101/allonlineagents"));
        assert!(!budgeted("onlineagent/101/agentstatus"));
        assert!(!budgeted("qualitycontrol/101/queuedevice"));
    }

    #[test]
    fn only_paths_below_the_resource_root_are_accepted() {
        let base = "https://gw.example:8043";
        let ok = resource_url(base, "agentgroup/101/allagentstatus?x=1").unwrap();
        assert_eq!(
            ok.as_str(),
            "https://gw.example:8043/agentgateway/resource/agentgroup/101/allagentstatus?x=1"
        );
        let prefixed = resource_url("https://gw.example/prefix/", "a/b").unwrap();
        assert_eq!(prefixed.path(), "/prefix/agentgateway/resource/a/b");
        for bad in [
            "",
            "/agentgateway/resource/a",
            "https://elsewhere.example/agentgateway/resource/a",
            "//elsewhere.example/a",
            "../../etc",
            "a/../../b",
            "%2e%2e/%2e%2e/x",
            "a#frag",
            "\\\\evil/x",
            "http:elsewhere",
        ] {
            assert!(resource_url(base, bad).is_err(), "{bad:?} accepted");
        }
    }
}
