//! Any text as a CEL rule through both of the `cel` crate's parsers: the Pratt parser
//! inferstack compiles rules with (`inferstack::validate::cel::parse::compile`) must accept
//! exactly what the environment's antlr parser accepts, and make the same expression of it but
//! for node ids, so a rule's verdict never depends on which parser read it.
#![no_main]

use inferstack::validate::cel::parse::{compile, compile_by_environment, without_ids};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(source) = std::str::from_utf8(data) else {
        return;
    };
    // Rules are short; antlr's time grows fast with nesting.
    if source.len() > 1024 {
        return;
    }
    let ours = compile(source).map(|e| without_ids(&e));
    let theirs = compile_by_environment(source).map(|e| without_ids(&e));
    assert_eq!(ours, theirs, "the parsers disagree on {source:?}");
});
