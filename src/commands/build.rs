//! `inferstack build`: check the stacks (as `check` does), then write the output, but only if
//! nothing is wrong.

use std::path::Path;

use crate::cli::{BuildArgs, ProfileArg};
use crate::diag::render::{Style, render_all};
use crate::emit::{layout, stream};
use crate::output::write_tree;

use super::Outcome;
use super::check::check_stacks;

pub fn run(args: &BuildArgs, style: Style) -> anyhow::Result<Outcome> {
    let checked = check_stacks(&args.paths, args.profile.map(ProfileArg::profile))?;
    let diagnostics = &checked.diagnostics;
    let mut outcome = Outcome {
        stderr: render_all(diagnostics, &checked.loaded.sources, style),
        problems: diagnostics.has_errors(),
        ..Outcome::default()
    };
    let stacks = checked.loaded.sources.files().count();
    if outcome.problems {
        outcome.stderr.push_str(&format!(
            "error: {} problem(s) in {stacks} stack file(s); nothing was written\n",
            diagnostics.error_count()
        ));
        return Ok(outcome);
    }
    if args.output == Path::new("-") {
        outcome.stdout = stream(&checked.objects)?;
        return Ok(outcome);
    }
    let tree = layout::tree(&checked.objects)?;
    let summary = write_tree(&args.output, &tree)?;
    outcome.stderr.push_str(&format!(
        "built {stacks} stack(s) into {} objects in {}: {} written, {} unchanged, {} removed\n",
        checked.objects.len(),
        args.output.display(),
        summary.written,
        summary.unchanged,
        summary.removed
    ));
    Ok(outcome)
}
