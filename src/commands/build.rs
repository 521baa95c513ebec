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
use crate::output::{WriteSummary, compare_tree};

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
    let mut planned = Vec::new();
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
        if let Some(plan) = plan_env(args, &target, env, sources, &mut outcome)? {
            planned.push(plan);
        }
    }
    if let Some(objects) = fleet_gitops {
        let mut tree = OutputTree::new();
        add_to_tree(&mut tree, &objects)?;
        planned.push(Planned {
            output: args.output.join(GITOPS_DIR),
            tree,
            summary: None,
            stack_of: Box::new(|_| None),
        });
    }
    write_all(args, &planned, &mut outcome)?;
    drop(planned);
    drop_later(checked);
    Ok(outcome)
}

/// One tree to write: where, what, and how to report it.
struct Planned<'a> {
    output: std::path::PathBuf,
    tree: OutputTree,
    /// `(stacks, objects)` for the summary line of an environment's tree.
    summary: Option<(usize, usize)>,
    /// The stack a file of the tree comes from, looked up only when a write fails.
    stack_of: StackLookup<'a>,
}

/// Names the stack a file of a tree comes from.
type StackLookup<'a> = Box<dyn Fn(&str) -> Option<String> + 'a>;

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
        for plan in planned {
            compare(&plan.output, &plan.tree, outcome)?;
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
        if let Some((stacks, objects)) = plan.summary {
            outcome.stderr.push_str(&format!(
                "built {stacks} stack(s) into {objects} objects in {}: {} written, {} unchanged, {} removed\n",
                plan.output.display(),
                summary.written,
                summary.unchanged,
                summary.removed
            ));
        }
    }
    Ok(())
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

/// One environment's tree to write, or `None` when it went to standard output (`-o -`).
fn plan_env<'a>(
    args: &BuildArgs,
    target: &Target<'_>,
    env: &'a mut EnvCheck,
    sources: &'a SourceMap,
    outcome: &mut Outcome,
) -> anyhow::Result<Option<Planned<'a>>> {
    let gitops = match gitops_delivery(args, target, &env.gitops)? {
        Some(delivery) => delivery_objects(&mut env.objects, &delivery)?,
        None => Vec::new(),
    };
    let env: &'a EnvCheck = env;
    if target.output == Path::new("-") {
        outcome.stdout = stream(&env.objects)?;
        for (_, body) in &gitops {
            outcome.stdout.push_str("---\n");
            outcome.stdout.push_str(&to_yaml(body)?);
        }
        return Ok(None);
    }
    let mut tree = layout::tree(&env.objects)?;
    add_to_tree(&mut tree, &gitops)?;
    // A write error names the stack the file comes from; looked up only when one happens.
    let stack_of = move |relative: &str| {
        let object = env.objects.iter().find(|o| layout::path(o) == relative)?;
        Some(sources.file(object.origin.file).name.clone())
    };
    Ok(Some(Planned {
        output: target.output.to_path_buf(),
        tree,
        summary: Some((target.stacks, env.objects.len())),
        stack_of: Box::new(stack_of),
    }))
}

/// `--check`: compares a tree with its directory and says what is out of date.
fn compare(output: &Path, tree: &OutputTree, outcome: &mut Outcome) -> anyhow::Result<()> {
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
    Ok(())
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
