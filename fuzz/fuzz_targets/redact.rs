//! Any text through every masking pass inferstack prints with: code frames (`redact`: secret
//! keys, credential words, PEM blocks, `kind: Secret` documents) and messages, reports and
//! diffs (`mask_words`). Each keeps the text's length and UTF-8, so frame offsets stay valid,
//! and is idempotent: masking masked text changes nothing.
#![no_main]

use inferstack::secrets::{mask_words, redact};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for mask in [redact, mask_words] {
        let masked = mask(text);
        assert_eq!(masked.len(), text.len(), "masking moved offsets");
        assert_eq!(mask(&masked), masked, "masking is not idempotent");
    }
});
