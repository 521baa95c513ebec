//! What a build writes, before anything is written: for each tree, its directory, its files,
//! and the objects they hold, the GitOps objects that deliver them included. `build` writes or
//! compares these trees and `diff` compares their objects: one plan, so that the command line
//! of a build is clean under `build --check` and `diff` right after it.

use std::path::{Path, PathBuf};

use globset::GlobSet;
use serde_json::Value;

use crate::cli::{Delivery, GitOps};
use crate::emit::gitops::{
    self, Environment, GITOPS_DIR, GitOpsSettings, Tool, add_to_tree, fleet_delivery,
};
use crate::emit::layout::{self, OutputTree};
use crate::k8s::Object;
use crate::resolve::output::matcher;

use super::check::{EnvCheck, FleetCheck};

/// One tree to write: where, what, and how to report it.
pub struct Planned<'a> {
    pub output: PathBuf,
    /// The files; empty for standard output (`-o -`), which gets `objects` and `gitops`.
    pub tree: OutputTree,
    /// The environment's objects as delivered (the GitOps annotations on them); none for the
    /// fleet's own `_gitops/` tree.
    pub objects: &'a [Object],
    /// The GitOps objects of the tree, by their path in it.
    pub gitops: Vec<(String, Value)>,
    /// The fleet's `_gitops/` tree: only GitOps objects, one directory per cluster (where
    /// Flux's per-cluster objects have the same names).
    pub delivery_only: bool,
    /// The files of the directory that are the user's (`output.keep`).
    pub keep: GlobSet,
    /// `(stacks, objects)` for the summary line of an environment's tree.
    pub summary: Option<(usize, usize)>,
    /// The stack a file of the tree comes from, looked up only when a write fails.
    pub stack_of: StackLookup<'a>,
}

/// Names the stack a file of a tree comes from.
pub type StackLookup<'a> = Box<dyn Fn(&str) -> Option<String> + 'a>;

/// The trees a build of `checked` into `output` writes, delivered as `delivery` and the
/// workspace's `[gitops]` say. With several environments, each is `OUTPUT/<env>/`, and the
/// objects that deliver them all are one more tree, `OUTPUT/_gitops/`.
pub fn plan<'a>(
    checked: &'a mut FleetCheck,
    output: &Path,
    delivery: &Delivery,
) -> anyhow::Result<Vec<Planned<'a>>> {
    let FleetCheck {
        loaded,
        stacks,
        envs,
    } = checked;
    let sources = &loaded.sources;
    let several = envs.len() > 1;
    let to_stdout = output == Path::new("-");
    if to_stdout && several {
        anyhow::bail!(
            "several environments are written to one directory each: pass -o DIR, not -o -"
        );
    }
    let tool = chosen_tool(delivery, envs, to_stdout)?;
    // With several environments, one set of GitOps objects delivers them all, beside their
    // trees in `_gitops/`; it annotates their objects, so it comes before they are laid out.
    let fleet_gitops = match tool {
        Some(tool) if several => Some(fleet_gitops(delivery, output, tool, envs)?),
        _ => None,
    };
    // The fleet's `_gitops/` tree is kept as every environment's is.
    let fleet_keep: Vec<String> = envs.iter().flat_map(|e| e.keep.iter().cloned()).collect();
    let mut planned = Vec::new();
    for env in envs.iter_mut() {
        let (env_output, repo_path) = match (&env.env, several) {
            (Some(name), true) => (output.join(name), None),
            _ => (output.to_path_buf(), delivery.repo_path.as_deref()),
        };
        let gitops = match tool.filter(|_| !several) {
            Some(tool) => {
                let path = repo_path_of(&env_output, repo_path)?;
                let (repo_url, revision) = repository(delivery, &env.gitops)?;
                let how = gitops::Delivery {
                    tool,
                    repo_url,
                    revision,
                    path,
                    settings: &env.gitops,
                };
                gitops::delivery(&mut env.objects, &how)?
            }
            None => Vec::new(),
        };
        let env: &'a EnvCheck = env;
        let mut tree = OutputTree::new();
        if !to_stdout {
            tree = layout::tree(&env.objects)?;
            add_to_tree(&mut tree, &gitops)?;
        }
        // A write error names the stack the file comes from; looked up only when one happens.
        let stack_of = move |relative: &str| {
            let object = env.objects.iter().find(|o| layout::path(o) == relative)?;
            Some(sources.file(object.origin.file).name.clone())
        };
        planned.push(Planned {
            output: env_output,
            tree,
            objects: &env.objects,
            gitops,
            delivery_only: false,
            keep: matcher(&env.keep),
            summary: Some((*stacks, env.objects.len())),
            stack_of: Box::new(stack_of),
        });
    }
    if let Some(objects) = fleet_gitops {
        let mut tree = OutputTree::new();
        add_to_tree(&mut tree, &objects)?;
        planned.push(Planned {
            output: output.join(GITOPS_DIR),
            tree,
            objects: &[],
            gitops: objects,
            delivery_only: true,
            keep: matcher(&fleet_keep),
            summary: None,
            stack_of: Box::new(|_| None),
        });
    }
    Ok(planned)
}

