//! `inferstack check`: compiles stacks in memory and validates every object (stack rules, the
//! embedded schemas, admission rules); writes nothing. `build` runs the same checks first.

use std::path::PathBuf;

use crate::background::drop_later;
use crate::cli::{CheckArgs, ClusterArgs};
use crate::compile::{compile_parsed, environments, parse_fleet_from};
use crate::diag::Diagnostics;
use crate::diag::render::Style;
use std::collections::{BTreeSet, HashMap};

use crate::diag::{Code, Diagnostic, Label};
use crate::k8s::{Object, ObjectRef};
use crate::load::{Loaded, load_fleet};
use crate::report::Report;
use crate::resolve::Profile;
use crate::resolve::gitops::GitOpsSettings;
use crate::source::SourceMap;
use crate::source::Span;
use crate::stack::layers::{Environments, unknown_environment};
use crate::validate::catalog::Selection;
use crate::validate::knative::{self, KnativeConfig};
use crate::validate::manifests::{ObjectResult, check_objects};
use crate::validate::objects::ObjectValidator;
use crate::validate::schemas::SchemaSet;

use super::Outcome;
use super::cluster::Live;

/// A fleet compiled and checked for each environment asked for.
pub struct FleetCheck {
    pub loaded: Loaded,
    /// How many stacks were compiled (layers and the workspace are not stacks).
    pub stacks: usize,
    pub envs: Vec<EnvCheck>,
}

/// The stacks compiled and checked for one environment (`None`: no `--env`): the objects are
/// usable only when `diagnostics` has no error.
pub struct EnvCheck {
    pub env: Option<String>,
    pub objects: Vec<Object>,
    pub results: Vec<ObjectResult>,
    pub diagnostics: Diagnostics,
    /// The workspace's `[gitops]` for this environment.
    pub gitops: GitOpsSettings,
    /// The `output.keep` globs of its stacks.
    pub keep: Vec<String>,
}

impl FleetCheck {
    /// Every environment's problems, each once, in file order. With several environments, a
    /// problem says in which it occurs (the same value may be wrong in prod only).
    pub fn diagnostics(&self) -> Diagnostics {
        let mut all = Diagnostics::default();
        if self.envs.len() < 2 {
            for env in &self.envs {
                all.extend(env.diagnostics.clone());
            }
            all.sort();
            return all;
        }
        let mut found: Vec<(Diagnostic, Vec<&str>)> = Vec::new();
        let mut index: HashMap<(Span, Code, String), usize> = HashMap::new();
        for env in &self.envs {
            let name = env.env.as_deref().unwrap_or_default();
            for diagnostic in env.diagnostics.iter() {
                let key = (
                    diagnostic.primary.span,
                    diagnostic.code,
                    diagnostic.message.clone(),
                );
                match index.get(&key) {
                    Some(&i) => found[i].1.push(name),
                    None => {
                        index.insert(key, found.len());
                        found.push((diagnostic.clone(), vec![name]));
                    }
                }
            }
        }
        for (mut diagnostic, envs) in found {
            let note = format!("in environment(s): {}", envs.join(", "));
            diagnostic.help = Some(match diagnostic.help.take() {
                Some(help) => format!("{help}\n{note}"),
                None => note,
            });
            all.push(diagnostic);
        }
        all.sort();
        all
    }
}

/// Loads, compiles and validates the stacks under `paths` for each of `envs` (none: once,
/// without environment); `profile` overrides the stacks' own. With `cluster`, the objects are
/// judged by what that cluster serves and configures (read once, for every environment).
pub fn check_stacks(
    paths: &[PathBuf],
    envs: &[String],
    profile: Option<Profile>,
    cluster: Option<&ClusterArgs>,
) -> anyhow::Result<FleetCheck> {
    let (mut loaded, fleet, parses) = load_fleet(paths)?;
    if loaded.files.is_empty() && loaded.diagnostics.is_empty() {
        let shown: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        anyhow::bail!("no stack files (*.toml) found in {}", shown.join(", "));
    }
    let parsed = parse_fleet_from(&loaded.sources, &fleet, parses);
    let envs = chosen_environments(envs, &environments(&parsed, &fleet))?;
    let load_problems = std::mem::take(&mut loaded.diagnostics);
    let mut compiled_envs = Vec::new();
    for env in envs {
        let compiled = compile_parsed(&loaded.sources, &fleet, &parsed, env.as_deref(), profile)?;
        compiled_envs.push((env, compiled));
    }
    // A cluster is asked only when some environment has objects to judge: stack errors are
    // reported (exit 1) whether or not it can be reached.
    let judged = !load_problems.has_errors()
        && compiled_envs
            .iter()
            .any(|(_, c)| !c.diagnostics.has_errors());
    let live = match cluster {
        Some(args) if judged => {
            let api_versions: BTreeSet<String> = compiled_envs
                .iter()
                .flat_map(|(_, compiled)| &compiled.objects)
                .map(|o| o.id.api_version.clone())
                .collect();
            Some(Live::read(args, Some(&api_versions))?)
        }
        _ => None,
    };
    let mut checks = Vec::new();
    for (env, compiled) in compiled_envs {
        let mut diagnostics = load_problems.clone();
        diagnostics.extend(compiled.diagnostics);
        let mut results = Vec::new();
        if !diagnostics.has_errors() {
            let validator = ObjectValidator {
                served: live.as_ref().map(Live::served),
                schemas: match &live {
                    Some(live) => live.schemas(Selection::default())?,
                    None => SchemaSet::catalog(),
                },
                skip_missing: false,
                knative: knative_config(
                    live.as_ref()
                        .map_or_else(KnativeConfig::default, Live::knative),
                    &loaded.sources,
                    &compiled.objects,
                ),
                kinds: Default::default(),
            };
            let checked = check_objects(&compiled.objects, &validator);
            results = checked.results;
            diagnostics.extend(checked.diagnostics);
            // Its compiled schemas are freed off the main thread.
            drop_later(validator);
        }
        diagnostics.sort();
        checks.push(EnvCheck {
            env,
            gitops: compiled.gitops,
            keep: compiled.keep,
            objects: compiled.objects,
            results,
            diagnostics,
        });
    }
    environments_apart(&mut checks);
    Ok(FleetCheck {
        loaded,
        stacks: fleet.stacks.len(),
        envs: checks,
    })
}

