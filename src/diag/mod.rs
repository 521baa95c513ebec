//! User-facing problems. Every stage reports into a [`Diagnostics`] list instead of stopping,
//! so one run shows every problem; [`Code`] is the stable, documented identity of each kind.

mod code;
pub mod render;

pub use code::{Code, Family, Reported};

use crate::k8s::ObjectRef;
use crate::source::Span;

/// How bad a problem is: errors fail the run (exit 1), warnings are printed only, and notes
/// say what inferstack could not check and how to let it (never a guess dressed as a finding).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Note,
    Warning,
    Error,
}

impl Severity {
    /// The word output and reports print.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// A span with the text shown under it.
#[derive(Clone, Debug, PartialEq)]
pub struct Label {
    pub span: Span,
    pub message: String,
}

impl Label {
    pub fn new(span: Span, message: impl Into<String>) -> Label {
        Label {
            span,
            message: visible(message.into()),
        }
    }
}

/// `text` as a message may show it: every word shaped like a credential masked (a message
/// quotes its input, and a token in a label value must not reach a SARIF upload), and every
/// control character but newline and tab written as an escape (`\u{1b}`): raw escape sequences
/// or NUL bytes from a hostile file must not reach a terminal, a CI log or a report format.
pub fn visible(text: String) -> String {
    let text = crate::secrets::mask_words(&text);
    if !text.chars().any(is_hidden_control) {
        return text;
    }
    text.chars()
        .map(|c| {
            if is_hidden_control(c) {
                c.escape_unicode().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// A control character a terminal would act on (newline and tab are text).
pub fn is_hidden_control(c: char) -> bool {
    c.is_control() && c != '\n' && c != '\t'
}

/// One problem: what is wrong (`message`), where (`primary`, plus `secondary` places in this or
/// other files) and how to fix it (`help`).
#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    pub message: String,
    pub help: Option<String>,
    pub primary: Label,
    pub secondary: Vec<Label>,
    /// For problems in a Kubernetes object: which object, where in it, in which document.
    pub target: Option<Target>,
}

/// The object a diagnostic is about, for reports that CI and editors read.
#[derive(Clone, Debug, PartialEq)]
pub struct Target {
    /// The document's index in its YAML stream (0-based); `None` for objects compiled from a stack.
    pub document: Option<usize>,
    pub object: Option<ObjectRef>,
    /// JSON Pointer into the object.
    pub pointer: String,
}

impl Diagnostic {
    pub fn error(code: Code, primary: Label, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            code,
            severity: Severity::Error,
            message: visible(message.into()),
            help: None,
            primary,
            secondary: Vec::new(),
            target: None,
        }
    }

    pub fn warning(code: Code, primary: Label, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, primary, message)
        }
    }

    pub fn note(code: Code, primary: Label, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Note,
            ..Diagnostic::error(code, primary, message)
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(visible(help.into()));
        self
    }

    pub fn with_secondary(mut self, label: Label) -> Diagnostic {
        self.secondary.push(label);
        self
    }

    pub fn with_target(mut self, target: Target) -> Diagnostic {
        self.target = Some(target);
        self
    }
}

/// The problems collected by one or more stages.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Diagnostics(Vec<Diagnostic>);

impl Diagnostics {
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.0.push(diagnostic);
    }

    pub fn extend(&mut self, other: impl IntoIterator<Item = Diagnostic>) {
        self.0.extend(other);
    }

    pub fn has_errors(&self) -> bool {
        self.0.iter().any(|d| d.severity == Severity::Error)
    }

    pub fn error_count(&self) -> usize {
        self.0
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count()
    }

    /// The errors and warnings: what `build` and `diff` print, leaving notes (what could not
    /// be checked) to `check` and `validate`.
    pub fn without_notes(mut self) -> Diagnostics {
        self.0.retain(|d| d.severity != Severity::Note);
        self
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn warning_count(&self) -> usize {
        self.0
            .iter()
            .filter(|d| d.severity == Severity::Warning)
            .count()
    }

    pub fn iter_mut(&mut self) -> std::slice::IterMut<'_, Diagnostic> {
        self.0.iter_mut()
    }

    pub fn iter(&self) -> std::slice::Iter<'_, Diagnostic> {
        self.0.iter()
    }

    /// Orders problems by file and position so output does not depend on rule order.
    pub fn sort(&mut self) {
        self.0.sort_by_key(|d| (d.primary.span, d.code));
        self.0.dedup();
    }
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}
