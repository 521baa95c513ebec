//! The ownership manifest, `.inferstack-manifest`: every file inferstack wrote in a directory,
//! each with the SHA-256 of the content it wrote. A file is replaced or removed only when it is
//! listed, and removed only while its content is one inferstack wrote, so a file the user
//! changed, or listed by hand, is never deleted. While a build is applying its changes the
//! manifest lists the old and the new files together (`state: in-progress`): whatever moment
//! the build is killed at, the next one knows every file that may be inferstack's.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

use anyhow::{Context, bail};
use sha2::{Digest, Sha256};

use super::STAGING_PREFIX;

/// The manifest's file name in the output directory.
pub const MANIFEST: &str = ".inferstack-manifest";
const HEADER: &str = "# Files written by inferstack, with the SHA-256 of what it wrote; it removes only files listed\n# here, and only while their content is one listed.\n";
const IN_PROGRESS: &str = "# state: in-progress\n";
/// Refused beyond this size: a real manifest lists a few thousand paths.
const MAX_MANIFEST_BYTES: usize = 16 * 1024 * 1024;

/// Path -> the content hashes inferstack wrote there (one, or two while a build is applied).
pub type Entries = BTreeMap<String, BTreeSet<String>>;

pub fn sha256(content: &[u8]) -> String {
    format!("{:x}", Sha256::digest(content))
}

/// The files a previous run wrote. A non-empty directory without a manifest was not made by
/// inferstack: writing into it could overwrite someone's files, so it is refused. Lines without
/// a hash (a manifest of an earlier version, or one edited by hand) are listed with none, so
/// their files are never removed.
pub fn read(dir: &Path) -> anyhow::Result<Entries> {
    let path = dir.join(MANIFEST);
    if !path.exists() {
        if dir.exists() && !is_empty_but_ours(dir)? {
            bail!(
                "refusing to write into {}: it is not empty and was not created by inferstack (no {MANIFEST}); choose an empty or new directory",
                dir.display()
            );
        }
        return Ok(Entries::new());
    }
    let text = crate::load::read_text(&path, MAX_MANIFEST_BYTES)?;
    let mut entries = Entries::new();
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let (file, hashes) = line.split_once('\t').unwrap_or((line, ""));
        entries.entry(file.to_owned()).or_default().extend(
            hashes
                .split(',')
                .filter(|h| !h.is_empty())
                .map(str::to_owned),
        );
    }
    Ok(entries)
}

/// The paths the manifest of `dir` lists; `None` when `dir` has no manifest.
pub fn listed(dir: &Path) -> anyhow::Result<Option<BTreeSet<String>>> {
    if !dir.join(MANIFEST).exists() {
        return Ok(None);
    }
    Ok(Some(read(dir)?.into_keys().collect()))
}

/// Only inferstack's own staging directories (left by a killed build) are in `dir`.
fn is_empty_but_ours(dir: &Path) -> anyhow::Result<bool> {
    for entry in fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))? {
        let name = entry?.file_name().to_string_lossy().into_owned();
        if !name.starts_with(STAGING_PREFIX) {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Writes the manifest atomically: into `staging`, then renamed over the old one, so a full
/// disk or a kill leaves the previous manifest whole.
pub fn write(
    dir: &Path,
    staging: &Path,
    entries: &Entries,
    in_progress: bool,
) -> anyhow::Result<()> {
    let mut text = String::from(HEADER);
    if in_progress {
        text.push_str(IN_PROGRESS);
    }
    for (file, hashes) in entries {
        let hashes: Vec<&str> = hashes.iter().map(String::as_str).collect();
        text.push_str(&format!("{file}\t{}\n", hashes.join(",")));
    }
    let staged = staging.join(MANIFEST);
    fs::write(&staged, text).with_context(|| format!("cannot write {}", staged.display()))?;
    fs::rename(&staged, dir.join(MANIFEST))
        .with_context(|| format!("cannot write {}", dir.join(MANIFEST).display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_round_trip_and_hashless_lines_have_no_hash() {
        let dir = tempfile::tempdir().unwrap();
        let staging = tempfile::tempdir_in(dir.path()).unwrap();
        let entries = Entries::from([
            (
                "a.yaml".to_owned(),
                BTreeSet::from([sha256(b"1"), sha256(b"2")]),
            ),
            ("b/c.yaml".to_owned(), BTreeSet::from([sha256(b"3")])),
        ]);
        write(dir.path(), staging.path(), &entries, true).unwrap();
        assert_eq!(read(dir.path()).unwrap(), entries);
        fs::write(dir.path().join(MANIFEST), "# old\nnotes.md\n").unwrap();
        assert_eq!(
            read(dir.path()).unwrap(),
            Entries::from([("notes.md".to_owned(), BTreeSet::new())])
        );
    }
}
