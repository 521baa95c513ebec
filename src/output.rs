//! Output edge: writes an [`OutputTree`] into a directory without ever leaving a half-written
//! result or touching files inferstack did not create.
//!
//! 1. Every file is first written into a staging directory inside the output directory; if any
//!    write fails, the staging directory is dropped and the output is unchanged.
//! 2. Each staged file is then renamed over its target (atomic per file); unchanged files are
//!    left alone so their timestamps survive.
//! 3. Files listed in the previous run's manifest and no longer produced are removed; nothing
//!    else ever is. The new manifest is written last.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Component, Path, PathBuf};

use anyhow::{Context, bail};

use crate::emit::layout::OutputTree;

/// Lists the files inferstack wrote, so the next run knows which files it may replace or remove.
pub const MANIFEST: &str = ".inferstack-manifest";
const STAGING_PREFIX: &str = ".inferstack-staging-";
const MANIFEST_HEADER: &str = "# Files written by inferstack; it removes only files listed here.\n";

/// What a write changed.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct WriteSummary {
    pub written: usize,
    pub unchanged: usize,
    pub removed: usize,
}

/// Writes `tree` into `dir` (created if needed).
pub fn write_tree(dir: &Path, tree: &OutputTree) -> anyhow::Result<WriteSummary> {
    for relative in tree.keys() {
        check_relative(relative)?;
    }
    let previous = previous_manifest(dir)?;
    fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    remove_abandoned_staging(dir);

    let staging = tempfile::Builder::new()
        .prefix(STAGING_PREFIX)
        .tempdir_in(dir)
        .with_context(|| format!("cannot create a staging directory in {}", dir.display()))?;
    for (relative, content) in tree {
        let staged = staging.path().join(relative);
        if let Some(parent) = staged.parent() {
            fs::create_dir_all(parent)?;
        }
        fs::write(&staged, content)
            .with_context(|| format!("cannot write {}", staged.display()))?;
    }

    for relative in tree.keys() {
        refuse_symlinks(dir, relative)?;
    }
    let mut summary = WriteSummary::default();
    for (relative, content) in tree {
        let target = dir.join(relative);
        if fs::read(&target).is_ok_and(|old| old == *content) {
            summary.unchanged += 1;
            continue;
        }
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        fs::rename(staging.path().join(relative), &target)
            .with_context(|| format!("cannot replace {}", target.display()))?;
        summary.written += 1;
    }

    for stale in previous.iter().filter(|p| !tree.contains_key(*p)) {
        if check_relative(stale).is_err() || refuse_symlinks(dir, stale).is_err() {
            continue;
        }
        let path = dir.join(stale);
        if path.is_file() {
            fs::remove_file(&path).with_context(|| format!("cannot remove {}", path.display()))?;
            summary.removed += 1;
            // Drop directories that only held our files; a non-empty one fails and stays.
            if let Some(parent) = path.parent().filter(|p| *p != dir) {
                let _ = fs::remove_dir(parent);
            }
        }
    }

    let manifest: String = std::iter::once(MANIFEST_HEADER.to_owned())
        .chain(tree.keys().map(|k| format!("{k}\n")))
        .collect();
    let staged_manifest = staging.path().join(MANIFEST);
    fs::write(&staged_manifest, manifest)?;
    fs::rename(&staged_manifest, dir.join(MANIFEST)).context("cannot write the manifest")?;
    Ok(summary)
}

