//! Layers: what a stack is once its bases and its environment are applied. A stack is the
//! workspace file (`inferstack.toml`), then its `extends` chain (each layer after its own
//! bases), then itself; for `--env NAME`, every one of those files' `[env.NAME]` table follows,
//! in the same order. Later wins, key by key ([`StackFile::overlay`]). Values keep the span of
//! the file they were written in, so every diagnostic points where the value came from.

use std::collections::{BTreeMap, BTreeSet};

use super::ast::StackFile;
use super::reader::closest;
use crate::diag::{Code, Diagnostic, Diagnostics, Label};
use crate::source::{FileId, SourceMap, Spanned};

/// How deep `extends` may nest; deeper is a located error, not a stack overflow.
pub const MAX_EXTENDS_DEPTH: usize = 32;

/// The files of a run besides its stacks, as the loader found them.
#[derive(Debug, Default)]
pub struct Fleet {
    pub stacks: Vec<FileId>,
    /// Each stack's workspace file, for stacks under one.
    pub workspaces: BTreeMap<FileId, FileId>,
    /// Each `extends` entry the loader could read: (file, path as written) -> the file it names.
    /// An entry missing here was reported by the loader.
    pub links: BTreeMap<(FileId, String), FileId>,
    /// Each `model.config` the loader could read: (file, path as written) -> the JSON file.
    pub model_configs: BTreeMap<(FileId, String), FileId>,
}

impl Fleet {
    /// A run of stacks without layers or workspace.
    pub fn of_stacks(stacks: &[FileId]) -> Fleet {
        Fleet {
            stacks: stacks.to_vec(),
            ..Fleet::default()
        }
    }

    /// The workspace files, each once (many stacks share one).
    pub fn workspace_files(&self) -> BTreeSet<FileId> {
        self.workspaces.values().copied().collect()
    }

    /// A fleet of files already in `sources`, linked by name instead of by path, as the loader
    /// links them on disk: `inferstack.toml` is every stack's workspace, a file some `extends`
    /// names is a layer, and the rest are stacks. For fuzzing and tests, which have no files.
    pub fn in_memory(sources: &SourceMap, files: &[FileId]) -> Fleet {
        let by_name = |name: &str| {
            files
                .iter()
                .copied()
                .find(|f| sources.file(*f).name == name)
        };
        let workspace = by_name(WORKSPACE_NAME);
        let mut links = BTreeMap::new();
        for &file in files {
            let parsed = super::parse(sources, file).stack;
            for (written, _) in parsed.as_ref().map(refs).unwrap_or_default().extends {
                if let Some(target) = by_name(&written) {
                    links.insert((file, written), target);
                }
            }
        }
        let stacks: Vec<FileId> = files
            .iter()
            .copied()
            .filter(|f| Some(*f) != workspace && !links.values().any(|l| l == f))
            .collect();
        let workspaces = workspace
            .map(|w| stacks.iter().map(|s| (*s, w)).collect())
            .unwrap_or_default();
        Fleet {
            stacks,
            workspaces,
            links,
            model_configs: BTreeMap::new(),
        }
    }
}

impl Fleet {
    /// One text as a fleet, the way the `stack_compile` fuzz target and its regression test
    /// read their inputs: parts split by `#---` lines are the workspace, a base layer and two
    /// stacks (`inferstack.toml`, `base.toml`, `a.toml`, `b.toml`); one part is a lone stack.
    pub fn from_parts(sources: &mut SourceMap, text: &str) -> Fleet {
        let parts: Vec<&str> = text.splitn(4, "\n#---\n").collect();
        let names: &[&str] = if parts.len() == 1 {
            &["fuzz.toml"]
        } else {
            &[WORKSPACE_NAME, "base.toml", "a.toml", "b.toml"]
        };
        let files: Vec<FileId> = parts
            .iter()
            .zip(names)
            .map(|(part, name)| sources.add(*name, *part))
            .collect();
        Fleet::in_memory(sources, &files)
    }
}

/// The workspace file's name.
pub const WORKSPACE_NAME: &str = "inferstack.toml";

/// The other files a file names, with the byte ranges where it names them, for the loader to
/// read them before anything is compiled. A file that does not parse names none here; its
/// syntax errors are reported when it is parsed.
#[derive(Debug, Default)]
pub struct FileRefs {
    /// Its `extends` entries.
    pub extends: Vec<(String, std::ops::Range<usize>)>,
    /// Its `[model] config` path.
    pub model_config: Option<(String, std::ops::Range<usize>)>,
}

