//! Schemas by object type. A [`SchemaSet`] starts from the embedded catalog and takes user
//! CRDs (`--crds`) and Kubernetes OpenAPI v3 documents (`--openapi`); each schema is compiled
//! once, on first use, so a run pays only for the kinds it meets. A catalog kind the run has
//! only a few objects of is compiled for each of them cut to its shape (`shape`) instead.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use jsonschema::error::ValidationErrorKind;
use jsonschema::{Keyword, ValidationError, Validator};
use serde_json::{Map, Value, json};

use super::catalog::{self, Form, Selection};
use super::cel::{Coverage, RuleTree};
use super::shape;
use super::structural::{
    LIST_MAP_KEYS, OBJECT_META, SCHEMAS, crd_body, defaults, document, fill_defaults,
    openapi_component, reachable,
};
use crate::yaml::escape;

/// `(apiVersion, kind)`.
pub type TypeKey = (String, String);

/// One schema problem: where in the object, and what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    pub kind: ViolationKind,
    pub pointer: String,
    pub message: String,
}

/// Which layer of the schema found a problem.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ViolationKind {
    /// The structural JSON Schema.
    Structure,
    /// A CEL rule (`x-kubernetes-validations`) evaluated to false or failed.
    Cel,
    /// A CEL rule that cannot run: it does not compile or needs an unsupported function.
    CelUnsupported,
    /// The CEL rules were not evaluated because the schema found a problem that blocks them.
    CelNotChecked,
}

/// What the API server says when schema problems keep it from evaluating the CEL rules
/// (`hasBlockingErr` in `k8s.io/apiextensions-apiserver/pkg/registry/customresource/strategy.go`).
pub const CEL_NOT_CHECKED: &str = "some validation rules were not checked because the object was invalid; correct the existing errors to complete validation";

/// Whether a schema problem keeps the API server from evaluating CEL rules: the problems it
/// reports as `Required`, `NotSupported` (enum), `TooLong` (maxLength), `TooMany` (maxItems,
/// maxProperties) or `TypeInvalid` (`kubeOpenAPIResultToFieldErrors` in
/// `pkg/apiserver/validation/validation.go`), and unknown fields, which strict decoding refuses
/// before validation. A `pattern`, `minLength`, range or duplicate problem does not block them.
fn blocks_cel(error: &ValidationError<'_>) -> bool {
    match error.kind() {
        ValidationErrorKind::Required { .. }
        | ValidationErrorKind::Enum { .. }
        | ValidationErrorKind::Constant { .. }
        | ValidationErrorKind::MaxLength { .. }
        | ValidationErrorKind::MaxItems { .. }
        | ValidationErrorKind::MaxProperties { .. }
        | ValidationErrorKind::Type { .. }
        // kube-openapi reports a `format` mismatch as InvalidTypeCode, so TypeInvalid.
        | ValidationErrorKind::Format { .. }
        | ValidationErrorKind::AdditionalProperties { .. } => true,
        // What the closest branch found is what the API server reports (`violations`).
        ValidationErrorKind::AnyOf { context } | ValidationErrorKind::OneOfNotValid { context } => {
            closest_branch(context).is_some_and(|errors| errors.iter().any(blocks_cel))
        }
        _ => false,
    }
}

/// The `anyOf`/`oneOf` branch whose problems kube-openapi reports when none accepts a value
/// (`schemaPropsValidator.Validate` keeps the failing branch with the most passing checks, the
/// first on a tie): here the branch with the fewest problems, the first on a tie, among those
/// that accept the value's type. `None` when no branch accepts its type.
fn closest_branch<'a, 'i>(
    context: &'a [Vec<ValidationError<'i>>],
) -> Option<&'a Vec<ValidationError<'i>>> {
    typed_branches(context).min_by_key(|errors| errors.len())
}

/// The branches that fail for more than the value's type. One such branch means the union is
/// one of types (int-or-string, a quantity, nullable: one type with its own rules in the API
/// server), whose problems are that branch's.
fn typed_branches<'a, 'i>(
    context: &'a [Vec<ValidationError<'i>>],
) -> impl Iterator<Item = &'a Vec<ValidationError<'i>>> {
    context.iter().filter(|errors| {
        !errors
            .iter()
            .all(|e| matches!(e.kind(), ValidationErrorKind::Type { .. }))
    })
}

/// A CRD version that a file defines again, after another file: the first definition is used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shadowed {
    pub api_version: String,
    pub kind: String,
    /// The file whose definition is used.
    pub used: String,
}

/// The schemas one run validates against.
#[derive(Default)]
pub struct SchemaSet {
    entries: HashMap<TypeKey, Entry>,
    /// Skip `x-kubernetes-validations` (`--skip-cel`).
    pub skip_cel: bool,
    /// `ObjectMeta` and what it references, shared by every CRD's `metadata`: from the first
    /// OpenAPI document given, else from the catalog's Kubernetes release.
    object_meta: Option<Arc<Map<String, Value>>>,
    /// The catalog's schemas this run chose (Kubernetes release, Gateway API channel).
    selection: Selection,
}

