//! How `diff` and `diff --live` report what differs: the text report (unified diffs, coloured
//! on a terminal) and the JSON one, for a rendered directory or a cluster alike.

use std::path::Path;

use serde::Serialize;

use crate::diag::render::{Color, Style};
use crate::diff::{Action, Change};

/// A file of the rendered tree that was not compared, and why.
#[derive(Serialize)]
pub struct Skipped {
    pub path: String,
    pub reason: String,
}

const BOLD: &str = "\x1b[1m";
const RED: &str = "\x1b[31m";
const GREEN: &str = "\x1b[32m";
const CYAN: &str = "\x1b[36m";
const RESET: &str = "\x1b[0m";

/// What a diff compares with: a rendered directory, or a live cluster.
pub enum Against<'a> {
    Dir(&'a Path),
    /// `context NAME (SERVER)`.
    Cluster(String),
}

impl Against<'_> {
    /// Where the object of `path` is: its file, or the cluster.
    /// Where the object of `path` is: its file, or the cluster (which has an added one not
    /// at all).
    fn place(&self, path: &str, action: Option<Action>) -> String {
        match (self, action) {
            (Against::Dir(dir), _) => dir.join(path).display().to_string(),
            (Against::Cluster(cluster), Some(Action::Added)) => format!("absent from {cluster}"),
            (Against::Cluster(cluster), _) => format!("on {cluster}"),
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
pub fn text(
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
                against.place(&change.path, Some(change.action))
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
            against.place(&file.path, None),
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

pub fn json(changes: &[Change], skipped: &[Skipped]) -> anyhow::Result<String> {
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
