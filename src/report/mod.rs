//! Reports of a validation run (`check`, `validate`) in the formats CI systems read. One
//! [`Report`] is built from the results and diagnostics; each format is one file that turns it
//! into text. Adding a format means adding one file and one match arm.

mod github;
mod json;
mod sarif;

use crate::diag::render::{Style, render_all};
use crate::diag::{Diagnostic, Diagnostics, Severity};
use crate::source::SourceMap;
use crate::validate::manifests::ObjectResult;
use crate::validate::objects::Status;

pub use json::REPORT_SCHEMA;

/// The output formats of `check` and `validate`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// People: code frames and a summary line.
    Text,
    /// Programs: a versioned JSON envelope (schemas/report.schema.json).
    Json,
    /// GitHub Actions workflow commands: annotations on the pull request.
    Github,
    /// SARIF 2.1.0 for code-scanning upload.
    Sarif,
}

/// Everything a report needs; `tool_version` is passed in so tests can pin it.
pub struct Report<'a> {
    pub sources: &'a SourceMap,
    pub results: &'a [ObjectResult],
    pub diagnostics: &'a Diagnostics,
    pub tool_version: &'a str,
}

/// Counts for the summary line and the JSON summary.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Summary {
    pub objects: usize,
    pub valid: usize,
    pub invalid: usize,
    pub skipped: usize,
    pub errors: usize,
    pub warnings: usize,
}

impl Report<'_> {
    pub fn summary(&self) -> Summary {
        let count = |status| self.results.iter().filter(|r| r.status == status).count();
        Summary {
            objects: self.results.len(),
            valid: count(Status::Valid),
            invalid: count(Status::Invalid),
            skipped: count(Status::Skipped),
            errors: self.diagnostics.error_count(),
            warnings: self.diagnostics.warning_count(),
        }
    }

    pub fn render(&self, format: Format, style: Style) -> String {
        match format {
            Format::Text => self.text(style),
            Format::Json => json::render(self),
            Format::Github => github::render(self),
            Format::Sarif => sarif::render(self),
        }
    }

    fn text(&self, style: Style) -> String {
        let s = self.summary();
        let mut out = render_all(self.diagnostics, self.sources, style);
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(&format!(
            "{} objects: {} valid, {} invalid, {} skipped; {} error(s), {} warning(s)\n",
            s.objects, s.valid, s.invalid, s.skipped, s.errors, s.warnings
        ));
        out
    }

    /// File, 1-based line and column of a diagnostic.
    fn location(&self, diagnostic: &Diagnostic) -> (String, usize, usize) {
        let span = diagnostic.primary.span;
        let (line, column) = self.sources.line_col(span.file, span.start);
        (self.sources.file(span.file).name.clone(), line, column)
    }
}

fn severity_name(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}
