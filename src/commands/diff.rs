//! `inferstack diff`: compiles the stacks in memory (with every check of `check`), reads the
//! rendered directory, and reports the objects added, removed and changed, with a unified diff
//! of each one's YAML. The comparison itself is [`crate::diff`]; this module owns the I/O.
//!
//! Exit codes follow `kubectl diff`: 0 no difference, 1 differences, 2 inferstack could not
//! compare. Invalid stacks are exit 2 here, not 1 as in `check` and `build`, so that exit 1
//! always means "there are differences" to a script.

use std::path::Path;

use anyhow::Context;
use serde::Serialize;
use serde_json::Value;

use crate::cli::{DiffArgs, DiffFormat, ProfileArg};
use crate::diag::render::{Color, Style, render_all};
use crate::diff::{Action, Change, diff};
use crate::emit::layout::KUSTOMIZATION;
use crate::load::MAX_MANIFEST_BYTES;

use super::Outcome;
use super::check::check_stacks;

pub fn run(args: &DiffArgs, style: Style) -> anyhow::Result<Outcome> {
    let checked = check_stacks(&args.paths, args.profile.map(ProfileArg::profile))?;
    let diagnostics = &checked.diagnostics;
    let rendered = render_all(diagnostics, &checked.loaded.sources, style);
    if diagnostics.has_errors() {
        let stacks = checked.loaded.sources.files().count();
        anyhow::bail!(
            "{} problem(s) in {stacks} stack file(s); nothing was compared\n\n{rendered}",
            diagnostics.error_count(),
            rendered = rendered.trim_end()
        );
    }
    let theirs = read_dir(&args.against)?;
    let changes = diff(&checked.objects, &theirs)?;
    let stdout = match args.format {
        DiffFormat::Text => text(&changes, &args.against, style),
        DiffFormat::Json => json(&changes)?,
    };
    Ok(Outcome {
        stdout,
        stderr: rendered,
        problems: !changes.is_empty(),
    })
}

/// Every document of every `*.yaml` file under `dir`, with its `/`-separated path relative to
/// `dir`. Hidden entries, `kustomization.yaml` files and symbolic links are skipped. A missing
/// directory holds nothing; a file that cannot be read or parsed is an error.
fn read_dir(dir: &Path) -> anyhow::Result<Vec<(String, Value)>> {
    let meta = match std::fs::symlink_metadata(dir) {
        Ok(meta) => meta,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(error) => return Err(error).context(format!("cannot read {}", dir.display())),
    };
    if !meta.is_dir() {
        anyhow::bail!(
            "{} is not a directory; --against takes what `inferstack build -o DIR` wrote",
            dir.display()
        );
    }
    let walker = walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
    let mut documents = Vec::new();
    for entry in walker {
        let entry = entry.with_context(|| format!("cannot walk {}", dir.display()))?;
        let path = entry.path();
        if !entry.file_type().is_file()
            || path.extension().is_none_or(|e| e != "yaml")
            || entry.file_name() == KUSTOMIZATION
        {
            continue;
        }
        let relative: Vec<String> = path
            .strip_prefix(dir)
            .unwrap_or(path)
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        let relative = relative.join("/");
        let text = crate::load::read_text(path, MAX_MANIFEST_BYTES)?;
        let stream = crate::yaml::parse(&text);
        if let Some(problem) = stream.problems.first() {
            anyhow::bail!(
                "cannot compare with {}:{}:{}: {}",
                path.display(),
                problem.line,
                problem.column,
                problem.message
            );
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

/// The text report: per change a heading, the immutable fields if any, and the unified diff;
/// then one summary line. Coloured only for `Style::Human(Color::Always)`.
fn text(changes: &[Change], against: &Path, style: Style) -> String {
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
                against.join(&change.path).display()
            ),
        ));
        if change.replace() {
            out.push_str(&paint(
                RED,
                &format!(
                    "  immutable field(s) changed: {}; the object must be deleted and recreated",
                    change.immutable_fields.join(", ")
                ),
            ));
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
    let summary = Summary::of(changes);
    if changes.is_empty() {
        out.push_str(&format!("no differences with {}\n", against.display()));
    } else {
        out.push_str(&format!(
            "{} added, {} removed, {} changed ({} to replace) compared with {}\n",
            summary.added,
            summary.removed,
            summary.changed,
            summary.replace,
            against.display()
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

fn json(changes: &[Change]) -> anyhow::Result<String> {
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
                diff: &c.diff,
            })
            .collect(),
    };
    Ok(serde_json::to_string_pretty(&report)? + "\n")
}