struct Entry {
    source: Source,
    /// Where the schema came from, for messages (`catalog`, a CRD file, an OpenAPI file).
    origin: String,
    prepared: OnceLock<Result<Prepared, String>>,
    /// The whole schema compiled, on first use past the objects checked against cut ones.
    whole: OnceLock<Result<Validator, String>>,
    /// How many objects asked for a schema cut to their shape ([`shape::SHAPED_USES`]).
    shaped: AtomicUsize,
    /// How many objects of this type the run said it has ([`SchemaSet::expect`]).
    expected: AtomicUsize,
}

enum Source {
    /// A schema of the embedded catalog: an upstream CRD version or OpenAPI definition.
    Catalog(&'static catalog::Entry),
    /// A schema of a Kubernetes OpenAPI document, with the document's transformed schemas.
    OpenApi {
        name: String,
        schemas: Arc<Map<String, Value>>,
    },
    /// One served version of a CRD, as the CRD wrote it.
    Crd { schema: Value },
}

/// A schema read and made ready to compile, whole or cut to an object.
struct Prepared {
    schema: Value,
    draft: Option<jsonschema::Draft>,
    /// For custom resources, the `default`s the API server fills in before it validates.
    defaults: Option<Value>,
    /// The schema's CEL rules, if it has any.
    rules: Option<RuleTree>,
}

/// What [`SchemaSet::validate`] found.
pub enum Outcome {
    /// No schema for this type.
    NotFound,
    /// The schema itself does not compile (a broken CRD).
    Broken(String),
    Checked(Vec<Violation>),
}

impl SchemaSet {
    /// The embedded catalog only, with its default selection: what `inferstack check` and a
    /// plain `validate` use.
    pub fn catalog() -> SchemaSet {
        SchemaSet::catalog_of(Selection::default())
    }

    /// The embedded catalog's schemas of `selection`.
    pub fn catalog_of(selection: Selection) -> SchemaSet {
        let mut set = SchemaSet::default();
        for entry in catalog::ENTRIES.iter().filter(|e| selection.includes(e)) {
            set.insert_catalog_entry(entry);
        }
        // A kind only one Gateway API channel defines (XBackendTrafficPolicy, an alpha TLSRoute
        // version) has one schema, whichever channel is selected.
        for entry in catalog::ENTRIES
            .iter()
            .filter(|e| matches!(e.set, catalog::Set::Gateway(_)))
        {
            if !set.contains(entry.api_version, entry.kind) {
                set.insert_catalog_entry(entry);
            }
        }
        set.selection = selection;
        set
    }

    fn insert_catalog_entry(&mut self, entry: &'static catalog::Entry) {
        let origin = format!("the embedded catalog ({})", entry.origin);
        self.entries.insert(
            (entry.api_version.to_owned(), entry.kind.to_owned()),
            Entry::new(Source::Catalog(entry), &origin),
        );
    }

    /// Counts the objects a run is about to validate by type, so that a type with many
    /// compiles its whole schema once instead of cutting it for the first few.
    pub fn expect<'a>(&self, objects: impl IntoIterator<Item = &'a Value>) {
        let mut counts: HashMap<(&str, &str), usize> = HashMap::new();
        for object in objects {
            let text = |field| object.get(field).and_then(Value::as_str);
            if let (Some(api_version), Some(kind)) = (text("apiVersion"), text("kind")) {
                *counts.entry((api_version, kind)).or_default() += 1;
            }
        }
        for ((api_version, kind), count) in counts {
            if let Some(entry) = self.entries.get(&(api_version.to_owned(), kind.to_owned())) {
                entry.expected.fetch_add(count, Ordering::Relaxed);
            }
        }
    }

    /// Whether a schema is known for this type.
    pub fn contains(&self, api_version: &str, kind: &str) -> bool {
        self.entries
            .contains_key(&(api_version.to_owned(), kind.to_owned()))
    }

    /// Every type with a schema, sorted.
    pub fn types(&self) -> Vec<TypeKey> {
        let mut types: Vec<TypeKey> = self.entries.keys().cloned().collect();
        types.sort();
        types
    }

    /// Adds every kind of a Kubernetes OpenAPI v3 document (`x-kubernetes-group-version-kind`).
    /// These replace catalog entries: the user asked for that cluster version's schemas.
    pub fn add_openapi(&mut self, mut openapi: Value, origin: &str) -> Result<usize, String> {
        let Some(Value::Object(mut components)) =
            openapi.pointer_mut("/components/schemas").map(Value::take)
        else {
            return Err("not an OpenAPI v3 document: it has no components.schemas".to_owned());
        };
        for (name, schema) in components.iter_mut() {
            openapi_component(name, schema);
        }
        let components = Arc::new(components);
        let mut added = 0;
        for (name, schema) in components.iter() {
            let kinds = schema
                .get("x-kubernetes-group-version-kind")
                .and_then(Value::as_array);
            for gvk in kinds.into_iter().flatten() {
                let field = |key| gvk.get(key).and_then(Value::as_str).unwrap_or_default();
                let api_version = match field("group") {
                    "" => field("version").to_owned(),
                    group => format!("{group}/{}", field("version")),
                };
                let source = Source::OpenApi {
                    name: name.clone(),
                    schemas: Arc::clone(&components),
                };
                self.entries.insert(
                    (api_version, field("kind").to_owned()),
                    Entry::new(source, origin),
                );
                added += 1;
            }
        }
        if self.object_meta.is_none() {
            self.object_meta = reachable(OBJECT_META, &components).map(Arc::new);
        }
        Ok(added)
    }

