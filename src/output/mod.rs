//! Output edge: writes an [`OutputTree`] into a directory without ever leaving a half-written
//! result or touching files inferstack did not create.
//!
//! 1. An advisory lock on the output directory itself makes a second build into it fail at
//!    once with a message, instead of interleaving with the first; no lock file is left behind.
//! 2. Each file is compared with what is on disk, in memory; only the changed ones are written
//!    into a staging directory inside the output directory, and a build that changes nothing
//!    writes nothing at all. If a write fails (a full disk), the staging directory is dropped
//!    and the output is unchanged.
//! 3. The ownership manifest (`manifest.rs`) is rewritten to list the old and the new files
//!    with their hashes before anything is replaced, so a build killed from here on leaves
//!    nothing the next build cannot recognise as its own.
//! 4. Each changed file is renamed over its target (atomic per file), the old one kept aside;
//!    unchanged files are left alone so their timestamps survive. If a rename fails, every
//!    file already replaced is put back and the old manifest restored: the tree is as it was.
//! 5. Files of the previous build that this one does not produce are removed, but only while
//!    their content is what inferstack wrote; then the manifest lists exactly the new files.

pub mod freshness;
mod manifest;

use std::collections::BTreeSet;
use std::fs;
use std::path::{Component, Path, PathBuf};

use anyhow::{Context, bail};
use globset::GlobSet;

use crate::emit::layout::OutputTree;
use manifest::{Entries, sha256};
pub use manifest::{MANIFEST, listed};

const STAGING_PREFIX: &str = ".inferstack-staging-";
/// Where replaced files wait inside the staging directory until the build completes.
const BACKUP: &str = ".replaced";

/// What a write changed.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct WriteSummary {
    pub written: usize,
    pub unchanged: usize,
    pub removed: usize,
    /// Files of the previous build that changed since inferstack wrote them: not removed.
    pub kept: Vec<String>,
}

/// The stack a file of the tree comes from, for error messages.
pub type StackOf<'a> = &'a dyn Fn(&str) -> Option<String>;

/// `path` in an error message, with the stack its file comes from when known.
fn described(path: &Path, relative: &str, stack_of: StackOf<'_>) -> String {
    match stack_of(relative) {
        Some(stack) => format!("{} (from {stack})", path.display()),
        None => path.display().to_string(),
    }
}

/// A tree written into its staging directory, under the output directory's lock, with the
/// journal in place, but nothing replaced yet: several trees (the environments of a fleet)
/// are all staged before any is committed, so a failure while staging one leaves every one
/// as it was, and a second build of the same fleet fails at its first lock.
pub struct Staged<'a> {
    dir: PathBuf,
    tree: &'a OutputTree,
    stack_of: StackOf<'a>,
    _lock: fs::File,
    previous: Entries,
    new: Entries,
    changed: Vec<&'a String>,
    /// `None`: nothing changed, and nothing is written.
    staging: Option<tempfile::TempDir>,
    /// Whether [`Staged::commit`] took over; if not, dropping puts the previous manifest back.
    committed: bool,
}

impl Drop for Staged<'_> {
    /// A tree staged but never committed (another of the fleet failed) leaves its directory
    /// as it was: its files were never replaced, and its journal is undone.
    fn drop(&mut self) {
        if !self.committed
            && let Some(staging) = &self.staging
        {
            let _ = manifest::write(&self.dir, staging.path(), &self.previous, false);
        }
    }
}

