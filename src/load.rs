//! Input edge: finds stack files under the paths given and reads them into a [`SourceMap`].
//! Directories are walked recursively in sorted order, skipping hidden entries, so the set and
//! order of stacks never depend on the file system.

use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::diag::Diagnostics;
use crate::source::{FileId, SourceMap};
use crate::stack::{self, MAX_STACK_BYTES};

/// The loaded stacks: their texts, their ids in order, and problems reading them.
#[derive(Debug, Default)]
pub struct Loaded {
    pub sources: SourceMap,
    pub files: Vec<FileId>,
    pub diagnostics: Diagnostics,
}

/// Every stack file named by `paths`: files as given, directories walked for `*.toml`.
/// A path that does not exist is an error of the invocation (exit 2), not of a stack.
pub fn discover(paths: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    for path in paths {
        let meta =
            std::fs::metadata(path).with_context(|| format!("cannot read {}", path.display()))?;
        if meta.is_dir() {
            let walker = walkdir::WalkDir::new(path)
                .sort_by_file_name()
                .into_iter()
                .filter_entry(|e| {
                    e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.')
                });
            for entry in walker {
                let entry = entry.with_context(|| format!("cannot walk {}", path.display()))?;
                if entry.file_type().is_file()
                    && entry.path().extension().is_some_and(|e| e == "toml")
                {
                    found.push(entry.into_path());
                }
            }
        } else {
            found.push(path.clone());
        }
    }
    found.sort();
    found.dedup();
    Ok(found)
}

/// Reads each file; unreadable content (too large, not UTF-8) becomes a diagnostic.
pub fn load(paths: &[PathBuf]) -> anyhow::Result<Loaded> {
    let mut loaded = Loaded::default();
    for path in discover(paths)? {
        let name = display_name(&path);
        let bytes = read_limited(&path)?;
        let text = match bytes {
            Some(bytes) => String::from_utf8(bytes).map_err(|_| "it is not UTF-8 text"),
            None => Err("it is larger than 1 MiB"),
        };
        match text {
            Ok(text) => loaded.files.push(loaded.sources.add(name, text)),
            Err(why) => {
                let id = loaded.sources.add(name, "");
                loaded.diagnostics.push(stack::unreadable(id, why));
            }
        }
    }
    Ok(loaded)
}

/// Reads at most one byte past the limit, so a huge file is never loaded whole.
fn read_limited(path: &Path) -> anyhow::Result<Option<Vec<u8>>> {
    use std::io::Read;
    let file =
        std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut bytes = Vec::new();
    file.take(MAX_STACK_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .with_context(|| format!("cannot read {}", path.display()))?;
    Ok((bytes.len() <= MAX_STACK_BYTES).then_some(bytes))
}

/// Paths in messages use `/` and drop a leading `./`, the same on every platform.
fn display_name(path: &Path) -> String {
    let text = path.to_string_lossy().replace('\\', "/");
    text.strip_prefix("./").map(str::to_owned).unwrap_or(text)
}
