//! Any bytes given to the answer decoder give an answer or a typed error, never a panic,
//! and an error's text stays short whatever the input.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    match ccgw::decode_answer(data) {
        Ok(answer) => assert!(answer.result.as_ref().is_none_or(|r| !r.is_null())),
        Err(e) => {
            assert!(e.to_string().len() < 4096);
            let _ = (e.kind(), e.retcode(), e.excerpt());
        }
    }
});
