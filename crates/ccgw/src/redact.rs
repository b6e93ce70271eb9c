//! Redaction: what of untrusted text (an answer, a gateway message, input that should have
//! been an ID) may appear in an error, masked so that nothing that could be a Guid does.
//! Every excerpt in this crate comes from here.

/// The most characters of an answer kept in an error.
pub const EXCERPT_CHARS: usize = 120;

/// The most characters of rejected input kept in an error.
const INPUT_CHARS: usize = 24;

/// A short, masked excerpt of an answer body.
pub(crate) fn excerpt(body: &[u8]) -> String {
    let head = &body[..body.len().min(EXCERPT_CHARS * 4)];
    let text: String = String::from_utf8_lossy(head)
        .chars()
        .take(EXCERPT_CHARS)
        .collect();
    mask(&text)
}

/// Masks anything that could be a Guid: long runs of hex digits, dashes and dots, and
/// whatever follows `JSESSIONID=`.
pub(crate) fn mask(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        let hexish = run.chars().filter(|c| c.is_ascii_hexdigit()).count();
        if run.len() >= 16 && hexish >= 12 {
            out.push_str("<masked>");
        } else {
            out.push_str(run);
        }
        run.clear();
    };
    for c in text.chars() {
        if c.is_ascii_hexdigit()
            || c == '-'
            || c == '.'
            || (c.is_ascii_alphanumeric() && !run.is_empty())
        {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    match out.find("JSESSIONID=") {
        Some(at) => format!("{}JSESSIONID=<masked>", &out[..at]),
        None => out,
    }
}

/// The start of untrusted input (such as text that is no agent ID), masked, for an error.
pub(crate) fn short(text: &str) -> String {
    mask(&text.chars().take(INPUT_CHARS).collect::<String>())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_guids_but_keeps_ordinary_text() {
        let guid = "0f8fad5b-d9cb-469f-a165-70867728950e.AgentGateway1";
        let masked = mask(&format!("bad guid {guid} here"));
        assert!(!masked.contains("0f8fad5b"), "{masked}");
        assert!(masked.contains("bad guid"));
        assert_eq!(mask("retcode 100-006 for 1001"), "retcode 100-006 for 1001");
        assert_eq!(mask("x JSESSIONID=abc"), "x JSESSIONID=<masked>");
    }

    #[test]
    fn excerpts_are_short() {
        let long = vec![b'a'; 100_000];
        assert!(excerpt(&long).chars().count() <= EXCERPT_CHARS);
    }

    #[test]
    fn rejected_input_is_cut_and_masked() {
        assert_eq!(short("12ab"), "12ab");
        assert_eq!(short(&"x".repeat(100)).chars().count(), INPUT_CHARS);
        assert!(!short("0f8fad5b-d9cb-469f-a165").contains("0f8fad5b"));
    }
}
