//! Input edge for fleets: the workspace file (`inferstack.toml`) above the stacks, and the
//! layers their `extends` name, read before anything is compiled. Which files are stacks: every
//! stack file found, less the workspace and every file some `extends` names.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::{Loaded, STDIN, display_name, load_stacks, read_text};
use crate::diag::{Code, Diagnostic, Label};
use crate::source::{FileId, Span};
use crate::stack::MAX_STACK_BYTES;
use crate::stack::layers::{Fleet, refs};
use crate::stack::{self, Parsed};

/// The workspace file's name: at the root of a stacks tree, shared by every stack in it.
pub use crate::stack::layers::WORKSPACE_NAME as WORKSPACE_FILE;

/// Every file the loader parsed to find what it names, parsed once: the compiler takes them
/// from here instead of parsing them again.
pub type Parses = BTreeMap<FileId, Parsed>;

/// Loads the stacks under `paths`, their workspaces and every layer they extend.
pub fn load_fleet(paths: &[PathBuf]) -> anyhow::Result<(Loaded, Fleet, Parses)> {
    let mut loaded = load_stacks(paths)?;
    let named = named_directories(paths);
    // Canonical paths, both ways, resolved once per file (each is a system call).
    let mut path_of: BTreeMap<FileId, PathBuf> = BTreeMap::new();
    for &file in &loaded.files {
        if let Some(path) = canonical(&loaded, file) {
            path_of.insert(file, path);
        }
    }
    let mut by_path: BTreeMap<PathBuf, FileId> =
        path_of.iter().map(|(f, p)| (p.clone(), *f)).collect();
    // Each stack's workspace: the nearest workspace file at or above it.
    let mut workspace_of = BTreeMap::new();
    let mut workspaces_by_dir: BTreeMap<PathBuf, Option<PathBuf>> = BTreeMap::new();
    for &file in &loaded.files {
        let Some(path) = path_of.get(&file) else {
            continue;
        };
        if is_workspace_file(path) {
            continue;
        }
        let dir = path.parent().unwrap_or(Path::new("/")).to_path_buf();
        let found = workspaces_by_dir
            .entry(dir.clone())
            .or_insert_with(|| find_workspace(&dir))
            .clone();
        let Some(workspace) = found else {
            continue;
        };
        let id = match by_path.get(&workspace) {
            Some(&id) => id,
            None => {
                let text = read_text(&workspace, MAX_STACK_BYTES)?;
                let id = loaded
                    .sources
                    .add(display_name(&relative(&workspace)), text);
                path_of.insert(id, workspace.clone());
                by_path.insert(workspace, id);
                id
            }
        };
        workspace_of.insert(file, id);
    }
    let workspaces: BTreeSet<FileId> = workspace_of.values().copied().collect();
    let mut links = BTreeMap::new();
    // Each file's `model.config`, read after the layers, in file order.
    let mut config_refs = BTreeMap::new();
    let mut queue: VecDeque<FileId> = loaded.files.iter().copied().chain(workspaces).collect();
    // The files known now are parsed in parallel; layers found in them, as they are found.
    let known: BTreeSet<FileId> = queue.iter().copied().collect();
    let sources = &loaded.sources;
    let mut parses: Parses = known
        .into_par_iter()
        .map(|file| (file, stack::parse(sources, file)))
        .collect();
    while let Some(file) = queue.pop_front() {
        let Some(from) = path_of.get(&file).cloned() else {
            continue;
        };
        let parsed = parses
            .entry(file)
            .or_insert_with(|| stack::parse(&loaded.sources, file));
        let refs = parsed.stack.as_ref().map(refs).unwrap_or_default();
        if let Some(config) = refs.model_config {
            config_refs.insert(file, (from.clone(), config));
        }
        for (written, range) in refs.extends {
            let span = Span::new(file, range);
            let target = match repository_path(&from, &written, ".toml", &named) {
                Ok(target) => target,
                Err(why) => {
                    loaded.diagnostics.push(not_found(span, &written, &why));
                    continue;
                }
            };
            let id = match read_once(&mut loaded, &mut by_path, &target) {
                Ok((id, true)) => {
                    path_of.insert(id, target);
                    queue.push_back(id);
                    id
                }
                Ok((id, false)) => id,
                Err(error) => {
                    loaded
                        .diagnostics
                        .push(not_found(span, &written, &format!("{error:#}")));
                    continue;
                }
            };
            links.insert((file, written), id);
        }
    }
    let model_configs = read_model_configs(&mut loaded, config_refs, &named);
    // Layers and workspace files are read for the stacks, never compiled on their own.
    let layers: BTreeSet<FileId> = links.values().copied().collect();
    let stacks = loaded
        .files
        .iter()
        .copied()
        .filter(|f| !layers.contains(f) && !path_of.get(f).is_some_and(|p| is_workspace_file(p)))
        .collect();
    workspace_of.retain(|stack, _| !layers.contains(stack));
    Ok((
        loaded,
        Fleet {
            stacks,
            workspaces: workspace_of,
            links,
            model_configs,
        },
        parses,
    ))
}

