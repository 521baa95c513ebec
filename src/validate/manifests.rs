//! Validates Kubernetes objects from two places: YAML files already on disk (`validate`), and
//! objects compiled from stacks (`check`, `build`). Findings become [`Diagnostic`]s located in
//! the YAML text, or in the stack value that produced the field.

use rayon::prelude::*;

use super::objects::{Finding, ObjectValidator, Status};
use crate::diag::{Code, Diagnostic, Diagnostics, Label, Target};
use crate::k8s::{Object, ObjectRef};
use crate::source::{FileId, SourceMap, Span};
use crate::yaml::{self, Positions, ProblemKind};

/// The outcome for one object, for summaries and reports.
#[derive(Clone, Debug, PartialEq)]
pub struct ObjectResult {
    pub file: FileId,
    /// Index in its YAML stream; `None` for objects compiled from a stack.
    pub document: Option<usize>,
    pub object: Option<ObjectRef>,
    pub status: Status,
}

/// Every object's result and every problem found.
#[derive(Debug, Default)]
pub struct Checked {
    pub results: Vec<ObjectResult>,
    pub diagnostics: Diagnostics,
}

impl Checked {
    fn merge(&mut self, other: Checked) {
        self.results.extend(other.results);
        self.diagnostics.extend(other.diagnostics);
    }
}

/// Validates every document of every file; files are checked in parallel, results kept in order.
pub fn check_files(sources: &SourceMap, files: &[FileId], validator: &ObjectValidator) -> Checked {
    let per_file: Vec<Checked> = files
        .par_iter()
        .map(|&file| check_file(sources, file, validator))
        .collect();
    let mut all = Checked::default();
    for checked in per_file {
        all.merge(checked);
    }
    all
}

fn check_file(sources: &SourceMap, file: FileId, validator: &ObjectValidator) -> Checked {
    let text = &sources.file(file).text;
    let stream = yaml::parse(text);
    let mut checked = Checked::default();
    let span_at = |line: usize, column: usize| {
        let offset = sources.offset(file, line, column);
        Span::new(file, offset..offset)
    };
    let mut broken_documents = Vec::new();
    for problem in &stream.problems {
        let (code, label, help) = match problem.kind {
            ProblemKind::Syntax => (
                Code::YamlParseError,
                "here",
                "fix the YAML; nothing after this point in the file was read",
            ),
            ProblemKind::DuplicateKey => (
                Code::DuplicateKey,
                "second occurrence",
                "remove one of the two keys; the API server rejects duplicate keys",
            ),
        };
        broken_documents.push(problem.document);
        checked.diagnostics.push(
            Diagnostic::error(
                code,
                Label::new(span_at(problem.line, problem.column), label),
                problem.message.clone(),
            )
            .with_help(help)
            .with_target(Target {
                document: Some(problem.document),
                object: None,
                pointer: problem.pointer.clone(),
            }),
        );
    }
    for document in stream.documents.iter().filter(|d| !d.value.is_null()) {
        let object = ObjectRef::of_manifest(&document.value);
        let (mut status, findings) = validator.check(&document.value);
        if broken_documents.contains(&document.index) && status == Status::Valid {
            status = Status::Invalid;
        }
        if !findings.is_empty() {
            let positions = Positions::of(text, document.index);
            for finding in findings {
                let (line, column) = positions.locate(&finding.pointer).unwrap_or((1, 1));
                let target = Target {
                    document: Some(document.index),
                    object: object.clone(),
                    pointer: finding.pointer.clone(),
                };
                checked.diagnostics.push(diagnostic(
                    finding,
                    span_at(line, column),
                    target,
                    object.as_ref(),
                ));
            }
        }
        checked.results.push(ObjectResult {
            file,
            document: Some(document.index),
            object,
            status,
        });
    }
    checked
}

/// Validates objects compiled from stacks; a finding points at the stack value behind the field.
pub fn check_objects(objects: &[Object], validator: &ObjectValidator) -> Checked {
    let mut checked = Checked::default();
    for object in objects {
        let (status, findings) = validator.check(&object.body);
        for finding in findings {
            let span = object.origin_of(&finding.pointer);
            let target = Target {
                document: None,
                object: Some(object.id.clone()),
                pointer: finding.pointer.clone(),
            };
            checked
                .diagnostics
                .push(diagnostic(finding, span, target, Some(&object.id)));
        }
        checked.results.push(ObjectResult {
            file: object.origin.file,
            document: None,
            object: Some(object.id.clone()),
            status,
        });
    }
    checked
}

fn diagnostic(
    finding: Finding,
    span: Span,
    target: Target,
    object: Option<&ObjectRef>,
) -> Diagnostic {
    let at = if finding.pointer.is_empty() {
        String::new()
    } else {
        format!(" at {}", finding.pointer)
    };
    let message = match object {
        Some(object) => format!("{object}{at}: {}", finding.message),
        None => format!("document{at}: {}", finding.message),
    };
    let label = match finding.code {
        Code::SchemaViolation => "schema violation",
        Code::RuleViolation => "admission rule",
        Code::InvalidName => "invalid name",
        Code::SchemaNotFound => "no schema",
        _ => "here",
    };
    Diagnostic::error(finding.code, Label::new(span, label), message).with_target(target)
}
