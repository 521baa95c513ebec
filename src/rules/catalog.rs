//! Each code's long explanation: the sections of `docs/rules.md` (one `### \`code\`` heading
//! each), embedded here so `inferstack explain CODE` prints the same text the documentation
//! shows; a test keeps every code explained and the README's rule table equal to the code
//! table (`diag::code`), which holds each code's family, severity and summary.

use crate::diag::{Code, Family};

/// The README's table of every code, by family: code, severity and summary.
pub fn readme_table() -> String {
    let mut out = String::from("| code | family | severity | what |\n|---|---|---|---|\n");
    for family in Family::ALL {
        for code in Code::ALL.iter().filter(|c| c.family() == family) {
            out.push_str(&format!(
                "| [`{}`](docs/rules.md#{}) | {} | {} | {} |\n",
                code.as_str(),
                code.as_str(),
                family.title(),
                code.reported().as_str(),
                code.summary()
            ));
        }
    }
    out
}

/// `docs/rules.md`, the explanations.
pub const DOCUMENT: &str = include_str!("../../docs/rules.md");

/// The explanation of `code`: its section of `docs/rules.md`, without the heading.
pub fn explanation(code: Code) -> Option<&'static str> {
    let heading = format!("### `{}`\n", code.as_str());
    let start = DOCUMENT.find(&heading)? + heading.len();
    let rest = &DOCUMENT[start..];
    let end = rest.find("\n#").map_or(rest.len(), |i| i + 1);
    Some(rest[..end].trim())
}

/// The code named `name` (`gpu-memory-fit`, or `inferstack::gpu-memory-fit`).
pub fn parse(name: &str) -> Option<Code> {
    let name = name.strip_prefix("inferstack::").unwrap_or(name);
    Code::ALL.into_iter().find(|c| c.as_str() == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_explained_once_and_nothing_else_is() {
        for code in Code::ALL {
            let text =
                explanation(code).unwrap_or_else(|| panic!("{} has no section", code.as_str()));
            assert!(text.len() > 80, "{}: explanation too short", code.as_str());
            assert_eq!(
                DOCUMENT
                    .matches(&format!("### `{}`\n", code.as_str()))
                    .count(),
                1
            );
        }
        let sections = DOCUMENT.matches("\n### `").count();
        assert_eq!(
            sections,
            Code::ALL.len(),
            "docs/rules.md has sections for unknown codes"
        );
    }

    #[test]
    fn sections_sit_under_their_family() {
        for code in Code::ALL {
            let section = DOCUMENT
                .find(&format!("### `{}`\n", code.as_str()))
                .unwrap();
            let family_heading = DOCUMENT[..section].rfind("\n## ").unwrap();
            let title = DOCUMENT[family_heading + 4..].lines().next().unwrap();
            assert_eq!(title, code.family().title(), "{}", code.as_str());
        }
    }

    #[test]
    fn codes_parse_with_or_without_their_prefix() {
        assert_eq!(parse("gpu-memory-fit"), Some(Code::GpuMemoryFit));
        assert_eq!(
            parse("inferstack::route-conflict"),
            Some(Code::RouteConflict)
        );
        assert_eq!(parse("ack"), None);
    }
}
