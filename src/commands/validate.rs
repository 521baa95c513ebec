//! `inferstack validate`: validates manifests already on disk (e.g. `helm template` output) the
//! way kubeconform does, but strict by default: unknown fields, duplicate keys, unknown kinds
//! and bad names are all errors.

use std::path::PathBuf;

use crate::cli::ValidateArgs;
use crate::diag::render::{Style, render_all};
use crate::diag::{Code, Diagnostic, Diagnostics, Label};
use crate::load::{Excludes, STDIN, discover, load_manifests, walk};
use crate::report::Report;
use crate::source::{SourceMap, Span};
use crate::validate::knative::{self, KnativeConfig};
use crate::validate::manifests::{FileOptions, check_files};
use crate::validate::objects::{KindFilter, ObjectValidator};
use crate::validate::schemas::SchemaSet;
use crate::validate::served::Served;
use crate::validate::units;
use crate::yaml;

use super::Outcome;
use super::cluster::Live;

pub fn run(args: &ValidateArgs, style: Style) -> anyhow::Result<Outcome> {
    // Every built-in document: the inputs are not read yet (the cache makes the next run cheap).
    let live = match args.live.chosen()? {
        Some(cluster) => Some(Live::read(cluster, None)?),
        None => None,
    };
    let base = || match &live {
        Some(live) => live.schemas(args.selection()),
        None => Ok(SchemaSet::catalog_of(args.selection())),
    };
    if args.cel_coverage {
        let mut sources = SourceMap::default();
        let mut diagnostics = Diagnostics::default();
        let schemas = schema_set(args, base()?, &mut sources, &mut diagnostics)?;
        let (text, broken) = cel_coverage(&schemas);
        return Ok(Outcome {
            stdout: text,
            stderr: render_all(&diagnostics, &sources, style),
            problems: broken || diagnostics.has_errors(),
        });
    }
    let excludes = Excludes::new(&args.exclude, !args.no_default_excludes)?;
    let mut loaded = load_manifests(&args.inputs, &excludes)?;
    if loaded.files.is_empty() && loaded.diagnostics.is_empty() && loaded.skipped.is_empty() {
        anyhow::bail!("no manifests (*.yaml, *.yml, *.json) found in the paths given");
    }
    let empty_stdin = loaded.files.iter().any(|&f| {
        let file = loaded.sources.file(f);
        file.name == STDIN && file.text.trim().is_empty()
    });
    if empty_stdin {
        anyhow::bail!(
            "standard input is empty: nothing to validate (did the command before the pipe fail?)"
        );
    }
    let mut diagnostics = std::mem::take(&mut loaded.diagnostics);
    let mut schemas = schema_set(args, base()?, &mut loaded.sources, &mut diagnostics)?;
    schemas.skip_cel = args.skip_cel;
    let knative = knative_config(
        live.as_ref()
            .map_or_else(KnativeConfig::default, Live::knative),
        &args.knative_config,
        &mut loaded.sources,
        &mut diagnostics,
    )?;
    let mut validator = ObjectValidator {
        served: live
            .as_ref()
            .map(|live| installing(live.served(), &loaded.sources)),
        schemas,
        skip_missing: args.skip_missing,
        knative,
        kinds: KindFilter {
            skip: args.skip.clone(),
            reject: args.reject.clone(),
        },
    };
    let options = FileOptions {
        cross: args.world(),
    };
    let checked = check_files(&loaded.sources, &loaded.files, &mut validator, options);
    diagnostics.extend(checked.diagnostics);
    diagnostics.sort();
    let report = Report {
        sources: &loaded.sources,
        results: &checked.results,
        diagnostics: &diagnostics,
        tool_version: env!("CARGO_PKG_VERSION"),
        skipped_files: &loaded.skipped,
        by_kind: args.summary,
    };
    Ok(Outcome {
        stdout: report.render(args.format, style),
        stderr: String::new(),
        problems: diagnostics.has_errors(),
    })
}

/// What the cluster serves once the CustomResourceDefinitions among the inputs are applied
/// with them. Only files that name the kind are parsed for it.
fn installing(mut served: Served, sources: &SourceMap) -> Served {
    for (_, file) in sources.files() {
        if !file.text.contains("CustomResourceDefinition") {
            continue;
        }
        for document in yaml::parse(&file.text).documents {
            if document.value.get("kind").and_then(|k| k.as_str())
                == Some("CustomResourceDefinition")
            {
                served.install(&document.value);
            }
        }
    }
    served
}

/// `config` (Knative 1.23's defaults, or the cluster's) overlaid with the `config-features`,
/// `config-defaults` and `config-autoscaler` ConfigMaps of `--knative-config`. A path with
/// none is a mistake worth an error.
fn knative_config(
    mut config: KnativeConfig,
    paths: &[PathBuf],
    sources: &mut SourceMap,
    diagnostics: &mut Diagnostics,
) -> anyhow::Result<KnativeConfig> {
    for path in discover(paths, &["yaml", "yml", "json"])? {
        let text = crate::load::read_text(&path, crate::load::MAX_MANIFEST_BYTES)?;
        let name = path.display().to_string();
        let file = sources.add(name.clone(), text.as_str());
        let units = units::of_stream(file, yaml::parse(&text));
        let mut found = false;
        for unit in &units {
            found |= knative::is_config(&unit.value);
            for problem in config.absorb(&unit.value, &name) {
                let pointer = format!("/data/{}", yaml::escape(&problem.key));
                let (line, column) = yaml::Positions::of(&text, unit.document)
                    .locate(&pointer)
                    .unwrap_or((1, 1));
                let offset = sources.offset(file, line, column);
                let label = Label::new(Span::new(file, offset..offset), "here");
                let message = format!("{name}: {}: {}", problem.key, problem.message);
                diagnostics.push(if problem.refused {
                    Diagnostic::error(Code::KnativeConfig, label, message)
                } else {
                    Diagnostic::warning(Code::KnativeConfig, label, message)
                });
            }
        }
        if !found {
            diagnostics.push(Diagnostic::error(
                Code::KnativeConfig,
                Label::new(Span::file_start(file), "this file"),
                format!(
                    "{name} has no ConfigMap knative-serving/config-features, config-defaults or \
                     config-autoscaler, so --knative-config reads nothing from it"
                ),
            ));
        }
    }
    Ok(config)
}

