//! `inferstack diff`: compiles the stacks in memory (with every check of `check`), reads the
//! rendered directory, and reports the objects added, removed and changed, with a unified diff
//! of each one's YAML. The comparison itself is [`crate::diff`]; this module owns the I/O.
//!
//! Exit codes follow `kubectl diff`: 0 no difference, 1 differences, 2 inferstack could not
//! compare. Invalid stacks are exit 2 here, not 1 as in `check` and `build`, so that exit 1
//! always means "there are differences" to a script.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;
use serde_json::Value;

use crate::cli::{DiffArgs, DiffFormat};
use crate::diag::render::{Color, Style, render_all};
use crate::diff::{Action, Change, Ours, diff};
use crate::emit::gitops::GITOPS_DIR;
use crate::emit::layout::KUSTOMIZATION;
use crate::load::MAX_MANIFEST_BYTES;
use crate::output::listed;

use super::Outcome;
use super::check::check_stacks;
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

/// A file of the rendered tree that was not compared, and why.
#[derive(Serialize)]
pub(super) struct Skipped {
    path: String,
    reason: String,
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

const BOLD: &str = "\x1b[1m";
const RED: &str = "\x1b[31m";
const GREEN: &str = "\x1b[32m";
const CYAN: &str = "\x1b[36m";
const RESET: &str = "\x1b[0m";

/// What a diff compares with: a rendered directory, or a live cluster.
pub(super) enum Against<'a> {
    Dir(&'a Path),
    /// `context NAME (SERVER)`.
    Cluster(String),
}

impl Against<'_> {
    /// Where the object of `path` is: its file, or the cluster.
    fn place(&self, path: &str) -> String {
        match self {
            Against::Dir(dir) => dir.join(path).display().to_string(),
            Against::Cluster(cluster) => format!("on {cluster}"),
        }
    }

    fn name(&self) -> String {
        match self {
            Against::Dir(dir) => dir.display().to_string(),
            Against::Cluster(cluster) => cluster.clone(),
        }
    }
}

/// The text report: per change a heading, the immutable fields if any, and the unified diff;
/// then one summary line. Coloured only for `Style::Human(Color::Always)`.
pub(super) fn text(
    changes: &[Change],
    skipped: &[Skipped],
    against: &Against<'_>,
    style: Style,
) -> String {
    let color = style == Style::Human(Color::Always);
    let paint = |code: &str, line: &str| {
        if color {
            format!("{code}{line}{RESET}\n")
        } else {
            format!("{line}\n")
        }
    };
    let mut out = String::new();
    for change in changes {
        let action = if change.replace() {
            "replace"
        } else {
            change.action.as_str()
        };
        out.push_str(&paint(
            BOLD,
            &format!(
                "{action}: {} ({}) {}",
                change.id,
                change.id.api_version,
                against.place(&change.path)
            ),
        ));
        if change.replace() {
            out.push_str(&paint(
                RED,
                "  immutable field(s) changed; the object must be deleted and recreated:",
            ));
            for (field, why) in change.immutable_fields.iter().zip(&change.why) {
                out.push_str(&paint(RED, &format!("    {field}: {why}")));
            }
        }
        for condition in &change.conditions {
            out.push_str(&format!("  in place only if: {condition}\n"));
        }
        for line in change.diff.lines() {
            let code = if line.starts_with("---") || line.starts_with("+++") {
                BOLD
            } else if line.starts_with("@@") {
                CYAN
            } else if line.starts_with('+') {
                GREEN
            } else if line.starts_with('-') {
                RED
            } else {
                ""
            };
            out.push_str(&if code.is_empty() {
                format!("{line}\n")
            } else {
                paint(code, line)
            });
        }
        out.push('\n');
    }
    for file in skipped {
        out.push_str(&format!(
            "not compared: {}: {}\n",
            against.place(&file.path),
            file.reason
        ));
    }
    let summary = Summary::of(changes);
    if changes.is_empty() && !skipped.is_empty() {
        out.push_str(&format!(
            "no differences in the objects compared with {}; {} file(s) not compared\n",
            against.name(),
            skipped.len()
        ));
    } else if changes.is_empty() {
        out.push_str(&format!("no differences with {}\n", against.name()));
    } else {
        out.push_str(&format!(
            "{} added, {} removed, {} changed ({} to replace) compared with {}\n",
            summary.added,
            summary.removed,
            summary.changed,
            summary.replace,
            against.name()
        ));
    }
    out
}

/// `{"apiVersion": "inferstack.dev/v1", "kind": "DiffReport", "summary", "changes"}`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Report<'a> {
    api_version: &'static str,
    kind: &'static str,
    summary: Summary,
    changes: Vec<JsonChange<'a>>,
    /// Files of the tree that were not compared, and why.
    not_compared: &'a [Skipped],
}

#[derive(Serialize)]
struct Summary {
    added: usize,
    removed: usize,
    changed: usize,
    /// Changed objects that must be deleted and recreated (counted in `changed` too).
    replace: usize,
}

impl Summary {
    fn of(changes: &[Change]) -> Summary {
        let count = |action| changes.iter().filter(|c| c.action == action).count();
        Summary {
            added: count(Action::Added),
            removed: count(Action::Removed),
            changed: count(Action::Changed),
            replace: changes.iter().filter(|c| c.replace()).count(),
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonChange<'a> {
    action: &'static str,
    object: JsonObject<'a>,
    path: &'a str,
    replace: bool,
    immutable_fields: &'a [String],
    /// For each immutable field, the Kubernetes rule behind it.
    why: &'a [String],
    conditions: &'a [String],
    diff: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonObject<'a> {
    api_version: &'a str,
    kind: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    namespace: Option<&'a str>,
    name: &'a str,
}

pub(super) fn json(changes: &[Change], skipped: &[Skipped]) -> anyhow::Result<String> {
    let report = Report {
        api_version: "inferstack.dev/v1",
        kind: "DiffReport",
        summary: Summary::of(changes),
        changes: changes
            .iter()
            .map(|c| JsonChange {
                action: c.action.as_str(),
                object: JsonObject {
                    api_version: &c.id.api_version,
                    kind: &c.id.kind,
                    namespace: c.id.namespace.as_deref(),
                    name: &c.id.name,
                },
                path: &c.path,
                replace: c.replace(),
                immutable_fields: &c.immutable_fields,
                why: &c.why,
                conditions: &c.conditions,
                diff: &c.diff,
            })
            .collect(),
        not_compared: skipped,
    };
    Ok(serde_json::to_string_pretty(&report)? + "\n")
}
