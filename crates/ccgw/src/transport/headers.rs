//! What a session adds to each of its requests and takes from each answer: the newest
//! Guid and the load balancer's cookies.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock, RwLockReadGuard};

use ccgw_api::hooks::{Interceptor, OperationInfo};
use reqwest::header::{COOKIE, HeaderName, HeaderValue, SET_COOKIE};

/// The Guid headers, named once rather than parsed on every request.
pub(crate) const GUID: HeaderName = HeaderName::from_static("guid");
const SET_GUID: HeaderName = HeaderName::from_static("set-guid");

/// What a session hands the generated builders for the Guid: [`SessionHeaders`] puts the
/// newest Guid in its place as the request leaves.
pub(crate) const GUID_PLACEHOLDER: &str = "";

/// What the session sends and receives beside each request body, shared with the generated client's hooks.
#[derive(Default)]
pub(crate) struct SessionHeaders {
    /// The newest Guid, with its header value made once rather than per request.
    guid: RwLock<Option<(Arc<str>, HeaderValue)>>,
    cookies: Mutex<Vec<(String, String)>>,
    /// The `Cookie` header for `cookies`, rebuilt only when they change.
    cookie_header: RwLock<Option<HeaderValue>>,
    rotations: AtomicU64,
}

impl SessionHeaders {
    fn read_guid(&self) -> RwLockReadGuard<'_, Option<(Arc<str>, HeaderValue)>> {
        self.guid.read().unwrap_or_else(|e| e.into_inner())
    }

    /// The newest Guid, if the session has one.
    pub(crate) fn guid(&self) -> Option<Arc<str>> {
        self.read_guid().as_ref().map(|(g, _)| g.clone())
    }

    fn is_current(&self, value: &str) -> bool {
        self.read_guid()
            .as_ref()
            .is_some_and(|(current, _)| **current == *value)
    }

    pub(crate) fn has_guid(&self) -> bool {
        self.read_guid().is_some()
    }

    /// Puts the newest Guid into `slot` unless it is there already, and marks it
    /// sensitive either way.
    fn refresh_guid(&self, slot: &mut HeaderValue) {
        match self.read_guid().as_ref() {
            Some((_, newest)) if slot != newest => *slot = newest.clone(),
            _ => slot.set_sensitive(true),
        }
    }

    /// How many times the gateway announced a different Guid after sign-in.
    pub(crate) fn rotations(&self) -> u64 {
        self.rotations.load(Ordering::Relaxed)
    }

    fn take_guid(&self, header: &HeaderValue) {
        let Ok(text) = header.to_str() else { return };
        let value = text.trim();
        let value = value.strip_prefix("JSESSIONID=").unwrap_or(value);
        if value.is_empty() || self.is_current(value) {
            return;
        }
        let Ok(mut header) = HeaderValue::try_from(value) else {
            return;
        };
        header.set_sensitive(true);
        let mut guid = self.guid.write().unwrap_or_else(|e| e.into_inner());
        match guid.as_ref() {
            Some((current, _)) if &**current == value => {}
            known => {
                if known.is_some() {
                    self.rotations.fetch_add(1, Ordering::Relaxed);
                    tracing::debug!("the gateway announced a new Guid");
                }
                *guid = Some((Arc::from(value), header));
            }
        }
    }

    fn take_cookie(&self, header: &HeaderValue) {
        let Ok(text) = header.to_str() else { return };
        let Some((name, value)) = text.split(';').next().and_then(|kv| kv.split_once('=')) else {
            return;
        };
        let (name, value) = (name.trim().to_owned(), value.trim().to_owned());
        let mut cookies = self.cookies.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(slot) = cookies.iter_mut().find(|(n, _)| *n == name) {
            if slot.1 == value {
                return;
            }
            slot.1 = value;
        } else if cookies.len() < 16 {
            cookies.push((name, value));
        } else {
            return;
        }
        let joined: Vec<String> = cookies.iter().map(|(n, v)| format!("{n}={v}")).collect();
        *self
            .cookie_header
            .write()
            .unwrap_or_else(|e| e.into_inner()) = HeaderValue::try_from(joined.join("; ")).ok();
    }

    fn cookie_header(&self) -> Option<HeaderValue> {
        self.cookie_header
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

impl Interceptor for SessionHeaders {
    fn before_send(&self, request: &mut reqwest::Request, _: &OperationInfo) {
        // Builders are given a placeholder: the newest Guid goes in only now, so that a
        // rotation announced while the request was being built is already followed.
        if let Some(slot) = request.headers_mut().get_mut(GUID) {
            self.refresh_guid(slot);
        }
        if let Some(cookie) = self.cookie_header() {
            request.headers_mut().insert(COOKIE, cookie);
        }
    }

    fn after_answer(&self, outcome: &reqwest::Result<reqwest::Response>, _: &OperationInfo) {
        let Ok(response) = outcome else { return };
        if let Some(guid) = response.headers().get(SET_GUID) {
            self.take_guid(guid);
        }
        for cookie in response.headers().get_all(SET_COOKIE) {
            self.take_cookie(cookie);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guid_is_taken_from_set_guid_and_rotations_counted() {
        let headers = SessionHeaders::default();
        headers.take_guid(&HeaderValue::from_static("JSESSIONID=abc.AgentGateway1"));
        assert_eq!(headers.guid().as_deref(), Some("abc.AgentGateway1"));
        assert_eq!(headers.rotations(), 0);
        headers.take_guid(&HeaderValue::from_static("JSESSIONID=abc.AgentGateway1"));
        assert_eq!(headers.rotations(), 0, "the same Guid again is no rotation");
        headers.take_guid(&HeaderValue::from_static("JSESSIONID=def"));
        assert_eq!(headers.guid().as_deref(), Some("def"));
        assert_eq!(headers.rotations(), 1);
        headers.take_guid(&HeaderValue::from_static("JSESSIONID="));
        assert_eq!(
            headers.guid().as_deref(),
            Some("def"),
            "empty values are ignored"
        );
    }

    #[test]
    fn cookies_are_kept_by_name_and_bounded() {
        let headers = SessionHeaders::default();
        headers.take_cookie(&HeaderValue::from_static("NSLB=1; Path=/; HttpOnly"));
        headers.take_cookie(&HeaderValue::from_static("OTHER=x"));
        headers.take_cookie(&HeaderValue::from_static("NSLB=2; Path=/"));
        assert_eq!(headers.cookie_header().unwrap(), "NSLB=2; OTHER=x");
        for i in 0..100 {
            headers.take_cookie(&HeaderValue::try_from(format!("c{i}=v")).unwrap());
        }
        assert!(headers.cookies.lock().unwrap().len() <= 16);
    }
}
