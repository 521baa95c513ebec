//! `cargo bench`: times the whole in-memory pipeline (parse, resolve, validate, lower, merge,
//! emit, layout) on generated stacks. Prints figures; asserts nothing about time.

use std::hint::black_box;
use std::time::{Duration, Instant};

use inferstack::compile::compile;
use inferstack::emit::{layout, stream};
use inferstack::source::SourceMap;

const QWEN: &str = include_str!("../stacks/qwen.toml");

/// `count` distinct stacks sharing one Gateway, like a real fleet.
fn fleet(count: usize) -> SourceMap {
    let mut sources = SourceMap::default();
    for i in 0..count {
        let text = QWEN
            .replace("name = \"qwen\"", &format!("name = \"qwen-{i}\""))
            .replace(
                "size = \"30Gi\"",
                &format!("size = \"30Gi\"\nvolume = \"model-{i}\""),
            );
        sources.add(format!("stacks/qwen-{i}.toml"), text);
    }
    sources
}

fn time(label: &str, stacks: usize, rounds: u32, mut run: impl FnMut()) {
    run(); // warm-up
    let mut best = Duration::MAX;
    for _ in 0..rounds {
        let start = Instant::now();
        run();
        best = best.min(start.elapsed());
    }
    let per_stack = best / stacks as u32;
    println!(
        "{label:<34} {stacks:>6} stacks  best {best:>10.2?}  {per_stack:>9.2?}/stack  {:>9.0} stacks/s",
        stacks as f64 / best.as_secs_f64()
    );
}

fn main() {
    for count in [1, 100, 1000] {
        let sources = fleet(count);
        let files: Vec<_> = sources.files().map(|(id, _)| id).collect();
        let rounds = if count == 1 { 200 } else { 10 };
        time("compile (parse..merge)", count, rounds, || {
            black_box(compile(&sources, &files, None).unwrap());
        });
        let compiled = compile(&sources, &files, None).unwrap();
        assert!(!compiled.diagnostics.has_errors());
        time("emit stream (-o -)", count, rounds, || {
            black_box(stream(&compiled.objects).unwrap());
        });
        time("emit tree (-o DIR, in memory)", count, rounds, || {
            black_box(layout::tree(&compiled.objects).unwrap());
        });
    }
}
