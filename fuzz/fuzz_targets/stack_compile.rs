//! Any bytes as a stack file, through the whole pipeline: parse, resolve, the stack rules,
//! lower, merge, the cross-object rules, emit and rendering every diagnostic.
#![no_main]

use inferstack::compile::compile;
use inferstack::diag::render::{Color, Style, render_all};
use inferstack::source::SourceMap;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut sources = SourceMap::default();
    let id = sources.add("fuzz.toml", text);
    let compiled = compile(&sources, &[id], None).expect("compile never fails on user input");
    let _ = render_all(&compiled.diagnostics, &sources, Style::Short);
    // Code frames go through miette's text wrapping, which costs most of a run: one input in
    // four is enough to keep the frame window and masking under the fuzzer.
    if data.len() % 4 == 0 {
        let _ = render_all(&compiled.diagnostics, &sources, Style::Human(Color::Never));
    }
    if !compiled.diagnostics.has_errors() {
        inferstack::emit::stream(&compiled.objects).expect("valid stacks always emit");
        inferstack::emit::layout::tree(&compiled.objects).expect("valid stacks always lay out");
    }
});
