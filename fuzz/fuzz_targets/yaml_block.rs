//! Any text through both YAML readers: whatever the block reader reads, the event parser reads
//! the same way (same documents, values and key order) and finds no problem in it.
#![no_main]

use inferstack::yaml::block_disagreement;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data)
        && let Some(disagreement) = block_disagreement(text)
    {
        panic!("{disagreement}");
    }
});
