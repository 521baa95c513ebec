//! `inferstack check`: compiles stacks in memory and validates every object (stack rules, the
//! embedded schemas, admission rules); writes nothing. `build` runs the same checks first.

use std::path::PathBuf;

use crate::cli::{CheckArgs, ProfileArg};
use crate::compile::compile;
use crate::diag::Diagnostics;
use crate::diag::render::Style;
use crate::k8s::Object;
use crate::load::{Loaded, load_stacks};
use crate::report::Report;
use crate::resolve::Profile;
use crate::source::SourceMap;
use crate::validate::knative::{self, KnativeConfig};
use crate::validate::manifests::{ObjectResult, check_objects};
use crate::validate::objects::ObjectValidator;
use crate::validate::schemas::SchemaSet;

use super::Outcome;

/// Stacks compiled and checked: the objects are usable only when `diagnostics` has no error.
pub struct StackCheck {
    pub loaded: Loaded,
    pub objects: Vec<Object>,
    pub results: Vec<ObjectResult>,
    pub diagnostics: Diagnostics,
}

/// Loads, compiles and validates the stacks under `paths`; `profile` overrides theirs.
pub fn check_stacks(paths: &[PathBuf], profile: Option<Profile>) -> anyhow::Result<StackCheck> {
    let mut loaded = load_stacks(paths)?;
    if loaded.files.is_empty() && loaded.diagnostics.is_empty() {
        let shown: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        anyhow::bail!("no stack files (*.toml) found in {}", shown.join(", "));
    }
    let compiled = compile(&loaded.sources, &loaded.files, profile)?;
    let mut diagnostics = std::mem::take(&mut loaded.diagnostics);
    diagnostics.extend(compiled.diagnostics);
    let mut results = Vec::new();
    if !diagnostics.has_errors() {
        let validator = ObjectValidator {
            schemas: SchemaSet::catalog(),
            skip_missing: false,
            knative: knative_config(&loaded.sources, &compiled.objects),
            kinds: Default::default(),
        };
        let checked = check_objects(&compiled.objects, &validator);
        results = checked.results;
        diagnostics.extend(checked.diagnostics);
    }
    diagnostics.sort();
    Ok(StackCheck {
        loaded,
        objects: compiled.objects,
        results,
        diagnostics,
    })
}

pub fn run(args: &CheckArgs, style: Style) -> anyhow::Result<Outcome> {
    let checked = check_stacks(&args.paths, args.profile.map(ProfileArg::profile))?;
    let report = Report {
        sources: &checked.loaded.sources,
        results: &checked.results,
        diagnostics: &checked.diagnostics,
        tool_version: env!("CARGO_PKG_VERSION"),
        skipped_files: &[],
        by_kind: false,
    };
    Ok(Outcome {
        stdout: report.render(args.format, style),
        stderr: String::new(),
        problems: checked.diagnostics.has_errors(),
    })
}

/// The Knative configuration the compiled objects carry (their `config-features`), on top of
/// Knative's defaults: the output must pass with exactly what it ships.
fn knative_config(sources: &SourceMap, objects: &[Object]) -> KnativeConfig {
    let mut config = KnativeConfig::default();
    for object in objects.iter().filter(|o| knative::is_config(&o.body)) {
        let origin = format!("the output of {}", sources.file(object.origin.file).name);
        config.absorb(&object.body, &origin);
    }
    config
}
