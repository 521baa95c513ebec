//! The build record: what the last clean `build -o DIR` read and left on disk, so a build of
//! the same command whose inputs and outputs are all as they were can say so without
//! compiling. A file whose size, modification and change times, inode and device are those
//! recorded is taken as unchanged without being read; one whose metadata differs, or was
//! recorded in the same clock tick as the record itself (a change in that tick could keep the
//! same times: git's "racily clean" entries), is read and its SHA-256 compared. Anything else
//! (another command line, another binary, a file added, removed or changed, a leftover
//! staging directory, an unreadable record) means a full build, which writes a new record.
//!
//! The record is not part of the output tree, which Git holds and other machines build: it
//! lives in the user's cache directory (`INFERSTACK_CACHE_DIR`, else
//! `$XDG_CACHE_HOME/inferstack`, else `~/.cache/inferstack`), one file per command line,
//! written atomically. It is only ever an optimisation: when it cannot be read or written the
//! build compiles as before, and `build --check` never uses it.

use std::fs;
use std::path::{Path, PathBuf};

use super::manifest::sha256;
use super::{MANIFEST, STAGING_PREFIX, tree_entries};

const HEADER: &str = "inferstack build record 1";
/// Refused beyond this size: a record of 10,000 stacks is about 3 MB.
const MAX_RECORD_BYTES: usize = 64 * 1024 * 1024;

/// A file's metadata as recorded: size, modification and change times (ns), inode, device.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Stamp {
    len: u64,
    mtime: i128,
    ctime: i128,
    ino: u64,
    dev: u64,
}

impl Stamp {
    #[cfg(unix)]
    fn of(path: &Path) -> Option<Stamp> {
        use std::os::unix::fs::MetadataExt;
        let meta = fs::metadata(path).ok()?;
        let ns = |s: i64, n: i64| i128::from(s) * 1_000_000_000 + i128::from(n);
        meta.is_file().then(|| Stamp {
            len: meta.len(),
            mtime: ns(meta.mtime(), meta.mtime_nsec()),
            ctime: ns(meta.ctime(), meta.ctime_nsec()),
            ino: meta.ino(),
            dev: meta.dev(),
        })
    }

    /// Elsewhere there are no inode and change times to trust, so no record is kept.
    #[cfg(not(unix))]
    fn of(_: &Path) -> Option<Stamp> {
        None
    }

    fn write(&self) -> String {
        format!(
            "{}\t{}\t{}\t{}\t{}",
            self.len, self.mtime, self.ctime, self.ino, self.dev
        )
    }

    fn read(fields: &[&str]) -> Option<Stamp> {
        let [len, mtime, ctime, ino, dev] = fields else {
            return None;
        };
        Some(Stamp {
            len: len.parse().ok()?,
            mtime: mtime.parse().ok()?,
            ctime: ctime.parse().ok()?,
            ino: ino.parse().ok()?,
            dev: dev.parse().ok()?,
        })
    }
}

/// A file as the record holds it: its path, the SHA-256 of its content, its metadata.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Seen {
    path: PathBuf,
    digest: String,
    stamp: Stamp,
}

impl Seen {
    /// `path` as it is now, if its content is `content` (else it changed since it was used).
    fn now(path: &Path, content: &[u8]) -> Option<Seen> {
        let before = Stamp::of(path)?;
        let on_disk = fs::read(path).ok()?;
        let after = Stamp::of(path)?;
        (before == after && on_disk == content).then(|| Seen {
            path: path.to_path_buf(),
            digest: sha256(content),
            stamp: after,
        })
    }

    /// Whether the file is still what was recorded: by its metadata when that is the same and
    /// older than the record's tick, else by its content.
    fn unchanged(&self, recorded_at: i128) -> bool {
        let Some(stamp) = Stamp::of(&self.path) else {
            return false;
        };
        if stamp == self.stamp && stamp.mtime < recorded_at && stamp.ctime < recorded_at {
            return true;
        }
        fs::read(&self.path).is_ok_and(|content| sha256(&content) == self.digest)
    }
}

/// One output tree of a build: its directory, its summary line's numbers, the files
/// inferstack wrote there (the manifest among them) and every entry the tree walk finds.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Tree {
    dir: PathBuf,
    summary: Option<(usize, usize)>,
    written: Vec<Seen>,
    entries: Vec<String>,
}

