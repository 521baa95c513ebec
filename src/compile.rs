//! The pure middle of the pipeline: loaded sources -> parse -> resolve -> validate -> lower ->
//! merge. No file system, no clock; `commands` do the I/O around it.

use std::collections::BTreeMap;

use rayon::prelude::*;

use crate::diag::{Code, Diagnostic, Diagnostics, Label};
use crate::k8s::Object;
use crate::resolve::Profile;
use crate::resolve::gitops::{self, GitOpsSettings};
use crate::rules::facts::{ModelFacts, config_json};
use crate::source::{FileId, SourceMap};
use crate::stack::ast::StackFile;
use crate::stack::layers::{self, Composed, Fleet};
use crate::{emit, lower, resolve, rules, stack};

/// Everything a build produces before it is written: objects in apply order and all problems.
#[derive(Debug, Default)]
pub struct Compiled {
    pub objects: Vec<Object>,
    pub diagnostics: Diagnostics,
    /// How many stacks were compiled, for summaries.
    pub stacks: usize,
    /// The workspace's `[gitops]` settings for this environment.
    pub gitops: GitOpsSettings,
    /// The `output.keep` globs of every stack, each once: files of the tree that are the user's.
    pub keep: Vec<String>,
}

/// Compiles the given stack files, without layers or environments.
pub fn compile(
    sources: &SourceMap,
    files: &[FileId],
    profile: Option<Profile>,
) -> anyhow::Result<Compiled> {
    compile_fleet(sources, &Fleet::of_stacks(files), None, profile)
}

/// Compiles a fleet's stacks for one environment (`None`: no `[env.NAME]` applied): parses it,
/// then [`compile_parsed`].
pub fn compile_fleet(
    sources: &SourceMap,
    fleet: &Fleet,
    env: Option<&str>,
    profile: Option<Profile>,
) -> anyhow::Result<Compiled> {
    compile_parsed(sources, fleet, &parse_fleet(sources, fleet), env, profile)
}

/// Every file of a fleet parsed, whether stack, layer or workspace, and the problems parsing
/// them: parsed once per run, however many environments are compiled from it.
pub struct ParsedFleet {
    files: BTreeMap<FileId, StackFile>,
    diagnostics: Diagnostics,
}

/// Compiles a parsed fleet's stacks for one environment. Every stack is taken as far as it can
/// go, so one run reports the problems of all of them; objects are only meaningful when there
/// are no errors. `profile` (from `--profile`) overrides every stack's own profile.
pub fn compile_parsed(
    sources: &SourceMap,
    fleet: &Fleet,
    parsed: &ParsedFleet,
    env: Option<&str>,
    profile: Option<Profile>,
) -> anyhow::Result<Compiled> {
    let mut diagnostics = parsed.diagnostics.clone();
    let parsed = &parsed.files;
    diagnostics.extend(layers::check_files(parsed, fleet, sources));
    let gitops = gitops_settings(parsed, fleet, sources, env, &mut diagnostics);
    // Stacks are independent until merge; results are collected in input order, so the
    // parallelism never shows in the output.
    let per_stack: Vec<(Vec<Object>, Vec<String>, Diagnostics)> = fleet
        .stacks
        .par_iter()
        .map(|&file| {
            let mut found = Diagnostics::default();
            let composed = layers::compose(parsed, fleet, sources, file, env, &mut found);
            let (objects, keep) = match composed {
                Some(composed) => {
                    let config = model_config(&composed, fleet, sources, &mut found);
                    let keep = resolve::output::keep(&composed.stack, &mut found);
                    let objects = compile_one(
                        sources,
                        &composed,
                        config.as_ref(),
                        env,
                        profile,
                        &mut found,
                    )?;
                    (objects, keep)
                }
                None => (Vec::new(), Vec::new()),
            };
            Ok((objects, keep, found))
        })
        .collect::<anyhow::Result<_>>()?;
    let mut objects = Vec::new();
    let mut keep = Vec::new();
    for (stack_objects, stack_keep, found) in per_stack {
        objects.extend(stack_objects);
        keep.extend(stack_keep);
        diagnostics.extend(found);
    }
    keep.sort();
    keep.dedup();
    let (mut objects, conflicts) = lower::merge::merge(objects);
    diagnostics.extend(conflicts);
    if !diagnostics.has_errors() {
        diagnostics.extend(rules::cross::check_compiled(&objects));
        diagnostics.extend(emit::layout::check_file_names(&objects));
    }
    diagnostics.sort();
    emit::sort(&mut objects);
    Ok(Compiled {
        objects,
        diagnostics,
        stacks: fleet.stacks.len(),
        gitops,
        keep,
    })
}

