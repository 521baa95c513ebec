//! Input edge: finds stack files and manifests under the paths given and reads them into a
//! [`SourceMap`]. Directories are walked recursively in sorted order, skipping hidden entries,
//! so the set and order of inputs never depend on the file system.

use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::diag::{Code, Diagnostic, Diagnostics, Label};
use crate::source::{FileId, SourceMap, Span};
use crate::stack::{self, MAX_STACK_BYTES};

mod fleet;
pub use fleet::{Parses, WORKSPACE_FILE, load_fleet, lookups};

/// The name standard input is shown as.
pub const STDIN: &str = "<stdin>";

/// Manifests, CRDs and OpenAPI documents larger than this are refused; `helm template` output
/// of a large chart is a few MiB, and the largest upstream CRD about 1.4 MiB.
pub const MAX_MANIFEST_BYTES: usize = 64 * 1024 * 1024;

/// The loaded inputs: their texts, their ids in order, and problems reading them.
#[derive(Debug, Default)]
pub struct Loaded {
    pub sources: SourceMap,
    pub files: Vec<FileId>,
    pub diagnostics: Diagnostics,
    /// Files left out, with why, for the summary.
    pub skipped: Vec<SkippedFile>,
}

/// A file that was found but not read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SkippedFile {
    pub name: String,
    pub reason: String,
}

/// Every file named by `paths`: files as given, directories walked for the given extensions.
/// A path that does not exist is an error of the invocation (exit 2), not of an input.
pub fn discover(paths: &[PathBuf], extensions: &[&str]) -> anyhow::Result<Vec<PathBuf>> {
    walk(paths, extensions)?
        .into_iter()
        .map(|found| match found.refused {
            None => Ok(found.path),
            Some(why) => anyhow::bail!("cannot read {}: {why}", found.path.display()),
        })
        .collect()
}

/// A file to read: whether it was found by walking a directory (`walked`) or named on the
/// command line, and why it may not be read, if it may not.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Found {
    pub path: PathBuf,
    pub walked: bool,
    pub refused: Option<String>,
}

