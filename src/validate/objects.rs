//! Validates one Kubernetes object, in a fixed order: type (`apiVersion`/`kind`), metadata
//! rules, the JSON Schema of its type, then admission rules no schema expresses. Every
//! check runs, so one pass reports every problem of the object.

use serde_json::Value;

use super::schemas::{Outcome, SchemaSet, ViolationKind};
use super::{knative, metadata};
use crate::diag::Code;

/// One problem in an object: its code, where (JSON Pointer) and what.
#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    pub code: Code,
    pub pointer: String,
    pub message: String,
}

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
}

impl ObjectValidator {
    pub fn check(&self, object: &Value) -> (Status, Vec<Finding>) {
        let text = |field: &str| object.get(field).and_then(Value::as_str);
        let (Some(api_version), Some(kind)) = (text("apiVersion"), text("kind")) else {
            let finding = Finding {
                code: Code::MissingKind,
                pointer: String::new(),
                message: "the document has no apiVersion and kind strings, so it is not a Kubernetes object".to_owned(),
            };
            return (Status::Invalid, vec![finding]);
        };
        let group = api_version.rsplit_once('/').map_or("", |(g, _)| g);
        let mut findings: Vec<Finding> = metadata::check(group, kind, object)
            .into_iter()
            .map(|p| Finding {
                code: Code::InvalidName,
                pointer: p.pointer,
                message: p.message,
            })
            .collect();
        match self.schemas.validate(api_version, kind, object) {
            Outcome::NotFound if self.skip_missing && findings.is_empty() => {
                return (Status::Skipped, findings);
            }
            Outcome::NotFound if self.skip_missing => {}
            Outcome::NotFound => findings.push(Finding {
                code: Code::SchemaNotFound,
                pointer: String::new(),
                message: format!("no schema for {api_version} {kind}: pass its CRD with --crds, or --skip-missing to skip such objects"),
            }),
            Outcome::Broken(message) => findings.push(Finding {
                code: Code::SchemaLoadError,
                pointer: String::new(),
                message,
            }),
            Outcome::Checked(violations) => findings.extend(violations.into_iter().map(|v| Finding {
                code: match v.kind {
                    ViolationKind::Structure => Code::SchemaViolation,
                    ViolationKind::Cel => Code::CelViolation,
                    ViolationKind::CelUnsupported => Code::CelCompileError,
                },
                pointer: v.pointer,
                message: v.message,
            })),
        }
        findings.extend(knative::check(object).into_iter().map(|v| Finding {
            code: Code::RuleViolation,
            pointer: v.pointer,
            message: v.message,
        }));
        let status = if findings.is_empty() {
            Status::Valid
        } else {
            Status::Invalid
        };
        (status, findings)
    }
}