/// One line per schema with CEL rules, then the totals; `true` if any rule cannot run, or a
/// catalog kind has other rules than its upstream file.
fn cel_coverage(schemas: &SchemaSet) -> (String, bool) {
    let mut out = String::new();
    let (mut found, mut upstream, mut compiled, mut transition, mut broken) = (0, 0, 0, 0, 0);
    let mut differs = false;
    for kind in schemas.cel_coverage() {
        let (api_version, name) = &kind.key;
        let coverage = match kind.coverage {
            Ok(c) if c.found > 0 || kind.upstream_rules.is_some_and(|n| n > 0) => c,
            Ok(_) => continue,
            Err(message) => {
                out.push_str(&format!(
                    "{api_version} {name}: schema does not compile: {message}\n"
                ));
                broken += 1;
                continue;
            }
        };
        let source = match kind.upstream_rules {
            Some(rules) => {
                upstream += rules;
                differs |= rules != coverage.found;
                let mark = if rules == coverage.found {
                    ""
                } else {
                    " (DIFFERS)"
                };
                format!("{rules} upstream{mark}")
            }
            None => format!("from {}", kind.origin),
        };
        out.push_str(&format!(
            "{api_version} {name}: {} rules embedded, {source}; {} compiled, {} transition (skipped on create), {} broken\n",
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
        "total: {found} rules embedded, {upstream} upstream in the catalog's kinds; {compiled} compiled, {transition} transition (skipped on create), {broken} broken\n"
    ));
    (out, broken > 0 || differs)
}

/// `set` (the catalog, or the cluster's) plus the CRDs and OpenAPI documents the user passed.
/// Unreadable paths stop the run (exit 2); a malformed CRD is a located `schema-load-error`.
fn schema_set(
    args: &ValidateArgs,
    mut set: SchemaSet,
    sources: &mut SourceMap,
    diagnostics: &mut Diagnostics,
) -> anyhow::Result<SchemaSet> {
    let (crds, openapi) = (&args.crds, &args.openapi);
    let problem = |diagnostics: &mut Diagnostics, file, message: String| {
        diagnostics.push(Diagnostic::error(
            Code::SchemaLoadError,
            Label::new(Span::file_start(file), "this file"),
            message,
        ));
    };
    for path in discover(openapi, &["json"])? {
        let text = crate::load::read_text(&path, crate::load::MAX_MANIFEST_BYTES)?;
        let name = path.display().to_string();
        let file = sources.add(name.clone(), "");
        match serde_json::from_str(&text) {
            Ok(document) => {
                if let Err(message) = set.add_openapi(document, &name) {
                    problem(diagnostics, file, format!("{name}: {message}"));
                }
            }
            Err(error) => problem(diagnostics, file, format!("{name} is not JSON: {error}")),
        }
    }
    for found in walk(crds, &["yaml", "yml", "json"])? {
        let (path, walked) = (found.path, found.walked);
        if let Some(why) = found.refused {
            anyhow::bail!("cannot read {}: {why}", path.display());
        }
        let text = crate::load::read_text(&path, crate::load::MAX_MANIFEST_BYTES)?;
        let name = path.display().to_string();
        let stream = yaml::parse(&text);
        let file = sources.add(name.clone(), "");
        if let Some(error) = stream.problems.first() {
            problem(
                diagnostics,
                file,
                format!("{name}:{}:{}: {}", error.line, error.column, error.message),
            );
        }
        let mut crds = 0;
        for document in &stream.documents {
            if document.value.get("kind").and_then(|k| k.as_str())
                != Some("CustomResourceDefinition")
            {
                continue;
            }
            crds += 1;
            match set.add_crd(&document.value, &name) {
                Ok(shadowed) => {
                    for s in shadowed {
                        diagnostics.push(
                            Diagnostic::warning(
                                Code::DuplicateCrd,
                                Label::new(Span::file_start(file), "this file"),
                                format!(
                                    "{name} defines {} {} again; the definition in {} is used",
                                    s.api_version, s.kind, s.used
                                ),
                            )
                            .with_help(
                                "pass one channel of a CRD set (e.g. Gateway API standard or \
                                 experimental), or order --crds so the one you want comes first",
                            ),
                        );
                    }
                }
                Err(message) => problem(diagnostics, file, format!("{name}: {message}")),
            }
        }
        // A file named on the command line must be a CRD file; in a directory, other files
        // (a ValidatingAdmissionPolicy beside the Gateway API CRDs) are only pointed out.
        if crds == 0 && stream.problems.is_empty() {
            let label = Label::new(Span::file_start(file), "this file");
            diagnostics.push(if walked {
                Diagnostic::warning(
                    Code::SchemaLoadError,
                    label,
                    format!("{name} has no CustomResourceDefinition; --crds skipped it"),
                )
            } else {
                Diagnostic::error(
                    Code::SchemaLoadError,
                    label,
                    format!("{name} has no CustomResourceDefinition: --crds takes CRD files only"),
                )
            });
        }
    }
    Ok(set)
}
