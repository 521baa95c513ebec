//! Parse stage: stack file text -> [`StackFile`]. Never fails and never panics: it returns
//! whatever it could read plus every problem found (syntax, unknown keys, wrong types,
//! credentials).

pub mod ast;
pub mod reader;
mod secrets;

use toml::de::{DeTable, DeValue};

use crate::diag::{Code, Diagnostic, Diagnostics, Label};
use crate::source::{FileId, SourceMap, Span};
use ast::*;
use reader::{Cx, Table, integer_value, scalar_text_value};

/// Stack files larger than this are refused before parsing; real stacks are a few hundred bytes.
pub const MAX_STACK_BYTES: usize = 1024 * 1024;

/// The result of parsing one file: the stack (absent when the file could not be read at all),
/// its diagnostics, and the keys the format knows (for the schema drift test).
pub struct Parsed {
    pub stack: Option<StackFile>,
    pub diagnostics: Diagnostics,
    pub known_keys: Vec<String>,
}

/// Parses one stack file of the map.
pub fn parse(sources: &SourceMap, file: FileId) -> Parsed {
    let text = &sources.file(file).text;
    let mut cx = Cx::new(file);
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
            known_keys: cx.known_keys,
        };
    }
    // Key material makes every other message a risk (snippets would print it), so it is
    // reported alone and the file goes no further.
    let leaks = secrets::scan(&mut cx, root.get_ref());
    if leaks > 0 {
        return Parsed {
            stack: None,
            diagnostics: cx.diagnostics,
            known_keys: cx.known_keys,
        };
    }
    let mut top = Table::new(root.get_ref(), Span::file_start(file), "");
    let stack = read_stack(&mut cx, &mut top, file);
    top.finish(&mut cx);
    Parsed {
        stack: Some(stack),
        diagnostics: cx.diagnostics,
        known_keys: cx.known_keys,
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

fn read_stack(cx: &mut Cx, top: &mut Table<'_, '_>, file: FileId) -> StackFile {
    let profile = top.string(cx, "profile");
    StackFile {
        file,
        profile,
        service: section(cx, top, "service", read_service),
        model: section(cx, top, "model", read_model),
        engine: section(cx, top, "engine", read_engine),
        resources: section(cx, top, "resources", read_resources),
        scaling: section(cx, top, "scaling", read_scaling),
        gateway: section(cx, top, "gateway", read_gateway),
        inference: section(cx, top, "inference", read_inference),
    }
}

/// Reads one `[section]` with `read`, then reports its unknown keys.
fn section<T: Default>(
    cx: &mut Cx,
    top: &mut Table<'_, '_>,
    name: &'static str,
    read: fn(&mut Cx, &mut Table<'_, '_>) -> T,
) -> T {
    match top.table(cx, name) {
        Some(mut table) => {
            let value = read(cx, &mut table);
            table.finish(cx);
            value
        }
        None => T::default(),
    }
}

fn read_service(cx: &mut Cx, t: &mut Table<'_, '_>) -> ServiceSection {
    ServiceSection {
        span: Some(t.span),
        name: t.string(cx, "name"),
        namespace: t.string(cx, "namespace"),
        labels: t.string_map(cx, "labels").unwrap_or_default(),
    }
}

fn read_model(cx: &mut Cx, t: &mut Table<'_, '_>) -> ModelSection {
    ModelSection {
        span: Some(t.span),
        name: t.string(cx, "name"),
        source: t.string(cx, "source"),
        size: t.scalar_text(cx, "size"),
        endpoint: t.string(cx, "endpoint"),
        credentials: t.string(cx, "credentials"),
        volume: t.string(cx, "volume"),
    }
}

fn read_engine(cx: &mut Cx, t: &mut Table<'_, '_>) -> EngineSection {
    EngineSection {
        span: Some(t.span),
        kind: t.string(cx, "kind"),
        image: t.string(cx, "image"),
        port: t.integer(cx, "port"),
        max_model_len: t.integer(cx, "max_model_len"),
        gpu_memory_utilization: t.number(cx, "gpu_memory_utilization"),
        dtype: t.string(cx, "dtype"),
        tensor_parallel_size: t.integer(cx, "tensor_parallel_size"),
        extra_args: t.strings(cx, "extra_args").unwrap_or_default(),
    }
}

fn read_resources(cx: &mut Cx, t: &mut Table<'_, '_>) -> ResourcesSection {
    ResourcesSection {
        span: Some(t.span),
        gpus: t.integer(cx, "gpus"),
        gpu_resource: t.string(cx, "gpu_resource"),
        cpu: request_limit(cx, t, "cpu"),
        memory: request_limit(cx, t, "memory"),
    }
}

/// `cpu = "8"` means request and limit 8; `cpu = { request = "8", limit = "32" }` sets each.
fn request_limit(cx: &mut Cx, t: &mut Table<'_, '_>, key: &'static str) -> RequestLimit {
    let path = format!("resources.{key}");
    let Some(value) = t.value(cx, key) else {
        return RequestLimit::default();
    };
    if let DeValue::Table(table) = value.get_ref() {
        let mut inner = Table::new(table, cx.span(value.span()), path);
        let pair = RequestLimit {
            request: inner.scalar_text(cx, "request"),
            limit: inner.scalar_text(cx, "limit"),
        };
        inner.finish(cx);
        return pair;
    }
    let both = scalar_text_value(cx, &path, value);
    RequestLimit {
        request: both.clone(),
        limit: both,
    }
}

fn read_scaling(cx: &mut Cx, t: &mut Table<'_, '_>) -> ScalingSection {
    ScalingSection {
        span: Some(t.span),
        metric: t.string(cx, "metric"),
        target: t.number(cx, "target"),
        min: t.integer(cx, "min"),
        max: t.integer(cx, "max"),
    }
}

fn read_gateway(cx: &mut Cx, t: &mut Table<'_, '_>) -> GatewaySection {
    let listeners = t.entries(cx, "listeners").map(|(path, entries)| {
        entries
            .into_iter()
            .filter_map(|(name, value)| {
                let port = integer_value(cx, &format!("{path}.{}", name.value), value)?;
                Some(ListenerEntry { name, port })
            })
            .collect()
    });
    GatewaySection {
        span: Some(t.span),
        name: t.string(cx, "name"),
        namespace: t.string(cx, "namespace"),
        class: t.string(cx, "class"),
        provider: t.string(cx, "provider"),
        listeners,
    }
}

fn read_inference(cx: &mut Cx, t: &mut Table<'_, '_>) -> InferenceSection {
    InferenceSection {
        span: Some(t.span),
        priority: t.integer(cx, "priority"),
        listener: t.string(cx, "listener"),
        timeout: t.string(cx, "timeout"),
        epp_image: t.string(cx, "epp_image"),
    }
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
        assert_eq!(stack.resources.cpu.request.unwrap().value, "8");
        assert_eq!(stack.resources.cpu.limit.unwrap().value, "8");
        assert!(stack.resources.memory.limit.is_none());
    }
}
