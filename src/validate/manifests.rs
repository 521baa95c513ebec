//! Validates Kubernetes objects from two places: YAML files already on disk (`validate`), and
//! objects compiled from stacks (`check`, `build`). Findings become [`Diagnostic`]s located in
//! the YAML text, or in the stack value that produced the field.

use std::collections::{BTreeMap, HashSet};

use rayon::prelude::*;

use super::knative;
use super::objects::{Finding, ObjectValidator, Status};
use super::units::{self, Unit};
use crate::background::drop_later;
use crate::diag::{Code, Diagnostic, Diagnostics, Label, Severity, Target};
use crate::k8s::{Object, ObjectRef};
use crate::rules::cross::World;
use crate::source::{FileId, SourceMap, Span};
use crate::yaml::{self, Positions, ProblemKind, Scope, Window};

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

/// How `check_files` runs beyond the validator itself.
#[derive(Clone, Copy, Debug, Default)]
pub struct FileOptions {
    /// Run the cross-object rules over all objects of all files, in this world.
    pub cross: Option<World>,
}

/// A file of at least this much text is read and checked a window at a time, and smaller files
/// are read together up to this much, so that a run holds the values of about one batch, with
/// the cross-object rules off. (Those rules join objects across the inputs, so they keep every
/// object until the end.)
const BATCH_BYTES: usize = 2 * 1024 * 1024;

/// One object read, with what checking it needs of its reading.
struct Read {
    unit: Unit,
    /// The window of its stream, to locate findings by reading it alone.
    scope: Scope,
    /// Its place among all objects of the run, which results and the rules keep.
    order: usize,
    /// Its document has a YAML problem, so it is invalid whatever its checks say.
    broken: bool,
}

impl Read {
    /// This reading without the object's value, to read it again later.
    fn without_value(&self) -> Read {
        Read {
            unit: Unit {
                file: self.unit.file,
                document: self.unit.document,
                base: self.unit.base.clone(),
                value: serde_json::Value::Null,
            },
            scope: self.scope,
            order: self.order,
            broken: self.broken,
        }
    }
}

/// An object whose admission reads the Knative configuration, checked with the configuration
/// read so far; checked again at the end (read again from its window) if a later ConfigMap
/// changed it. Its value is not kept.
struct Provisional {
    /// The object's reading, its value left out.
    read: Read,
    /// The configuration's [`Run::generation`] it was checked with.
    generation: usize,
    result: ObjectResult,
    diagnostics: Vec<Diagnostic>,
}

/// Validates every object of every file, batch by batch (see [`BATCH_BYTES`]), each batch
/// read and checked in parallel. An object whose admission reads the Knative ConfigMaps is
/// judged with every ConfigMap among the inputs (see [`Provisional`]); the cross-object rules
/// run over all objects at the end. Results keep input order, and the verdicts are those of
/// reading everything first.
pub fn check_files(
    sources: &SourceMap,
    files: &[FileId],
    validator: &mut ObjectValidator,
    options: FileOptions,
) -> Checked {
    let mut run = Run {
        sources,
        validator,
        world: options.cross,
        results: Vec::new(),
        diagnostics: Diagnostics::default(),
        refused: HashSet::new(),
        provisional: Vec::new(),
        generation: 0,
        kept: Vec::new(),
        read: 0,
    };
    let mut batch = Vec::new();
    let mut bytes = 0;
    for &file in files {
        let text = &sources.file(file).text;
        if text.len() >= BATCH_BYTES {
            run.read_files(&std::mem::take(&mut batch));
            bytes = 0;
            for window in yaml::windows(text) {
                let read = read_window(sources, file, window);
                run.take(vec![read]);
            }
            continue;
        }
        batch.push(file);
        bytes += text.len();
        if bytes >= BATCH_BYTES {
            run.read_files(&std::mem::take(&mut batch));
            bytes = 0;
        }
    }
    run.read_files(&batch);
    run.finish()
}

/// The state of [`check_files`] between batches.
struct Run<'a> {
    sources: &'a SourceMap,
    validator: &'a mut ObjectValidator,
    world: Option<World>,
    /// Each result with its object's [`Read::order`].
    results: Vec<(usize, ObjectResult)>,
    diagnostics: Diagnostics,
    /// Objects a rule refused (an error): they are invalid, like one its schema refuses.
    refused: HashSet<(FileId, Option<usize>, ObjectRef)>,
    provisional: Vec<Provisional>,
    /// How many times the Knative ConfigMaps read so far changed the configuration.
    generation: usize,
    /// Objects checked, kept for the cross-object rules.
    kept: Vec<Read>,
    /// Objects read so far.
    read: usize,
}

/// One window of a file read: its objects, and the diagnostics of reading it.
struct ReadWindow {
    units: Vec<Unit>,
    scope: Scope,
    broken_documents: Vec<usize>,
    diagnostics: Diagnostics,
}

