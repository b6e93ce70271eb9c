//! Why reading the document or generating the client failed.

use std::fmt;

/// Why generation failed.
#[derive(Debug)]
pub enum Error {
    /// The document is not valid YAML or not an OpenAPI 3.0 document.
    Parse(String),
    /// The document parsed but breaks a rule this project relies on.
    Spec(String),
    /// progenitor could not generate a client from it.
    Progenitor(String),
    /// The generated tokens were not valid Rust.
    Format(String),
    /// The document could not be read.
    Io(String),
    /// progenitor's output no longer has the shape this codegen relies on (after an
    /// upgrade, say): generation stops rather than quietly producing something else.
    Shape(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Parse(m) => write!(f, "the OpenAPI document does not parse: {m}"),
            Error::Spec(m) => write!(f, "the OpenAPI document breaks a project rule: {m}"),
            Error::Progenitor(m) => write!(f, "progenitor failed: {m}"),
            Error::Format(m) => write!(f, "the generated code is not valid Rust: {m}"),
            Error::Io(m) => write!(f, "cannot read the OpenAPI document: {m}"),
            Error::Shape(m) => write!(f, "progenitor's output has an unexpected shape: {m}"),
        }
    }
}

impl std::error::Error for Error {}
