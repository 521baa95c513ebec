//! The JSON report: a versioned envelope whose shape is fixed by schemas/report.schema.json
//! (tested). Fields are only ever added; `apiVersion` changes if one is removed or renamed.

use serde::Serialize;

use super::{Report, Summary};
use crate::k8s::ObjectRef;
use crate::validate::objects::Status;

/// The JSON Schema of this report, embedded so users can fetch it with the binary.
pub const REPORT_SCHEMA: &str = include_str!("../../schemas/report.schema.json");

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Envelope<'a> {
    api_version: &'static str,
    kind: &'static str,
    tool: Tool<'a>,
    summary: Summary,
    objects: Vec<ObjectEntry>,
    findings: Vec<FindingEntry>,
}

#[derive(Serialize)]
struct Tool<'a> {
    name: &'static str,
    version: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ObjectEntry {
    source: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    document: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    object: Option<ObjectId>,
    status: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ObjectId {
    api_version: String,
    kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    namespace: Option<String>,
    name: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct FindingEntry {
    reason: &'static str,
    severity: &'static str,
    source: String,
    line: usize,
    column: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    document: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    object: Option<ObjectId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pointer: Option<String>,
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<String>,
}

fn object_id(object: &ObjectRef) -> ObjectId {
    ObjectId {
        api_version: object.api_version.clone(),
        kind: object.kind.clone(),
        namespace: object.namespace.clone(),
        name: object.name.clone(),
    }
}

pub fn render(report: &Report<'_>) -> String {
    let objects = report
        .results
        .iter()
        .map(|r| ObjectEntry {
            source: report.sources.file(r.file).name.clone(),
            document: r.document,
            object: r.object.as_ref().map(object_id),
            status: match r.status {
                Status::Valid => "valid",
                Status::Invalid => "invalid",
                Status::Skipped => "skipped",
            },
        })
        .collect();
    let findings = report
        .diagnostics
        .iter()
        .map(|d| {
            let (source, line, column) = report.location(d);
            let target = d.target.as_ref();
            FindingEntry {
                reason: d.code.as_str(),
                severity: d.severity.as_str(),
                source,
                line,
                column,
                document: target.and_then(|t| t.document),
                object: target.and_then(|t| t.object.as_ref()).map(object_id),
                pointer: target.map(|t| t.pointer.clone()),
                message: d.message.clone(),
                help: d.help.clone(),
            }
        })
        .collect();
    let envelope = Envelope {
        api_version: "inferstack.dev/v1",
        kind: "ValidationReport",
        tool: Tool {
            name: "inferstack",
            version: report.tool_version,
        },
        summary: report.summary(),
        objects,
        findings,
    };
    // Serializing plain structs of strings and numbers cannot fail.
    serde_json::to_string_pretty(&envelope).unwrap_or_default() + "\n"
}