    /// Adds every served version of a CustomResourceDefinition. A type already defined by
    /// another CRD keeps its first definition; CRDs replace catalog entries.
    /// Returns the versions another CRD file already defined, which keep that file's schema.
    pub fn add_crd(&mut self, crd: &Value, origin: &str) -> Result<Vec<Shadowed>, String> {
        let text = |pointer: &str| crd.pointer(pointer).and_then(Value::as_str);
        let (Some(group), Some(kind)) = (text("/spec/group"), text("/spec/names/kind")) else {
            return Err(
                "a CustomResourceDefinition needs spec.group and spec.names.kind".to_owned(),
            );
        };
        let Some(versions) = crd.pointer("/spec/versions").and_then(Value::as_array) else {
            return Err(format!("the CRD for {kind} has no spec.versions"));
        };
        let mut shadowed = Vec::new();
        for version in versions {
            // The API server refuses objects of a version that is not served.
            if version.get("served") == Some(&Value::Bool(false)) {
                continue;
            }
            let Some(name) = version.get("name").and_then(Value::as_str) else {
                return Err(format!("a version of the CRD for {kind} has no name"));
            };
            let Some(schema) = version.pointer("/schema/openAPIV3Schema") else {
                return Err(format!(
                    "{group}/{name} {kind} has no schema.openAPIV3Schema"
                ));
            };
            let key = (format!("{group}/{name}"), kind.to_owned());
            match self.entries.get(&key) {
                Some(e) if !matches!(e.source, Source::Catalog(_)) => shadowed.push(Shadowed {
                    api_version: key.0,
                    kind: key.1,
                    used: e.origin.clone(),
                }),
                _ => {
                    let source = Source::Crd {
                        schema: schema.clone(),
                    };
                    self.entries.insert(key, Entry::new(source, origin));
                }
            }
        }
        Ok(shadowed)
    }

    /// Validates an object against the schema of its type.
    pub fn validate(&self, api_version: &str, kind: &str, object: &Value) -> Outcome {
        let key = (api_version.to_owned(), kind.to_owned());
        let Some(entry) = self.entries.get(&key) else {
            return Outcome::NotFound;
        };
        let prepared = match entry.prepared(self.meta(), &key) {
            Ok(prepared) => prepared,
            Err(message) => return Outcome::Broken(message.clone()),
        };
        let defaulted;
        let object = match &prepared.defaults {
            Some(skeleton) => {
                let mut copy = object.clone();
                fill_defaults(&mut copy, skeleton);
                defaulted = copy;
                &defaulted
            }
            None => object,
        };
        let cut = entry.cut(prepared, object);
        let validator = match &cut {
            Some(validator) => validator,
            None => match entry.whole(prepared, &key) {
                Ok(validator) => validator,
                Err(message) => return Outcome::Broken(message.clone()),
            },
        };
        // As the API server's `customResourceStrategy.Validate`: the schema's problems, then the
        // CEL rules unless one of those problems blocks them (`hasBlockingErr`).
        let mut found: Vec<Violation> = Vec::new();
        let mut blocked = false;
        if !validator.is_valid(object) {
            for error in validator.iter_errors(object) {
                blocked |= blocks_cel(&error);
                found.extend(violations(&error));
            }
        }
        match (&prepared.rules, self.skip_cel) {
            (Some(_), false) if blocked => found.push(Violation {
                kind: ViolationKind::CelNotChecked,
                pointer: String::new(),
                message: CEL_NOT_CHECKED.to_owned(),
            }),
            (Some(rules), false) => {
                found.extend(rules.evaluate(object).into_iter().map(|v| Violation {
                    kind: if v.broken {
                        ViolationKind::CelUnsupported
                    } else {
                        ViolationKind::Cel
                    },
                    pointer: v.pointer,
                    message: v.message,
                }));
            }
            _ => {}
        }
        Outcome::Checked(found)
    }

    /// The CEL rules of every type, compiling each whole schema and every rule that has not
    /// been compiled yet; a schema that does not compile is reported instead of its rules.
    pub fn cel_coverage(&self) -> Vec<KindCoverage> {
        self.types()
            .into_iter()
            .map(|key| {
                let entry = &self.entries[&key];
                let coverage = match entry.prepared(self.meta(), &key) {
                    Ok(prepared) => entry.whole(prepared, &key).as_ref().map(|_| {
                        prepared
                            .rules
                            .as_ref()
                            .map(RuleTree::coverage)
                            .unwrap_or_default()
                    }),
                    Err(message) => Err(message),
                };
                KindCoverage {
                    upstream_rules: match entry.source {
                        Source::Catalog(e) => Some(e.upstream_rules),
                        _ => None,
                    },
                    origin: entry.origin.clone(),
                    coverage: coverage.map_err(Clone::clone),
                    key,
                }
            })
            .collect()
    }
}