impl Run<'_> {
    /// Reads small files in parallel and takes their objects.
    fn read_files(&mut self, files: &[FileId]) {
        if files.is_empty() {
            return;
        }
        let sources = self.sources;
        let reads: Vec<ReadWindow> = files
            .par_iter()
            .flat_map_iter(|&file| {
                yaml::windows(&sources.file(file).text)
                    .map(move |window| read_window(sources, file, window))
            })
            .collect();
        self.take(reads);
    }

    /// Takes the objects of windows read: the Knative ConfigMaps among them configure the
    /// validator, then all are checked.
    fn take(&mut self, reads: Vec<ReadWindow>) {
        let mut taken = Vec::new();
        for read in reads {
            self.diagnostics.extend(read.diagnostics);
            for unit in read.units {
                if knative::is_config(&unit.value) {
                    let before = self.validator.knative.clone();
                    let name = &self.sources.file(unit.file).name;
                    self.validator.knative.absorb(&unit.value, name);
                    if self.validator.knative != before {
                        self.generation += 1;
                    }
                }
                taken.push(Read {
                    broken: read.broken_documents.contains(&unit.document),
                    unit,
                    scope: read.scope,
                    order: self.read,
                });
                self.read += 1;
            }
        }
        self.check(taken);
    }

    /// Checks objects; without cross-object rules, runs the rules on them and lets them go.
    fn check(&mut self, reads: Vec<Read>) {
        if reads.is_empty() {
            return;
        }
        let validator = &*self.validator;
        validator
            .schemas
            .expect(reads.iter().map(|r| &r.unit.value));
        let checked = check_units(self.sources, &reads, validator);
        for (read, (result, diagnostics)) in reads.iter().zip(checked) {
            if knative::reads_config(&read.unit.value) {
                self.provisional.push(Provisional {
                    read: read.without_value(),
                    generation: self.generation,
                    result,
                    diagnostics,
                });
            } else {
                self.results.push((read.order, result));
                self.diagnostics.extend(diagnostics);
            }
        }
        match self.world {
            None => self.rules(reads),
            Some(_) => self.kept.extend(reads),
        }
    }

    fn rules(&mut self, reads: Vec<Read>) {
        let found = rule_check(self.sources, reads, self.world);
        for d in found.iter().filter(|d| d.severity == Severity::Error) {
            if let Some(Target {
                document,
                object: Some(object),
                ..
            }) = &d.target
            {
                self.refused
                    .insert((d.primary.span.file, *document, object.clone()));
            }
        }
        self.diagnostics.extend(found);
    }

    /// Checks again, read again from their windows, the objects checked before a ConfigMap
    /// changed the Knative configuration, and takes every provisional result.
    fn settle_provisional(&mut self) {
        let provisional = std::mem::take(&mut self.provisional);
        let (current, stale): (Vec<Provisional>, Vec<Provisional>) = provisional
            .into_iter()
            .partition(|p| p.generation == self.generation);
        let mut windows: BTreeMap<(FileId, Scope), Vec<Read>> = BTreeMap::new();
        for p in stale {
            let window = (p.read.unit.file, p.read.scope);
            windows.entry(window).or_default().push(p.read);
        }
        let mut again = Vec::new();
        for ((file, scope), stale) in windows {
            let stream = scope.read(&self.sources.file(file).text);
            let mut units = units::of_stream(file, stream);
            for mut read in stale {
                let Some(at) = units
                    .iter()
                    .position(|u| u.document == read.unit.document && u.base == read.unit.base)
                else {
                    continue;
                };
                read.unit = units.swap_remove(at);
                again.push(read);
            }
        }
        let checked = check_units(self.sources, &again, self.validator);
        let settled = again.iter().map(|r| r.order).zip(checked);
        let kept = current
            .into_iter()
            .map(|p| (p.read.order, (p.result, p.diagnostics)));
        for (order, (result, diagnostics)) in kept.chain(settled) {
            self.results.push((order, result));
            self.diagnostics.extend(diagnostics);
        }
    }

    fn finish(mut self) -> Checked {
        self.settle_provisional();
        if self.world.is_some() {
            // In input order: which of two objects a rule reports can depend on it.
            let mut kept = std::mem::take(&mut self.kept);
            kept.sort_by_key(|r| r.order);
            self.rules(kept);
        }
        self.results.sort_by_key(|(order, _)| *order);
        let results = self
            .results
            .into_iter()
            .map(|(_, mut result)| {
                let key = result
                    .object
                    .as_ref()
                    .map(|o| (result.file, result.document, o.clone()));
                if key.is_some_and(|k| self.refused.contains(&k)) {
                    result.status = Status::Invalid;
                }
                result
            })
            .collect();
        Checked {
            results,
            diagnostics: self.diagnostics,
        }
    }
}