/// Environments deployed to one cluster (`gitops.cluster`, both unset counting as one) must
/// not hold the same service: each sync would overwrite the other's. A stack's Knative
/// Service stands for all its objects, which are named after it, so each clash is reported
/// once; shared objects (the Gateway, Knative's ConfigMaps) are one per cluster by design.
fn environments_apart(checks: &mut [EnvCheck]) {
    let mut owners: HashMap<(Option<String>, ObjectRef), String> = HashMap::new();
    for check in checks.iter_mut() {
        let Some(env) = check.env.clone() else {
            continue;
        };
        let mut found = Diagnostics::default();
        let services = check.objects.iter().filter(|o| o.id.is_knative_service());
        for object in services {
            let key = (check.gitops.cluster.clone(), object.id.clone());
            match owners.get(&key) {
                Some(first) => found.push(
                    Diagnostic::error(
                        Code::EnvironmentCollision,
                        Label::new(object.origin, format!("in environment {env}")),
                        format!(
                            "environments {first} and {env} both put {} on cluster {}",
                            object.id,
                            key.0.as_deref().unwrap_or("(gitops.server)")
                        ),
                    )
                    .with_help("give each environment its own namespace (`[env.NAME] service = { namespace = ... }` in the workspace) or its own `gitops.cluster`"),
                ),
                None => {
                    owners.insert(key, env.clone());
                }
            }
        }
        check.diagnostics.extend(found);
        check.diagnostics.sort();
    }
}

/// The environments `--env` names (`all`: every one the fleet defines), each checked against
/// the fleet's. No `--env` is the workspace's `default_environment`; without one, a fleet whose
/// workspace lists `environments` is refused (the stacks alone are no environment anyone
/// deploys), and any other is one build without environment.
fn chosen_environments(
    asked: &[String],
    fleet: &Environments,
) -> anyhow::Result<Vec<Option<String>>> {
    let known = &fleet.names;
    if asked.is_empty() {
        return match (&fleet.default, fleet.listed) {
            (Some(default), _) => Ok(vec![Some(default.clone())]),
            (None, true) => anyhow::bail!(
                "the workspace lists the environments {}, and no --env names one: a build \
                 without environment is none of them (its namespaces and hosts are the stacks' \
                 defaults); pass --env NAME (comma-separated, or `all`), set \
                 ARGOCD_ENV_ENVIRONMENT in the Argo CD plugin's environment, or set \
                 `default_environment` in inferstack.toml",
                known.join(", ")
            ),
            (None, false) => Ok(vec![None]),
        };
    }
    if asked.iter().any(|a| a == "all") {
        if known.is_empty() {
            anyhow::bail!(
                "--env all: no stack has an [env.NAME] table and there is no workspace `environments` list"
            );
        }
        return Ok(known.iter().cloned().map(Some).collect());
    }
    let mut chosen = Vec::new();
    for name in asked {
        if !known.contains(name) {
            anyhow::bail!(unknown_environment(name, known));
        }
        if !chosen.contains(&Some(name.clone())) {
            chosen.push(Some(name.clone()));
        }
    }
    Ok(chosen)
}

pub fn run(args: &CheckArgs, style: Style) -> anyhow::Result<Outcome> {
    let checked = check_stacks(
        &args.stacks.paths,
        &args.stacks.envs,
        args.stacks.profile(),
        args.live.chosen()?,
    )?;
    let diagnostics = checked.diagnostics();
    let results: Vec<ObjectResult> = checked
        .envs
        .iter()
        .flat_map(|e| e.results.iter().cloned())
        .collect();
    let report = Report {
        sources: &checked.loaded.sources,
        results: &results,
        diagnostics: &diagnostics,
        tool_version: env!("CARGO_PKG_VERSION"),
        skipped_files: &[],
        by_kind: false,
    };
    let outcome = Outcome {
        stdout: report.render(args.format, style),
        stderr: String::new(),
        problems: diagnostics.has_errors(),
    };
    drop_later((checked, results, diagnostics));
    Ok(outcome)
}

/// The Knative configuration the compiled objects carry (their `config-features`), on top of
/// `config` (Knative's defaults, or the cluster's): the output must pass with exactly what it
/// ships.
fn knative_config(
    mut config: KnativeConfig,
    sources: &SourceMap,
    objects: &[Object],
) -> KnativeConfig {
    for object in objects.iter().filter(|o| knative::is_config(&o.body)) {
        let origin = format!("the output of {}", sources.file(object.origin.file).name);
        config.absorb(&object.body, &origin);
    }
    config
}
