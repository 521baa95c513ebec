//! `inferstack diff`: compiles the stacks in memory (with every check of `check`), reads the
//! rendered directory, and reports the objects added, removed and changed, with a unified diff
//! of each one's YAML. The comparison itself is [`crate::diff`]; this module owns the I/O.
//!
//! Exit codes follow `kubectl diff`: 0 no difference, 1 differences, 2 inferstack could not
//! compare. Invalid stacks are exit 2 here, not 1 as in `check` and `build`, so that exit 1
//! always means "there are differences" to a script.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

use crate::cli::{DiffArgs, DiffFormat};
use crate::diag::render::{Style, render_all};
use crate::diff::{Ours, diff};
use crate::emit::gitops::GITOPS_DIR;
use crate::emit::layout::KUSTOMIZATION;
use crate::load::MAX_MANIFEST_BYTES;
use crate::output::listed;

use super::Outcome;
use super::check::check_stacks;
use super::diff_report::{Against, Skipped, json, text};
use super::plan::{Planned, plan};

pub fn run(args: &DiffArgs, style: Style) -> anyhow::Result<Outcome> {
    let mut checked = check_stacks(
        &args.stacks.paths,
        &args.stacks.envs,
        args.stacks.profile(),
        None,
    )?;
    let diagnostics = checked.diagnostics().without_notes();
    let rendered = render_all(&diagnostics, &checked.loaded.sources, style);
    if args.print_rbac && !diagnostics.has_errors() {
        return super::diff_live::print_rbac(&checked);
    }
    if diagnostics.has_errors() {
        anyhow::bail!(
            "{} problem(s) in {} stack file(s); nothing was compared\n\n{rendered}",
            diagnostics.error_count(),
            checked.stacks,
            rendered = rendered.trim_end()
        );
    }
    if args.live {
        let mut outcome = super::diff_live::run(args, &mut checked, style)?;
        outcome.stderr = rendered;
        return Ok(outcome);
    }
    if !args.against.is_dir() {
        anyhow::bail!(
            "{} is not a directory; --against takes what `inferstack build -o DIR` wrote",
            args.against.display()
        );
    }
    // What `build -o AGAINST` with the same flags writes, tree by tree: each environment of
    // several in `AGAINST/<env>/`, their GitOps objects in `AGAINST/_gitops/`.
    let planned = plan(&mut checked, &args.against, &args.delivery)?;
    let mut changes = Vec::new();
    let mut skipped = Vec::new();
    for tree in &planned {
        let prefix = match tree.output.strip_prefix(&args.against) {
            Ok(dir) if !dir.as_os_str().is_empty() => format!("{}/", dir.display()),
            _ => String::new(),
        };
        let theirs = read_dir(&tree.output, &prefix, &tree.keep, &mut skipped)?;
        let ours = Ours::of_tree(tree.objects, &tree.gitops);
        let mut scopes: BTreeMap<String, Sides<'_>> = BTreeMap::new();
        for object in ours {
            let scope = scope(tree, &object.path).to_owned();
            scopes.entry(scope).or_default().0.push(object);
        }
        for (path, document) in theirs {
            let scope = scope(tree, &path).to_owned();
            scopes.entry(scope).or_default().1.push((path, document));
        }
        let mut found = Vec::new();
        for (ours, theirs) in scopes.values() {
            found.extend(diff(ours, theirs)?);
        }
        let files = crate::diff::kustomizations(&tree.tree, &tree.output);
        for mut change in found.into_iter().chain(files) {
            change.path = format!("{prefix}{}", change.path);
            changes.push(change);
        }
    }
    drop(planned);
    let stdout = match args.format {
        DiffFormat::Text => text(&changes, &skipped, &Against::Dir(&args.against), style),
        DiffFormat::Json => json(&changes, &skipped)?,
    };
    // A file in the tree that inferstack did not write is a difference too: kustomize or the
    // GitOps tool may apply it, and `build` would not reproduce it.
    Ok(Outcome {
        stdout,
        stderr: rendered,
        problems: !changes.is_empty() || !skipped.is_empty(),
    })
}

/// The compiled and the disk side of one scope.
type Sides<'a> = (Vec<Ours<'a>>, Vec<(String, Value)>);

/// Where an object's identity is unique: the whole tree for the compiled objects (a file may
/// move between directories), but each directory of GitOps objects on its own, since Flux's
/// objects of each cluster have the same names.
fn scope<'p>(tree: &Planned<'_>, path: &'p str) -> &'p str {
    let delivery = tree.delivery_only || path.starts_with(&format!("{GITOPS_DIR}/"));
    match path.rsplit_once('/') {
        Some((directory, _)) if delivery => directory,
        _ => "",
    }
}

/// Every document of every `*.yaml` file under `dir` that inferstack wrote, with its
/// `/`-separated path relative to `dir`. Hidden entries and `kustomization.yaml` files are
/// left out (those are compared as files); so is, into `skipped`, a file the directory's
/// manifest does not list (the user's own), one that does not parse, and a `.yaml` entry that
/// is no regular file (a link, FIFO or device, never opened).
fn read_dir(
    dir: &Path,
    prefix: &str,
    keep: &globset::GlobSet,
    skipped: &mut Vec<Skipped>,
) -> anyhow::Result<Vec<(String, Value)>> {
    if !dir.is_dir() {
        anyhow::bail!(
            "{} is not a directory; each environment is compared with the directory `build --env` wrote for it",
            dir.display()
        );
    }
    let ours = listed(dir)?;
    let mut documents = Vec::new();
    for entry in crate::output::tree_entries(dir)? {
        let relative = entry.relative;
        let name = relative.rsplit('/').next().unwrap_or_default();
        if !name.ends_with(".yaml") || name == KUSTOMIZATION {
            continue;
        }
        let path = dir.join(&relative);
        let mut skip = |reason: String| {
            skipped.push(Skipped {
                path: format!("{prefix}{relative}"),
                reason,
            })
        };
        // A link, FIFO or device is never read: it could block, never end, or lead out.
        if !entry.regular {
            skip(
                "not a regular file (a symbolic link, FIFO, device or socket); never read"
                    .to_owned(),
            );
            continue;
        }
        if ours.as_ref().is_some_and(|o| !o.contains(&relative)) {
            if !keep.is_match(&relative) {
                skip("not written by inferstack (not in its manifest); move it out of the tree, or claim it with `output.keep`".to_owned());
            }
            continue;
        }
        let text = match crate::load::read_text(&path, MAX_MANIFEST_BYTES) {
            Ok(text) => text,
            Err(error) => {
                skip(format!("{error:#}"));
                continue;
            }
        };
        let stream = crate::yaml::parse(&text);
        if let Some(problem) = stream.problems.first() {
            skip(format!(
                "not valid YAML at {}:{}: {}",
                problem.line, problem.column, problem.message
            ));
            continue;
        }
        for document in stream.documents {
            documents.push((relative.clone(), document.value));
        }
    }
    Ok(documents)
}
