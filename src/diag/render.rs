//! Turns [`Diagnostic`]s into text with miette's code frames. This is the only place that
//! formats diagnostics for people.

use std::collections::HashMap;
use std::fmt;

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    NamedSource, SourceCode, SourceSpan, SpanContents,
};

use super::{Code, Diagnostic, Diagnostics, Severity};
use crate::secrets;
use crate::source::{FileId, SourceMap, Span};

/// Whether to colour the output; decided once by the caller from the terminal and `NO_COLOR`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Color {
    Always,
    Never,
}

/// How diagnostics are printed, decided once in `main`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// Code frames with the source line, labels and help.
    Human(Color),
    /// `file:line:col: severity[code]: message`, one line each.
    Short,
}

/// Renders every diagnostic in the chosen style.
pub fn render_all(diagnostics: &Diagnostics, sources: &SourceMap, style: Style) -> String {
    let color = match style {
        Style::Short => {
            return diagnostics
                .iter()
                .map(|d| with_help(one_line(d, sources), d) + "\n")
                .collect();
        }
        Style::Human(color) => color,
    };
    let theme = match color {
        Color::Always => GraphicalTheme::unicode(),
        Color::Never => GraphicalTheme::unicode_nocolor(),
    };
    // A fixed width keeps output identical on every terminal and in CI logs.
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(100)
        .with_links(false);
    let mut out = String::new();
    let mut masked = Masked::new(sources);
    for diagnostic in diagnostics.iter() {
        if !out.is_empty() {
            out.push('\n');
        }
        let view = View::new(diagnostic, &mut masked);
        // Rendering into a String cannot fail except on a formatter bug; fall back to plain text.
        if handler.render_report(&mut out, &view).is_err() {
            out.push_str(&diagnostic.message);
            out.push('\n');
        }
    }
    out
}

/// A short line with its fix after it, on the same line (`; help: …`): the fix is half of
/// the finding, and one line each keeps the format for grep and editors.
fn with_help(mut line: String, diagnostic: &Diagnostic) -> String {
    if let Some(help) = &diagnostic.help {
        line.push_str("; help: ");
        line.push_str(&help.split('\n').collect::<Vec<_>>().join("; "));
    }
    line
}

/// One-line `file:line:col: severity[code]: message` form, for logs, editors and tests.
pub fn one_line(diagnostic: &Diagnostic, sources: &SourceMap) -> String {
    let severity = diagnostic.severity.as_str();
    let mut line = format!(
        "{}: {severity}[{}]: {}",
        sources.location(diagnostic.primary.span),
        diagnostic.code.as_str(),
        diagnostic.message
    );
    for label in &diagnostic.secondary {
        line.push_str(&format!(
            " (see {}: {})",
            sources.location(label.span),
            label.message
        ));
    }
    line
}

/// A borrowed adapter that lets miette draw one of our diagnostics.
struct View {
    code: Code,
    /// `None` for a related note that points at another file.
    severity: Option<Severity>,
    message: String,
    help: Option<String>,
    source: Option<NamedSource<Window>>,
    labels: Vec<LabeledSpan>,
    related: Vec<View>,
}

impl View {
    fn new(diagnostic: &Diagnostic, masked: &mut Masked) -> View {
        let sources = masked.sources;
        let primary = diagnostic.primary.span;
        // Findings in a Secret never show source text: the snippet would put the value in
        // logs. A credential in a stack is shown at its key with every value and comment of
        // its file masked, so the frame says where without saying what.
        if is_about_a_secret(diagnostic) {
            return View {
                code: diagnostic.code,
                severity: Some(diagnostic.severity),
                message: format!(
                    "{} (at {}; value not shown)",
                    diagnostic.message,
                    sources.location(primary)
                ),
                help: diagnostic.help.clone(),
                source: None,
                labels: Vec::new(),
                related: Vec::new(),
            };
        }
        let mut labels = vec![LabeledSpan::new_primary_with_span(
            Some(diagnostic.primary.message.clone()).filter(|m| !m.is_empty()),
            source_span(primary),
        )];
        let same_file: Vec<Span> = std::iter::once(primary)
            .chain(
                diagnostic
                    .secondary
                    .iter()
                    .map(|l| l.span)
                    .filter(|s| s.file == primary.file),
            )
            .collect();
        let mut related = Vec::new();
        for label in &diagnostic.secondary {
            if label.span.file == primary.file {
                labels.push(LabeledSpan::new_with_span(
                    Some(label.message.clone()),
                    source_span(label.span),
                ));
            } else {
                related.push(View {
                    code: diagnostic.code,
                    severity: None,
                    message: format!("see also {}", sources.file(label.span.file).name),
                    help: None,
                    source: Some(masked.window(label.span.file, &[label.span])),
                    labels: vec![LabeledSpan::new_primary_with_span(
                        Some(label.message.clone()),
                        source_span(label.span),
                    )],
                    related: Vec::new(),
                });
            }
        }
        let literals = diagnostic.code == Code::CredentialsInStack;
        View {
            code: diagnostic.code,
            severity: Some(diagnostic.severity),
            message: diagnostic.message.clone(),
            help: diagnostic.help.clone(),
            source: Some(masked.window_of(primary.file, &same_file, literals)),
            labels,
            related,
        }
    }
}