/// Reads one window of a file and reports its YAML problems.
fn read_window(sources: &SourceMap, file: FileId, window: Window) -> ReadWindow {
    let Window { stream, scope } = window;
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
    ReadWindow {
        units: units::of_stream(file, stream),
        scope,
        broken_documents,
        diagnostics,
    }
}

fn span_at(sources: &SourceMap, file: FileId, line: usize, column: usize) -> Span {
    let offset = sources.offset(file, line, column);
    Span::new(file, offset..offset)
}

/// The positions of the documents with findings: one reading per window, whatever the number
/// of documents or findings.
struct Locator<'a> {
    sources: &'a SourceMap,
    documents: BTreeMap<(FileId, usize), Positions>,
}

impl<'a> Locator<'a> {
    fn new<'r>(sources: &'a SourceMap, wanted: impl IntoIterator<Item = &'r Read>) -> Locator<'a> {
        let mut by_window: BTreeMap<(FileId, Scope), Vec<usize>> = BTreeMap::new();
        for read in wanted {
            by_window
                .entry((read.unit.file, read.scope))
                .or_default()
                .push(read.unit.document);
        }
        let mut documents = BTreeMap::new();
        for ((file, scope), indices) in by_window {
            let text = &sources.file(file).text;
            for (index, positions) in scope.positions(text, &indices) {
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

/// Each object's result and the diagnostics of its findings.
fn check_units(
    sources: &SourceMap,
    reads: &[Read],
    validator: &ObjectValidator,
) -> Vec<(ObjectResult, Vec<Diagnostic>)> {
    // In parallel: a large stream is often one file.
    let judged: Vec<(Status, Vec<Finding>)> = reads
        .par_iter()
        .map(|read| validator.check(&read.unit.value))
        .collect();
    let wanted = reads
        .iter()
        .zip(&judged)
        .filter(|(_, (_, findings))| !findings.is_empty())
        .map(|(read, _)| read);
    let locator = Locator::new(sources, wanted);
    let mut checked = Vec::with_capacity(reads.len());
    for (read, (mut status, findings)) in reads.iter().zip(judged) {
        let unit = &read.unit;
        let object = ObjectRef::of_manifest(&unit.value);
        if read.broken && status == Status::Valid {
            status = Status::Invalid;
        }
        let mut diagnostics = Vec::with_capacity(findings.len());
        for finding in findings {
            let pointer = format!("{}{}", unit.base, finding.pointer);
            let span = locator.span(unit.file, unit.document, &pointer);
            let target = Target {
                document: Some(unit.document),
                object: object.clone(),
                pointer: pointer.clone(),
            };
            let finding = Finding { pointer, ..finding };
            diagnostics.push(diagnostic(finding, span, target, object.as_ref()));
        }
        let result = ObjectResult {
            file: unit.file,
            document: Some(unit.document),
            object,
            status,
        };
        checked.push((result, diagnostics));
    }
    checked
}

/// The rules (`crate::rules`) over manifests: those on single objects always, those across
/// objects with a `world`. Each object is the unit it came from (moved, not copied), and
/// findings are located in its document.
fn rule_check(sources: &SourceMap, reads: Vec<Read>, world: Option<World>) -> Diagnostics {
    let (placed, objects): (Vec<Read>, Vec<Object>) = reads
        .into_iter()
        .filter_map(|mut read| {
            let id = ObjectRef::of_manifest(&read.unit.value)?;
            // Without the references, only the rules on one Knative Service run: the rest need
            // no object built.
            if world.is_none() && !id.is_knative_service() {
                return None;
            }
            let object = Object {
                id,
                body: read.unit.value.take(),
                origin: Span::file_start(read.unit.file),
                origins: Vec::new(),
                sharing: crate::k8s::Sharing::Owned,
            };
            Some((read, object))
        })
        .unzip();
    // Locate after the rules ran, reading each window once; `cross::check` asks `locate`
    // exactly once per diagnostic, in order, so `found` pairs up with the diagnostics.
    let mut found: Vec<usize> = Vec::new();
    let mut diagnostics =
        crate::rules::cross::check(&objects, world, &mut |index: usize, pointer: &str| {
            found.push(index);
            let unit = &placed[index].unit;
            (
                Span::file_start(unit.file),
                Some(unit.document),
                format!("{}{pointer}", unit.base),
            )
        });
    let locator = Locator::new(sources, found.iter().map(|&i| &placed[i]));
    for (d, &index) in diagnostics.iter_mut().zip(&found) {
        let unit = &placed[index].unit;
        let pointer = d.target.as_ref().map_or("", |t| t.pointer.as_str());
        d.primary.span = locator.span(unit.file, unit.document, pointer);
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
