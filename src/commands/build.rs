//! `inferstack build`: check the stacks (as `check` does), then write the output, but only if
//! nothing is wrong.

use std::path::Path;

use crate::background::drop_later;
use crate::cli::BuildArgs;
use crate::cli::GitOps;
use crate::diag::render::{Style, render_all};
use crate::emit::gitops::{
    Delivery, Environment, GITOPS_DIR, GitOpsSettings, Tool, add_to_tree,
    delivery as delivery_objects, fleet_delivery,
};
use crate::emit::layout::OutputTree;
use crate::emit::{layout, stream, to_yaml};
use crate::output::{WriteSummary, compare_tree, write_tree};

use super::Outcome;
use super::check::{EnvCheck, check_stacks};
use crate::source::SourceMap;

pub fn run(args: &BuildArgs, style: Style) -> anyhow::Result<Outcome> {
    let mut checked = check_stacks(&args.stacks.paths, &args.stacks.envs, args.stacks.profile())?;
    let diagnostics = checked.diagnostics().without_notes();
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
    // With several environments, one set of GitOps objects delivers them all, beside their
    // trees in `_gitops/`; it annotates their objects, so it comes before they are written.
    let fleet_gitops = match args.gitops {
        Some(tool) if several => Some(fleet_gitops(args, tool, &mut checked.envs)?),
        _ => None,
    };
    let sources = &checked.loaded.sources;
    for env in &mut checked.envs {
        let (output, repo_path) = match (&env.env, several) {
            // Their delivery is the fleet's, in `_gitops/` beside them.
            (Some(name), true) => (args.output.join(name), None),
            _ => (args.output.clone(), args.repo_path.clone()),
        };
        let target = Target {
            output: &output,
            repo_path: repo_path.as_deref(),
            stacks: checked.stacks,
            gitops: if several { None } else { args.gitops },
        };
        build_env(args, &target, env, sources, &mut outcome)?;
    }
    if let Some(objects) = fleet_gitops {
        let mut tree = OutputTree::new();
        add_to_tree(&mut tree, &objects)?;
        write_or_compare(
            args,
            &args.output.join(GITOPS_DIR),
            &tree,
            &|_| None,
            &mut outcome,
        )?;
    }
    drop_later(checked);
    Ok(outcome)
}

/// The path of one environment's tree in the repository: `--repo-path` (default `-o`) and
/// the environment's name.
fn env_repo_path(args: &BuildArgs, env: &str) -> anyhow::Result<String> {
    let base = match &args.repo_path {
        Some(path) => path.clone(),
        None => args.output.to_string_lossy().into_owned(),
    };
    let path = format!("{}/{env}", base.trim_end_matches('/'));
    checked_repo_path(&path)?;
    Ok(path)
}

/// The ApplicationSet or per-cluster Flux objects of every environment, with each
/// environment's settings (its cluster), and the repository from the flags or the workspace.
fn fleet_gitops(
    args: &BuildArgs,
    tool: GitOps,
    envs: &mut [EnvCheck],
) -> anyhow::Result<Vec<(String, serde_json::Value)>> {
    let (repo_url, revision) = repository(args, &envs[0].gitops)?;
    if envs
        .iter()
        .any(|e| repository(args, &e.gitops).ok() != Some((repo_url.clone(), revision.clone())))
    {
        anyhow::bail!(
            "the environments name different repositories or revisions in [gitops]; one set of GitOps objects delivers them all from one: set gitops.repo_url and gitops.revision once, or pass --repo-url and --revision"
        );
    }
    let mut environments = Vec::new();
    for env in envs.iter_mut() {
        let name = env.env.clone().unwrap_or_default();
        let path = env_repo_path(args, &name)?;
        let EnvCheck {
            objects, gitops, ..
        } = env;
        environments.push((
            Environment {
                name,
                path,
                settings: gitops,
            },
            objects.as_mut_slice(),
        ));
    }
    fleet_delivery(tool_of(tool), &repo_url, &revision, &mut environments)
}

/// Where one environment's tree goes: the directory, and its path in the repository.
struct Target<'a> {
    output: &'a Path,
    repo_path: Option<&'a str>,
    /// How many stacks the tree holds, for the summary.
    stacks: usize,
    /// The tool whose objects deliver this tree, when it is delivered on its own.
    gitops: Option<GitOps>,
}