/// What an unchanged build reports for one tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unchanged {
    pub dir: PathBuf,
    /// `(stacks, objects)` of its summary line, if it has one.
    pub summary: Option<(usize, usize)>,
    /// How many files of the tree were checked unchanged.
    pub files: usize,
}

/// One tree a clean build left, to record: its directory, summary, and the files it holds.
pub struct Written<'a> {
    pub dir: &'a Path,
    pub summary: Option<(usize, usize)>,
    pub files: &'a crate::emit::layout::OutputTree,
}

/// The record of a build: the SHA-256 of the command's key, the inputs with what they held,
/// the fleet loader's look-ups, the trees.
#[derive(Debug, PartialEq, Eq)]
pub struct Record {
    key: String,
    inputs: Vec<Seen>,
    lookups: Vec<String>,
    trees: Vec<Tree>,
}

/// What identifies a build's command: inferstack's version, the executable's own metadata
/// (so a rebuilt binary never trusts its predecessor's record), the working directory and
/// every argument. `None` where one of them cannot be known.
pub fn key(arguments: &str) -> Option<String> {
    let exe = Stamp::of(&std::env::current_exe().ok()?)?;
    let cwd = std::env::current_dir().ok()?;
    Some(format!(
        "{} {} {} {arguments}",
        env!("CARGO_PKG_VERSION"),
        exe.write(),
        cwd.display()
    ))
}

/// The cache directory records are kept in; `None` when there is none, or
/// `INFERSTACK_CACHE_DIR` is set empty (no records).
pub fn cache_dir() -> Option<PathBuf> {
    match std::env::var_os("INFERSTACK_CACHE_DIR") {
        Some(dir) if dir.is_empty() => None,
        Some(dir) => Some(PathBuf::from(dir)),
        None => match std::env::var_os("XDG_CACHE_HOME").filter(|d| !d.is_empty()) {
            Some(dir) => Some(PathBuf::from(dir).join("inferstack")),
            None => Some(PathBuf::from(std::env::var_os("HOME")?).join(".cache/inferstack")),
        },
    }
}

/// Where the record of the key whose SHA-256 is `digest` lives in the cache directory `cache`.
fn record_path(cache: &Path, digest: &str) -> PathBuf {
    cache.join(format!("build-{}", &digest[..32]))
}