/// A run killed mid-write leaves its staging directory behind; the name marks it as ours.
fn remove_abandoned_staging(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let ours = entry
            .file_name()
            .to_string_lossy()
            .starts_with(STAGING_PREFIX);
        if ours && entry.file_type().is_ok_and(|t| t.is_dir()) {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

/// How a directory differs from the tree a build would write there (`build --check`).
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Staleness {
    pub missing: Vec<String>,
    pub changed: Vec<String>,
    /// YAML files (or files of the previous manifest) that the build would not write.
    pub extra: Vec<String>,
}

impl Staleness {
    pub fn is_clean(&self) -> bool {
        self.missing.is_empty() && self.changed.is_empty() && self.extra.is_empty()
    }
}

/// Compares `dir` with `tree` without writing anything.
pub fn compare_tree(dir: &Path, tree: &OutputTree) -> anyhow::Result<Staleness> {
    let mut staleness = Staleness::default();
    for (relative, content) in tree {
        match fs::read(dir.join(relative)) {
            Ok(old) if old == *content => {}
            Ok(_) => staleness.changed.push(relative.clone()),
            Err(_) => staleness.missing.push(relative.clone()),
        }
    }
    let mut on_disk: BTreeSet<String> = previous_manifest(dir).unwrap_or_default();
    if dir.is_dir() {
        for entry in walkdir::WalkDir::new(dir)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'))
            .flatten()
        {
            let yaml = entry
                .path()
                .extension()
                .is_some_and(|e| e == "yaml" || e == "yml");
            if entry.file_type().is_file() && yaml {
                let relative = entry
                    .path()
                    .strip_prefix(dir)?
                    .to_string_lossy()
                    .replace('\\', "/");
                on_disk.insert(relative);
            }
        }
    }
    staleness.extra = on_disk
        .into_iter()
        .filter(|p| !tree.contains_key(p) && dir.join(p).exists())
        .collect();
    Ok(staleness)
}

/// The files the previous run wrote. A non-empty directory without a manifest was not made by
/// inferstack: writing into it could overwrite someone's files, so it is refused.
fn previous_manifest(dir: &Path) -> anyhow::Result<BTreeSet<String>> {
    let manifest = dir.join(MANIFEST);
    match fs::read_to_string(&manifest) {
        Ok(text) => Ok(text
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
            .map(str::to_owned)
            .collect()),
        Err(_) if !dir.exists() => Ok(BTreeSet::new()),
        Err(_) => {
            let empty = fs::read_dir(dir)
                .with_context(|| format!("cannot read {}", dir.display()))?
                .next()
                .is_none();
            if !empty {
                bail!(
                    "refusing to write into {}: it is not empty and was not created by inferstack (no {MANIFEST}); choose an empty or new directory",
                    dir.display()
                );
            }
            Ok(BTreeSet::new())
        }
    }
}

/// Output paths are built from validated names, but are checked again here: only plain,
/// relative components, so nothing can be written outside the output directory.
fn check_relative(relative: &str) -> anyhow::Result<()> {
    let path = Path::new(relative);
    let plain =
        !relative.is_empty() && path.components().all(|c| matches!(c, Component::Normal(_)));
    if !plain {
        bail!("internal error: output path {relative:?} is not a plain relative path");
    }
    Ok(())
}

/// A symlink inside the output directory could redirect a write elsewhere; refuse to follow it.
fn refuse_symlinks(dir: &Path, relative: &str) -> anyhow::Result<()> {
    let mut current = PathBuf::from(dir);
    for component in Path::new(relative).components() {
        current.push(component);
        if fs::symlink_metadata(&current).is_ok_and(|m| m.file_type().is_symlink()) {
            bail!(
                "refusing to write through the symbolic link {}",
                current.display()
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(files: &[(&str, &str)]) -> OutputTree {
        files
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.as_bytes().to_vec()))
            .collect()
    }

    #[test]
    fn writes_replaces_and_removes_only_its_own_files() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("rendered");
        let first = write_tree(&out, &tree(&[("a/x.yaml", "1"), ("b/y.yaml", "2")])).unwrap();
        assert_eq!(first.written, 2);
        fs::write(out.join("a/mine.txt"), "user file").unwrap();

        let second = write_tree(&out, &tree(&[("a/x.yaml", "1"), ("c/z.yaml", "3")])).unwrap();
        assert_eq!(
            second,
            WriteSummary {
                written: 1,
                unchanged: 1,
                removed: 1
            }
        );
        assert!(
            !out.join("b").exists(),
            "emptied directory of ours is removed"
        );
        assert_eq!(
            fs::read_to_string(out.join("a/mine.txt")).unwrap(),
            "user file"
        );
        let leftovers: Vec<_> = fs::read_dir(&out)
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| {
                e.file_name()
                    .to_string_lossy()
                    .starts_with(".inferstack-staging")
            })
            .collect();
        assert!(leftovers.is_empty());

        fs::create_dir(out.join(".inferstack-staging-abandoned")).unwrap();
        write_tree(&out, &tree(&[("a/x.yaml", "1")])).unwrap();
        assert!(!out.join(".inferstack-staging-abandoned").exists());
    }

    #[test]
    fn refuses_foreign_directories_and_escaping_paths() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("notes.md"), "mine").unwrap();
        assert!(write_tree(dir.path(), &tree(&[("a.yaml", "1")])).is_err());
        assert_eq!(
            fs::read_to_string(dir.path().join("notes.md")).unwrap(),
            "mine"
        );

        let empty = tempfile::tempdir().unwrap();
        assert!(write_tree(empty.path(), &tree(&[("../x.yaml", "1")])).is_err());
        assert!(write_tree(empty.path(), &tree(&[("/etc/x.yaml", "1")])).is_err());
    }

    #[test]
    fn compare_finds_missing_changed_and_extra_files() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        write_tree(&out, &tree(&[("a.yaml", "1"), ("b.yaml", "2")])).unwrap();
        assert!(
            compare_tree(&out, &tree(&[("a.yaml", "1"), ("b.yaml", "2")]))
                .unwrap()
                .is_clean()
        );
        fs::write(out.join("stray.yaml"), "x").unwrap();
        fs::write(out.join("notes.md"), "mine").unwrap();
        let found = compare_tree(&out, &tree(&[("a.yaml", "9"), ("c.yaml", "3")])).unwrap();
        assert_eq!(
            found,
            Staleness {
                missing: vec!["c.yaml".into()],
                changed: vec!["a.yaml".into()],
                extra: vec!["b.yaml".into(), "stray.yaml".into()]
            }
        );
    }

    #[cfg(unix)]
    #[test]
    fn refuses_to_write_through_symlinks() {
        let dir = tempfile::tempdir().unwrap();
        let elsewhere = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        write_tree(&out, &tree(&[("ns/a.yaml", "1")])).unwrap();
        fs::remove_dir_all(out.join("ns")).unwrap();
        std::os::unix::fs::symlink(elsewhere.path(), out.join("ns")).unwrap();
        assert!(write_tree(&out, &tree(&[("ns/a.yaml", "2")])).is_err());
        assert!(fs::read_dir(elsewhere.path()).unwrap().next().is_none());
    }
}