/// Stages `tree` for `dir` (created if needed): steps 1 to 3 of the module's order. Files
/// whose content is already on disk are compared in memory and never staged or rewritten; when
/// nothing changed and no file of the previous build is gone, nothing is written at all.
/// `stack_of` names the stack of a file in errors.
pub fn stage<'a>(
    dir: &Path,
    tree: &'a OutputTree,
    stack_of: StackOf<'a>,
) -> anyhow::Result<Staged<'a>> {
    for relative in tree.keys() {
        check_relative(relative)?;
    }
    fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let lock = lock(dir)?;
    let previous = manifest::read(dir)?;
    remove_abandoned_staging(dir);
    for relative in tree.keys() {
        refuse_symlinks(dir, relative)?;
    }
    let changed: Vec<&String> = tree
        .iter()
        .filter(|(relative, content)| !same_on_disk(dir, relative, content))
        .map(|(relative, _)| relative)
        .collect();
    let new: Entries = tree
        .iter()
        .map(|(relative, content)| (relative.clone(), BTreeSet::from([sha256(content)])))
        .collect();
    let mut staged = Staged {
        dir: dir.to_path_buf(),
        tree,
        stack_of,
        _lock: lock,
        previous,
        new,
        changed,
        staging: None,
        committed: false,
    };
    if staged.changed.is_empty() && staged.previous == staged.new {
        return Ok(staged);
    }
    let staging = tempfile::Builder::new()
        .prefix(STAGING_PREFIX)
        .tempdir_in(dir)
        .with_context(|| format!("cannot create a staging directory in {}", dir.display()))?;
    for relative in &staged.changed {
        let staged_path = staging.path().join(relative);
        if let Some(parent) = staged_path.parent() {
            fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        fs::write(&staged_path, &tree[*relative]).with_context(|| {
            format!(
                "cannot write {}",
                described(&staged_path, relative, stack_of)
            )
        })?;
    }
    let mut journal = staged.previous.clone();
    for (relative, hashes) in &staged.new {
        journal
            .entry(relative.clone())
            .or_default()
            .extend(hashes.iter().cloned());
    }
    manifest::write(dir, staging.path(), &journal, true)?;
    staged.staging = Some(staging);
    Ok(staged)
}

impl Staged<'_> {
    /// Replaces the changed files and removes the stale ones: steps 4 and 5.
    pub fn commit(mut self) -> anyhow::Result<WriteSummary> {
        self.committed = true;
        let dir = self.dir.as_path();
        let Some(staging) = &self.staging else {
            return Ok(WriteSummary {
                unchanged: self.tree.len(),
                ..WriteSummary::default()
            });
        };
        let changed: Vec<(&String, &Vec<u8>)> = self
            .changed
            .iter()
            .map(|relative| (*relative, &self.tree[*relative]))
            .collect();
        let mut summary = WriteSummary {
            unchanged: self.tree.len() - changed.len(),
            ..WriteSummary::default()
        };
        if let Err(error) = apply(dir, staging.path(), &changed, self.stack_of, &mut summary) {
            // Put the old manifest back too: the tree is as it was before this build.
            let _ = manifest::write(dir, staging.path(), &self.previous, false);
            return Err(error);
        }
        for (stale, hashes) in self
            .previous
            .iter()
            .filter(|(p, _)| !self.tree.contains_key(*p))
        {
            if check_relative(stale).is_err() || refuse_symlinks(dir, stale).is_err() {
                continue;
            }
            let path = dir.join(stale);
            let content = match read_own(dir, stale) {
                OnDisk::File(content) => content,
                OnDisk::Absent => continue,
                // Not a file inferstack wrote any more: left alone, and said.
                OnDisk::Refused(_) => {
                    summary.kept.push(stale.clone());
                    continue;
                }
            };
            if !hashes.contains(&sha256(&content)) {
                summary.kept.push(stale.clone());
                continue;
            }
            fs::remove_file(&path).with_context(|| format!("cannot remove {}", path.display()))?;
            summary.removed += 1;
            // Drop directories that only held our files; a non-empty one fails and stays.
            if let Some(parent) = path.parent().filter(|p| *p != dir) {
                let _ = fs::remove_dir(parent);
            }
        }
        manifest::write(dir, staging.path(), &self.new, false)?;
        Ok(summary)
    }
}

/// Whether the file at `relative` holds exactly `content`: its size first, so a changed file is
/// usually told apart without reading it. A FIFO, device or link there is never read (it is
/// replaced by the rename, not written through); [`stage`] has refused links on the way to it
/// already, so only the file itself is looked at.
fn same_on_disk(dir: &Path, relative: &str, content: &[u8]) -> bool {
    let path = dir.join(relative);
    fs::symlink_metadata(&path).is_ok_and(|m| m.is_file() && m.len() == content.len() as u64)
        && crate::load::read_file(&path, crate::load::MAX_MANIFEST_BYTES)
            .is_ok_and(|old| old == content)
}

