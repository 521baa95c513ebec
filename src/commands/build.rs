//! `inferstack build`: check the stacks (as `check` does), then write the output, but only if
//! nothing is wrong.

use std::path::Path;

use crate::cli::{BuildArgs, ProfileArg};
use crate::diag::render::{Style, render_all};
use crate::emit::{layout, stream};
use crate::output::{compare_tree, write_tree};

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
    if args.output == Path::new("-") && args.check {
        anyhow::bail!("--check compares an output directory; it cannot be used with -o -");
    }
    if args.output == Path::new("-") {
        outcome.stdout = stream(&checked.objects)?;
        return Ok(outcome);
    }
    let tree = layout::tree(&checked.objects)?;
    if args.check {
        let stale = compare_tree(&args.output, &tree)?;
        outcome.problems = !stale.is_clean();
        for (what, paths) in [
            ("missing", &stale.missing),
            ("changed", &stale.changed),
            ("extra", &stale.extra),
        ] {
            for path in paths {
                outcome
                    .stderr
                    .push_str(&format!("{what}: {}\n", args.output.join(path).display()));
            }
        }
        outcome.stderr.push_str(&if outcome.problems {
            format!(
                "error: {} is out of date; run `inferstack build` and commit the result\n",
                args.output.display()
            )
        } else {
            format!("{} is up to date\n", args.output.display())
        });
        return Ok(outcome);
    }
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
