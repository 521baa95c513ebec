//! `inferstack build`: check the stacks (as `check` does), then write the output, but only if
//! nothing is wrong.

use std::path::Path;

use crate::cli::GitOps;
use crate::cli::{BuildArgs, ProfileArg};
use crate::diag::render::{Style, render_all};
use crate::emit::gitops::{Delivery, Tool, add_to_tree, delivery as delivery_objects};
use crate::emit::{layout, stream, to_yaml};
use crate::output::{compare_tree, write_tree};

use super::Outcome;
use super::check::check_stacks;

pub fn run(args: &BuildArgs, style: Style) -> anyhow::Result<Outcome> {
    let mut checked = check_stacks(&args.paths, args.profile.map(ProfileArg::profile))?;
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
    let to_stdout = args.output == Path::new("-");
    if to_stdout && args.check {
        anyhow::bail!("--check compares an output directory; it cannot be used with -o -");
    }
    let gitops = match gitops_delivery(args)? {
        Some(delivery) => delivery_objects(&mut checked.objects, &delivery)?,
        None => Vec::new(),
    };
    if to_stdout {
        outcome.stdout = stream(&checked.objects)?;
        for (_, body) in &gitops {
            outcome.stdout.push_str("---\n");
            outcome.stdout.push_str(&to_yaml(body)?);
        }
        return Ok(outcome);
    }
    let mut tree = layout::tree(&checked.objects)?;
    add_to_tree(&mut tree, &gitops)?;
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
    // A write error names the stack the file comes from; looked up only when one happens.
    let stack_of = |relative: &str| {
        let object = checked
            .objects
            .iter()
            .find(|o| layout::path(o) == relative)?;
        Some(checked.loaded.sources.file(object.origin.file).name.clone())
    };
    let summary = write_tree(&args.output, &tree, &stack_of)?;
    outcome.stderr.push_str(&format!(
        "built {stacks} stack(s) into {} objects in {}: {} written, {} unchanged, {} removed\n",
        checked.objects.len(),
        args.output.display(),
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
    Ok(outcome)
}

/// The `--gitops` settings; the repository path defaults to the output directory as given.
fn gitops_delivery(args: &BuildArgs) -> anyhow::Result<Option<Delivery<'_>>> {
    let Some(tool) = args.gitops else {
        return Ok(None);
    };
    let path = match (&args.repo_path, args.output.to_str()) {
        (Some(path), _) => path.as_str(),
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