/// What loading `paths` finds without reading a file, given the names of the files a load read
/// (`inputs`): the files the walk finds (each of which must be an input, or the load did not
/// see it), the directories named, and for the directory of every input its workspace file
/// and repository. With these and the inputs' contents unchanged, a load reads the same files
/// into the same fleet. `None` when something cannot be looked up.
pub fn lookups(paths: &[PathBuf], inputs: &[&str]) -> Option<Vec<String>> {
    let mut found = Vec::new();
    for file in super::walk(paths, &["toml"]).ok()? {
        let name = display_name(&file.path);
        if file.refused.is_some() || !inputs.contains(&name.as_str()) {
            return None;
        }
        found.push(format!("found\t{name}"));
    }
    for named in named_directories(paths) {
        found.push(format!("named\t{}", named.display()));
    }
    let parents: BTreeSet<&Path> = inputs
        .iter()
        .filter_map(|i| Path::new(i).parent())
        .collect();
    let dirs: BTreeSet<PathBuf> = parents
        .into_iter()
        .filter_map(|dir| std::fs::canonicalize(dir.join(".")).ok())
        .collect();
    for dir in dirs {
        let shown =
            |path: Option<PathBuf>| path.map_or("-".to_owned(), |p| p.display().to_string());
        found.push(format!(
            "dir\t{}\t{}\t{}",
            dir.display(),
            shown(find_workspace(&dir)),
            shown(git_root(&dir))
        ));
    }
    Some(found)
}

/// The `config.json` each stack, layer or workspace file names in `model.config`, read as
/// sources so the rules can use its numbers. The same path rules as `extends`: relative, inside
/// the repository.
fn read_model_configs(
    loaded: &mut Loaded,
    config_refs: BTreeMap<FileId, (PathBuf, (String, std::ops::Range<usize>))>,
    named: &[PathBuf],
) -> BTreeMap<(FileId, String), FileId> {
    let mut configs = BTreeMap::new();
    let mut by_path: BTreeMap<PathBuf, FileId> = BTreeMap::new();
    for (file, (from, (written, range))) in config_refs {
        let unreadable = |why: &str| {
            Diagnostic::error(
                Code::ModelConfigUnreadable,
                Label::new(Span::new(file, range.clone()), "cannot read"),
                format!("cannot read the model config `{written}`: {why}"),
            )
            .with_help("`model.config` is a path to the model's config.json, relative to the file that names it and inside its repository")
        };
        let target = match repository_path(&from, &written, ".json", named) {
            Ok(target) => target,
            Err(why) => {
                loaded.diagnostics.push(unreadable(&why));
                continue;
            }
        };
        let id = match read_once(loaded, &mut by_path, &target) {
            Ok((id, _)) => id,
            Err(error) => {
                loaded.diagnostics.push(unreadable(&format!("{error:#}")));
                continue;
            }
        };
        configs.insert((file, written), id);
    }
    configs
}

/// The file at the canonical path `target` as a source: read now (`true`) or earlier in the
/// run, so a file several others name is read, and reported, once.
fn read_once(
    loaded: &mut Loaded,
    by_path: &mut BTreeMap<PathBuf, FileId>,
    target: &Path,
) -> anyhow::Result<(FileId, bool)> {
    if let Some(&id) = by_path.get(target) {
        return Ok((id, false));
    }
    let text = read_text(target, MAX_STACK_BYTES)?;
    let id = loaded.sources.add(display_name(&relative(target)), text);
    by_path.insert(target.to_path_buf(), id);
    Ok((id, true))
}