/// The CEL rules of one type's schema.
pub struct KindCoverage {
    pub key: TypeKey,
    /// Where the schema comes from.
    pub origin: String,
    /// For a catalog kind, how many rules its upstream file has.
    pub upstream_rules: Option<usize>,
    /// The rules found in the schema inferstack compiles, or why it does not compile.
    pub coverage: Result<Coverage, String>,
}

impl SchemaSet {
    /// The `ObjectMeta` a CRD's `metadata` is checked against.
    fn meta(&self) -> Meta<'_> {
        match &self.object_meta {
            Some(meta) => Meta::Given(meta),
            None => Meta::Catalog(self.selection.core_file()),
        }
    }
}

/// Where `ObjectMeta` comes from.
#[derive(Clone, Copy)]
enum Meta<'a> {
    /// An OpenAPI document the run was given.
    Given(&'a Map<String, Value>),
    /// The embedded core/v1 document (index into the catalog's files).
    Catalog(usize),
}

impl Entry {
    fn new(source: Source, origin: &str) -> Entry {
        Entry {
            source,
            origin: origin.to_owned(),
            prepared: OnceLock::new(),
            whole: OnceLock::new(),
            shaped: AtomicUsize::new(0),
            expected: AtomicUsize::new(0),
        }
    }

    /// The schema made ready, on first use.
    fn prepared(&self, object_meta: Meta<'_>, key: &TypeKey) -> &Result<Prepared, String> {
        self.prepared
            .get_or_init(|| self.prepare(object_meta).map_err(|e| self.broken(key, &e)))
    }

    /// The whole schema compiled, on first use.
    fn whole(&self, prepared: &Prepared, key: &TypeKey) -> &Result<Validator, String> {
        self.whole.get_or_init(|| {
            options(prepared.draft)
                .build(&prepared.schema)
                .map_err(|e| self.broken(key, &e.to_string()))
        })
    }

    /// A validator of the schema cut to `object`, while this type has been met no more than
    /// [`shape::SHAPED_USES`] times and its schema can be cut; the whole schema is used after,
    /// and from the start when the run expects more objects of the type than that.
    fn cut(&self, prepared: &Prepared, object: &Value) -> Option<Validator> {
        // Catalog schemas are cut: the upstream files' vocabulary, which the differential test
        // below holds `shape` to.
        if !matches!(self.source, Source::Catalog(_))
            || self.whole.get().is_some()
            || self.expected.load(Ordering::Relaxed) > shape::SHAPED_USES
            || self.shaped.fetch_add(1, Ordering::Relaxed) >= shape::SHAPED_USES
        {
            return None;
        }
        let schema = shape::cut(&prepared.schema, object, refs(prepared.draft))?;
        options(prepared.draft).build(&schema).ok()
    }

    fn broken(&self, (api_version, kind): &TypeKey, why: &str) -> String {
        format!(
            "the schema for {api_version} {kind} from {} does not compile: {why}",
            self.origin
        )
    }

    fn prepare(&self, object_meta: Meta<'_>) -> Result<Prepared, String> {
        let (schema, draft, defaults, rules) = match &self.source {
            Source::Catalog(entry) => match entry.form {
                Form::Crd => crd_schema(&catalog::crd_schema(entry)?, object_meta)?,
                Form::OpenApi => {
                    let referenced = catalog::openapi_closure(entry.file, entry.key)?;
                    openapi_schema(entry.key, referenced)
                }
            },
            Source::OpenApi { name, schemas } => {
                let referenced = reachable(name, schemas).ok_or_else(|| {
                    format!("{name} references a schema that is not in the document")
                })?;
                openapi_schema(name, referenced)
            }
            Source::Crd { schema } => crd_schema(schema, object_meta)?,
        };
        let mut schema = schema;
        bound_integer_formats(&mut schema);
        Ok(Prepared {
            schema,
            draft,
            defaults,
            rules,
        })
    }
}

/// How `$ref`s treat their siblings in a schema of `draft` (`None`: 2020-12).
fn refs(draft: Option<jsonschema::Draft>) -> shape::Refs {
    match draft {
        None => shape::Refs::WithSiblings,
        Some(_) => shape::Refs::Alone,
    }
}

