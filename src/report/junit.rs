//! JUnit XML, the format CI test dashboards (GitLab, Jenkins, Azure) read: one test suite per
//! input file, one test case per object, a `<failure>` per error and `<skipped/>` for skipped
//! objects. Problems that belong to no object (a YAML syntax error) are a test case of their
//! own, named after the file. The output is valid against the JUnit XSD Jenkins and
//! kubeconform's acceptance tests use (`tests/upstream/junit/junit.xsd`): no `skipped` on
//! `<testsuites>`, and in a test case every `<failure>` before any `<system-out>`.

use std::collections::BTreeMap;

use super::Report;
use crate::diag::{Diagnostic, Severity};
use crate::validate::objects::Status;

pub fn render(report: &Report<'_>) -> String {
    let s = report.summary();
    let mut suites: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut failures_in: BTreeMap<String, usize> = BTreeMap::new();
    let mut skipped_in: BTreeMap<String, usize> = BTreeMap::new();
    let (per_result, loose) = report.attach();
    for (r, diagnostics) in report.results.iter().zip(per_result) {
        let file = report.file_name(r.file);
        let body = match r.status {
            Status::Skipped => "<skipped/>".to_owned(),
            _ => failures(report, &diagnostics),
        };
        match r.status {
            Status::Invalid => *failures_in.entry(file.clone()).or_default() += 1,
            Status::Skipped => *skipped_in.entry(file.clone()).or_default() += 1,
            Status::Valid => {}
        }
        let case = format!(
            "    <testcase name=\"{}\" classname=\"{}\">{body}</testcase>\n",
            escape(&report.name_of(r)),
            escape(&file)
        );
        suites.entry(file).or_default().push(case);
    }
    for d in &loose {
        let (file, _, _) = report.location(d);
        *failures_in.entry(file.clone()).or_default() += usize::from(d.severity == Severity::Error);
        let case = format!(
            "    <testcase name=\"{}\" classname=\"{}\">{}</testcase>\n",
            escape(&file),
            escape(&file),
            failures(report, &[*d])
        );
        suites.entry(file).or_default().push(case);
    }
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<testsuites name=\"inferstack\" tests=\"{}\" failures=\"{}\">\n",
        s.objects + loose.len(),
        s.invalid
            + loose
                .iter()
                .filter(|d| d.severity == Severity::Error)
                .count(),
    ));
    for (file, cases) in &suites {
        out.push_str(&format!(
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" skipped=\"{}\">\n",
            escape(file),
            cases.len(),
            failures_in.get(file).copied().unwrap_or(0),
            skipped_in.get(file).copied().unwrap_or(0)
        ));
        cases.iter().for_each(|c| out.push_str(c));
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

/// One `<failure>` per error; warnings go to `<system-out>`, which does not fail the case, after
/// every failure (the XSD's order).
fn failures(report: &Report<'_>, diagnostics: &[&Diagnostic]) -> String {
    let mut out = String::new();
    let mut outputs = String::new();
    for d in diagnostics {
        let (file, line, column) = report.location(d);
        let text = format!(
            "{file}:{line}:{column}: {}[{}]: {}",
            d.severity.as_str(),
            d.code.as_str(),
            d.message
        );
        match d.severity {
            Severity::Error => out.push_str(&format!(
                "<failure type=\"{}\" message=\"{}\">{}</failure>",
                d.code.as_str(),
                escape(&d.message),
                escape(&text)
            )),
            Severity::Warning | Severity::Note => {
                outputs.push_str(&format!("<system-out>{}</system-out>", escape(&text)));
            }
        }
    }
    out + &outputs
}

/// XML text and attribute escaping; control characters XML 1.0 cannot carry become U+FFFD.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\t' | '\r' => out.push(c),
            c if c.is_control() => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn escapes_markup_and_control_characters() {
        assert_eq!(
            escape("a<b & \"c\"\u{1b}"),
            "a&lt;b &amp; &quot;c&quot;\u{FFFD}"
        );
    }
}