/// The tool that delivers the build: `--gitops`, else the workspace's `gitops.tool` (one for
/// every environment). Standard output (the Argo CD plugin) gets GitOps objects only from
/// the flag: the plugin's Application is already the delivery.
fn chosen_tool(
    delivery: &Delivery,
    envs: &[EnvCheck],
    to_stdout: bool,
) -> anyhow::Result<Option<Tool>> {
    if let Some(flag) = delivery.gitops {
        return Ok(Some(tool_of(flag)));
    }
    if to_stdout {
        return Ok(None);
    }
    let named = |env: &EnvCheck| env.gitops.tool.as_ref().map(|t| t.value.clone());
    let first = envs.first().and_then(named);
    if envs.iter().any(|e| named(e) != first) {
        anyhow::bail!(
            "the environments name different tools in gitops.tool; one build delivers them all with one: set gitops.tool once, at the top of the workspace, or pass --gitops"
        );
    }
    // The key's type admits these two values only; the reader refused any other.
    Ok(first.as_deref().and_then(GitOps::named).map(tool_of))
}

/// The ApplicationSet or per-cluster Flux objects of every environment, with each
/// environment's settings (its cluster), and the repository from the flags or the workspace.
fn fleet_gitops(
    delivery: &Delivery,
    output: &Path,
    tool: Tool,
    envs: &mut [EnvCheck],
) -> anyhow::Result<Vec<(String, Value)>> {
    let (repo_url, revision) = repository(delivery, &envs[0].gitops)?;
    if envs
        .iter()
        .any(|e| repository(delivery, &e.gitops).ok() != Some((repo_url.clone(), revision.clone())))
    {
        anyhow::bail!(
            "the environments name different repositories or revisions in [gitops]; one set of GitOps objects delivers them all from one: set gitops.repo_url and gitops.revision once, or pass --repo-url and --revision"
        );
    }
    let base = match &delivery.repo_path {
        Some(path) => path.clone(),
        None => output.to_string_lossy().into_owned(),
    };
    let mut environments = Vec::new();
    for env in envs.iter_mut() {
        let name = env.env.clone().unwrap_or_default();
        let path = format!("{}/{name}", base.trim_end_matches('/'));
        checked_repo_path(&path)?;
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
    fleet_delivery(tool, &repo_url, &revision, &mut environments)
}

/// A tree's path in the repository: `--repo-path`, else the output directory as given.
fn repo_path_of<'p>(output: &'p Path, repo_path: Option<&'p str>) -> anyhow::Result<&'p str> {
    let path = match (repo_path, output.to_str()) {
        (Some(path), _) => path,
        (None, Some("-")) | (None, None) => {
            anyhow::bail!(
                "--gitops with -o - needs --repo-path: where the rendered tree lives in the repository"
            )
        }
        (None, Some(output)) => output,
    };
    checked_repo_path(path)?;
    Ok(path)
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
fn repository(delivery: &Delivery, settings: &GitOpsSettings) -> anyhow::Result<(String, String)> {
    let repo_url = delivery
        .repo_url
        .clone()
        .or_else(|| settings.repo_url.as_ref().map(|u| u.value.clone()));
    let revision = delivery
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