/// How every schema is compiled, whole or cut.
fn options(draft: Option<jsonschema::Draft>) -> jsonschema::ValidationOptions<'static> {
    let options = jsonschema::options()
        // The API server checks formats too (`ipv4`, `date-time`, `byte`); `int32` and `int64`
        // on integers become bounds (`bound_integer_formats`); other Kubernetes-only string
        // formats are unknown here and therefore ignored.
        .should_validate_formats(true)
        .should_ignore_unknown_formats(true)
        // The API server compiles `pattern` with Go's RE2 (`regexp`): no backreferences or
        // lookaround, and matching in linear time. The `regex` crate makes the same promises,
        // so a CRD pattern RE2 refuses is refused here too, and no pattern can backtrack.
        .with_pattern_options(jsonschema::PatternOptions::regex())
        // `format: byte` (Secret data, CRD fields) is base64, which Go decodes into `[]byte`.
        .with_format("byte", super::limits::is_base64)
        .with_keyword(LIST_MAP_KEYS, |_, keys, _| {
            let keys = keys
                .as_array()
                .map(|k| {
                    k.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default();
            Ok(Box::new(ListMapKeys { keys }))
        });
    match draft {
        // OpenAPI 3.0 schemas follow draft 4 (e.g. boolean `exclusiveMinimum`).
        Some(draft) => options.with_draft(draft),
        None => options,
    }
}

/// `x-kubernetes-list-type: map`: no two items may share the values of the key fields.
struct ListMapKeys {
    keys: Vec<String>,
}

impl ListMapKeys {
    /// The first item whose key values an earlier item has, in one pass: the keys are hashed
    /// as their JSON text (a list of 64k items is checked in milliseconds, not seconds).
    fn first_duplicate(&self, items: &[Value]) -> Option<String> {
        let mut seen: HashSet<String> = HashSet::with_capacity(items.len());
        for item in items {
            let key: Vec<&Value> = self
                .keys
                .iter()
                .map(|k| item.get(k).unwrap_or(&Value::Null))
                .collect();
            if !seen.insert(serde_json::to_string(&key).unwrap_or_default()) {
                let shown: Vec<String> = self
                    .keys
                    .iter()
                    .zip(&key)
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect();
                return Some(shown.join(", "));
            }
        }
        None
    }
}

impl<'i> Keyword<'i> for ListMapKeys {
    fn validate(&self, instance: &'i Value) -> Result<(), ValidationError<'i>> {
        match instance
            .as_array()
            .and_then(|items| self.first_duplicate(items))
        {
            Some(key) => Err(ValidationError::custom(format!(
                "duplicate entries with {key}; the keys of this list must be unique"
            ))),
            None => Ok(()),
        }
    }

    fn is_valid(&self, instance: &'i Value) -> bool {
        instance
            .as_array()
            .is_none_or(|items| self.first_duplicate(items).is_none())
    }
}

/// One violation per problem; unknown fields and missing required fields are reported at the
/// field itself, which is where a reader looks.
fn violations(error: &ValidationError<'_>) -> Vec<Violation> {
    let path = error.instance_path().as_str();
    match error.kind() {
        ValidationErrorKind::AdditionalProperties { unexpected } => unexpected
            .iter()
            .map(|field| Violation {
                kind: ViolationKind::Structure,
                pointer: format!("{path}/{}", escape(field)),
                message: format!("unknown field {field:?}"),
            })
            .collect(),
        ValidationErrorKind::Required { property } => {
            let name = property
                .as_str()
                .map_or_else(|| property.to_string(), str::to_owned);
            vec![Violation {
                kind: ViolationKind::Structure,
                pointer: format!("{path}/{}", escape(&name)),
                message: format!("missing required field {name:?}"),
            }]
        }
        // kube-openapi's wording (`MustValidateOnlyOneSchemaError`, `…AtLeastOneSchemaError`),
        // then the problems of the branch closest to the value, which say what to change; for
        // a union of types, that branch's problems alone.
        ValidationErrorKind::AnyOf { context } | ValidationErrorKind::OneOfNotValid { context }
            if closest_branch(context).is_some() =>
        {
            let mut found = Vec::new();
            if typed_branches(context).count() > 1 {
                let message = match error.kind() {
                    ValidationErrorKind::AnyOf { .. } => {
                        "must validate at least one schema (anyOf)"
                    }
                    _ => "must validate one and only one schema (oneOf): found none valid",
                };
                found.push(Violation {
                    kind: ViolationKind::Structure,
                    pointer: path.to_owned(),
                    message: message.to_owned(),
                });
            }
            found.extend(
                closest_branch(context)
                    .into_iter()
                    .flatten()
                    .flat_map(violations),
            );
            found
        }
        _ => vec![Violation {
            kind: ViolationKind::Structure,
            pointer: path.to_owned(),
            message: api_server_message(error),
        }],
    }
}

/// What the API server says of a value that one schema keyword refuses, as
/// `kubeOpenAPIResultToFieldErrors` (k8s.io/apiextensions-apiserver
/// `pkg/apiserver/validation/validation.go`) turns kube-openapi's errors into field errors,
/// without the field path they repeat, which is the finding's location here: `NotSupported`
/// for an enum, `TooLong` for maxLength, `TooMany` for maxItems and maxProperties, and
/// `Invalid value: VALUE: ` before kube-openapi's own words (`pkg/validation/errors/schema.go`)
/// for the rest.
fn api_server_message(error: &ValidationError<'_>) -> String {
    let value = error.instance();
    let what = match error.kind() {
        // Every allowed value quoted, a non-string one as its JSON.
        ValidationErrorKind::Enum { options } => {
            let quoted = |v: &Value| match v {
                Value::String(_) => v.to_string(),
                other => Value::String(other.to_string()).to_string(),
            };
            let allowed: Vec<String> = match options.as_array() {
                Some(values) => values.iter().map(quoted).collect(),
                None => vec![quoted(options)],
            };
            return format!(
                "Unsupported value: {value}: supported values: {}",
                allowed.join(", ")
            );
        }
        ValidationErrorKind::MaxLength { limit } => {
            let unit = if *limit == 1 { "byte" } else { "bytes" };
            return format!("Too long: may not be more than {limit} {unit}");
        }
        ValidationErrorKind::MaxItems { limit } | ValidationErrorKind::MaxProperties { limit } => {
            let actual = match value.as_ref() {
                Value::Array(items) => items.len(),
                Value::Object(map) => map.len(),
                _ => 0,
            };
            let unit = if *limit == 1 { "item" } else { "items" };
            return format!("Too many: {actual}: must have at most {limit} {unit}");
        }
        // `errors.InvalidType`.
        ValidationErrorKind::Format { format } => format!("must be of type {format}"),
        ValidationErrorKind::Pattern { pattern } => format!("should match '{pattern}'"),
        ValidationErrorKind::MinLength { limit } => {
            format!("should be at least {limit} chars long")
        }
        ValidationErrorKind::Minimum { limit } => {
            format!("should be greater than or equal to {limit}")
        }
        ValidationErrorKind::ExclusiveMinimum { limit } => {
            format!("should be greater than {limit}")
        }
        ValidationErrorKind::Maximum { limit } => {
            format!("should be less than or equal to {limit}")
        }
        ValidationErrorKind::ExclusiveMaximum { limit } => format!("should be less than {limit}"),
        ValidationErrorKind::MinItems { limit } => format!("should have at least {limit} items"),
        ValidationErrorKind::MinProperties { limit } => {
            format!("should have at least {limit} properties")
        }
        _ => return error.to_string(),
    };
    format!("Invalid value: {value}: {what}")
}

type Parts = (
    Value,
    Option<jsonschema::Draft>,
    Option<Value>,
    Option<RuleTree>,
);

/// A Kubernetes OpenAPI definition with the definitions it refers to, as a document to compile.
fn openapi_schema(name: &str, referenced: Map<String, Value>) -> Parts {
    let schema = document(json!({"$ref": format!("{SCHEMAS}{name}")}), referenced);
    let rules = RuleTree::from_schema(&schema);
    (schema, Some(jsonschema::Draft::Draft4), None, rules)
}

/// One served version of a CRD as a document to compile, with its defaults and CEL rules.
fn crd_schema(schema: &Value, object_meta: Meta<'_>) -> Result<Parts, String> {
    // Without an OpenAPI document, the catalog's ObjectMeta: a CRD never weakens `metadata`
    // (`metadata.lables` is an error either way).
    let meta = match object_meta {
        Meta::Given(meta) => meta.clone(),
        Meta::Catalog(file) => catalog::openapi_closure(file, OBJECT_META)?,
    };
    Ok((
        document(crd_body(schema.clone()), meta),
        Some(jsonschema::Draft::Draft4),
        defaults(schema),
        RuleTree::from_schema(schema),
    ))
}

/// JSON Schema's `format` applies to strings only, so the integer formats Kubernetes relies on
/// (`int32` for ports and replicas, `int64`) become `minimum`/`maximum` bounds: the API server
/// refuses `containerPort: 4294967297` when it decodes into an int32.
fn bound_integer_formats(schema: &mut Value) {
    match schema {
        Value::Object(node) => {
            let range = match node.get("format").and_then(Value::as_str) {
                Some("int32") => Some((i64::from(i32::MIN), i64::from(i32::MAX))),
                Some("int64") => Some((i64::MIN, i64::MAX)),
                _ => None,
            };
            let integer = node.get("type").is_some_and(|t| {
                t == "integer" || t.as_array().is_some_and(|a| a.contains(&json!("integer")))
            });
            if let (Some((low, high)), true) = (range, integer) {
                node.entry("minimum").or_insert(json!(low));
                node.entry("maximum").or_insert(json!(high));
            }
            for child in node.values_mut() {
                bound_integer_formats(child);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(bound_integer_formats),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    /// A CRD whose `spec` has a `pattern`, a required field, an enum and a CEL rule, as the API
    /// server's tests of `hasBlockingErr` use them.
    fn crd_set() -> SchemaSet {
        let crd = json!({
            "apiVersion": "apiextensions.k8s.io/v1",
            "kind": "CustomResourceDefinition",
            "spec": {"group": "example.com", "names": {"kind": "Widget"}, "versions": [{
                "name": "v1", "served": true,
                "schema": {"openAPIV3Schema": {"type": "object", "properties": {"spec": {
                    "type": "object",
                    "required": ["size"],
                    "properties": {
                        "name": {"type": "string", "pattern": "^[a-z]+$"},
                        "size": {"type": "integer"},
                        "mode": {"type": "string", "enum": ["a", "b"]}
                    },
                    "x-kubernetes-validations": [
                        {"rule": "self.size < 10", "message": "size must be below 10", "fieldPath": ".size"},
                        {"rule": "!has(self.mode) || self.mode == 'a'", "message": "mode b is retired", "reason": "FieldValueForbidden"},
                        {"rule": "self.size / (self.size - 11) < 100", "message": "the ratio is bounded"}
                    ]
                }}}}
            }]}
        });
        let mut set = SchemaSet::catalog();
        set.add_crd(&crd, "widget.yaml").unwrap();
        set
    }

    fn found(set: &SchemaSet, spec: Value) -> Vec<(ViolationKind, String, String)> {
        let object = json!({"apiVersion": "example.com/v1", "kind": "Widget",
            "metadata": {"name": "w"}, "spec": spec});
        match set.validate("example.com/v1", "Widget", &object) {
            Outcome::Checked(found) => found
                .into_iter()
                .map(|v| (v.kind, v.pointer, v.message))
                .collect(),
            _ => panic!("not checked"),
        }
    }

    /// A `pattern` problem does not keep the API server from evaluating the CEL rules, so both
    /// are reported; a false rule is reported at its `fieldPath` with its message, in the words
    /// of its `reason`.
    #[test]
    fn cel_runs_beside_schema_problems_that_do_not_block_it() {
        let set = crd_set();
        let found = found(&set, json!({"name": "Not-Lower", "size": 12, "mode": "b"}));
        let kinds: Vec<ViolationKind> = found.iter().map(|f| f.0).collect();
        assert_eq!(
            kinds,
            [
                ViolationKind::Structure,
                ViolationKind::Cel,
                ViolationKind::Cel
            ],
            "{found:?}"
        );
        assert_eq!(found[1].1, "/spec/size");
        assert_eq!(found[1].2, "size must be below 10");
        assert_eq!(found[2].2, "Forbidden: mode b is retired");
    }

    /// A missing required field, a value outside an enum or a wrong type blocks the CEL rules
    /// (`hasBlockingErr`): they are not run, and a note says so.
    #[test]
    fn blocking_schema_problems_leave_the_rules_unchecked_with_a_note() {
        let set = crd_set();
        for spec in [
            json!({"name": "ok"}),
            json!({"size": 1, "mode": "c"}),
            json!({"size": "1"}),
        ] {
            let found = found(&set, spec.clone());
            assert_eq!(found.len(), 2, "{spec}: {found:?}");
            assert_eq!(found[0].0, ViolationKind::Structure);
            assert_eq!(
                (found[1].0, found[1].2.as_str()),
                (ViolationKind::CelNotChecked, CEL_NOT_CHECKED)
            );
        }
    }

    /// A rule that fails to evaluate is reported at its node with the error and its message
    /// (`ruleErrorString`), not its source.
    #[test]
    fn evaluation_errors_name_the_rules_message() {
        let set = crd_set();
        let found = found(&set, json!({"size": 11}));
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(found[1].1, "/spec");
        assert!(
            found[1]
                .2
                .ends_with(" evaluating rule: the ratio is bounded"),
            "{}",
            found[1].2
        );
    }

    /// Every object of the golden outputs and of the manifest fixtures, each with variants that
    /// break it: the schema cut to an object reports exactly what the whole schema reports,
    /// message for message and in the same order.
    /// A value no `oneOf` branch accepts is reported as kube-openapi does: the union's own
    /// problem, then the problems of the closest branch (here the `anyOf` of IP formats under
    /// the IPAddress branch of a Gateway address); the `format` problem blocks the CEL rules.
    /// A union of types (a quantity) reports only the problems of the value's type.
    #[test]
    fn a_union_reports_its_closest_branch() {
        let set = SchemaSet::catalog();
        let gateway = json!({"apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway",
            "metadata": {"name": "g", "namespace": "default"},
            "spec": {"gatewayClassName": "c",
                "listeners": [{"name": "http", "port": 80, "protocol": "HTTP"}],
                "addresses": [{"type": "IPAddress", "value": "1.2.3.4:8080"}]}});
        let Outcome::Checked(found) =
            set.validate("gateway.networking.k8s.io/v1", "Gateway", &gateway)
        else {
            panic!("not checked")
        };
        let found: Vec<(ViolationKind, &str, &str)> = found
            .iter()
            .map(|v| (v.kind, v.pointer.as_str(), v.message.as_str()))
            .collect();
        assert_eq!(
            found,
            [
                (
                    ViolationKind::Structure,
                    "/spec/addresses/0",
                    "must validate one and only one schema (oneOf): found none valid"
                ),
                (
                    ViolationKind::Structure,
                    "/spec/addresses/0/value",
                    "must validate at least one schema (anyOf)"
                ),
                (
                    ViolationKind::Structure,
                    "/spec/addresses/0/value",
                    "Invalid value: \"1.2.3.4:8080\": must be of type ipv4"
                ),
                (ViolationKind::CelNotChecked, "", CEL_NOT_CHECKED),
            ]
        );
        let claim = json!({"apiVersion": "v1", "kind": "PersistentVolumeClaim",
            "metadata": {"name": "c", "namespace": "default"},
            "spec": {"resources": {"requests": {"storage": "30 Gi"}}}});
        let Outcome::Checked(found) = set.validate("v1", "PersistentVolumeClaim", &claim) else {
            panic!("not checked")
        };
        assert_eq!(
            found.len(),
            1,
            "{:?}",
            found.iter().map(|v| &v.message).collect::<Vec<_>>()
        );
        assert!(
            found[0].message.contains("should match"),
            "{}",
            found[0].message
        );
    }

    #[test]
    fn a_cut_schema_judges_as_the_whole_schema() {
        let set = SchemaSet::catalog();
        let mut compared = 0;
        let mut invalid = 0;
        for object in corpus() {
            for variant in variants(&object) {
                let text = |field| variant.get(field).and_then(Value::as_str);
                let (Some(api_version), Some(kind)) = (text("apiVersion"), text("kind")) else {
                    continue;
                };
                let key = (api_version.to_owned(), kind.to_owned());
                let Some(entry) = set.entries.get(&key) else {
                    continue;
                };
                let prepared = entry.prepared(set.meta(), &key).as_ref().unwrap();
                let whole = entry.whole(prepared, &key).as_ref().unwrap();
                let schema = shape::cut(&prepared.schema, &variant, refs(prepared.draft))
                    .expect("catalog schemas cut");
                let cut = options(prepared.draft).build(&schema).unwrap();
                let found = errors(whole, &variant);
                assert_eq!(errors(&cut, &variant), found, "{kind}: {variant}");
                assert_eq!(cut.is_valid(&variant), whole.is_valid(&variant));
                compared += 1;
                invalid += usize::from(!found.is_empty());
            }
        }
        assert!(
            compared > 5000 && invalid > 3000,
            "{compared} compared, {invalid} invalid"
        );
    }

    fn errors(validator: &Validator, object: &Value) -> Vec<(String, String)> {
        validator
            .iter_errors(object)
            .flat_map(|e| violations(&e))
            .map(|v| (v.pointer, v.message))
            .collect()
    }

    /// The objects of `golden/` and `tests/manifests/`.
    fn corpus() -> Vec<Value> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        let mut folders = vec![root.join("golden"), root.join("tests/manifests")];
        while let Some(folder) = folders.pop() {
            for entry in std::fs::read_dir(folder).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    folders.push(path);
                } else if path.extension().is_some_and(|e| e == "yaml") {
                    files.push(path);
                }
            }
        }
        files.sort();
        files
            .iter()
            .flat_map(|f| crate::yaml::parse(&std::fs::read_to_string(f).unwrap()).documents)
            .map(|d| d.value)
            .filter(Value::is_object)
            .collect()
    }

    /// `object` and, at up to 12 of its nodes each: a value of another type, an out-of-range
    /// number, a malformed string, an unknown member, and a member removed.
    fn variants(object: &Value) -> Vec<Value> {
        let mut pointers = Vec::new();
        nodes(object, String::new(), &mut pointers);
        let step = pointers.len().div_ceil(4).max(1);
        let mut variants = vec![object.clone()];
        for pointer in pointers.iter().step_by(step) {
            let node = object.pointer(pointer).unwrap();
            let replacements = [
                if node.is_boolean() {
                    json!("x")
                } else {
                    json!(true)
                },
                json!(4_294_967_297_i64),
                json!(-1),
                json!("Not A Name!"),
            ];
            for replacement in replacements {
                let mut variant = object.clone();
                *variant.pointer_mut(pointer).unwrap() = replacement;
                variants.push(variant);
            }
            let mut variant = object.clone();
            if let Some(Value::Object(map)) = variant.pointer_mut(pointer) {
                map.insert("bogusField".to_owned(), json!({"x": 1}));
                variants.push(variant);
            }
            if let Some((parent, member)) = pointer.rsplit_once('/') {
                let mut variant = object.clone();
                if let Some(Value::Object(map)) = variant.pointer_mut(parent) {
                    map.shift_remove(member);
                    variants.push(variant);
                }
            }
        }
        variants
    }

    /// The JSON Pointer of every node below the root, in document order.
    fn nodes(value: &Value, pointer: String, out: &mut Vec<String>) {
        let children: Vec<(String, &Value)> = match value {
            Value::Object(map) => map.iter().map(|(k, v)| (escape(k), v)).collect(),
            Value::Array(items) => items
                .iter()
                .enumerate()
                .map(|(i, v)| (i.to_string(), v))
                .collect(),
            _ => Vec::new(),
        };
        for (segment, child) in children {
            let pointer = format!("{pointer}/{segment}");
            out.push(pointer.clone());
            nodes(child, pointer, out);
        }
    }
}
