//! The URL of each request, built without parsing a whole URL every time.
//!
//! reqwest wants a parsed [`Url`]. Formatting the URL as text and letting reqwest parse it
//! costs a full parse (scheme, host, IDNA, path) per request; this parses the base URL
//! once, builds each distinct path once, and then hands out clones. A session sends the
//! same few paths over and over (its own agent ID, the agents it inspects), so nearly
//! every request is a clone.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use reqwest::Url;

/// How many distinct URLs are kept; past that the cache starts over, so a client that
/// addresses many agents keeps a bounded memory.
const KEPT_URLS: usize = 4096;

/// The base URL parsed once, and the URLs built from it, by path.
#[derive(Default)]
pub(crate) struct OperationUrls {
    /// The base URL text it was parsed from, and the outcome.
    base: OnceLock<(String, Result<Url, String>)>,
    built: Mutex<HashMap<Vec<u8>, Url>>,
}

impl OperationUrls {
    /// `base` with `segments` appended, each percent-encoded as one path segment.
    pub(crate) fn get(&self, base: &str, segments: &[&str]) -> Result<Url, String> {
        let (text, parsed) = self.base.get_or_init(|| (base.to_owned(), parse(base)));
        if text != base {
            // Hooks cloned from a client with another base URL: build without the cache.
            return append(parse(base)?, segments);
        }
        let parsed = parsed.as_ref().map_err(Clone::clone)?;
        let key = key(segments);
        let mut built = self.built.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(url) = built.get(&key) {
            return Ok(url.clone());
        }
        let url = append(parsed.clone(), segments)?;
        if built.len() >= KEPT_URLS {
            built.clear();
        }
        built.insert(key, url.clone());
        Ok(url)
    }
}

fn parse(base: &str) -> Result<Url, String> {
    Url::parse(base).map_err(|e| format!("the base URL is not valid: {e}"))
}

fn append(mut url: Url, segments: &[&str]) -> Result<Url, String> {
    url.path_segments_mut()
        .map_err(|()| "the base URL cannot take a path".to_owned())?
        .pop_if_empty()
        .extend(segments);
    Ok(url)
}

/// Each segment's length, then its bytes: two different lists never share a key, whatever
/// the segments hold.
fn key(segments: &[&str]) -> Vec<u8> {
    let mut key = Vec::with_capacity(segments.iter().map(|s| s.len() + 4).sum());
    for segment in segments {
        key.extend_from_slice(&(segment.len() as u32).to_le_bytes());
        key.extend_from_slice(segment.as_bytes());
    }
    key
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_are_encoded_and_a_trailing_slash_of_the_base_is_not_doubled() {
        let urls = OperationUrls::default();
        let url = urls
            .get("http://gw:8043/prefix/", &["a", "b/c", "d e"])
            .unwrap();
        assert_eq!(url.as_str(), "http://gw:8043/prefix/a/b%2Fc/d%20e");
        let again = urls
            .get("http://gw:8043/prefix/", &["a", "b/c", "d e"])
            .unwrap();
        assert_eq!(again, url);
    }

    #[test]
    fn lists_that_join_to_the_same_text_get_different_urls() {
        let urls = OperationUrls::default();
        let one = urls.get("http://gw", &["ab", "c"]).unwrap();
        let two = urls.get("http://gw", &["a", "bc"]).unwrap();
        assert_ne!(one, two);
        assert_ne!(key(&["ab", "c"]), key(&["a", "bc"]));
    }

    #[test]
    fn a_different_base_is_never_served_from_the_cache() {
        let urls = OperationUrls::default();
        urls.get("http://first", &["x"]).unwrap();
        let url = urls.get("http://second/", &["x"]).unwrap();
        assert_eq!(url.as_str(), "http://second/x");
    }

    #[test]
    fn the_cache_stays_bounded() {
        let urls = OperationUrls::default();
        for i in 0..KEPT_URLS + 10 {
            urls.get("http://gw", &["agent", &i.to_string()]).unwrap();
        }
        assert!(urls.built.lock().unwrap().len() <= KEPT_URLS);
    }

    #[test]
    fn a_bad_base_is_an_error_every_time() {
        let urls = OperationUrls::default();
        assert!(urls.get("not a url", &["x"]).is_err());
        assert!(urls.get("not a url", &["x"]).is_err());
        assert!(urls.get("mailto:someone", &["x"]).is_err());
    }
}