/// What is at a path of the output tree, read only if it is a regular file reached without a
/// symbolic link: a FIFO would block the read forever, a link to `/dev/zero` never end it, and
/// a link out of the tree is what `build` refuses to write through and Argo CD to follow.
pub enum OnDisk {
    Absent,
    File(Vec<u8>),
    /// Not a regular file of the tree, and why.
    Refused(String),
}

pub fn read_own(dir: &Path, relative: &str) -> OnDisk {
    let mut current = PathBuf::from(dir);
    for component in Path::new(relative).components() {
        current.push(component);
        match fs::symlink_metadata(&current) {
            Err(_) => return OnDisk::Absent,
            Ok(meta) if meta.file_type().is_symlink() => {
                return OnDisk::Refused(format!("{} is a symbolic link", current.display()));
            }
            Ok(_) => {}
        }
    }
    match fs::symlink_metadata(&current) {
        Ok(meta) if !meta.is_file() => OnDisk::Refused(format!(
            "{} is not a regular file (a directory, FIFO, device or socket)",
            current.display()
        )),
        Ok(_) => match crate::load::read_file(&current, crate::load::MAX_MANIFEST_BYTES) {
            Ok(content) => OnDisk::File(content),
            Err(error) => OnDisk::Refused(format!("{error:#}")),
        },
        Err(_) => OnDisk::Absent,
    }
}

/// Renames every changed file from `staging` over its target, keeping the replaced one aside;
/// on the first failure, puts back everything it replaced and fails naming the path.
fn apply(
    dir: &Path,
    staging: &Path,
    changed: &[(&String, &Vec<u8>)],
    stack_of: StackOf<'_>,
    summary: &mut WriteSummary,
) -> anyhow::Result<()> {
    let backup = staging.join(BACKUP);
    let mut applied: Vec<(PathBuf, Option<PathBuf>)> = Vec::new();
    let result = (|| -> anyhow::Result<()> {
        for &(relative, _) in changed {
            let target = dir.join(relative);
            let place = || described(&target, relative, stack_of);
            if let Some(parent) = target.parent() {
                fs::create_dir_all(parent).with_context(|| {
                    format!("cannot create {} for {}", parent.display(), place())
                })?;
            }
            let kept = if target.exists() {
                let aside = backup.join(relative);
                if let Some(parent) = aside.parent() {
                    fs::create_dir_all(parent)?;
                }
                fs::rename(&target, &aside)
                    .with_context(|| format!("cannot replace {}", place()))?;
                Some(aside)
            } else {
                None
            };
            applied.push((target.clone(), kept));
            fs::rename(staging.join(relative), &target)
                .with_context(|| format!("cannot replace {}", place()))?;
            summary.written += 1;
        }
        Ok(())
    })();
    if result.is_err() {
        for (target, kept) in applied.into_iter().rev() {
            match kept {
                Some(aside) => {
                    let _ = fs::rename(aside, &target);
                }
                None => {
                    let _ = fs::remove_file(&target);
                }
            }
        }
        summary.written = 0;
    }
    result
}

/// Holds an advisory lock on `dir` itself until dropped; a second build fails at once.
fn lock(dir: &Path) -> anyhow::Result<fs::File> {
    let handle = fs::File::open(dir).with_context(|| format!("cannot open {}", dir.display()))?;
    match handle.try_lock() {
        Ok(()) => Ok(handle),
        Err(fs::TryLockError::WouldBlock) => bail!(
            "another inferstack build is writing into {}; run one build at a time",
            dir.display()
        ),
        Err(fs::TryLockError::Error(error)) => {
            Err(error).with_context(|| format!("cannot lock {}", dir.display()))
        }
    }
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
    /// Files of the previous manifest that the build would not write, and kustomization files
    /// beside the one it writes (kustomize then fails: several kustomization files).
    pub extra: Vec<String>,
    /// Paths of the tree that are no regular file inferstack could have written (a symbolic
    /// link, a FIFO, a device), with why: what `build` refuses, `--check` refuses too.
    pub refused: Vec<(String, String)>,
    /// Files inferstack did not write and `output.keep` does not claim: `build` keeps them,
    /// but whose they are is for the user to say.
    pub foreign: Vec<String>,
}

