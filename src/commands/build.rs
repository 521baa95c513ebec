//! `inferstack build`: load, compile, and write the output, but only if nothing is wrong.

use std::path::Path;

use crate::cli::BuildArgs;
use crate::compile::compile;
use crate::diag::render::{Style, render_all};
use crate::emit::{layout, stream};
use crate::load::load;
use crate::output::write_tree;

use super::Outcome;

pub fn run(args: &BuildArgs, style: Style) -> anyhow::Result<Outcome> {
    let loaded = load(&args.paths)?;
    if loaded.files.is_empty() && loaded.diagnostics.is_empty() {
        anyhow::bail!(
            "no stack files (*.toml) found in {}",
            show_paths(&args.paths)
        );
    }
    let mut compiled = compile(&loaded.sources, &loaded.files)?;
    let mut diagnostics = loaded.diagnostics;
    diagnostics.extend(std::mem::take(&mut compiled.diagnostics));
    diagnostics.sort();

    let mut outcome = Outcome {
        stderr: render_all(&diagnostics, &loaded.sources, style),
        problems: diagnostics.has_errors(),
        ..Outcome::default()
    };
    let stacks = loaded.sources.files().count();
    if outcome.problems {
        outcome.stderr.push_str(&format!(
            "error: {} problem(s) in {stacks} stack file(s); nothing was written\n",
            diagnostics.error_count()
        ));
        return Ok(outcome);
    }
    if args.output == Path::new("-") {
        outcome.stdout = stream(&compiled.objects)?;
        return Ok(outcome);
    }
    let tree = layout::tree(&compiled.objects)?;
    let summary = write_tree(&args.output, &tree)?;
    outcome.stderr.push_str(&format!(
        "built {stacks} stack(s) into {} objects in {}: {} written, {} unchanged, {} removed\n",
        compiled.objects.len(),
        args.output.display(),
        summary.written,
        summary.unchanged,
        summary.removed
    ));
    Ok(outcome)
}

fn show_paths(paths: &[std::path::PathBuf]) -> String {
    paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}