fn not_found(span: Span, written: &str, why: &str) -> Diagnostic {
    Diagnostic::error(
        Code::LayerNotFound,
        Label::new(span, "no such layer"),
        format!("cannot read layer `{written}`: {why}"),
    )
    .with_help(
        "`extends` paths are relative to the file that names them and stay inside its repository",
    )
}

fn is_workspace_file(path: &Path) -> bool {
    path.file_name().is_some_and(|n| n == WORKSPACE_FILE)
}

/// The canonical path of a loaded file; `None` for standard input.
fn canonical(loaded: &Loaded, file: FileId) -> Option<PathBuf> {
    let name = &loaded.sources.file(file).name;
    (name != STDIN)
        .then(|| std::fs::canonicalize(name).ok())
        .flatten()
}

/// Where `extends = "written"` (a `.toml` layer) or `model.config` (a `.json` file) in the file
/// at `from` points: a relative path with that extension that stays inside the repository of
/// `from` (the nearest directory with `.git`), or, outside any repository, inside the directory
/// named on the command line that holds `from` (`named`). So a stack from an untrusted source
/// cannot make inferstack read, and print in a code frame, a file of the machine it runs on,
/// even from `/`, a container's usual working directory.
fn repository_path(
    from: &Path,
    written: &str,
    extension: &str,
    named: &[PathBuf],
) -> Result<PathBuf, String> {
    if Path::new(written).is_absolute() || !written.ends_with(extension) {
        return Err(format!("it must be a relative path to a {extension} file"));
    }
    let dir = from.parent().unwrap_or(Path::new("/"));
    let target = std::fs::canonicalize(dir.join(written)).map_err(|_| "no such file".to_owned())?;
    let (boundary, what) = match git_root(dir) {
        Some(root) => (root, "the repository the stack is in"),
        None => (
            named
                .iter()
                .filter(|n| dir.starts_with(n))
                .max_by_key(|n| n.as_os_str().len())
                .cloned()
                .unwrap_or_else(|| dir.to_path_buf()),
            "the directory named on the command line (outside a Git checkout nothing above it \
             is read)",
        ),
    };
    if !target.starts_with(&boundary) {
        return Err(format!("it is outside {}, {what}", boundary.display()));
    }
    Ok(target)
}

/// The canonical directories the command line names: a directory itself, a file's directory.
fn named_directories(paths: &[PathBuf]) -> Vec<PathBuf> {
    paths
        .iter()
        .filter_map(|p| std::fs::canonicalize(p).ok())
        .map(|p| {
            if p.is_dir() {
                p
            } else {
                p.parent().map(Path::to_path_buf).unwrap_or(p)
            }
        })
        .collect()
}

/// The nearest ancestor of `dir` with a `.git`.
fn git_root(dir: &Path) -> Option<PathBuf> {
    dir.ancestors()
        .find(|d| d.join(".git").exists())
        .map(Path::to_path_buf)
}

/// The nearest ancestor of `dir` with a `.git`; outside any repository, the current directory
/// when `dir` is under it, else `dir` itself.
fn repository_root(dir: &Path) -> PathBuf {
    if let Some(root) = git_root(dir) {
        return root;
    }
    std::env::current_dir()
        .ok()
        .and_then(|cwd| cwd.canonicalize().ok())
        .filter(|cwd| dir.starts_with(cwd))
        .unwrap_or_else(|| dir.to_path_buf())
}

/// The workspace file of the stacks in `dir`: the nearest `inferstack.toml` at or above it, up
/// to its repository's root.
fn find_workspace(dir: &Path) -> Option<PathBuf> {
    let root = repository_root(dir);
    dir.ancestors()
        .take_while(|d| d.starts_with(&root))
        .map(|d| d.join(WORKSPACE_FILE))
        .find(|f| f.is_file())
}

/// A path as shown in messages: relative to the current directory when under it.
fn relative(path: &Path) -> PathBuf {
    std::env::current_dir()
        .ok()
        .and_then(|cwd| cwd.canonicalize().ok())
        .and_then(|cwd| path.strip_prefix(cwd).ok().map(Path::to_path_buf))
        .unwrap_or_else(|| path.to_path_buf())
}