impl Staleness {
    /// Nothing a build would change.
    pub fn is_current(&self) -> bool {
        self.missing.is_empty()
            && self.changed.is_empty()
            && self.extra.is_empty()
            && self.refused.is_empty()
    }

    pub fn is_clean(&self) -> bool {
        self.is_current() && self.foreign.is_empty()
    }
}

/// Kustomize reads `Kustomization` and `kustomization.yml` too: one beside the
/// `kustomization.yaml` inferstack writes makes `kustomize build` fail, whoever wrote it.
fn is_other_kustomization(name: &str) -> bool {
    name == "Kustomization" || name == "kustomization.yml"
}

/// Compares `dir` with `tree` without writing anything; files matching `keep` are the user's.
pub fn compare_tree(dir: &Path, tree: &OutputTree, keep: &GlobSet) -> anyhow::Result<Staleness> {
    let mut staleness = Staleness::default();
    for (relative, content) in tree {
        match read_own(dir, relative) {
            OnDisk::File(old) if old == *content => {}
            OnDisk::File(_) => staleness.changed.push(relative.clone()),
            OnDisk::Absent => staleness.missing.push(relative.clone()),
            OnDisk::Refused(why) => staleness.refused.push((relative.clone(), why)),
        }
    }
    let listed: BTreeSet<String> = manifest::read(dir)
        .map(|entries| entries.into_keys().collect())
        .unwrap_or_default();
    staleness.extra = listed
        .iter()
        .filter(|p| !tree.contains_key(*p) && dir.join(p).exists())
        .cloned()
        .collect();
    for relative in files_in(dir)? {
        if tree.contains_key(&relative) || listed.contains(&relative) {
            continue;
        }
        let name = relative.rsplit('/').next().unwrap_or_default();
        if is_other_kustomization(name) {
            staleness.extra.push(relative);
        } else if !keep.is_match(&relative) {
            staleness.foreign.push(relative);
        }
    }
    staleness.extra.sort();
    Ok(staleness)
}

/// The files of a tree that inferstack did not write (its manifest does not list them) and
/// `keep` does not claim, for `build` to say it keeps them.
pub fn foreign(dir: &Path, keep: &GlobSet) -> anyhow::Result<Vec<String>> {
    let listed = listed(dir)?.unwrap_or_default();
    Ok(files_in(dir)?
        .into_iter()
        .filter(|relative| !listed.contains(relative) && !keep.is_match(relative))
        .collect())
}

/// One entry of an output tree that is no directory.
pub struct TreeEntry {
    /// Its `/`-separated path relative to the tree.
    pub relative: String,
    /// A regular file, not a link, FIFO, device or socket (which readers must not open).
    pub regular: bool,
}

/// Every entry of `dir` that is no directory (files, links, FIFOs, devices), sorted by path,
/// hidden entries (the manifest, staging, `.git`) left out; none when the directory does not
/// exist. The one walk of an output tree: `build` and `diff` see the same files.
pub fn tree_entries(dir: &Path) -> anyhow::Result<Vec<TreeEntry>> {
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let mut entries = Vec::new();
    let walker = walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
    for entry in walker {
        let entry = entry.with_context(|| format!("cannot walk {}", dir.display()))?;
        if entry.file_type().is_dir() {
            continue;
        }
        let relative = entry.path().strip_prefix(dir)?;
        let parts: Vec<String> = relative
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        entries.push(TreeEntry {
            relative: parts.join("/"),
            regular: entry.file_type().is_file(),
        });
    }
    Ok(entries)
}