/// The `[gitops]` settings of the run's workspace, with its `[env.NAME]` applied. Stacks of
/// several workspaces built together take the defaults.
fn gitops_settings(
    parsed: &BTreeMap<FileId, StackFile>,
    fleet: &Fleet,
    sources: &SourceMap,
    env: Option<&str>,
    diagnostics: &mut Diagnostics,
) -> GitOpsSettings {
    let workspaces: Vec<FileId> = fleet.workspace_files().into_iter().collect();
    let [workspace] = workspaces[..] else {
        return GitOpsSettings::default();
    };
    let composed = layers::compose(parsed, fleet, sources, workspace, env, diagnostics);
    gitops::settings(composed.as_ref().map(|c| &c.stack), diagnostics)
}

/// The environments the fleet defines (see [`layers::environments`]).
pub fn environments(parsed: &ParsedFleet, fleet: &Fleet) -> layers::Environments {
    layers::environments(&parsed.files, fleet)
}

/// Parses every file of the fleet once: its stacks, the layers they extend and the workspace.
pub fn parse_fleet(sources: &SourceMap, fleet: &Fleet) -> ParsedFleet {
    parse_fleet_from(sources, fleet, BTreeMap::new())
}

/// [`parse_fleet`], taking each file from `parsed` (what the loader parsed to find its layers)
/// where it is there, so no file is parsed twice.
pub fn parse_fleet_from(
    sources: &SourceMap,
    fleet: &Fleet,
    mut parsed: BTreeMap<FileId, stack::Parsed>,
) -> ParsedFleet {
    let mut files: Vec<FileId> = fleet.stacks.clone();
    files.extend(fleet.workspace_files());
    files.extend(fleet.links.values().copied());
    files.sort();
    files.dedup();
    let given: Vec<(FileId, Option<stack::Parsed>)> =
        files.iter().map(|&f| (f, parsed.remove(&f))).collect();
    let results: Vec<(FileId, stack::Parsed)> = given
        .into_par_iter()
        .map(|(file, given)| (file, given.unwrap_or_else(|| stack::parse(sources, file))))
        .collect();
    let mut files = BTreeMap::new();
    let mut diagnostics = Diagnostics::default();
    for (file, result) in results {
        diagnostics.extend(result.diagnostics);
        if let Some(stack) = result.stack {
            files.insert(file, stack);
        }
    }
    ParsedFleet { files, diagnostics }
}

/// The numbers of the `config.json` the stack's `model.config` names, as the loader read it.
fn model_config(
    composed: &Composed,
    fleet: &Fleet,
    sources: &SourceMap,
    diagnostics: &mut Diagnostics,
) -> Option<ModelFacts> {
    let written = composed.stack.str("model.config")?;
    let file = fleet
        .model_configs
        .get(&(written.span.file, written.value.clone()))?;
    match config_json::parse(&sources.file(*file).text) {
        Ok(facts) => Some(facts),
        Err(why) => {
            diagnostics.push(
                Diagnostic::error(
                    Code::ModelConfigUnreadable,
                    Label::new(written.span, "not a model config"),
                    format!(
                        "`model.config` = \"{}\" is not a model's config.json: {why}",
                        written.value
                    ),
                )
                .with_help("point it at a copy of the model's config.json from its repository"),
            );
            None
        }
    }
}

fn compile_one(
    sources: &SourceMap,
    composed: &Composed,
    config: Option<&ModelFacts>,
    env: Option<&str>,
    profile: Option<Profile>,
    diagnostics: &mut Diagnostics,
) -> anyhow::Result<Vec<Object>> {
    let mut found = Diagnostics::default();
    let resolved = resolve::resolve(&composed.stack, env, profile, &mut found);
    let objects = match resolved {
        Some(resolved) => {
            found.extend(rules::check_stack(&resolved, config));
            if found.has_errors() {
                Vec::new()
            } else {
                lower::lower(&resolved)?
            }
        }
        None => Vec::new(),
    };
    for diagnostic in found.iter_mut() {
        if let Some(note) = layer_note(sources, composed, diagnostic) {
            diagnostic.help = Some(match diagnostic.help.take() {
                Some(help) => format!("{help}\n{note}"),
                None => note,
            });
        }
    }
    diagnostics.extend(found);
    Ok(objects)
}

/// For a problem located in a layer: whose layer it is, and the order the layers apply in, later
/// winning. A problem in the stack's own file needs no note: its frame shows it.
fn layer_note(sources: &SourceMap, composed: &Composed, diagnostic: &Diagnostic) -> Option<String> {
    let file = diagnostic.primary.span.file;
    if composed.applied.len() < 2 || file == composed.stack.file {
        return None;
    }
    Some(format!(
        "{} is a layer of {} (layers applied: {})",
        sources.file(file).name,
        sources.file(composed.stack.file).name,
        composed.applied.join(", then ")
    ))
}
