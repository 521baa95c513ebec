//! Validates Kubernetes objects from two places: YAML files already on disk (`validate`), and
//! objects compiled from stacks (`check`, `build`). Findings become [`Diagnostic`]s located in
//! the YAML text, or in the stack value that produced the field.

use std::collections::BTreeMap;

use rayon::prelude::*;

use super::knative;
use super::objects::{Finding, ObjectValidator, Status};
use super::units::{self, Unit};
use crate::background::drop_later;
use crate::diag::{Code, Diagnostic, Diagnostics, Label, Severity, Target};
use crate::k8s::{Object, ObjectRef};
use crate::rules::cross::World;
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

/// How `check_files` runs beyond the validator itself.
#[derive(Clone, Copy, Debug, Default)]
pub struct FileOptions {
    /// Run the cross-object rules over all objects of all files, in this world.
    pub cross: Option<World>,
}

/// One file read: its objects, and the diagnostics of reading it.
struct ReadFile {
    units: Vec<Unit>,
    broken_documents: Vec<usize>,
    diagnostics: Diagnostics,
}

/// Validates every object of every file. Files are read in parallel; then the Knative
/// ConfigMaps among them configure the validator; then objects are checked in parallel and
/// the cross-object rules run over all of them. Results keep input order.
pub fn check_files(
    sources: &SourceMap,
    files: &[FileId],
    validator: &mut ObjectValidator,
    options: FileOptions,
) -> Checked {
    let read: Vec<ReadFile> = files
        .par_iter()
        .map(|&file| read_file(sources, file))
        .collect();
    for unit in read.iter().flat_map(|r| &r.units) {
        if knative::is_config(&unit.value) {
            validator
                .knative
                .absorb(&unit.value, &sources.file(unit.file).name);
        }
    }
    let validator = &*validator;
    // Every file's objects are counted before any is checked, so a kind spread over many
    // files compiles its whole schema once instead of being cut for its first objects.
    validator
        .schemas
        .expect(read.iter().flat_map(|r| &r.units).map(|u| &u.value));
    let per_file: Vec<Checked> = read
        .par_iter()
        .map(|r| check_units(sources, r, validator))
        .collect();
    let mut all = Checked::default();
    let mut units = Vec::new();
    for (checked, r) in per_file.into_iter().zip(read) {
        all.diagnostics.extend(r.diagnostics);
        all.merge(checked);
        units.extend(r.units);
    }
    {
        let found = rule_check(sources, units, options.cross);
        // An object a rule refuses is invalid, like one its schema refuses.
        let refused: std::collections::HashSet<(FileId, Option<usize>, &ObjectRef)> = found
            .iter()
            .filter(|d| d.severity == crate::diag::Severity::Error)
            .filter_map(|d| {
                let t = d.target.as_ref()?;
                Some((d.primary.span.file, t.document, t.object.as_ref()?))
            })
            .collect();
        for result in &mut all.results {
            let key = result
                .object
                .as_ref()
                .map(|o| (result.file, result.document, o));
            if key.is_some_and(|k| refused.contains(&k)) {
                result.status = Status::Invalid;
            }
        }
        all.diagnostics.extend(found);
    }
    all
}

/// Parses one file and reports its YAML problems.
fn read_file(sources: &SourceMap, file: FileId) -> ReadFile {
    let stream = yaml::parse(&sources.file(file).text);
    let mut diagnostics = Diagnostics::default();
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
            ProblemKind::ComplexKey => (
                Code::YamlParseError,
                "this key",
                "write the key as a string; the API server reads YAML as JSON, whose keys are strings",
            ),
        };
        broken_documents.push(problem.document);
        diagnostics.push(
            Diagnostic::error(
                code,
                Label::new(span_at(sources, file, problem.line, problem.column), label),
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
    ReadFile {
        units: units::of_stream(file, stream),
        broken_documents,
        diagnostics,
    }
}

fn span_at(sources: &SourceMap, file: FileId, line: usize, column: usize) -> Span {
    let offset = sources.offset(file, line, column);
    Span::new(file, offset..offset)
}

/// The positions of the documents with findings: one reading per file, whatever the number
/// of documents or findings.
struct Locator<'a> {
    sources: &'a SourceMap,
    documents: BTreeMap<(FileId, usize), Positions>,
}

impl<'a> Locator<'a> {
    fn new(
        sources: &'a SourceMap,
        wanted: impl IntoIterator<Item = (FileId, usize)>,
    ) -> Locator<'a> {
        let mut by_file: BTreeMap<FileId, Vec<usize>> = BTreeMap::new();
        for (file, document) in wanted {
            by_file.entry(file).or_default().push(document);
        }
        let mut documents = BTreeMap::new();
        for (file, indices) in by_file {
            let text = &sources.file(file).text;
            for (index, positions) in Positions::of_documents(text, &indices) {
                documents.insert((file, index), positions);
            }
        }
        Locator { sources, documents }
    }

    /// The span of `pointer` (relative to the document) in that document.
    fn span(&self, file: FileId, document: usize, pointer: &str) -> Span {
        let (line, column) = self
            .documents
            .get(&(file, document))
            .and_then(|p| p.locate(pointer))
            .unwrap_or((1, 1));
        span_at(self.sources, file, line, column)
    }
}

