//! SARIF 2.1.0, the format GitHub code scanning and other SAST dashboards ingest. Each code is a
//! rule; each finding a result with a physical location and, for objects, the JSON Pointer.

use serde_json::{Value, json};

use super::Report;
use crate::diag::{Code, Severity};

pub fn render(report: &Report<'_>) -> String {
    let rules: Vec<Value> = Code::ALL
        .iter()
        .map(|code| {
            json!({
                "id": code.as_str(),
                "name": code.as_str(),
                "shortDescription": {"text": code.summary()},
                "helpUri": format!("https://github.com/inferstack/inferstack#{}", "diagnostics"),
            })
        })
        .collect();
    let results: Vec<Value> = report
        .diagnostics
        .iter()
        .map(|d| {
            let (file, line, column) = report.location(d);
            let mut text = d.message.clone();
            if let Some(help) = &d.help {
                text.push_str(&format!(" Fix: {help}"));
            }
            let mut result = json!({
                "ruleId": d.code.as_str(),
                "ruleIndex": Code::ALL.iter().position(|c| *c == d.code).unwrap_or_default(),
                "level": match d.severity { Severity::Error => "error", Severity::Warning => "warning", Severity::Note => "note" },
                "message": {"text": text},
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": {"uri": file},
                        "region": {"startLine": line, "startColumn": column},
                    }
                }],
            });
            if let Some(target) = &d.target {
                result["properties"] = json!({
                    "pointer": target.pointer,
                    "document": target.document,
                    "object": target.object.as_ref().map(ToString::to_string),
                });
            }
            result
        })
        .collect();
    let sarif = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "inferstack",
                "version": report.tool_version,
                "informationUri": "https://github.com/inferstack/inferstack",
                "rules": rules,
            }},
            "results": results,
        }],
    });
    serde_json::to_string_pretty(&sarif).unwrap_or_default() + "\n"
}
