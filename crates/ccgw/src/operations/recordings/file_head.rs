//! The head of a download's answer, and its body still to read.

use ccgw_api::Answer;
use ccgw_api::ByteStream;

/// What arrived of a download: its `Content-Type` and length, and the body as a stream.
pub(super) struct FileHead {
    content_type: Option<String>,
    pub(super) length: Option<u64>,
    pub(super) stream: ByteStream,
}

impl std::fmt::Debug for FileHead {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FileHead")
            .field("content_type", &self.content_type)
            .field("length", &self.length)
            .finish()
    }
}

impl FileHead {
    /// The head of `answer`.
    pub(super) fn of(
        answer: ccgw_api::ResponseValue<ByteStream>,
    ) -> ccgw_api::ResponseValue<FileHead> {
        let status = answer.status();
        let headers = answer.headers().clone();
        let content_type = headers
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let length = answer.content_length();
        let head = FileHead {
            content_type,
            length,
            stream: answer.into_inner(),
        };
        ccgw_api::ResponseValue::new(head, status, headers)
    }

    /// Whether the answer is JSON (a failure) rather than the file.
    pub(super) fn is_json(&self) -> bool {
        let essence = self
            .content_type
            .as_deref()
            .and_then(|t| t.split(';').next())
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        essence == "application/json" || essence == "text/json" || essence.ends_with("+json")
    }
}

/// The head of a file that arrived: the gateway's retcode is in the JSON answer it sends
/// instead, which the download reads apart.
impl Answer for FileHead {
    fn retcode(&self) -> &str {
        "0"
    }

    fn message(&self) -> &str {
        ""
    }
}