/// The [`FileRefs`] of a parsed file: its `extends` entries and `model.config`, where it
/// wrote them.
pub fn refs(stack: &StackFile) -> FileRefs {
    let range = |s: &Spanned<String>| (s.value.clone(), s.span.start..s.span.end);
    FileRefs {
        extends: stack
            .strs("extends")
            .unwrap_or_default()
            .iter()
            .map(range)
            .collect(),
        model_config: stack.str("model.config").map(range),
    }
}

/// A stack with its layers applied, and the layers' names in the order they were applied.
pub struct Composed {
    pub stack: StackFile,
    pub applied: Vec<String>,
}

/// Applies `stack`'s layers and, with `env`, their environment tables. Files that failed to
/// parse are absent from `parsed` and left out (their errors are already reported).
pub fn compose(
    parsed: &BTreeMap<FileId, StackFile>,
    fleet: &Fleet,
    sources: &SourceMap,
    stack: FileId,
    env: Option<&str>,
    diagnostics: &mut Diagnostics,
) -> Option<Composed> {
    parsed.get(&stack)?;
    let mut order = Vec::new();
    let mut walk = Walk {
        parsed,
        fleet,
        visiting: Vec::new(),
        diagnostics,
    };
    if let Some(&workspace) = fleet.workspaces.get(&stack) {
        walk.chain(workspace, &mut order);
    }
    walk.chain(stack, &mut order);
    let mut composed = StackFile::new(stack);
    let mut applied = Vec::new();
    for file in &order {
        composed.overlay(&parsed[file]);
        applied.push(sources.file(*file).name.clone());
    }
    if let Some(env) = env {
        for file in &order {
            if let Some(environment) = parsed[file].envs.get(env) {
                composed.overlay(&environment.overrides);
                applied.push(format!("[env.{env}] of {}", sources.file(*file).name));
            }
        }
    }
    for once in super::reader::ONCE_PER_FILE {
        composed.values.remove(*once);
    }
    Some(Composed {
        stack: composed,
        applied,
    })
}

/// Depth-first over `extends`, each file after its bases, each file once.
struct Walk<'a> {
    parsed: &'a BTreeMap<FileId, StackFile>,
    fleet: &'a Fleet,
    visiting: Vec<FileId>,
    diagnostics: &'a mut Diagnostics,
}

impl Walk<'_> {
    fn chain(&mut self, file: FileId, order: &mut Vec<FileId>) {
        let Some(stack) = self.parsed.get(&file) else {
            return;
        };
        if order.contains(&file) {
            return;
        }
        self.visiting.push(file);
        for base in stack.strs("extends").unwrap_or_default() {
            let Some(&target) = self.fleet.links.get(&(file, base.value.clone())) else {
                continue;
            };
            // A cycle is reported once per file by `check_files`; here it is only cut.
            if self.visiting.contains(&target) {
                continue;
            }
            if self.visiting.len() >= MAX_EXTENDS_DEPTH {
                self.diagnostics.push(
                    Diagnostic::error(
                        Code::LayerCycle,
                        Label::new(base.span, "one layer too many"),
                        format!("`extends` nests deeper than {MAX_EXTENDS_DEPTH} layers"),
                    )
                    .with_help("flatten the chain: a few layers (workspace, platform, model family) are enough"),
                );
                continue;
            }
            self.chain(target, order);
        }
        self.visiting.pop();
        order.push(file);
    }
}

/// The environment names the workspaces list, when any lists them.
fn listed(parsed: &BTreeMap<FileId, StackFile>, fleet: &Fleet) -> Option<Vec<String>> {
    let mut names: Vec<String> = Vec::new();
    let mut any = false;
    for workspace in &fleet.workspace_files() {
        if let Some(list) = parsed.get(workspace).and_then(|w| w.strs("environments")) {
            any = true;
            names.extend(list.iter().map(|n| n.value.clone()));
        }
    }
    names.sort();
    names.dedup();
    any.then_some(names)
}

/// The environments of a fleet, and what a run without `--env` compiles.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Environments {
    /// The workspaces' `environments` when they list them, otherwise every `[env.NAME]` any
    /// file has. Sorted, each once.
    pub names: Vec<String>,
    /// A workspace lists them: a run without `--env` is then no deployed environment.
    pub listed: bool,
    /// The workspace's `default_environment`, the environment of a run without `--env`.
    pub default: Option<String>,
}

