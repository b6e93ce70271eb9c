//! Properties of the answer decoder and the ID parsers: no input makes them panic, and
//! every valid ID round-trips.

use ccgw::{AgentId, CallId, Edition, ErrorKind, Skills, decode_answer};
use proptest::prelude::*;

fn arbitrary_json() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<f64>().prop_map(serde_json::Value::from),
        ".{0,20}".prop_map(serde_json::Value::from),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(serde_json::Value::from),
            prop::collection::hash_map("(message|retcode|result|[a-z]{1,8})", inner, 0..8)
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..4096)) {
        if let Err(e) = decode_answer(&bytes) {
            prop_assert!(matches!(
                e.kind(),
                ErrorKind::MalformedAnswer | ErrorKind::Gateway | ErrorKind::Overloaded
            ));
            // Whatever came in, what an error keeps of it stays short.
            prop_assert!(e.to_string().len() < 2048);
        }
    }

    #[test]
    fn arbitrary_json_never_panics(value in arbitrary_json()) {
        let bytes = serde_json::to_vec(&value).unwrap();
        match decode_answer(&bytes) {
            Ok(answer) => prop_assert!(answer.result.as_ref().is_none_or(|r| !r.is_null())),
            Err(e) => prop_assert!(matches!(
                e.kind(),
                ErrorKind::MalformedAnswer | ErrorKind::Gateway | ErrorKind::Overloaded
            )),
        }
    }

    #[test]
    fn answers_with_a_string_retcode_decode(code in "[0-9]{3}-[0-9]{3}", message in ".{0,40}") {
        let body = serde_json::json!({"message": message, "retcode": code, "result": null});
        let e = decode_answer(&serde_json::to_vec(&body).unwrap()).unwrap_err();
        let kind = if code == "000-007" { ErrorKind::Overloaded } else { ErrorKind::Gateway };
        prop_assert_eq!(e.kind(), kind);
        prop_assert_eq!(e.retcode().unwrap().code(), code.as_str());
    }

    #[test]
    fn valid_agent_ids_round_trip(n in 101u32..=999_999) {
        let newest = AgentId::from_number(Edition::Newest, n).unwrap();
        prop_assert_eq!(AgentId::parse_for(Edition::Newest, newest.as_str()).unwrap(), newest.clone());
        prop_assert_eq!(newest.number(), n);
        prop_assert_eq!(AgentId::parse_for(Edition::Classic, &n.to_string()).is_ok(), n <= 59_999);
    }

    #[test]
    fn arbitrary_text_never_panics_as_an_id(text in ".{0,32}") {
        for edition in [Edition::Classic, Edition::Newest] {
            if let Ok(id) = AgentId::parse_for(edition, &text) {
                prop_assert_eq!(id.as_str(), text.as_str());
                prop_assert!(id.number() >= 101 && id.number() <= edition.max_agent_id());
            }
        }
        if let Ok(call) = CallId::parse(&text) {
            prop_assert_eq!(call.as_str(), text.as_str());
        }
        let _ = text.parse::<Skills>();
    }

    #[test]
    fn valid_call_ids_round_trip(a in "[0-9]{1,20}", b in "[0-9]{1,20}") {
        let text = format!("{a}-{b}");
        let call = CallId::parse(&text).unwrap();
        prop_assert_eq!(call.as_str(), text.as_str());
    }

    #[test]
    fn skill_lists_are_capped(len in 0usize..1100) {
        let ids: Vec<_> = (0..len as i32).map(|n| ccgw::SkillId::new(n).unwrap()).collect();
        prop_assert_eq!(Skills::new(ids).is_ok(), (1..=1000).contains(&len));
    }
}

#[test]
fn the_answer_limit_bounds_what_a_session_reads() {
    // Decoding works on what was read; the session reads at most the client's limit (the
    // fault tests show an 8 MiB answer stopping at 1 MiB), and an error's excerpt is
    // bounded whatever the input size.
    let huge = vec![b'x'; 4 << 20];
    let e = decode_answer(&huge).unwrap_err();
    assert!(e.excerpt().unwrap().len() <= 4 * ccgw::EXCERPT_CHARS);
}
