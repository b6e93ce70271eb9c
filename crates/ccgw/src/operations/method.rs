//! The HTTP method of a raw request ([`Session::send_raw`](crate::Session::send_raw)): this
//! crate's own, so that a new major version of the HTTP client underneath is not a
//! breaking change of `ccgw`. The gateway's routes use just these four.

use std::fmt;

/// The HTTP method of a raw request: `GET`, `POST`, `PUT` or `DELETE`.
///
/// ```
/// assert_eq!(ccgw::Method::PUT.to_string(), "PUT");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Method(Verb);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Verb {
    Get,
    Post,
    Put,
    Delete,
}

impl Method {
    /// `GET`: a query; never journaled.
    pub const GET: Method = Method(Verb::Get);
    /// `POST`.
    pub const POST: Method = Method(Verb::Post);
    /// `PUT`.
    pub const PUT: Method = Method(Verb::Put);
    /// `DELETE`.
    pub const DELETE: Method = Method(Verb::Delete);

    /// The method's name, as sent.
    pub fn as_str(self) -> &'static str {
        match self.0 {
            Verb::Get => "GET",
            Verb::Post => "POST",
            Verb::Put => "PUT",
            Verb::Delete => "DELETE",
        }
    }

    pub(crate) fn to_http(self) -> reqwest::Method {
        match self.0 {
            Verb::Get => reqwest::Method::GET,
            Verb::Post => reqwest::Method::POST,
            Verb::Put => reqwest::Method::PUT,
            Verb::Delete => reqwest::Method::DELETE,
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
