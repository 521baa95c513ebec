//! `[output]` of a stack or workspace: which files of the output tree are the user's.

use globset::{Glob, GlobBuilder, GlobSet, GlobSetBuilder};

use crate::diag::{Code, Diagnostic, Diagnostics, Label};
use crate::stack::ast::StackFile;

/// The `output.keep` globs of a composed stack, each checked: a glob that does not parse is
/// located at its value.
pub fn keep(stack: &StackFile, diagnostics: &mut Diagnostics) -> Vec<String> {
    let mut globs = Vec::new();
    for pattern in stack.strs("output.keep").unwrap_or_default() {
        match glob(&pattern.value) {
            Ok(_) => globs.push(pattern.value.clone()),
            Err(error) => diagnostics.push(
                Diagnostic::error(
                    Code::InvalidValue,
                    Label::new(pattern.span, "not a glob"),
                    format!("`output.keep` entry {:?} is not a glob: {error}", pattern.value),
                )
                .with_help("write a path relative to the output directory: `*` within a name, `**` across directories, e.g. \"README.md\" or \"docs/**\""),
            ),
        }
    }
    globs
}

/// One `keep` glob: `*` stays within a name, `**` crosses directories.
fn glob(pattern: &str) -> Result<Glob, globset::Error> {
    GlobBuilder::new(pattern).literal_separator(true).build()
}

/// The globs of a build as one matcher (they were checked when read).
pub fn matcher(globs: &[String]) -> GlobSet {
    let mut set = GlobSetBuilder::new();
    for pattern in globs {
        if let Ok(glob) = glob(pattern) {
            set.add(glob);
        }
    }
    set.build().unwrap_or_else(|_| GlobSet::empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_star_stays_within_a_name_and_two_cross_directories() {
        let set = matcher(&["*.md".to_owned(), "docs/**".to_owned()]);
        assert!(set.is_match("README.md"));
        assert!(!set.is_match("default/README.md"));
        assert!(set.is_match("docs/a/b.txt"));
        assert!(!set.is_match("default/x.yaml"));
    }
}
