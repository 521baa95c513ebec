//! Parse stage: stack file text -> [`StackFile`]. Never fails and never panics: it returns
//! whatever it could read plus every problem found (syntax, unknown keys, wrong types,
//! credentials).

pub mod ast;
pub mod keys;
pub mod layers;
pub mod reader;
pub mod schema;
mod secrets;

use toml::de::DeTable;

use crate::diag::{Code, Diagnostic, Diagnostics, Label};
use crate::source::{FileId, SourceMap, Span};
use ast::StackFile;
use reader::FileRead;

/// Stack files larger than this are refused before parsing; real stacks are a few hundred bytes.
pub const MAX_STACK_BYTES: usize = 1024 * 1024;

/// The result of parsing one file: the stack (absent when the file could not be read at all)
/// and its diagnostics.
pub struct Parsed {
    pub stack: Option<StackFile>,
    pub diagnostics: Diagnostics,
}

/// Parses one stack file of the map.
pub fn parse(sources: &SourceMap, file: FileId) -> Parsed {
    let text = &sources.file(file).text;
    let mut cx = FileRead::new(file);
    let (root, errors) = DeTable::parse_recoverable(text);
    if !errors.is_empty() {
        for error in errors {
            let range = error.span().unwrap_or(0..0);
            cx.diagnostics.push(
                Diagnostic::error(
                    Code::TomlSyntax,
                    Label::new(cx.span(range), "here"),
                    format!("invalid TOML: {}", first_line(error.message())),
                )
                .with_help("fix the TOML syntax; see https://toml.io for the format"),
            );
        }
        return Parsed {
            stack: None,
            diagnostics: cx.diagnostics,
        };
    }
    // Key material makes every other message a risk (snippets would print it), so it is
    // reported alone and the file goes no further.
    let leaks = secrets::scan(&mut cx, root.get_ref());
    if leaks > 0 {
        return Parsed {
            stack: None,
            diagnostics: cx.diagnostics,
        };
    }
    let stack = reader::read_stack(&mut cx, root.get_ref());
    Parsed {
        stack: Some(stack),
        diagnostics: cx.diagnostics,
    }
}

/// Diagnostic for a file that is not text or is too large, so it still gets a located message.
pub fn unreadable(file: FileId, why: &str) -> Diagnostic {
    Diagnostic::error(
        Code::UnreadableStack,
        Label::new(Span::file_start(file), "this file"),
        format!("cannot read this stack: {why}"),
    )
    .with_help("a stack is a small UTF-8 TOML file; check that the path names the right file")
}

fn first_line(message: &str) -> &str {
    message.lines().next().unwrap_or(message).trim()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::render::one_line;

    fn parse_text(text: &str) -> (Parsed, SourceMap) {
        let mut sources = SourceMap::default();
        let id = sources.add("t.toml", text);
        (parse(&sources, id), sources)
    }

    fn messages(text: &str) -> Vec<String> {
        let (parsed, sources) = parse_text(text);
        parsed
            .diagnostics
            .iter()
            .map(|d| one_line(d, &sources))
            .collect()
    }

    #[test]
    fn reports_every_unknown_key_and_wrong_type_in_one_run() {
        let found = messages(
            "[service]\nnam = \"x\"\n[scaling]\nmaxx = 3\nmin = \"1\"\n[engine]\nmax_model_len = 1.5\n",
        );
        assert_eq!(found.len(), 4, "{found:#?}");
        assert!(found[0].starts_with("t.toml:2:1: error[unknown-key]: unknown key `nam`"));
        assert!(
            found
                .iter()
                .any(|m| m.contains("`scaling.min` must be an integer"))
        );
        assert!(
            found
                .iter()
                .any(|m| m.contains("unknown key `maxx` in [scaling]"))
        );
        assert!(
            found
                .iter()
                .any(|m| m.contains("`engine.max_model_len` must be an integer, found float"))
        );
    }

    #[test]
    fn syntax_errors_are_located() {
        let found = messages("[service]\nname = \n");
        assert_eq!(found.len(), 1, "{found:#?}");
        assert!(found[0].starts_with("t.toml:2:"), "{}", found[0]);
        assert!(found[0].contains("toml-syntax"));
    }

    #[test]
    fn binary_junk_and_empty_input_do_not_panic() {
        let (parsed, _) = parse_text("");
        assert!(parsed.stack.is_some());
        let junk: String = (0u8..=255).map(char::from).collect();
        let (parsed, _) = parse_text(&junk);
        assert!(parsed.diagnostics.has_errors());
        let deep = "a = ".to_owned() + &"[".repeat(10_000);
        let (parsed, _) = parse_text(&deep);
        assert!(parsed.diagnostics.has_errors());
    }

    #[test]
    fn a_plain_value_sets_request_and_limit() {
        let (parsed, _) = parse_text("[resources]\ncpu = 8\nmemory = { request = \"1Gi\" }\n");
        let stack = parsed.stack.unwrap();
        let cpu = stack.request_limit("resources.cpu");
        assert_eq!(cpu.request.unwrap().value, "8");
        assert_eq!(cpu.limit.unwrap().value, "8");
        assert!(stack.request_limit("resources.memory").limit.is_none());
    }
}
