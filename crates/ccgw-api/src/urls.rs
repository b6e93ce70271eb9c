//! The URL of each request, built without parsing a whole URL every time.
//!
//! reqwest wants a parsed [`Url`]. Formatting the URL as text and letting reqwest parse it
//! costs a full parse (scheme, host, IDNA, path) per request; this parses the base URL
//! once, builds each distinct path once, and then hands out clones. A session sends the
//! same few paths over and over (its own agent ID, the agents it inspects), so nearly
//! every request is a clone.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::{Mutex, OnceLock};

use reqwest::Url;

/// How many distinct URLs are kept; past that the cache starts over, so a client that
/// addresses many agents keeps a bounded memory.
const KEPT_URLS: usize = 4096;

/// The URLs built so far, by the hash of their segments; each with its segments, which
/// a lookup compares in full (a hash is never trusted alone).
#[derive(Default)]
struct Built {
    by_hash: HashMap<u64, Vec<KeptUrl>, BuildHasherDefault<TakeAsIs>>,
    count: usize,
}

/// A URL built before, with the segments it was built from.
type KeptUrl = (Vec<String>, Url);

/// The base URL parsed once, and the URLs built from it.
#[derive(Default)]
pub(crate) struct OperationUrls {
    /// The base URL text it was parsed from, and the outcome.
    base: OnceLock<(String, Result<Url, String>)>,
    built: Mutex<Built>,
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
        let hash = hash(segments);
        let mut built = self.built.lock().unwrap_or_else(|e| e.into_inner());
        let same = |(kept, _): &&KeptUrl| kept.iter().eq(segments.iter());
        if let Some((_, url)) = built.by_hash.get(&hash).and_then(|l| l.iter().find(same)) {
            return Ok(url.clone());
        }
        let url = append(parsed.clone(), segments)?;
        if built.count >= KEPT_URLS {
            *built = Built::default();
        }
        let segments = segments.iter().map(|s| (*s).to_owned()).collect();
        built
            .by_hash
            .entry(hash)
            .or_default()
            .push((segments, url.clone()));
        built.count += 1;
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

/// FNV-1a over each segment's length and bytes: cheap for the short paths of a gateway,
/// and two lists that join to the same text still hash apart.
fn hash(segments: &[&str]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for segment in segments {
        let length = (segment.len() as u32).to_le_bytes();
        for byte in length.iter().chain(segment.as_bytes()) {
            hash = (hash ^ u64::from(*byte)).wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    hash
}

/// A hasher for keys that are hashes already.
#[derive(Default)]
struct TakeAsIs(u64);

impl Hasher for TakeAsIs {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 = (self.0 << 8) | u64::from(*byte);
        }
    }

    fn write_u64(&mut self, value: u64) {
        self.0 = value;
    }
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
        assert_ne!(hash(&["ab", "c"]), hash(&["a", "bc"]));
    }

    #[test]
    fn a_url_kept_under_the_same_hash_for_other_segments_is_not_served() {
        let urls = OperationUrls::default();
        urls.get("http://gw", &["x"]).unwrap();
        let stranger = Url::parse("http://elsewhere/y").unwrap();
        let mut built = urls.built.lock().unwrap();
        let list = built.by_hash.get_mut(&hash(&["x"])).unwrap();
        list.insert(0, (vec!["y".to_owned()], stranger));
        drop(built);
        assert_eq!(
            urls.get("http://gw", &["x"]).unwrap().as_str(),
            "http://gw/x"
        );
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
        let built = urls.built.lock().unwrap();
        let kept: usize = built.by_hash.values().map(Vec::len).sum();
        assert!(kept <= KEPT_URLS && built.count == kept);
    }

    #[test]
    fn a_bad_base_is_an_error_every_time() {
        let urls = OperationUrls::default();
        assert!(urls.get("not a url", &["x"]).is_err());
        assert!(urls.get("not a url", &["x"]).is_err());
        assert!(urls.get("mailto:someone", &["x"]).is_err());
    }
}
