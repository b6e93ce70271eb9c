//! The syntax of IDs on the wire, checked before anything is looked up.

/// Whether `s` is an agent ID: digits only, no leading zero, 101 to 999999.
pub fn is_agent_id(s: &str) -> bool {
    (3..=6).contains(&s.len())
        && s.bytes().all(|b| b.is_ascii_digit())
        && !s.starts_with('0')
        && s.parse::<u32>().is_ok_and(|n| n >= 101)
}

/// Whether `s` is a call ID: two groups of 1 to 20 digits joined by a dash.
pub fn is_call_id(s: &str) -> bool {
    match s.split_once('-') {
        Some((a, b)) => [a, b]
            .iter()
            .all(|g| (1..=20).contains(&g.len()) && g.bytes().all(|c| c.is_ascii_digit())),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agent_ids() {
        for ok in ["101", "1001", "59999", "999999"] {
            assert!(is_agent_id(ok), "{ok}");
        }
        for bad in ["", "100", "0101", "1000000", "12a", "-101", " 101"] {
            assert!(!is_agent_id(bad), "{bad}");
        }
    }

    #[test]
    fn call_ids() {
        assert!(is_call_id("1700000000-123"));
        for bad in ["", "1700000000", "-1", "1-", "a-1", "1-2-3"] {
            assert!(!is_call_id(bad), "{bad}");
        }
    }
}
