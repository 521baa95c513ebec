//! Input edge: finds stack files and manifests under the paths given and reads them into a
//! [`SourceMap`]. Directories are walked recursively in sorted order, skipping hidden entries,
//! so the set and order of inputs never depend on the file system.

use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::diag::{Code, Diagnostic, Diagnostics, Label};
use crate::source::{FileId, SourceMap, Span};
use crate::stack::{self, MAX_STACK_BYTES};

/// Manifests larger than this are refused; `helm template` output of a large chart is a few MiB.
pub const MAX_MANIFEST_BYTES: usize = 64 * 1024 * 1024;

/// The loaded inputs: their texts, their ids in order, and problems reading them.
#[derive(Debug, Default)]
pub struct Loaded {
    pub sources: SourceMap,
    pub files: Vec<FileId>,
    pub diagnostics: Diagnostics,
}

/// Every file named by `paths`: files as given, directories walked for the given extensions.
/// A path that does not exist is an error of the invocation (exit 2), not of an input.
pub fn discover(paths: &[PathBuf], extensions: &[&str]) -> anyhow::Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    for path in paths {
        let meta =
            std::fs::metadata(path).with_context(|| format!("cannot read {}", path.display()))?;
        if !meta.is_dir() {
            found.push(path.clone());
            continue;
        }
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
            if entry.file_type().is_file() && wanted {
                found.push(entry.into_path());
            }
        }
    }
    found.sort();
    found.dedup();
    Ok(found)
}

/// Reads each stack file; unreadable content (too large, not UTF-8) becomes a diagnostic.
pub fn load_stacks(paths: &[PathBuf]) -> anyhow::Result<Loaded> {
    load(paths, &["toml"], MAX_STACK_BYTES, stack::unreadable)
}

/// Reads YAML or JSON manifests; `-` is standard input.
pub fn load_manifests(paths: &[PathBuf]) -> anyhow::Result<Loaded> {
    load(
        paths,
        &["yaml", "yml", "json"],
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
    max_bytes: usize,
    unreadable: fn(FileId, &str) -> Diagnostic,
) -> anyhow::Result<Loaded> {
    let stdin = Path::new("-");
    let mut inputs: Vec<(String, Option<Vec<u8>>)> = Vec::new();
    if paths.iter().any(|p| p == stdin) {
        let bytes = read_limited(std::io::stdin().lock(), max_bytes, "standard input")?;
        inputs.push(("<stdin>".to_owned(), bytes));
    }
    let files: Vec<PathBuf> = paths.iter().filter(|p| *p != stdin).cloned().collect();
    for path in discover(&files, extensions)? {
        let shown = path.display().to_string();
        let file = std::fs::File::open(&path).with_context(|| format!("cannot read {shown}"))?;
        inputs.push((display_name(&path), read_limited(file, max_bytes, &shown)?));
    }
    let too_large = format!("it is larger than {} MiB", max_bytes / (1024 * 1024));
    let mut loaded = Loaded::default();
    for (name, bytes) in inputs {
        let text = match bytes {
            Some(bytes) => String::from_utf8(bytes).map_err(|_| "it is not UTF-8 text"),
            None => Err(too_large.as_str()),
        };
        match text {
            Ok(text) => loaded.files.push(loaded.sources.add(name, text)),
            Err(why) => {
                let id = loaded.sources.add(name, "");
                loaded.diagnostics.push(unreadable(id, why));
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
