//! A model server's command line by release: which flags each release accepts (a table read
//! from the released wheels, one per server: `vllm_flags.tsv`, `sglang_flags.tsv`) and what to
//! write instead of a flag a release removed or deprecated. An image's tag picks the release;
//! an unpinned or unknown tag is judged by the newest release read.

use std::sync::OnceLock;

use crate::k8s::image::release_numbers as numbers;

/// A flag that a release deprecated or removed, with what to write instead, as the server's
/// own source says.
pub struct Replacement {
    pub flag: &'static str,
    /// The first release that marks it deprecated.
    pub deprecated_since: Option<&'static str>,
    pub instead: &'static str,
}

/// One server's flags by release: the table's text (a `releases` line, then one flag per line
/// with the releases that accept it, `FIRST..LAST`), parsed once, and its replacements.
pub struct FlagReleases {
    pub text: &'static str,
    pub replacements: &'static [Replacement],
    pub parsed: OnceLock<Table>,
}

/// A release of the table: its name and its numbers.
pub struct Release {
    pub name: &'static str,
    numbers: Vec<u64>,
    /// Its place in the table, oldest first.
    index: usize,
}

pub struct Table {
    releases: Vec<Release>,
    /// Flag, index of its first release, index of its last (`None`: still in the newest).
    flags: Vec<(&'static str, usize, Option<usize>)>,
}

/// Which release's flags judge an image.
pub enum Judge {
    /// The newest release at or before the tag's version.
    Release(&'static Release),
    /// No version in the tag, or one newer than the newest release read: the newest.
    Newest(&'static Release),
    /// Older than the oldest release read: not judged.
    TooOld(&'static Release),
}

/// What a release makes of a flag.
#[derive(Debug, PartialEq)]
pub enum Verdict {
    /// Accepted (or never a flag of the server: a plugin may add it, other rules judge it).
    Accepted,
    Deprecated {
        since: &'static str,
        instead: &'static str,
    },
    /// Not yet there: added in a later release.
    NotYet { added: &'static str },
    Removed {
        removed_in: &'static str,
        instead: Option<&'static str>,
    },
}

impl FlagReleases {
    fn table(&'static self) -> &'static Table {
        self.parsed.get_or_init(|| {
            let mut lines = self.text.lines().filter(|l| !l.starts_with('#'));
            let releases: Vec<Release> = lines
                .next()
                .and_then(|l| l.strip_prefix("releases\t"))
                .expect("the table names its releases first")
                .split(' ')
                .enumerate()
                .map(|(index, name)| Release {
                    name,
                    numbers: numbers(name),
                    index,
                })
                .collect();
            let index = |name: &str| {
                releases
                    .iter()
                    .position(|r| r.name == name)
                    .expect("a range names releases of the table")
            };
            let flags = lines
                .map(|line| {
                    let (flag, range) = line.split_once('\t').expect("flag and range");
                    let (first, last) = range.split_once("..").expect("FIRST..LAST");
                    (flag, index(first), (!last.is_empty()).then(|| index(last)))
                })
                .collect();
            Table { releases, flags }
        })
    }

    pub fn judge(&'static self, version: Option<&[u64]>) -> Judge {
        let releases = &self.table().releases;
        let newest = releases.last().expect("releases");
        let Some(version) = version else {
            return Judge::Newest(newest);
        };
        if version > newest.numbers.as_slice() {
            return Judge::Newest(newest);
        }
        match releases
            .iter()
            .rev()
            .find(|r| r.numbers.as_slice() <= version)
        {
            Some(release) => Judge::Release(release),
            None => Judge::TooOld(&releases[0]),
        }
    }

    pub fn verdict(&'static self, release: &Release, flag: &str) -> Verdict {
        let t = self.table();
        let at = release.index;
        let Some(&(_, first, last)) = t.flags.iter().find(|(f, _, _)| *f == flag) else {
            return Verdict::Accepted;
        };
        let replacement = self.replacements.iter().find(|r| r.flag == flag);
        if at < first {
            return Verdict::NotYet {
                added: t.releases[first].name,
            };
        }
        if let Some(last) = last.filter(|last| at > *last) {
            return Verdict::Removed {
                removed_in: t.releases[last + 1].name,
                instead: replacement.map(|r| r.instead),
            };
        }
        match replacement {
            Some(Replacement {
                deprecated_since: Some(since),
                instead,
                ..
            }) if numbers(since).as_slice() <= release.numbers.as_slice() => {
                Verdict::Deprecated { since, instead }
            }
            _ => Verdict::Accepted,
        }
    }

    /// Whether the table has the flag in any release.
    pub fn knows(&'static self, flag: &str) -> bool {
        self.table().flags.iter().any(|(f, _, _)| *f == flag)
    }
}