/// The [`Environments`] of a fleet.
pub fn environments(parsed: &BTreeMap<FileId, StackFile>, fleet: &Fleet) -> Environments {
    let default = fleet
        .workspace_files()
        .iter()
        .find_map(|w| parsed.get(w)?.str("default_environment"))
        .map(|d| d.value.clone());
    match listed(parsed, fleet) {
        Some(names) => Environments {
            names,
            listed: true,
            default,
        },
        None => Environments {
            names: every_env_table(parsed),
            listed: false,
            default,
        },
    }
}

/// Every `[env.NAME]` any file has, sorted, each once.
fn every_env_table(parsed: &BTreeMap<FileId, StackFile>) -> Vec<String> {
    let mut names: Vec<String> = parsed
        .values()
        .flat_map(|f| f.envs.keys().cloned())
        .collect();
    names.sort();
    names.dedup();
    names
}

/// Every `extends` that closes a cycle, once: the files of a cycle are all layers of one
/// another, so no stack may reach it and it must be found over the files themselves.
fn cycles(parsed: &BTreeMap<FileId, StackFile>, fleet: &Fleet, sources: &SourceMap) -> Diagnostics {
    let mut diagnostics = Diagnostics::default();
    let mut done = BTreeSet::new();
    for &file in parsed.keys() {
        let mut path = Vec::new();
        find_cycles(
            parsed,
            fleet,
            sources,
            file,
            &mut path,
            &mut done,
            &mut diagnostics,
        );
    }
    diagnostics
}

fn find_cycles(
    parsed: &BTreeMap<FileId, StackFile>,
    fleet: &Fleet,
    sources: &SourceMap,
    file: FileId,
    path: &mut Vec<FileId>,
    done: &mut BTreeSet<FileId>,
    diagnostics: &mut Diagnostics,
) {
    if done.contains(&file) || path.len() > MAX_EXTENDS_DEPTH {
        return;
    }
    let Some(stack) = parsed.get(&file) else {
        return;
    };
    path.push(file);
    for base in stack.strs("extends").unwrap_or_default() {
        let Some(&target) = fleet.links.get(&(file, base.value.clone())) else {
            continue;
        };
        if let Some(at) = path.iter().position(|f| *f == target) {
            let cycle: Vec<&str> = path[at..]
                .iter()
                .chain([&target])
                .map(|f| sources.file(*f).name.as_str())
                .collect();
            diagnostics.push(
                Diagnostic::error(
                    Code::LayerCycle,
                    Label::new(base.span, "extends a file that extends this one"),
                    format!("`extends` makes a cycle: {}", cycle.join(" -> ")),
                )
                .with_help("a layer cannot extend itself, directly or through others: remove one `extends` of the cycle"),
            );
            continue;
        }
        find_cycles(parsed, fleet, sources, target, path, done, diagnostics);
    }
    path.pop();
    done.insert(file);
}

/// Rules on the files themselves, once per file: `environments` belongs to a workspace, and
/// when the workspaces list the environments, every `[env.NAME]` must be one of them.
pub fn check_files(
    parsed: &BTreeMap<FileId, StackFile>,
    fleet: &Fleet,
    sources: &SourceMap,
) -> Diagnostics {
    let mut diagnostics = cycles(parsed, fleet, sources);
    let listed = listed(parsed, fleet);
    // Once, not per file: a fleet of 10,000 stacks maps each to its workspace.
    let workspaces = fleet.workspace_files();
    for (file, stack) in parsed {
        let is_workspace = workspaces.contains(file);
        let gitops = std::iter::once(stack)
            .chain(stack.envs.values().map(|e| &e.overrides))
            .find_map(|s| s.section("gitops"));
        if !is_workspace && let Some(span) = gitops {
            diagnostics.push(
                Diagnostic::error(
                    Code::InvalidValue,
                    Label::new(span, "only in the workspace file"),
                    "`[gitops]` is set outside the workspace file",
                )
                .with_help("GitOps settings are one per build: set them in `inferstack.toml`, per environment under `[env.NAME]`"),
            );
        }
        let fleet_wide = [
            (
                "environments",
                stack.strs("environments").and_then(|e| e.first()),
            ),
            ("default_environment", stack.str("default_environment")),
        ];
        for (key, value) in fleet_wide {
            if let (false, Some(first)) = (is_workspace, value) {
                diagnostics.push(
                    Diagnostic::error(
                        Code::InvalidValue,
                        Label::new(first.span, "only in the workspace file"),
                        format!("`{key}` is set outside the workspace file"),
                    )
                    .with_help("set it once, in `inferstack.toml` at the root of the stacks tree"),
                );
            }
        }
        let Some(listed) = &listed else {
            continue;
        };
        let names: Vec<&str> = listed.iter().map(String::as_str).collect();
        if let Some(default) = stack.str("default_environment").filter(|_| is_workspace)
            && !names.contains(&default.value.as_str())
        {
            diagnostics.push(
                Diagnostic::error(
                    Code::UnknownEnvironment,
                    Label::new(default.span, "not an environment of the workspace"),
                    format!(
                        "default_environment `{}` is not in the workspace's `environments` ({})",
                        default.value,
                        names.join(", ")
                    ),
                )
                .with_help("name one of `environments`, or add it to them"),
            );
        }
        for environment in stack.envs.values() {
            let name = &environment.name;
            if names.contains(&name.value.as_str()) {
                continue;
            }
            let diagnostic = Diagnostic::error(
                Code::UnknownEnvironment,
                Label::new(name.span, "not an environment of the workspace"),
                format!(
                    "environment `{}` is not in the workspace's `environments` ({})",
                    name.value,
                    names.join(", ")
                ),
            );
            diagnostics.push(match closest(&name.value, &names) {
                Some(best) => diagnostic.with_help(format!("did you mean `{best}`?")),
                None => diagnostic
                    .with_help("add it to `environments` in inferstack.toml, or rename the table"),
            });
        }
    }
    diagnostics
}