/// Like [`discover`], keeping what was refused, so it can be reported where it is. A symbolic
/// link in a walked directory is followed when its target is a file inside that directory and
/// refused otherwise: never silently skipped, since a skipped stack's objects would disappear
/// from the output and a GitOps prune would delete them.
pub fn walk(paths: &[PathBuf], extensions: &[&str]) -> anyhow::Result<Vec<Found>> {
    let mut found = Vec::new();
    for path in paths {
        let meta =
            std::fs::metadata(path).with_context(|| format!("cannot read {}", path.display()))?;
        if !meta.is_dir() {
            found.push(Found {
                path: path.clone(),
                walked: false,
                refused: None,
            });
            continue;
        }
        let root = std::fs::canonicalize(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let walker = walkdir::WalkDir::new(path)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
        for entry in walker {
            let entry = entry.with_context(|| format!("cannot walk {}", path.display()))?;
            let wanted = entry
                .path()
                .extension()
                .is_some_and(|e| extensions.iter().any(|x| e == *x));
            let kind = entry.file_type();
            if !wanted || !(kind.is_file() || kind.is_symlink()) {
                continue;
            }
            let refused = kind
                .is_symlink()
                .then(|| link_problem(entry.path(), &root))
                .flatten();
            found.push(Found {
                path: entry.into_path(),
                walked: true,
                refused,
            });
        }
    }
    found.sort();
    found.dedup_by(|a, b| a.path == b.path);
    Ok(found)
}

/// Why a symbolic link found in `root` is not followed, if it is not: its target must be a
/// regular file inside `root`.
fn link_problem(link: &Path, root: &Path) -> Option<String> {
    match std::fs::canonicalize(link) {
        Ok(target) if target.starts_with(root) && target.is_file() => None,
        Ok(target) => Some(format!(
            "it is a symbolic link to {}, outside {} or not a regular file; inferstack follows links only to files inside the directory it walks",
            target.display(),
            root.display()
        )),
        Err(_) => Some("it is a broken symbolic link".to_owned()),
    }
}

/// Reads a regular file of at most `max_bytes`. Devices, FIFOs and sockets are refused before
/// they are opened (reading one could block forever or never end), and a larger file is
/// refused after reading one byte past the limit, never loaded whole.
pub fn read_file(path: &Path, max_bytes: usize) -> anyhow::Result<Vec<u8>> {
    read_regular(path, max_bytes)?
        .map_err(|why| anyhow::anyhow!("cannot read {}: {why}", path.display()))
}

/// The bytes of a regular file of at most `max_bytes`, or why it is refused (not a regular
/// file, too large); an I/O failure is the outer error.
fn read_regular(path: &Path, max_bytes: usize) -> anyhow::Result<Result<Vec<u8>, String>> {
    let shown = path.display().to_string();
    let meta = std::fs::metadata(path).with_context(|| format!("cannot read {shown}"))?;
    if !meta.is_file() {
        return Ok(Err(
            "it is not a regular file (a directory, device, FIFO or socket)".to_owned(),
        ));
    }
    let file = std::fs::File::open(path).with_context(|| format!("cannot read {shown}"))?;
    Ok(read_limited(file, max_bytes, &shown)?.ok_or_else(|| too_large(max_bytes)))
}

fn too_large(max_bytes: usize) -> String {
    format!("it is larger than {} MiB", max_bytes / (1024 * 1024))
}

/// [`read_file`] as UTF-8 text.
pub fn read_text(path: &Path, max_bytes: usize) -> anyhow::Result<String> {
    String::from_utf8(read_file(path, max_bytes)?)
        .map_err(|_| anyhow::anyhow!("cannot read {}: it is not UTF-8 text", path.display()))
}

/// Reads each stack file; unreadable content (too large, not UTF-8) becomes a diagnostic.
pub fn load_stacks(paths: &[PathBuf]) -> anyhow::Result<Loaded> {
    load(
        paths,
        &["toml"],
        &Excludes::none(),
        MAX_STACK_BYTES,
        stack::unreadable,
    )
}

/// Which manifest files are not Kubernetes objects and are left out: the user's `--exclude`
/// globs (matched against the path as shown, `*` crossing `/`), kustomize files, and by default
/// the parts of a Helm chart that are not manifests.
pub struct Excludes {
    globs: globset::GlobSet,
    patterns: Vec<String>,
    chart_parts: bool,
}

/// The names of a Helm chart's definition file.
const CHART_FILES: [&str; 2] = ["Chart.yaml", "Chart.yml"];

/// The names kustomize reads as its own file (`konfig.RecognizedKustomizationFileNames`).
const KUSTOMIZATION_FILES: [&str; 3] = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

impl Excludes {
    /// `chart_parts`: also skip `Chart.yaml`, `values*.yaml` and a chart's `templates/`.
    pub fn new(patterns: &[String], chart_parts: bool) -> anyhow::Result<Excludes> {
        let mut builder = globset::GlobSetBuilder::new();
        for pattern in patterns {
            let glob = globset::Glob::new(pattern)
                .with_context(|| format!("--exclude {pattern:?} is not a glob"))?;
            builder.add(glob);
        }
        Ok(Excludes {
            globs: builder.build()?,
            patterns: patterns.to_vec(),
            chart_parts,
        })
    }

    fn none() -> Excludes {
        Excludes {
            globs: globset::GlobSet::empty(),
            patterns: Vec::new(),
            chart_parts: false,
        }
    }

    /// Why `path` is left out, if it is; the chart rules apply only to files found by walking.
    fn reason(&self, path: &Path, walked: bool) -> Option<String> {
        let shown = display_name(path);
        if let Some(i) = self.globs.matches(&shown).first() {
            return Some(format!("excluded by --exclude {}", self.patterns[*i]));
        }
        let file_name = path.file_name()?.to_str()?;
        if KUSTOMIZATION_FILES.contains(&file_name) {
            return Some("a kustomize file, not a Kubernetes object".to_owned());
        }
        if !walked || !self.chart_parts {
            return None;
        }
        let chart = |dir: &Path| CHART_FILES.iter().any(|c| dir.join(c).is_file());
        if CHART_FILES.contains(&file_name) {
            return Some("a Helm chart's Chart.yaml".to_owned());
        }
        let parent = path.parent()?;
        if file_name.starts_with("values") && chart(parent) {
            return Some("a Helm chart's values file".to_owned());
        }
        let in_templates = path.ancestors().skip(1).any(|a| {
            a.file_name().is_some_and(|n| n == "templates") && a.parent().is_some_and(chart)
        });
        in_templates.then(|| {
            "a Helm chart template: render it with helm template and validate the output".to_owned()
        })
    }
}

/// Reads YAML or JSON manifests; `-` is standard input.
pub fn load_manifests(paths: &[PathBuf], excludes: &Excludes) -> anyhow::Result<Loaded> {
    load(
        paths,
        &["yaml", "yml", "json"],
        excludes,
        MAX_MANIFEST_BYTES,
        |file, why| {
            Diagnostic::error(
                Code::YamlParseError,
                Label::new(Span::file_start(file), "this file"),
                format!("cannot read this manifest: {why}"),
            )
        },
    )
}

fn load(
    paths: &[PathBuf],
    extensions: &[&str],
    excludes: &Excludes,
    max_bytes: usize,
    unreadable: fn(FileId, &str) -> Diagnostic,
) -> anyhow::Result<Loaded> {
    let stdin = Path::new("-");
    let mut inputs: Vec<(String, Result<Vec<u8>, String>)> = Vec::new();
    if paths.iter().any(|p| p == stdin) {
        let bytes = read_limited(std::io::stdin().lock(), max_bytes, "standard input")?;
        inputs.push((STDIN.to_owned(), bytes.ok_or_else(|| too_large(max_bytes))));
    }
    let files: Vec<PathBuf> = paths.iter().filter(|p| *p != stdin).cloned().collect();
    let mut skipped = Vec::new();
    for found in walk(&files, extensions)? {
        let path = &found.path;
        if let Some(reason) = excludes.reason(path, found.walked) {
            skipped.push(SkippedFile {
                name: display_name(path),
                reason,
            });
            continue;
        }
        // A file that cannot be read is reported where it is, with the others' problems.
        let bytes = match found.refused {
            Some(why) => Err(why),
            None => read_regular(path, max_bytes)?,
        };
        inputs.push((display_name(path), bytes));
    }
    let mut loaded = Loaded {
        skipped,
        ..Loaded::default()
    };
    for (name, bytes) in inputs {
        let text = bytes.and_then(|bytes| {
            String::from_utf8(bytes).map_err(|_| "it is not UTF-8 text".to_owned())
        });
        match text {
            Ok(text) => loaded.files.push(loaded.sources.add(name, text)),
            Err(why) => {
                let id = loaded.sources.add(name, "");
                loaded.diagnostics.push(unreadable(id, &why));
            }
        }
    }
    Ok(loaded)
}

/// Reads at most one byte past the limit, so a huge input is never loaded whole.
fn read_limited(
    reader: impl std::io::Read,
    max_bytes: usize,
    what: &str,
) -> anyhow::Result<Option<Vec<u8>>> {
    use std::io::Read;
    let mut bytes = Vec::new();
    reader
        .take(max_bytes as u64 + 1)
        .read_to_end(&mut bytes)
        .with_context(|| format!("cannot read {what}"))?;
    Ok((bytes.len() <= max_bytes).then_some(bytes))
}

/// Paths in messages use `/` and drop a leading `./`, the same on every platform.
fn display_name(path: &Path) -> String {
    let text = path.to_string_lossy().replace('\\', "/");
    text.strip_prefix("./").map(str::to_owned).unwrap_or(text)
}