/// Writes (or with `--check`, compares) one environment's tree.
fn build_env(
    args: &BuildArgs,
    target: &Target<'_>,
    env: &mut EnvCheck,
    sources: &SourceMap,
    outcome: &mut Outcome,
) -> anyhow::Result<()> {
    let gitops = match gitops_delivery(args, target, &env.gitops)? {
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
    let mut tree = layout::tree(&env.objects)?;
    add_to_tree(&mut tree, &gitops)?;
    // A write error names the stack the file comes from; looked up only when one happens.
    let stack_of = |relative: &str| {
        let object = env.objects.iter().find(|o| layout::path(o) == relative)?;
        Some(sources.file(object.origin.file).name.clone())
    };
    if let Some(summary) = write_or_compare(args, target.output, &tree, &stack_of, outcome)? {
        outcome.stderr.push_str(&format!(
            "built {} stack(s) into {} objects in {}: {} written, {} unchanged, {} removed\n",
            target.stacks,
            env.objects.len(),
            target.output.display(),
            summary.written,
            summary.unchanged,
            summary.removed
        ));
    }
    Ok(())
}

/// Writes a tree, or with `--check` compares it; the summary of a write.
fn write_or_compare(
    args: &BuildArgs,
    output: &Path,
    tree: &OutputTree,
    stack_of: &dyn Fn(&str) -> Option<String>,
    outcome: &mut Outcome,
) -> anyhow::Result<Option<WriteSummary>> {
    if args.check {
        let stale = compare_tree(output, tree)?;
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
        for (_, why) in &stale.refused {
            outcome.stderr.push_str(&format!("refused: {why}\n"));
        }
        outcome.stderr.push_str(&if stale.is_clean() {
            format!("{} is up to date\n", output.display())
        } else {
            format!(
                "error: {} is out of date; run `inferstack build` and commit the result\n",
                output.display()
            )
        });
        return Ok(None);
    }
    let summary = write_tree(output, tree, stack_of)?;
    if !summary.kept.is_empty() {
        outcome.stderr.push_str(&format!(
            "warning: kept {} file(s) of the previous build that changed since inferstack wrote them; remove them yourself if they are not needed: {}\n",
            summary.kept.len(),
            summary.kept.join(", ")
        ));
    }
    Ok(Some(summary))
}

/// The `--gitops` objects of one tree delivered on its own; the repository path defaults to
/// the output directory as given.
fn gitops_delivery<'a>(
    args: &'a BuildArgs,
    target: &'a Target<'a>,
    settings: &'a GitOpsSettings,
) -> anyhow::Result<Option<Delivery<'a>>> {
    let Some(tool) = target.gitops else {
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
    checked_repo_path(path)?;
    let (repo_url, revision) = repository(args, settings)?;
    Ok(Some(Delivery {
        tool: tool_of(tool),
        repo_url,
        revision,
        path,
        settings,
    }))
}

fn tool_of(tool: GitOps) -> Tool {
    match tool {
        GitOps::Argocd => Tool::ArgoCd,
        GitOps::Flux => Tool::Flux,
    }
}

/// A tree's path inside the repository must be relative and stay inside it.
fn checked_repo_path(path: &str) -> anyhow::Result<()> {
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
    Ok(())
}

/// The repository and revision the GitOps objects track: the flags, else the workspace's
/// `[gitops]`; never guessed.
fn repository(args: &BuildArgs, settings: &GitOpsSettings) -> anyhow::Result<(String, String)> {
    let repo_url = args
        .repo_url
        .clone()
        .or_else(|| settings.repo_url.as_ref().map(|u| u.value.clone()));
    let revision = args
        .revision
        .clone()
        .or_else(|| settings.revision.as_ref().map(|r| r.value.clone()));
    let (Some(repo_url), Some(revision)) = (repo_url, revision) else {
        anyhow::bail!(
            "--gitops needs the repository and the revision: pass --repo-url and --revision, or set gitops.repo_url and gitops.revision in the workspace file"
        );
    };
    // The URL is written into Git: a token in it would be published with the tree.
    if let Some(kind) = crate::secrets::looks_like_secret(&repo_url) {
        anyhow::bail!(
            "the repository URL holds {kind} (value not shown); it would be written into the Application or GitRepository in Git: pass the bare URL and give the credentials to Argo CD as a repository Secret, or to Flux with gitops.secret_ref"
        );
    }
    Ok((repo_url, revision))
}
