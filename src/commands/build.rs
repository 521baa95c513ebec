//! `inferstack build`: check the stacks (as `check` does), then write the output, but only if
//! nothing is wrong.

use std::path::Path;
use std::sync::Arc;

use crate::background::drop_later;
use crate::cli::BuildArgs;
use crate::diag::render::{Style, render_all};
use crate::emit::{stream, to_yaml};
use crate::output::freshness::{self, Record, Written};
use crate::output::{Staleness, WriteSummary, compare_tree};

use super::Outcome;
use super::check::check_stacks;
use super::plan::{Planned, plan};

pub fn run(args: &BuildArgs, style: Style) -> anyhow::Result<Outcome> {
    let cluster = args.live.chosen()?;
    if cluster.is_some() && !args.check {
        anyhow::bail!(
            "--cluster judges a build without writing it: pass --check (or run `inferstack check \
             --cluster`)"
        );
    }
    let record = Recording::of(args);
    if let Some(outcome) = record.as_ref().and_then(|r| r.unchanged(args)) {
        return Ok(outcome);
    }
    let mut checked = check_stacks(
        &args.stacks.paths,
        &args.stacks.envs,
        args.stacks.profile(),
        cluster,
    )?;
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
    // What the build read, for its record, taken before planning borrows the sources.
    let read: Vec<(String, Arc<str>)> = match &record {
        Some(_) => checked
            .loaded
            .sources
            .files()
            .map(|(_, file)| (file.name.clone(), file.text.clone()))
            .collect(),
        None => Vec::new(),
    };
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
        let clean = write_all(args, &planned, &mut outcome)? && diagnostics.is_empty();
        if let Some(record) = record.filter(|_| clean) {
            record.save(args, &read, &planned);
        }
    }
    drop(planned);
    drop_later(checked);
    Ok(outcome)
}

/// A build that may be recorded, and answered from its record next time
/// (`output/freshness.rs`): one writing a directory from files, not `--check`, not stdin.
struct Recording {
    cache: std::path::PathBuf,
    key: String,
}

impl Recording {
    fn of(args: &BuildArgs) -> Option<Recording> {
        let recorded = !args.check
            && args.output != Path::new("-")
            && !args.stacks.paths.iter().any(|p| p == Path::new("-"));
        Some(Recording {
            cache: freshness::cache_dir().filter(|_| recorded)?,
            key: freshness::key(&format!("{args:?}"))?,
        })
    }

    /// What the build would report if nothing it read or wrote last time changed since.
    fn unchanged(&self, args: &BuildArgs) -> Option<Outcome> {
        let trees = freshness::unchanged(&self.cache, &self.key, |inputs| {
            crate::load::lookups(&args.stacks.paths, inputs)
        })?;
        let mut outcome = Outcome::default();
        for tree in trees {
            if let Some((stacks, objects)) = tree.summary {
                let summary = WriteSummary {
                    unchanged: tree.files,
                    ..WriteSummary::default()
                };
                outcome
                    .stderr
                    .push_str(&summary_line(stacks, objects, &tree.dir, &summary));
            }
        }
        Some(outcome)
    }

    /// Records a clean build: what it read and what it left.
    fn save(self, args: &BuildArgs, read: &[(String, Arc<str>)], planned: &[Planned<'_>]) {
        let inputs: Vec<(&str, &str)> = read.iter().map(|(n, t)| (n.as_str(), &**t)).collect();
        let names: Vec<&str> = inputs.iter().map(|(name, _)| *name).collect();
        let Some(lookups) = crate::load::lookups(&args.stacks.paths, &names) else {
            return;
        };
        let trees: Vec<Written<'_>> = planned
            .iter()
            .map(|plan| Written {
                dir: &plan.output,
                summary: plan.summary,
                files: &plan.tree,
            })
            .collect();
        if let Some(record) = Record::of(self.key, &inputs, lookups, &trees) {
            record.save(&self.cache);
        }
    }
}

/// The line that sums up one tree's write.
fn summary_line(stacks: usize, objects: usize, dir: &Path, summary: &WriteSummary) -> String {
    format!(
        "built {stacks} stack(s) into {} in {}: {} written, {} unchanged, {} removed\n",
        crate::report::objects(objects),
        dir.display(),
        summary.written,
        summary.unchanged,
        summary.removed
    )
}

/// Writes every planned tree, or with `--check` compares each. The trees of a fleet are all
/// staged, each under its directory's lock, before any is committed: a failure while staging
/// one (a full disk, a link in the way, a concurrent build holding a lock) leaves them all as
/// they were, and two fleet builds never interleave environments. Whether the trees were
/// written clean: nothing kept, no file of someone else's found.
fn write_all(
    args: &BuildArgs,
    planned: &[Planned<'_>],
    outcome: &mut Outcome,
) -> anyhow::Result<bool> {
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
        return Ok(false);
    }
    let staged = planned
        .iter()
        .map(|plan| crate::output::stage(&plan.output, &plan.tree, &*plan.stack_of))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let mut clean = true;
    for (plan, staged) in planned.iter().zip(staged) {
        let summary = staged.commit()?;
        report_kept(&summary, outcome);
        clean &= summary.kept.is_empty();
        for file in crate::output::foreign(&plan.output, &plan.keep)? {
            clean = false;
            outcome.stderr.push_str(&format!(
                "warning: kept {}: not written by inferstack (move it out of the output tree, or claim it with `output.keep`)\n",
                plan.output.join(file).display()
            ));
        }
        if let Some((stacks, objects)) = plan.summary {
            outcome
                .stderr
                .push_str(&summary_line(stacks, objects, &plan.output, &summary));
        }
    }
    Ok(clean)
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
