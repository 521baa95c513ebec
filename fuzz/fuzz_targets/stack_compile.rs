//! Any bytes as a fleet, through the whole pipeline: parse, layers, resolve, the stack rules,
//! lower, merge, the cross-object rules, emit and rendering every diagnostic. Parts separated
//! by a `#---` line are the workspace, a base layer and stacks (`inferstack.toml`, `base.toml`,
//! `a.toml`, `b.toml`), linked by their `extends`; one part is a lone stack.
#![no_main]

use inferstack::compile::compile_fleet;
use inferstack::diag::render::{Color, Style, render_all};
use inferstack::source::SourceMap;
use inferstack::stack::layers::Fleet;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut sources = SourceMap::default();
    let fleet = Fleet::from_parts(&mut sources, text);
    for env in [None, Some("prod")] {
        let compiled =
            compile_fleet(&sources, &fleet, env, None).expect("compile never fails on user input");
        let _ = render_all(&compiled.diagnostics, &sources, Style::Short);
        // Code frames go through miette's text wrapping, which costs most of a run: one input
        // in four is enough to keep the frame window and masking under the fuzzer.
        if data.len() % 4 == 0 {
            let _ = render_all(&compiled.diagnostics, &sources, Style::Human(Color::Never));
        }
        if !compiled.diagnostics.has_errors() {
            inferstack::emit::stream(&compiled.objects).expect("valid stacks always emit");
            inferstack::emit::layout::tree(&compiled.objects).expect("valid stacks always lay out");
        }
    }
});
