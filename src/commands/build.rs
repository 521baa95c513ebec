//! `inferstack build`: check the stacks (as `check` does), then write the output, but only if
//! nothing is wrong.

use std::path::Path;

use crate::background::drop_later;
use crate::cli::BuildArgs;
use crate::diag::render::{Style, render_all};
use crate::emit::{stream, to_yaml};
use crate::output::{Staleness, WriteSummary, compare_tree};

use super::Outcome;
use super::check::check_stacks;
use super::plan::{Planned, plan};

pub fn run(args: &BuildArgs, style: Style) -> anyhow::Result<Outcome> {
    let mut checked = check_stacks(&args.stacks.paths, &args.stacks.envs, args.stacks.profile())?;
    let diagnostics = checked.diagnostics().without_notes();
    let mut outcome = Outcome {
        stderr: render_all(&diagnostics, &checked.loaded.sources, style),
        problems: diagnostics.has_errors(),
        ..Outcome::default()
    };
    if outcome.problems {
        outcome.stderr.push_str(&format!(
            "error: {} problem(s) in {} stack file(s); nothing was written\n",
            diagnostics.error_count(),
            checked.stacks
        ));
        return Ok(outcome);
    }
    let to_stdout = args.output == Path::new("-");
    if to_stdout && args.check {
        anyhow::bail!("--check compares an output directory; it cannot be used with -o -");
    }
    let planned = plan(&mut checked, &args.output, &args.delivery)?;
    if to_stdout {
        for tree in &planned {
            outcome.stdout.push_str(&stream(tree.objects)?);
            for (_, body) in &tree.gitops {
                outcome.stdout.push_str("---\n");
                outcome.stdout.push_str(&to_yaml(body)?);
            }
        }
    } else {
        write_all(args, &planned, &mut outcome)?;
    }
    drop(planned);
    drop_later(checked);
    Ok(outcome)
}

/// Writes every planned tree, or with `--check` compares each. The trees of a fleet are all
/// staged, each under its directory's lock, before any is committed: a failure while staging
/// one (a full disk, a link in the way, a concurrent build holding a lock) leaves them all as
/// they were, and two fleet builds never interleave environments.
fn write_all(
    args: &BuildArgs,
    planned: &[Planned<'_>],
    outcome: &mut Outcome,
) -> anyhow::Result<()> {
    if args.check {
        let mut stale = false;
        let mut foreign = 0;
        for plan in planned {
            let found = compare_tree(&plan.output, &plan.tree, &plan.keep)?;
            report_stale(&plan.output, &found, outcome);
            stale |= !found.is_current();
            foreign += found.foreign.len();
        }
        if foreign > 0 {
            outcome.stderr.push_str(&format!(
                "error: {foreign} file(s) in the output tree were not written by inferstack; move them out of it, or claim them with `output.keep` (globs relative to the output directory) in inferstack.toml\n"
            ));
        }
        if stale {
            outcome.stderr.push_str(&format!(
                "error: out of date; run `{}` and commit the result\n",
                super::command_line::build(args)
            ));
        }
        return Ok(());
    }
    let staged = planned
        .iter()
        .map(|plan| crate::output::stage(&plan.output, &plan.tree, &*plan.stack_of))
        .collect::<anyhow::Result<Vec<_>>>()?;
    for (plan, staged) in planned.iter().zip(staged) {
        let summary = staged.commit()?;
        report_kept(&summary, outcome);
        for file in crate::output::foreign(&plan.output, &plan.keep)? {
            outcome.stderr.push_str(&format!(
                "warning: kept {}: not written by inferstack (move it out of the output tree, or claim it with `output.keep`)\n",
                plan.output.join(file).display()
            ));
        }
        if let Some((stacks, objects)) = plan.summary {
            outcome.stderr.push_str(&format!(
                "built {stacks} stack(s) into {} in {}: {} written, {} unchanged, {} removed\n",
                crate::report::objects(objects),
                plan.output.display(),
                summary.written,
                summary.unchanged,
                summary.removed
            ));
        }
    }
    Ok(())
}

/// `--check`: says how one tree's directory differs from the tree.
fn report_stale(output: &Path, stale: &Staleness, outcome: &mut Outcome) {
    outcome.problems |= !stale.is_clean();
    for (what, paths) in [
        ("missing", &stale.missing),
        ("changed", &stale.changed),
        ("extra", &stale.extra),
        ("not written by inferstack", &stale.foreign),
    ] {
        for path in paths {
            outcome
                .stderr
                .push_str(&format!("{what}: {}\n", output.join(path).display()));
        }
    }
    for (_, why) in &stale.refused {
        outcome.stderr.push_str(&format!("refused: {why}\n"));
    }
    if stale.is_clean() {
        outcome
            .stderr
            .push_str(&format!("{} is up to date\n", output.display()));
    }
}

/// Files of the previous build that changed by hand are kept, and said.
fn report_kept(summary: &WriteSummary, outcome: &mut Outcome) {
    if !summary.kept.is_empty() {
        outcome.stderr.push_str(&format!(
            "warning: kept {} file(s) of the previous build that changed since inferstack wrote them; remove them yourself if they are not needed: {}\n",
            summary.kept.len(),
            summary.kept.join(", ")
        ));
    }
}