fn files_in(dir: &Path) -> anyhow::Result<Vec<String>> {
    Ok(tree_entries(dir)?.into_iter().map(|e| e.relative).collect())
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

    /// One tree on its own: staged, then committed.
    fn write_tree(
        dir: &Path,
        tree: &OutputTree,
        stack_of: StackOf<'_>,
    ) -> anyhow::Result<WriteSummary> {
        stage(dir, tree, stack_of)?.commit()
    }

    fn write(dir: &Path, tree: &OutputTree) -> anyhow::Result<WriteSummary> {
        write_tree(dir, tree, &|_| None)
    }

    fn tree(files: &[(&str, &str)]) -> OutputTree {
        files
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.as_bytes().to_vec()))
            .collect()
    }

    #[test]
    fn an_unchanged_tree_writes_nothing_not_even_its_manifest() {
        use std::os::unix::fs::MetadataExt;
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("rendered");
        let files = tree(&[("a/x.yaml", "1"), ("b/y.yaml", "2")]);
        write(&out, &files).unwrap();
        let inode = |name: &str| fs::metadata(out.join(name)).unwrap().ino();
        let before = [inode(MANIFEST), inode("a/x.yaml"), inode("b/y.yaml")];
        let again = write(&out, &files).unwrap();
        assert_eq!(again.written, 0);
        assert_eq!(again.unchanged, 2);
        assert_eq!(
            before,
            [inode(MANIFEST), inode("a/x.yaml"), inode("b/y.yaml")]
        );
        // A file edited by hand, even to the same size, is rewritten.
        fs::write(out.join("a/x.yaml"), "9").unwrap();
        let repaired = write(&out, &files).unwrap();
        assert_eq!((repaired.written, repaired.unchanged), (1, 1));
        assert_eq!(fs::read_to_string(out.join("a/x.yaml")).unwrap(), "1");
    }

    #[test]
    fn writes_replaces_and_removes_only_its_own_files() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("rendered");
        let first = write(&out, &tree(&[("a/x.yaml", "1"), ("b/y.yaml", "2")])).unwrap();
        assert_eq!(first.written, 2);
        fs::write(out.join("a/mine.txt"), "user file").unwrap();

        let second = write(&out, &tree(&[("a/x.yaml", "1"), ("c/z.yaml", "3")])).unwrap();
        assert_eq!(
            second,
            WriteSummary {
                written: 1,
                unchanged: 1,
                removed: 1,
                kept: Vec::new(),
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
        write(&out, &tree(&[("a/x.yaml", "1")])).unwrap();
        assert!(!out.join(".inferstack-staging-abandoned").exists());
    }

    #[test]
    fn refuses_foreign_directories_and_escaping_paths() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("notes.md"), "mine").unwrap();
        assert!(write(dir.path(), &tree(&[("a.yaml", "1")])).is_err());
        assert_eq!(
            fs::read_to_string(dir.path().join("notes.md")).unwrap(),
            "mine"
        );

        let empty = tempfile::tempdir().unwrap();
        assert!(write(empty.path(), &tree(&[("../x.yaml", "1")])).is_err());
        assert!(write(empty.path(), &tree(&[("/etc/x.yaml", "1")])).is_err());
    }

    #[test]
    fn compare_finds_missing_changed_extra_and_foreign_files() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let none = GlobSet::empty();
        write(&out, &tree(&[("a.yaml", "1"), ("b.yaml", "2")])).unwrap();
        assert!(
            compare_tree(&out, &tree(&[("a.yaml", "1"), ("b.yaml", "2")]), &none)
                .unwrap()
                .is_clean()
        );
        fs::write(out.join("stray.yaml"), "x").unwrap();
        fs::write(out.join("notes.md"), "mine").unwrap();
        fs::write(out.join("Kustomization"), "resources: []").unwrap();
        let next = tree(&[("a.yaml", "9"), ("c.yaml", "3")]);
        let found = compare_tree(&out, &next, &none).unwrap();
        assert_eq!(
            found,
            Staleness {
                missing: vec!["c.yaml".into()],
                changed: vec!["a.yaml".into()],
                extra: vec!["Kustomization".into(), "b.yaml".into()],
                refused: Vec::new(),
                foreign: vec!["notes.md".into(), "stray.yaml".into()],
            }
        );
        // What `keep` claims is the user's; a second kustomization file never is.
        let keep = crate::resolve::output::matcher(&["*.md".into(), "Kustomization".into()]);
        let kept = compare_tree(&out, &next, &keep).unwrap();
        assert_eq!(kept.foreign, ["stray.yaml"]);
        assert_eq!(kept.extra, ["Kustomization", "b.yaml"]);
        assert_eq!(foreign(&out, &keep).unwrap(), ["stray.yaml"]);
    }

    #[cfg(unix)]
    #[test]
    fn refuses_to_write_through_symlinks() {
        let dir = tempfile::tempdir().unwrap();
        let elsewhere = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        write(&out, &tree(&[("ns/a.yaml", "1")])).unwrap();
        fs::remove_dir_all(out.join("ns")).unwrap();
        std::os::unix::fs::symlink(elsewhere.path(), out.join("ns")).unwrap();
        assert!(write(&out, &tree(&[("ns/a.yaml", "2")])).is_err());
        assert!(fs::read_dir(elsewhere.path()).unwrap().next().is_none());
    }

    #[test]
    fn a_file_changed_by_hand_or_listed_by_hand_is_never_removed() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        write(&out, &tree(&[("a.yaml", "1"), ("b.yaml", "2")])).unwrap();
        fs::write(out.join("b.yaml"), "edited").unwrap();
        fs::write(out.join("notes.md"), "mine").unwrap();
        let manifest = fs::read_to_string(out.join(MANIFEST)).unwrap();
        fs::write(out.join(MANIFEST), format!("{manifest}notes.md\n")).unwrap();
        let summary = write(&out, &tree(&[("a.yaml", "1")])).unwrap();
        assert_eq!(
            summary.kept,
            vec!["b.yaml".to_owned(), "notes.md".to_owned()]
        );
        assert_eq!(fs::read_to_string(out.join("b.yaml")).unwrap(), "edited");
        assert_eq!(fs::read_to_string(out.join("notes.md")).unwrap(), "mine");
    }

    #[test]
    fn a_build_killed_after_its_journal_leaves_no_orphan() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        write(&out, &tree(&[("old.yaml", "1")])).unwrap();
        // As if a build of another stack set was killed right after renaming its first file:
        // its journal lists old and new files, and its new file is in place.
        let staging = tempfile::tempdir_in(&out).unwrap();
        let mut journal = manifest::read(&out).unwrap();
        journal.insert("orphan.yaml".into(), BTreeSet::from([sha256(b"2")]));
        manifest::write(&out, staging.path(), &journal, true).unwrap();
        fs::write(out.join("orphan.yaml"), "2").unwrap();
        // The next build, of a third stack set, removes both.
        let summary = write(&out, &tree(&[("third.yaml", "3")])).unwrap();
        assert_eq!(summary.removed, 2);
        assert!(!out.join("orphan.yaml").exists() && !out.join("old.yaml").exists());
        assert_eq!(
            manifest::read(&out)
                .unwrap()
                .into_keys()
                .collect::<Vec<_>>(),
            vec!["third.yaml".to_owned()]
        );
    }

    #[test]
    fn a_failed_replacement_puts_every_file_back() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        write(&out, &tree(&[("a/x.yaml", "1")])).unwrap();
        let before = fs::read_to_string(out.join(MANIFEST)).unwrap();
        // A file where the build needs a directory: `a/x.yaml` is replaced first, then
        // `b/y.yaml` cannot be, even as root.
        fs::write(out.join("b"), "in the way").unwrap();
        let stack_of =
            |relative: &str| (relative == "b/y.yaml").then(|| "stacks/b.toml".to_owned());
        let new = tree(&[("a/x.yaml", "9"), ("b/y.yaml", "9")]);
        let error = write_tree(&out, &new, &stack_of).unwrap_err();
        assert!(
            format!("{error:#}").contains("y.yaml (from stacks/b.toml)"),
            "{error:#}"
        );
        assert_eq!(fs::read_to_string(out.join("a/x.yaml")).unwrap(), "1");
        assert_eq!(fs::read_to_string(out.join(MANIFEST)).unwrap(), before);
        assert_eq!(fs::read_to_string(out.join("b")).unwrap(), "in the way");
    }

    #[test]
    fn a_second_build_into_the_same_directory_fails_while_the_first_holds_the_lock() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        write(&out, &tree(&[("a.yaml", "1")])).unwrap();
        let held = lock(&out).unwrap();
        let error = write(&out, &tree(&[("a.yaml", "2")])).unwrap_err();
        assert!(
            error.to_string().contains("another inferstack build"),
            "{error}"
        );
        drop(held);
        write(&out, &tree(&[("a.yaml", "2")])).unwrap();
    }
}
