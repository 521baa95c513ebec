//! Any bytes as a YAML stream: reading it, and locating every node it has.
#![no_main]

use inferstack::yaml::{Positions, parse};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let stream = parse(text);
    let indices: Vec<usize> = stream.documents.iter().map(|d| d.index).collect();
    for (_, positions) in Positions::of_documents(text, &indices) {
        let _ = positions.locate("/metadata/name");
    }
    let _ = inferstack::secrets::redact(text);
});
