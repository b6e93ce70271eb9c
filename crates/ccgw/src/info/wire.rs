//! Reading the loosely typed values of query answers: numbers sent as strings, and
//! fields any gateway may leave out.

use std::time::{Duration, SystemTime};

use ccgw_api::types::NumberOrText;
use serde_json::Value;

use crate::error::Error;

/// A malformed-answer error naming the field.
pub(crate) fn malformed(field: &str, why: impl std::fmt::Display) -> Error {
    Error::malformed(b"", format!("{field}: {why}"))
}

/// A non-negative code sent as a number or a string of digits.
pub(crate) fn code(field: &str, value: &NumberOrText) -> Result<u32, Error> {
    match value {
        NumberOrText::Int64(n) => u32::try_from(*n).map_err(|_| malformed(field, "out of range")),
        NumberOrText::String(s) => s
            .trim()
            .parse()
            .map_err(|_| malformed(field, "not a number")),
    }
}

/// `text` without the NULs some gateways pad it with and the spaces around it, as Huawei's
/// own clients read it.
pub(crate) fn stripped(text: &str) -> &str {
    text.trim_matches(|c: char| c == '\0' || c.is_whitespace())
}

/// A number sent as a number or as text (NULs and spaces around it ignored); `None` for
/// text that holds no number.
pub(crate) fn number(value: &NumberOrText) -> Option<i64> {
    match value {
        NumberOrText::Int64(n) => Some(*n),
        NumberOrText::String(s) => stripped(s).parse().ok(),
    }
}

/// [`number`] for an untyped JSON value (an event's content, an answer of unknown shape).
pub(crate) fn json_number(value: &Value) -> Option<i64> {
    value
        .as_i64()
        .or_else(|| stripped(value.as_str()?).parse().ok())
}

/// A field gateways send as a number or a string (work numbers, phone numbers), as text.
pub(crate) fn text(value: &impl std::fmt::Display) -> String {
    value.to_string()
}

/// A time in milliseconds since 1970; zero and negative values mean "none".
pub(crate) fn instant(millis: Option<i64>) -> Option<SystemTime> {
    let millis = u64::try_from(millis?).ok().filter(|m| *m > 0)?;
    SystemTime::UNIX_EPOCH.checked_add(Duration::from_millis(millis))
}
