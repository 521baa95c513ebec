//! The start-up floor `benches/compare.sh` reports: a `main` that does nothing, linked with all
//! the code the `inferstack` binary links (the branch the optimiser cannot see through keeps
//! it) and linked the same way (`build.rs`), so its time is what loading, relocating and
//! exiting a program of this size costs on the machine, which no command can go below.

use std::hint::black_box;

fn main() {
    if black_box(false) {
        let cli = <inferstack::cli::Cli as clap::Parser>::parse();
        let _ = black_box(inferstack::commands::run(
            &cli,
            inferstack::diag::render::Style::Short,
        ));
    }
}
