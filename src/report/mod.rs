//! Reports of a validation run (`check`, `validate`) in the formats CI systems read. One
//! [`Report`] is built from the results and diagnostics; each format is one file that turns it
//! into text. Adding a format means adding one file and one match arm.

mod github;
mod json;
mod junit;
mod sarif;
mod tap;

use crate::diag::render::{Style, render_all};
use crate::diag::{Diagnostic, Diagnostics, visible};
use std::collections::HashMap;

use crate::k8s::ObjectRef;
use crate::load::SkippedFile;
use crate::source::{FileId, SourceMap};
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
    /// JUnit XML: one test case per object, for CI test dashboards.
    Junit,
    /// TAP version 13: one test point per object.
    Tap,
}

/// Everything a report needs; `tool_version` is passed in so tests can pin it.
pub struct Report<'a> {
    pub sources: &'a SourceMap,
    pub results: &'a [ObjectResult],
    pub diagnostics: &'a Diagnostics,
    pub tool_version: &'a str,
    /// Input files left out (excluded, kustomize, chart parts), counted in the summary.
    pub skipped_files: &'a [SkippedFile],
    /// The text report ends with counts per kind and the files left out (`--summary`).
    pub by_kind: bool,
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
    #[serde(rename = "skippedFiles")]
    pub skipped_files: usize,
}

/// A character of `text` that a report in `format` must not carry raw, if any: in the text
/// formats (TAP, JUnit, GitHub, text) every control but newline and tab, which a terminal or
/// an XML reader would act on; in JSON and SARIF the C0 controls JSON requires escaped (DEL
/// and C1 controls are data there). Every report keeps this, on any input: the `validate_cel`
/// fuzz target and its regressions hold it.
pub fn stray_control(format: Format, text: &str) -> Option<char> {
    let json = matches!(format, Format::Json | Format::Sarif);
    text.chars()
        .find(|&c| c != '\n' && c != '\t' && if json { c < ' ' } else { c.is_control() })
}

/// "1 object", "2 objects".
pub fn objects(count: usize) -> String {
    if count == 1 {
        "1 object".to_owned()
    } else {
        format!("{count} objects")
    }
}

impl Summary {
    /// The closing line of every text format.
    pub fn line(&self) -> String {
        let mut line = format!(
            "{}: {} valid, {} invalid, {} skipped; {} error(s), {} warning(s)",
            objects(self.objects),
            self.valid,
            self.invalid,
            self.skipped,
            self.errors,
            self.warnings
        );
        if self.skipped_files > 0 {
            line.push_str(&format!("; {} file(s) left out", self.skipped_files));
        }
        line.push('\n');
        line
    }
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
            skipped_files: self.skipped_files.len(),
        }
    }

    pub fn render(&self, format: Format, style: Style) -> String {
        match format {
            Format::Text => self.text(style),
            Format::Json => json::render(self),
            Format::Github => github::render(self),
            Format::Sarif => sarif::render(self),
            Format::Junit => junit::render(self),
            Format::Tap => tap::render(self),
        }
    }

    fn text(&self, style: Style) -> String {
        let s = self.summary();
        let mut out = render_all(self.diagnostics, self.sources, style);
        if !out.is_empty() {
            out.push('\n');
        }
        if self.by_kind {
            out.push_str(&self.by_kind_text());
        }
        out.push_str(&s.line());
        out
    }

    /// `--summary`: counts per kind, then the files left out and why.
    fn by_kind_text(&self) -> String {
        let mut kinds: std::collections::BTreeMap<String, [usize; 3]> = Default::default();
        for r in self.results {
            let kind = r.object.as_ref().map_or("(no kind)".to_owned(), |o| {
                format!("{} ({})", o.kind, o.api_version)
            });
            let counts = kinds.entry(kind).or_default();
            counts[match r.status {
                Status::Valid => 0,
                Status::Invalid => 1,
                Status::Skipped => 2,
            }] += 1;
        }
        let mut out = String::from("by kind:\n");
        for (kind, [valid, invalid, skipped]) in kinds {
            out.push_str(&format!(
                "  {kind}: {valid} valid, {invalid} invalid, {skipped} skipped\n"
            ));
        }
        if !self.skipped_files.is_empty() {
            out.push_str("left out:\n");
            for f in self.skipped_files {
                out.push_str(&format!("  {}: {}\n", f.name, f.reason));
            }
        }
        out
    }

    /// The diagnostics about each result (in result order), and those about no object (a
    /// YAML syntax error, a file that cannot be read). One pass over each list.
    fn attach(&self) -> (Vec<Vec<&Diagnostic>>, Vec<&Diagnostic>) {
        type Key<'k> = (Option<FileId>, Option<usize>, &'k ObjectRef);
        let mut index: HashMap<Key<'_>, usize> = HashMap::new();
        for (i, r) in self.results.iter().enumerate() {
            if let Some(object) = &r.object {
                let file = r.document.map(|_| r.file);
                index.entry((file, r.document, object)).or_insert(i);
            }
        }
        let mut per_result = vec![Vec::new(); self.results.len()];
        let mut loose = Vec::new();
        for d in self.diagnostics.iter() {
            let found = d.target.as_ref().and_then(|t| {
                let file = t.document.map(|_| d.primary.span.file);
                index.get(&(file, t.document, t.object.as_ref()?))
            });
            match found {
                Some(&i) => per_result[i].push(d),
                None => loose.push(d),
            }
        }
        (per_result, loose)
    }

    /// `Kind namespace/name` of a result, or its document.
    /// An object's name as the text formats print it: names come from the input, so control
    /// characters are escaped as in messages (`diag::visible`).
    fn name_of(&self, r: &ObjectResult) -> String {
        visible(match (&r.object, r.document) {
            (Some(o), _) => o.to_string(),
            (None, Some(d)) => format!("document {d}"),
            (None, None) => "object".to_owned(),
        })
    }

    /// A file's name as the text formats print it (a path may hold any byte but `/`).
    fn file_name(&self, file: FileId) -> String {
        visible(self.sources.file(file).name.clone())
    }

    /// File, 1-based line and column of a diagnostic.
    fn location(&self, diagnostic: &Diagnostic) -> (String, usize, usize) {
        let span = diagnostic.primary.span;
        let (line, column) = self.sources.line_col(span.file, span.start);
        (self.file_name(span.file), line, column)
    }
}
