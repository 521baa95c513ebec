//! `inferstack build`: check the stacks (as `check` does), then write the output, but only if
//! nothing is wrong.

use std::path::Path;

use crate::cli::BuildArgs;
use crate::cli::GitOps;
use crate::diag::render::{Style, render_all};
use crate::emit::gitops::{Delivery, Tool, add_to_tree, delivery as delivery_objects};
use crate::emit::{layout, stream, to_yaml};
use crate::output::{compare_tree, write_tree};

use super::Outcome;
use super::check::{EnvCheck, check_stacks};
use crate::source::SourceMap;

pub fn run(args: &BuildArgs, style: Style) -> anyhow::Result<Outcome> {
    let mut checked = check_stacks(&args.stacks.paths, &args.stacks.envs, args.stacks.profile())?;
    let diagnostics = checked.diagnostics();
    let mut outcome = Outcome {
        stderr: render_all(&diagnostics, &checked.loaded.sources, style),
        problems: diagnostics.has_errors(),
        ..Outcome::default()
    };
    let stacks = checked.stacks;
    if outcome.problems {
        outcome.stderr.push_str(&format!(
            "error: {} problem(s) in {stacks} stack file(s); nothing was written\n",
            diagnostics.error_count()
        ));
        return Ok(outcome);
    }
    let to_stdout = args.output == Path::new("-");
    if to_stdout && args.check {
        anyhow::bail!("--check compares an output directory; it cannot be used with -o -");
    }
    // Several environments: each in its own directory, named after it.
    let several = checked.envs.len() > 1;
    if to_stdout && several {
        anyhow::bail!(
            "several environments are written to one directory each: pass -o DIR, not -o -"
        );
    }
    let sources = &checked.loaded.sources;
    for env in &mut checked.envs {
        let (output, repo_path) = match (&env.env, several) {
            (Some(name), true) => (
                args.output.join(name),
                args.repo_path
                    .as_ref()
                    .map(|p| format!("{}/{name}", p.trim_end_matches('/'))),
            ),
            _ => (args.output.clone(), args.repo_path.clone()),
        };
        let target = Target {
            output: &output,
            repo_path: repo_path.as_deref(),
            stacks: checked.stacks,
        };
        build_env(args, &target, env, sources, &mut outcome)?;
    }
    Ok(outcome)
}

/// Where one environment's tree goes: the directory, and its path in the repository.
struct Target<'a> {
    output: &'a Path,
    repo_path: Option<&'a str>,
    /// How many stacks the tree holds, for the summary.
    stacks: usize,
}

/// Writes (or with `--check`, compares) one environment's tree.
fn build_env(
    args: &BuildArgs,
    target: &Target<'_>,
    env: &mut EnvCheck,
    sources: &SourceMap,
    outcome: &mut Outcome,
) -> anyhow::Result<()> {
    let gitops = match gitops_delivery(args, target)? {
        Some(delivery) => delivery_objects(&mut env.objects, &delivery)?,
        None => Vec::new(),
    };
    if target.output == Path::new("-") {
        outcome.stdout = stream(&env.objects)?;
        for (_, body) in &gitops {
            outcome.stdout.push_str("---\n");
            outcome.stdout.push_str(&to_yaml(body)?);
        }
        return Ok(());
    }
    let output = target.output;
    let mut tree = layout::tree(&env.objects)?;
    add_to_tree(&mut tree, &gitops)?;
    if args.check {
        let stale = compare_tree(output, &tree)?;
        outcome.problems |= !stale.is_clean();
        for (what, paths) in [
            ("missing", &stale.missing),
            ("changed", &stale.changed),
            ("extra", &stale.extra),
        ] {
            for path in paths {
                outcome
                    .stderr
                    .push_str(&format!("{what}: {}\n", output.join(path).display()));
            }
        }
        outcome.stderr.push_str(&if stale.is_clean() {
            format!("{} is up to date\n", output.display())
        } else {
            format!(
                "error: {} is out of date; run `inferstack build` and commit the result\n",
                output.display()
            )
        });
        return Ok(());
    }
    // A write error names the stack the file comes from; looked up only when one happens.
    let stack_of = |relative: &str| {
        let object = env.objects.iter().find(|o| layout::path(o) == relative)?;
        Some(sources.file(object.origin.file).name.clone())
    };
    let summary = write_tree(output, &tree, &stack_of)?;
    outcome.stderr.push_str(&format!(
        "built {} stack(s) into {} objects in {}: {} written, {} unchanged, {} removed\n",
        target.stacks,
        env.objects.len(),
        output.display(),
        summary.written,
        summary.unchanged,
        summary.removed
    ));
    if !summary.kept.is_empty() {
        outcome.stderr.push_str(&format!(
            "warning: kept {} file(s) of the previous build that changed since inferstack wrote them; remove them yourself if they are not needed: {}\n",
            summary.kept.len(),
            summary.kept.join(", ")
        ));
    }
    Ok(())
}

/// The `--gitops` settings; the repository path defaults to the output directory as given.
fn gitops_delivery<'a>(
    args: &'a BuildArgs,
    target: &'a Target<'a>,
) -> anyhow::Result<Option<Delivery<'a>>> {
    let Some(tool) = args.gitops else {
        return Ok(None);
    };
    let path = match (target.repo_path, target.output.to_str()) {
        (Some(path), _) => path,
        (None, Some("-")) | (None, None) => {
            anyhow::bail!(
                "--gitops with -o - needs --repo-path: where the rendered tree lives in the repository"
            )
        }
        (None, Some(output)) => output,
    };
    let inside_repository = !path.is_empty()
        && !Path::new(path).is_absolute()
        && Path::new(path)
            .components()
            .all(|c| !matches!(c, std::path::Component::ParentDir));
    if !inside_repository {
        anyhow::bail!(
            "the rendered tree's path in the repository, {path:?}, must be relative and inside it: pass --repo-path"
        );
    }
    // clap requires both with --gitops; they are never guessed.
    let (Some(repo_url), Some(revision)) = (&args.repo_url, &args.revision) else {
        anyhow::bail!("--gitops needs --repo-url and --revision");
    };
    // The URL is written into Git: a token in it would be published with the tree.
    if let Some(kind) = crate::secrets::looks_like_secret(repo_url) {
        anyhow::bail!(
            "--repo-url holds {kind} (value not shown); it would be written into the Application or GitRepository in Git: pass the bare URL and give the credentials to Argo CD as a repository Secret, or to Flux with a GitRepository secretRef"
        );
    }
    Ok(Some(Delivery {
        tool: match tool {
            GitOps::Argocd => Tool::ArgoCd,
            GitOps::Flux => Tool::Flux,
        },
        repo_url,
        revision,
        path,
    }))
}