fn check_units(sources: &SourceMap, read: &ReadFile, validator: &ObjectValidator) -> Checked {
    // The objects of one file in parallel too: a large stream is often one file.
    let judged: Vec<(Status, Vec<Finding>)> = read
        .units
        .par_iter()
        .map(|unit| validator.check(&unit.value))
        .collect();
    let wanted = read
        .units
        .iter()
        .zip(&judged)
        .filter(|(_, (_, findings))| !findings.is_empty())
        .map(|(unit, _)| (unit.file, unit.document));
    let locator = Locator::new(sources, wanted);
    let mut checked = Checked::default();
    for (unit, (mut status, findings)) in read.units.iter().zip(judged) {
        let object = ObjectRef::of_manifest(&unit.value);
        if read.broken_documents.contains(&unit.document) && status == Status::Valid {
            status = Status::Invalid;
        }
        for finding in findings {
            let pointer = format!("{}{}", unit.base, finding.pointer);
            let span = locator.span(unit.file, unit.document, &pointer);
            let target = Target {
                document: Some(unit.document),
                object: object.clone(),
                pointer: pointer.clone(),
            };
            let finding = Finding { pointer, ..finding };
            checked
                .diagnostics
                .push(diagnostic(finding, span, target, object.as_ref()));
        }
        checked.results.push(ObjectResult {
            file: unit.file,
            document: Some(unit.document),
            object,
            status,
        });
    }
    checked
}

/// The rules (`crate::rules`) over manifests: those on single objects always, those across
/// objects with a `world`. Each object is the unit it came from (moved, not copied), and
/// findings are located in its document.
fn rule_check(sources: &SourceMap, units: Vec<Unit>, world: Option<World>) -> Diagnostics {
    let (placed, objects): (Vec<(FileId, usize, String)>, Vec<Object>) = units
        .into_iter()
        .filter_map(|u| {
            let id = ObjectRef::of_manifest(&u.value)?;
            // Without the references, only the rules on one Knative Service run: the rest need
            // no object built.
            if world.is_none() && !id.is_knative_service() {
                return None;
            }
            let object = Object {
                id,
                body: u.value,
                origin: Span::file_start(u.file),
                origins: Vec::new(),
                sharing: crate::k8s::Sharing::Owned,
            };
            Some(((u.file, u.document, u.base), object))
        })
        .unzip();
    // Locate after the rules ran, reading each file once; `cross::check` asks `locate` exactly
    // once per diagnostic, in order, so `found` pairs up with the diagnostics.
    let mut found: Vec<usize> = Vec::new();
    let mut diagnostics =
        crate::rules::cross::check(&objects, world, &mut |index: usize, pointer: &str| {
            found.push(index);
            let (file, document, base) = &placed[index];
            (
                Span::file_start(*file),
                Some(*document),
                format!("{base}{pointer}"),
            )
        });
    let locator = Locator::new(sources, found.iter().map(|&i| (placed[i].0, placed[i].1)));
    for (d, &index) in diagnostics.iter_mut().zip(&found) {
        let (file, document, _) = &placed[index];
        let pointer = d.target.as_ref().map_or("", |t| t.pointer.as_str());
        let span = locator.span(*file, *document, pointer);
        d.primary.span = span;
    }
    // A stream's objects can be ten thousand JSON trees; nobody waits for them to be freed.
    drop_later(objects);
    diagnostics
}

/// Validates objects compiled from stacks; a finding points at the stack value behind the field.
pub fn check_objects(objects: &[Object], validator: &ObjectValidator) -> Checked {
    let mut checked = Checked::default();
    validator.schemas.expect(objects.iter().map(|o| &o.body));
    // In parallel: the first objects of each kind compile their schemas, which is most of a
    // small build's time. The results are put together in the objects' order.
    let outcomes: Vec<(Status, Vec<Finding>)> = objects
        .par_iter()
        .map(|object| validator.check(&object.body))
        .collect();
    for (object, (status, findings)) in objects.iter().zip(outcomes) {
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
        code if code.as_str().starts_with("knative-") => "Knative admission",
        Code::InvalidName => "invalid name",
        Code::SchemaNotFound => "no schema",
        _ => "here",
    };
    let label = Label::new(span, label);
    let diagnostic = match finding.severity {
        Severity::Error => Diagnostic::error(finding.code, label, message),
        Severity::Warning => Diagnostic::warning(finding.code, label, message),
        Severity::Note => Diagnostic::note(finding.code, label, message),
    };
    diagnostic.with_target(target)
}