/// The message for `--env NAME` naming no environment of the fleet, with a "did you mean".
pub fn unknown_environment(name: &str, known: &[String]) -> String {
    let known_refs: Vec<&str> = known.iter().map(String::as_str).collect();
    let hint = match closest(name, &known_refs) {
        Some(best) => format!("; did you mean `{best}`?"),
        None if known.is_empty() => {
            "; no stack has an [env.NAME] table and there is no workspace `environments` list"
                .to_owned()
        }
        None => format!("; the environments are: {}", known.join(", ")),
    };
    format!("--env {name}: no stack or workspace defines this environment{hint}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stack::parse;

    fn fleet_of(files: &[(&str, &str)]) -> (SourceMap, BTreeMap<FileId, StackFile>, Vec<FileId>) {
        let mut sources = SourceMap::default();
        let ids: Vec<FileId> = files.iter().map(|(n, t)| sources.add(*n, *t)).collect();
        let parsed = ids
            .iter()
            .map(|id| (*id, parse(&sources, *id).stack.unwrap()))
            .collect();
        (sources, parsed, ids)
    }

    #[test]
    fn later_layers_win_and_environments_win_over_every_top_level() {
        let (sources, parsed, ids) = fleet_of(&[
            (
                "base.toml",
                "[scaling]\nmin = 1\nmax = 4\n[service.labels]\nteam = \"a\"\ntier = \"gpu\"\n[env.prod]\nscaling = { max = 10 }\n",
            ),
            (
                "qwen.toml",
                "extends = \"base.toml\"\n[scaling]\nmax = 6\n[service.labels]\nteam = \"b\"\n[env.prod]\nscaling = { min = 2 }\n",
            ),
        ]);
        let fleet = Fleet {
            stacks: vec![ids[1]],
            workspaces: BTreeMap::new(),
            links: BTreeMap::from([((ids[1], "base.toml".to_owned()), ids[0])]),
            ..Fleet::default()
        };
        let mut diagnostics = Diagnostics::default();
        let plain = compose(&parsed, &fleet, &sources, ids[1], None, &mut diagnostics).unwrap();
        assert_eq!(plain.stack.int("scaling.max").unwrap().value, 6);
        assert_eq!(plain.stack.int("scaling.min").unwrap().value, 1);
        let labels: Vec<(&str, &str)> = plain
            .stack
            .pairs("service.labels")
            .iter()
            .map(|(k, v)| (k.value.as_str(), v.value.as_str()))
            .collect();
        assert_eq!(labels, [("team", "b"), ("tier", "gpu")]);
        assert_eq!(plain.applied, ["base.toml", "qwen.toml"]);
        let prod = compose(
            &parsed,
            &fleet,
            &sources,
            ids[1],
            Some("prod"),
            &mut diagnostics,
        )
        .unwrap();
        assert_eq!(prod.stack.int("scaling.max").unwrap().value, 10);
        let min = prod.stack.int("scaling.min").unwrap();
        assert_eq!(min.value, 2);
        // The value is located where it was written: the stack's [env.prod] table.
        assert_eq!(sources.location(min.span).to_string(), "qwen.toml:7:19");
        assert_eq!(
            prod.applied,
            [
                "base.toml",
                "qwen.toml",
                "[env.prod] of base.toml",
                "[env.prod] of qwen.toml"
            ]
        );
        assert!(diagnostics.is_empty());
    }

    #[test]
    fn an_in_memory_fleet_links_by_name_as_the_loader_links_by_path() {
        let mut sources = SourceMap::default();
        let files = [
            sources.add("inferstack.toml", "environments = [\"prod\"]\n"),
            sources.add("base.toml", "[scaling]\nmax = 2\n"),
            sources.add("a.toml", "extends = \"base.toml\"\n"),
            sources.add("b.toml", "extends = [\"missing.toml\"]\n"),
        ];
        let fleet = Fleet::in_memory(&sources, &files);
        assert_eq!(fleet.stacks, [files[2], files[3]]);
        assert_eq!(fleet.workspaces.get(&files[2]), Some(&files[0]));
        assert_eq!(fleet.links.len(), 1);
    }

    #[test]
    fn a_cycle_is_reported_where_it_closes() {
        let (sources, parsed, ids) = fleet_of(&[
            ("a.toml", "extends = \"b.toml\"\n"),
            ("b.toml", "extends = [\"a.toml\"]\n"),
        ]);
        let fleet = Fleet {
            stacks: vec![ids[0]],
            workspaces: BTreeMap::new(),
            links: BTreeMap::from([
                ((ids[0], "b.toml".to_owned()), ids[1]),
                ((ids[1], "a.toml".to_owned()), ids[0]),
            ]),
            ..Fleet::default()
        };
        let mut diagnostics = Diagnostics::default();
        compose(&parsed, &fleet, &sources, ids[0], None, &mut diagnostics).unwrap();
        assert!(diagnostics.is_empty(), "compose only cuts the cycle");
        let found: Vec<String> = check_files(&parsed, &fleet, &sources)
            .iter()
            .map(|d| crate::diag::render::one_line(d, &sources))
            .collect();
        assert_eq!(
            found,
            [
                "b.toml:1:12: error[layer-cycle]: `extends` makes a cycle: a.toml -> b.toml -> a.toml"
            ]
        );
    }

    #[test]
    fn the_default_environment_is_one_of_the_list_and_only_in_the_workspace() {
        let (_, parsed, ids) = fleet_of(&[
            (
                "inferstack.toml",
                "environments = [\"dev\", \"prod\"]\ndefault_environment = \"stage\"\n",
            ),
            ("qwen.toml", "default_environment = \"dev\"\n"),
        ]);
        let fleet = Fleet {
            stacks: vec![ids[1]],
            workspaces: BTreeMap::from([(ids[1], ids[0])]),
            ..Fleet::default()
        };
        assert_eq!(
            environments(&parsed, &fleet).default.as_deref(),
            Some("stage")
        );
        let found: Vec<String> = check_files(&parsed, &fleet, &SourceMap::default())
            .iter()
            .map(|d| d.message.clone())
            .collect();
        assert_eq!(
            found,
            [
                "default_environment `stage` is not in the workspace's `environments` (dev, prod)",
                "`default_environment` is set outside the workspace file",
            ]
        );
    }

    #[test]
    fn environments_come_from_the_workspace_list_and_strays_are_named() {
        let (_, parsed, ids) = fleet_of(&[
            ("inferstack.toml", "environments = [\"dev\", \"prod\"]\n"),
            ("qwen.toml", "[env.prdo]\nscaling = { min = 2 }\n"),
        ]);
        let fleet = Fleet {
            stacks: vec![ids[1]],
            workspaces: BTreeMap::from([(ids[1], ids[0])]),
            ..Fleet::default()
        };
        let declared = environments(&parsed, &fleet);
        assert_eq!(declared.names, ["dev", "prod"]);
        assert!(declared.listed && declared.default.is_none());
        let found = check_files(&parsed, &fleet, &SourceMap::default());
        let only = found.iter().next().unwrap();
        assert_eq!(only.code, Code::UnknownEnvironment);
        assert_eq!(only.help.as_deref(), Some("did you mean `prod`?"));
        assert!(
            unknown_environment("stagign", &["staging".into()]).contains("did you mean `staging`?")
        );
    }
}
