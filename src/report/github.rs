//! GitHub Actions workflow commands: each finding becomes an `::error`, `::warning` or
//! `::notice` annotation on the file and line, shown in the pull request's diff.

use super::Report;
use crate::diag::Severity;

pub fn render(report: &Report<'_>) -> String {
    let mut out = String::new();
    for d in report.diagnostics.iter() {
        let (file, line, column) = report.location(d);
        let mut message = d.message.clone();
        if let Some(help) = &d.help {
            message.push('\n');
            message.push_str(help);
        }
        out.push_str(&format!(
            "::{} file={},line={line},col={column},title={}::{}\n",
            match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Note => "notice",
            },
            property(&file),
            property(&format!("inferstack {}", d.code.as_str())),
            data(&message)
        ));
    }
    out.push_str(&report.summary().line());
    out
}

/// Escaping of a workflow command's message.
fn data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escaping of a workflow command's property values.
fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_what_github_would_misread() {
        assert_eq!(data("50%\nnext"), "50%25%0Anext");
        assert_eq!(property("a:b,c"), "a%3Ab%2Cc");
    }
}
