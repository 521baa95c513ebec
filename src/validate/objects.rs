//! Validates one Kubernetes object, in a fixed order: type (`apiVersion`/`kind`), metadata
//! rules, the JSON Schema of its type, then admission rules no schema expresses. Every
//! check runs, so one pass reports every problem of the object.

use serde_json::Value;

use super::knative::{self, KnativeConfig};
use super::limits;
use super::metadata;
use super::schemas::{Outcome, SchemaSet, ViolationKind};
use super::served::Served;
use crate::diag::{Code, Severity};

pub use super::finding::Finding;

/// How an object came out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Valid,
    Invalid,
    /// No schema, and the user allowed that (`--skip-missing`).
    Skipped,
}

/// The object validator of one run.
pub struct ObjectValidator {
    pub schemas: SchemaSet,
    /// Objects of a type with no schema are skipped instead of being an error.
    pub skip_missing: bool,
    /// What Knative's webhook allows, from the run's `config-features` and `config-defaults`.
    pub knative: KnativeConfig,
    /// Kinds to skip (`--skip`) and to refuse (`--reject`).
    pub kinds: KindFilter,
    /// What the cluster of `--cluster` serves; `None` offline.
    pub served: Option<Served>,
}

/// `--skip` and `--reject`, as kubeconform has them: each entry is a kind (`ConfigMap`) or an
/// apiVersion and kind (`apps/v1/Deployment`).
#[derive(Clone, Debug, Default)]
pub struct KindFilter {
    pub skip: Vec<String>,
    pub reject: Vec<String>,
}

impl KindFilter {
    fn matches(entries: &[String], api_version: &str, kind: &str) -> Option<String> {
        entries
            .iter()
            .find(|e| {
                *e == kind
                    || e.strip_suffix(kind).and_then(|p| p.strip_suffix('/')) == Some(api_version)
            })
            .cloned()
    }
}

/// kustomize's own files, which may sit among manifests but are not objects.
const KUSTOMIZE_GROUP: &str = "kustomize.config.k8s.io";

impl ObjectValidator {
    pub fn check(&self, object: &Value) -> (Status, Vec<Finding>) {
        let text = |field: &str| object.get(field).and_then(Value::as_str);
        let (Some(api_version), Some(kind)) = (text("apiVersion"), text("kind")) else {
            let finding = Finding {
                code: Code::MissingKind,
                severity: Severity::Error,
                pointer: String::new(),
                message: "the document has no apiVersion and kind strings, so it is not a Kubernetes object".to_owned(),
            };
            return (Status::Invalid, vec![finding]);
        };
        let group = api_version.rsplit_once('/').map_or("", |(g, _)| g);
        if group == KUSTOMIZE_GROUP
            || KindFilter::matches(&self.kinds.skip, api_version, kind).is_some()
        {
            return (Status::Skipped, Vec::new());
        }
        if let Some(entry) = KindFilter::matches(&self.kinds.reject, api_version, kind) {
            let finding = Finding {
                code: Code::KindRejected,
                severity: Severity::Error,
                pointer: "/kind".to_owned(),
                message: format!("{api_version} {kind} is rejected by --reject {entry}"),
            };
            return (Status::Invalid, vec![finding]);
        }
        let mut findings: Vec<Finding> = self
            .served
            .as_ref()
            .and_then(|served| served.check(api_version, kind))
            .into_iter()
            .collect();
        findings.extend(
            metadata::check(group, kind, object)
                .into_iter()
                .map(|p| Finding {
                    code: Code::InvalidName,
                    severity: Severity::Error,
                    pointer: p.pointer,
                    message: p.message,
                }),
        );
        findings.extend(
            limits::check(api_version, kind, object)
                .into_iter()
                .map(|c| Finding {
                    code: Code::ApiLimit,
                    severity: Severity::Error,
                    pointer: c.pointer,
                    message: c.message,
                }),
        );
        match self.schemas.validate(api_version, kind, object) {
            Outcome::NotFound if self.skip_missing && findings.is_empty() => {
                return (Status::Skipped, findings);
            }
            Outcome::NotFound if self.skip_missing => {}
            Outcome::NotFound => findings.push(Finding {
                code: Code::SchemaNotFound,
                severity: Severity::Error,
                pointer: String::new(),
                message: format!("no schema for {api_version} {kind}: pass its CRD with --crds, or --skip-missing to skip such objects"),
            }),
            Outcome::Broken(message) => findings.push(Finding {
                code: Code::SchemaLoadError,
                severity: Severity::Error,
                pointer: String::new(),
                message,
            }),
            Outcome::Checked(violations) => findings.extend(violations.into_iter().map(|v| Finding {
                code: match v.kind {
                    ViolationKind::Structure => Code::SchemaViolation,
                    ViolationKind::Cel => Code::CelViolation,
                    ViolationKind::CelUnsupported => Code::CelCompileError,
                    ViolationKind::CelNotChecked => Code::CelViolation,
                },
                // The object is refused already; this says what the API server would say too.
                severity: match v.kind {
                    ViolationKind::CelNotChecked => Severity::Note,
                    _ => Severity::Error,
                },
                pointer: v.pointer,
                message: v.message,
            })),
        }
        let admission = knative::check(object, &self.knative);
        // A field Knative disallows is also unknown to a schema written from Knative's CRD;
        // the admission finding says why and names the flag, so it replaces the schema's.
        findings.retain(|f| {
            f.code != Code::SchemaViolation
                || !admission.iter().any(|a| {
                    matches!(
                        a.code,
                        Code::KnativeFieldDisallowed | Code::KnativeFeatureDisabled
                    ) && a.pointer == f.pointer
                })
        });
        findings.extend(admission);
        if api_version == "v1" && kind == "Secret" {
            redact_secret_values(object, &mut findings);
        }
        let status = if findings.iter().all(|f| f.severity != Severity::Error) {
            Status::Valid
        } else {
            Status::Invalid
        };
        (status, findings)
    }
}

/// A Secret's `data` and `stringData` values are credentials: messages about them (a schema's
/// "12345 is not of type string") say `<redacted>` instead of the value.
fn redact_secret_values(object: &Value, findings: &mut [Finding]) {
    let mut values: Vec<String> = ["data", "stringData"]
        .iter()
        .filter_map(|field| object.get(*field))
        .flat_map(|section| match section {
            Value::Object(map) => map.values().cloned().collect(),
            other => vec![other.clone()],
        })
        .flat_map(|value| {
            let mut texts = vec![value.to_string()];
            if let Value::String(raw) = &value {
                texts.push(raw.clone());
            }
            texts
        })
        .filter(|text| !text.is_empty())
        .collect();
    // Longest first, so a value inside a longer one is not left half shown.
    values.sort_by_key(|v| std::cmp::Reverse(v.len()));
    for finding in findings {
        for value in &values {
            if finding.message.contains(value.as_str()) {
                finding.message = finding.message.replace(value.as_str(), "<redacted>");
            }
        }
    }
}
