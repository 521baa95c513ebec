//! Any text through every masking pass inferstack prints with: code frames (`redact`: secret
//! keys, credential words, PEM blocks, `kind: Secret` documents), messages, reports and diffs
//! (`mask_words`), and the frames of credential findings (`mask_literals`). Each keeps the
//! text's length and UTF-8, so frame offsets stay valid, and is idempotent: masking masked
//! text changes nothing.
#![no_main]

use inferstack::secrets::{mask_literals, mask_words, redact};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for mask in [redact, mask_words, mask_literals] {
        let masked = mask(text);
        assert_eq!(masked.len(), text.len(), "masking moved offsets");
        assert_eq!(mask(&masked), masked, "masking is not idempotent");
    }
});
