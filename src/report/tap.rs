//! TAP version 13 (the Test Anything Protocol): one test point per object, `not ok` with a YAML
//! block of its findings, `# SKIP` for skipped objects; problems that belong to no object are
//! test points of their own.

use super::Report;
use crate::diag::{Diagnostic, Severity};
use crate::validate::objects::Status;

pub fn render(report: &Report<'_>) -> String {
    // (verdict, description, findings) of each test point; numbers are added when printing.
    let mut points: Vec<(&str, String, Vec<&Diagnostic>)> = Vec::new();
    let (per_result, loose) = report.attach();
    for (r, diagnostics) in report.results.iter().zip(per_result) {
        let file = &report.file_name(r.file);
        let name = line(&format!("{file}: {}", report.name_of(r)));
        points.push(match r.status {
            Status::Valid => ("ok", name, diagnostics),
            Status::Skipped => ("ok", format!("{name} # SKIP"), diagnostics),
            Status::Invalid => ("not ok", name, diagnostics),
        });
    }
    for d in loose {
        let (file, _, _) = report.location(d);
        let verdict = if d.severity == Severity::Error {
            "not ok"
        } else {
            "ok"
        };
        points.push((verdict, line(&file), vec![d]));
    }
    let mut out = format!("TAP version 13\n1..{}\n", points.len());
    for (i, (verdict, description, diagnostics)) in points.iter().enumerate() {
        out.push_str(&format!("{verdict} {} - {description}\n", i + 1));
        if !diagnostics.is_empty() {
            out.push_str(&block(report, diagnostics));
        }
    }
    out.push_str(&format!("# {}", report.summary().line()));
    out
}

/// The YAML diagnostic block under a test point.
fn block(report: &Report<'_>, diagnostics: &[&Diagnostic]) -> String {
    let mut out = String::from("  ---\n  findings:\n");
    for d in diagnostics {
        let (file, line, column) = report.location(d);
        out.push_str(&format!(
            "  - {{severity: {}, code: {}, at: {}, message: {}}}\n",
            d.severity.as_str(),
            d.code.as_str(),
            quote(&format!("{file}:{line}:{column}")),
            quote(&d.message)
        ));
    }
    out.push_str("  ...\n");
    out
}

/// A test point description stays on one line, and `#` would start a directive.
fn line(text: &str) -> String {
    text.replace(['\n', '\r'], " ").replace('#', "\\#")
}

/// A YAML double-quoted scalar.
fn quote(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_default()
}
