//! `inferstack validate`: validates manifests already on disk (e.g. `helm template` output) the
//! way kubeconform does, but strict by default: unknown fields, duplicate keys, unknown kinds
//! and bad names are all errors.

use std::path::PathBuf;

use anyhow::Context;

use crate::cli::ValidateArgs;
use crate::diag::render::{Style, render_all};
use crate::diag::{Code, Diagnostic, Diagnostics, Label};
use crate::load::{discover, load_manifests};
use crate::report::Report;
use crate::source::{SourceMap, Span};
use crate::validate::manifests::check_files;
use crate::validate::objects::ObjectValidator;
use crate::validate::schemas::SchemaSet;
use crate::yaml;

use super::Outcome;

pub fn run(args: &ValidateArgs, style: Style) -> anyhow::Result<Outcome> {
    if args.cel_coverage {
        let mut sources = SourceMap::default();
        let mut diagnostics = Diagnostics::default();
        let schemas = schema_set(&args.crds, &args.openapi, &mut sources, &mut diagnostics)?;
        let (text, broken) = cel_coverage(&schemas);
        return Ok(Outcome {
            stdout: text,
            stderr: render_all(&diagnostics, &sources, style),
            problems: broken || diagnostics.has_errors(),
        });
    }
    let mut loaded = load_manifests(&args.inputs)?;
    if loaded.files.is_empty() && loaded.diagnostics.is_empty() {
        anyhow::bail!("no manifests (*.yaml, *.yml, *.json) found in the paths given");
    }
    let mut diagnostics = std::mem::take(&mut loaded.diagnostics);
    let mut schemas = schema_set(
        &args.crds,
        &args.openapi,
        &mut loaded.sources,
        &mut diagnostics,
    )?;
    schemas.skip_cel = args.skip_cel;
    let validator = ObjectValidator {
        schemas,
        skip_missing: args.skip_missing,
    };
    let checked = check_files(&loaded.sources, &loaded.files, &validator);
    diagnostics.extend(checked.diagnostics);
    diagnostics.sort();
    let report = Report {
        sources: &loaded.sources,
        results: &checked.results,
        diagnostics: &diagnostics,
        tool_version: env!("CARGO_PKG_VERSION"),
    };
    Ok(Outcome {
        stdout: report.render(args.format, style),
        stderr: String::new(),
        problems: diagnostics.has_errors(),
    })
}

/// One line per schema with CEL rules, then the totals; `true` if any rule cannot run.
fn cel_coverage(schemas: &SchemaSet) -> (String, bool) {
    let mut out = String::new();
    let (mut found, mut compiled, mut transition, mut broken) = (0, 0, 0, 0);
    for ((api_version, kind), coverage) in schemas.cel_coverage() {
        let coverage = match coverage {
            Ok(c) if c.found > 0 => c,
            Ok(_) => continue,
            Err(message) => {
                out.push_str(&format!(
                    "{api_version} {kind}: schema does not compile: {message}\n"
                ));
                broken += 1;
                continue;
            }
        };
        out.push_str(&format!(
            "{api_version} {kind}: {} rules, {} compiled, {} transition (skipped on create), {} broken\n",
            coverage.found, coverage.compiled, coverage.transition, coverage.broken.len()
        ));
        for (rule, why) in &coverage.broken {
            out.push_str(&format!("  cannot compile `{rule}`: {why}\n"));
        }
        found += coverage.found;
        compiled += coverage.compiled;
        transition += coverage.transition;
        broken += coverage.broken.len();
    }
    out.push_str(&format!(
        "total: {found} rules, {compiled} compiled, {transition} transition (skipped on create), {broken} broken\n"
    ));
    (out, broken > 0)
}

/// The catalog plus the CRDs and OpenAPI documents the user passed. Unreadable paths stop the
/// run (exit 2); a malformed CRD is a located `schema-load-error`.
fn schema_set(
    crds: &[PathBuf],
    openapi: &[PathBuf],
    sources: &mut SourceMap,
    diagnostics: &mut Diagnostics,
) -> anyhow::Result<SchemaSet> {
    let mut set = SchemaSet::catalog();
    let mut problem = |file, message: String| {
        diagnostics.push(Diagnostic::error(
            Code::SchemaLoadError,
            Label::new(Span::file_start(file), "this file"),
            message,
        ));
    };
    for path in discover(openapi, &["json"])? {
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let name = path.display().to_string();
        let file = sources.add(name.clone(), "");
        match serde_json::from_str(&text) {
            Ok(document) => {
                if let Err(message) = set.add_openapi(document, &name) {
                    problem(file, format!("{name}: {message}"));
                }
            }
            Err(error) => problem(file, format!("{name} is not JSON: {error}")),
        }
    }
    for path in discover(crds, &["yaml", "yml", "json"])? {
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let name = path.display().to_string();
        let stream = yaml::parse(&text);
        let file = sources.add(name.clone(), "");
        if let Some(error) = stream.problems.first() {
            problem(
                file,
                format!("{name}:{}:{}: {}", error.line, error.column, error.message),
            );
        }
        for document in &stream.documents {
            if document.value.get("kind").and_then(|k| k.as_str())
                != Some("CustomResourceDefinition")
            {
                continue;
            }
            if let Err(message) = set.add_crd(&document.value, &name) {
                problem(file, format!("{name}: {message}"));
            }
        }
    }
    Ok(set)
}