/// Control characters of a code frame (ESC, NUL, ...) as `?`, one per byte, so offsets stay
/// valid and no escape sequence from a file reaches the terminal.
fn hide_controls(text: String) -> String {
    // A carriage return ends a line of a CRLF file; it stays for the frame's line breaks.
    let hidden = |c: char| super::is_hidden_control(c) && c != '\r';
    if !text.chars().any(hidden) {
        return text;
    }
    text.chars()
        .map(|c| {
            if hidden(c) {
                "?".repeat(c.len_utf8())
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// A finding in a Kubernetes Secret, whose every value is a credential.
fn is_about_a_secret(diagnostic: &Diagnostic) -> bool {
    diagnostic
        .target
        .as_ref()
        .and_then(|t| t.object.as_ref())
        .is_some_and(|o| o.api_version == "v1" && o.kind == "Secret")
}

/// Lines shown around a label are few; the window keeps this many on each side.
const WINDOW_MARGIN: usize = 8;

/// `file` narrowed to the lines around `spans`, within the YAML document that holds them, with
/// every credential masked: a code frame never shows a line the secret scan would flag, nor a
/// neighbouring document's.
/// The files' texts as a code frame may show them: credentials and control characters masked,
/// byte for byte. Each file is masked once, the first time one of its lines is shown, so a
/// thousand findings on one long line cost one pass over it, not a thousand.
struct Masked<'a> {
    sources: &'a SourceMap,
    files: HashMap<FileId, String>,
    /// Files with every string and comment masked too, for credential findings.
    literals: HashMap<FileId, String>,
}

impl<'a> Masked<'a> {
    fn new(sources: &'a SourceMap) -> Self {
        Masked {
            sources,
            files: HashMap::new(),
            literals: HashMap::new(),
        }
    }

    fn window(&mut self, file: FileId, spans: &[Span]) -> NamedSource<Window> {
        self.window_of(file, spans, false)
    }

    /// The lines around `spans`, cut at the `---` lines that end their YAML document; with
    /// `literals`, every string and comment of the file masked as well.
    fn window_of(&mut self, file: FileId, spans: &[Span], literals: bool) -> NamedSource<Window> {
        let source = self.sources.file(file);
        let starts = source.line_starts();
        let line = |i: usize| {
            let end = starts.get(i + 1).copied().unwrap_or(source.text.len());
            source.text.get(starts[i]..end).unwrap_or("")
        };
        let is_separator = |i: usize| line(i).trim_end() == "---";
        let low = spans.iter().map(|s| s.start).min().unwrap_or(0);
        let high = spans.iter().map(|s| s.end).max().unwrap_or(0);
        let (low_line, high_line) = (source.line_index(low), source.line_index(high));
        let mut first_line = low_line.saturating_sub(WINDOW_MARGIN);
        if let Some(separator) = (first_line..low_line).rev().find(|&i| is_separator(i)) {
            first_line = separator + 1;
        }
        let mut last_line = (high_line + WINDOW_MARGIN + 1).min(starts.len());
        if let Some(separator) = (high_line + 1..last_line).find(|&i| is_separator(i)) {
            last_line = separator;
        }
        let start = starts[first_line];
        let end = starts.get(last_line).copied().unwrap_or(source.text.len());
        let masked = if literals {
            self.literals.entry(file).or_insert_with(|| {
                hide_controls(secrets::mask_literals(&secrets::redact(&source.text)))
            })
        } else {
            self.files
                .entry(file)
                .or_insert_with(|| hide_controls(secrets::redact(&source.text)))
        };
        let window = Window {
            text: masked.get(start..end).unwrap_or("").to_string(),
            start,
            first_line,
        };
        NamedSource::new(&source.name, window)
    }
}

/// A file's lines around a diagnostic's labels, masked. miette finds a label's line and context
/// by scanning from the start of the text it is given, so handing it the whole file would make
/// every code frame cost a scan of the file.
struct Window {
    text: String,
    /// The byte offset of the window in its file.
    start: usize,
    /// The 0-based line the window starts at.
    first_line: usize,
}

impl SourceCode for Window {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let local = SourceSpan::new(span.offset().saturating_sub(self.start).into(), span.len());
        let inner =
            self.text
                .as_str()
                .read_span(&local, context_lines_before, context_lines_after)?;
        let absolute = SourceSpan::new(
            (inner.span().offset() + self.start).into(),
            inner.span().len(),
        );
        Ok(Box::new(MietteSpanContents::new(
            inner.data(),
            absolute,
            inner.line() + self.first_line,
            inner.column(),
            inner.line_count(),
        )))
    }
}

fn source_span(span: Span) -> SourceSpan {
    SourceSpan::new(span.start.into(), span.end.saturating_sub(span.start))
}

impl fmt::Debug for View {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for View {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for View {}

impl miette::Diagnostic for View {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.severity {
            Some(Severity::Error) => miette::Severity::Error,
            Some(Severity::Warning) => miette::Severity::Warning,
            Some(Severity::Note) | None => miette::Severity::Advice,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.source.as_ref()?;
        Some(Box::new(self.labels.iter().cloned()))
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        if self.related.is_empty() {
            return None;
        }
        Some(Box::new(
            self.related.iter().map(|r| r as &dyn miette::Diagnostic),
        ))
    }
}