impl Record {
    /// The record of a clean build of `key`: `inputs` are the files it read, by the name it
    /// read them under, with the text it used; `lookups` what the loader found without
    /// reading; `trees` what it left. `None` if an input or output changed meanwhile.
    pub fn of(
        key: String,
        inputs: &[(&str, &str)],
        lookups: Vec<String>,
        trees: &[Written<'_>],
    ) -> Option<Record> {
        let inputs = inputs
            .iter()
            .map(|(name, text)| Seen::now(Path::new(name), text.as_bytes()))
            .collect::<Option<Vec<_>>>()?;
        let trees = trees
            .iter()
            .map(|tree| {
                let manifest = tree.dir.join(MANIFEST);
                let manifest = Seen::now(&manifest, &fs::read(&manifest).ok()?)?;
                let mut written = tree
                    .files
                    .iter()
                    .map(|(relative, content)| Seen::now(&tree.dir.join(relative), content))
                    .collect::<Option<Vec<_>>>()?;
                written.push(manifest);
                Some(Tree {
                    dir: tree.dir.to_path_buf(),
                    summary: tree.summary,
                    written,
                    entries: entries(tree.dir)?,
                })
            })
            .collect::<Option<Vec<_>>>()?;
        Some(Record {
            // Its digest only: the command line may hold a repository URL with a token.
            key: sha256(key.as_bytes()),
            inputs,
            lookups,
            trees,
        })
    }

    /// Writes the record into the cache directory `cache`, atomically; a failure only costs
    /// the next build its shortcut.
    pub fn save(&self, cache: &Path) {
        let path = record_path(cache, &self.key);
        let saved = fs::create_dir_all(cache).is_ok()
            && tempfile::NamedTempFile::new_in(cache).is_ok_and(|mut file| {
                use std::io::Write;
                file.write_all(self.write().as_bytes()).is_ok() && file.persist(&path).is_ok()
            });
        if !saved {
            let _ = fs::remove_file(&path);
        }
    }

    fn write(&self) -> String {
        let mut text = format!("{HEADER}\nkey\t{}\n", self.key);
        let seen = |text: &mut String, what: &str, seen: &Seen| {
            text.push_str(&format!(
                "{what}\t{}\t{}\t{}\n",
                seen.digest,
                seen.stamp.write(),
                seen.path.display()
            ));
        };
        for input in &self.inputs {
            seen(&mut text, "input", input);
        }
        for lookup in &self.lookups {
            text.push_str(&format!("lookup\t{lookup}\n"));
        }
        for tree in &self.trees {
            let (stacks, objects) = tree.summary.map_or(("-".into(), "-".into()), |(s, o)| {
                (s.to_string(), o.to_string())
            });
            text.push_str(&format!(
                "tree\t{stacks}\t{objects}\t{}\n",
                tree.dir.display()
            ));
            for file in &tree.written {
                seen(&mut text, "wrote", file);
            }
            for entry in &tree.entries {
                text.push_str(&format!("entry\t{entry}\n"));
            }
        }
        text
    }

    fn read(text: &str) -> Option<Record> {
        let mut lines = text.lines();
        (lines.next()? == HEADER).then_some(())?;
        let key = lines.next()?.strip_prefix("key\t")?.to_owned();
        let mut record = Record {
            key,
            inputs: Vec::new(),
            lookups: Vec::new(),
            trees: Vec::new(),
        };
        let seen = |fields: &[&str]| -> Option<Seen> {
            let [digest, stamp @ .., path] = fields else {
                return None;
            };
            Some(Seen {
                path: PathBuf::from(path),
                digest: (*digest).to_owned(),
                stamp: Stamp::read(stamp)?,
            })
        };
        for line in lines {
            let (what, rest) = line.split_once('\t')?;
            let fields: Vec<&str> = rest.splitn(7, '\t').collect();
            match what {
                "input" => record.inputs.push(seen(&fields)?),
                "lookup" => record.lookups.push(rest.to_owned()),
                "tree" => {
                    let [stacks, objects, dir] = rest.splitn(3, '\t').collect::<Vec<_>>()[..]
                    else {
                        return None;
                    };
                    let summary = match (stacks.parse(), objects.parse()) {
                        (Ok(s), Ok(o)) => Some((s, o)),
                        _ => None,
                    };
                    record.trees.push(Tree {
                        dir: PathBuf::from(dir),
                        summary,
                        written: Vec::new(),
                        entries: Vec::new(),
                    });
                }
                "wrote" => record.trees.last_mut()?.written.push(seen(&fields)?),
                "entry" => record.trees.last_mut()?.entries.push(rest.to_owned()),
                _ => return None,
            }
        }
        Some(record)
    }
}

/// The trees of the last clean build of `key`, if nothing it read or wrote changed since:
/// the same look-ups (`lookups` is given the recorded inputs' names), every input and every
/// file it wrote unchanged, and nothing else in its trees.
pub fn unchanged(
    cache: &Path,
    key: &str,
    lookups: impl FnOnce(&[&str]) -> Option<Vec<String>>,
) -> Option<Vec<Unchanged>> {
    let digest = sha256(key.as_bytes());
    let path = record_path(cache, &digest);
    let recorded_at = Stamp::of(&path)?.mtime;
    let text = crate::load::read_text(&path, MAX_RECORD_BYTES).ok()?;
    let record = Record::read(&text)?;
    (record.key == digest).then_some(())?;
    let names: Vec<String> = record
        .inputs
        .iter()
        .map(|i| i.path.display().to_string())
        .collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    (lookups(&names)? == record.lookups).then_some(())?;
    record
        .inputs
        .iter()
        .all(|input| input.unchanged(recorded_at))
        .then_some(())?;
    record
        .trees
        .iter()
        .map(|tree| {
            let same = tree.written.iter().all(|f| f.unchanged(recorded_at))
                && entries(&tree.dir)? == tree.entries;
            same.then(|| Unchanged {
                dir: tree.dir.clone(),
                summary: tree.summary,
                // The manifest is not a file of the tree.
                files: tree.written.len() - 1,
            })
        })
        .collect()
}

/// Every entry of an output tree as the build walks it, and any staging directory a killed
/// build left (which the next build cleans up).
fn entries(dir: &Path) -> Option<Vec<String>> {
    let mut found: Vec<String> = tree_entries(dir)
        .ok()?
        .into_iter()
        .map(|e| format!("{}{}", if e.regular { "" } else { "!" }, e.relative))
        .collect();
    for entry in fs::read_dir(dir).ok()? {
        let name = entry.ok()?.file_name().to_string_lossy().into_owned();
        if name.starts_with(STAGING_PREFIX) {
            found.push(name);
        }
    }
    Some(found)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn tree(dir: &Path) -> crate::emit::layout::OutputTree {
        let files = BTreeMap::from([
            ("a.yaml".to_owned(), b"a: 1\n".to_vec()),
            ("sub/b.yaml".to_owned(), b"b: 2\n".to_vec()),
        ]);
        crate::output::stage(dir, &files, &|_| None)
            .unwrap()
            .commit()
            .unwrap();
        files
    }

    /// A record of one input and one tree, saved in `work`'s cache directory.
    fn recorded(work: &Path) -> (String, crate::emit::layout::OutputTree) {
        let input = work.join("stack.toml");
        fs::write(&input, "name = \"x\"\n").unwrap();
        let out = work.join("out");
        let files = tree(&out);
        let key = format!("test {}", work.display());
        let inputs = [(input.to_str().unwrap(), "name = \"x\"\n")];
        let written = [Written {
            dir: &out,
            summary: Some((1, 2)),
            files: &files,
        }];
        let record = Record::of(key.clone(), &inputs, vec!["found x".into()], &written).unwrap();
        assert_eq!(Record::read(&record.write()).as_ref(), Some(&record));
        assert!(!record.write().contains(&key), "the key is written out");
        record.save(&work.join("cache"));
        (key, files)
    }

    #[test]
    fn a_record_holds_until_something_it_names_changes() {
        let work = tempfile::tempdir().unwrap();
        let cache = work.path().join("cache");
        let check = |key: &str| unchanged(&cache, key, |_| Some(vec!["found x".to_owned()]));
        let (key, _) = recorded(work.path());
        let expected = vec![Unchanged {
            dir: work.path().join("out"),
            summary: Some((1, 2)),
            files: 2,
        }];
        assert_eq!(check(&key), Some(expected.clone()));
        // Another command line, or other look-ups, have no record.
        assert_eq!(check("another"), None);
        assert_eq!(
            unchanged(&cache, &key, |_| Some(vec!["found y".into()])),
            None
        );
        // A file rewritten with the same content is read and still unchanged.
        fs::write(work.path().join("stack.toml"), "name = \"x\"\n").unwrap();
        assert_eq!(check(&key), Some(expected.clone()));
        // Same size, other content: changed, whatever its times say.
        let input = work.path().join("stack.toml");
        let mtime = fs::metadata(&input).unwrap().modified().unwrap();
        fs::write(&input, "name = \"y\"\n").unwrap();
        fs::File::options()
            .write(true)
            .open(&input)
            .unwrap()
            .set_modified(mtime)
            .unwrap();
        assert_eq!(check(&key), None);
        fs::write(&input, "name = \"x\"\n").unwrap();
        assert_eq!(check(&key), Some(expected.clone()));
        // An output edited, a file added to the tree, a staging directory left: changed.
        let out = work.path().join("out");
        fs::write(out.join("a.yaml"), "a: 9\n").unwrap();
        assert_eq!(check(&key), None);
        fs::write(out.join("a.yaml"), "a: 1\n").unwrap();
        assert_eq!(check(&key), Some(expected.clone()));
        fs::write(out.join("notes.md"), "mine").unwrap();
        assert_eq!(check(&key), None);
        fs::remove_file(out.join("notes.md")).unwrap();
        fs::create_dir(out.join(format!("{STAGING_PREFIX}1"))).unwrap();
        assert_eq!(check(&key), None);
        fs::remove_dir(out.join(format!("{STAGING_PREFIX}1"))).unwrap();
        fs::remove_file(out.join("sub/b.yaml")).unwrap();
        assert_eq!(check(&key), None);
    }

    #[test]
    fn a_damaged_record_is_no_record() {
        for text in [
            "",
            "inferstack build record 0\nkey\tk\n",
            "inferstack build record 1\nkey\tk\ninput\tnot-enough-fields\n",
            "inferstack build record 1\nkey\tk\nwrote\td\t1\t2\t3\t4\t5\tp\n",
            "inferstack build record 1\nkey\tk\nsomething\telse\n",
        ] {
            assert_eq!(Record::read(text), None, "{text:?}");
        }
    }
}
