//! A server inferstack does not know (llama.cpp's server, TGI, a team's own): `engine.command`
//! and `engine.args` are minijinja templates rendered with the resolved stack. Undefined
//! variables are errors, not empty strings, and rendering is bounded three ways: by fuel (the
//! instructions run), by the bytes each item and all items together may render to, and by what
//! a template may use at all. Fuel does not bound bytes: `"x" * 100000000` is one instruction,
//! so the repetition operator, `range`, `namespace` and the filters that multiply a string
//! (`replace`, `center`, `indent`, ...) are not available; only the environment's allow-list is.

use std::io::Write;

use minijinja::{Environment, UndefinedBehavior, Value as Context, context};

use super::{Engine, Launch};
use crate::diag::{Code, Diagnostic, Label};
use crate::resolve::{EngineKind, ResolvedStack};
use crate::source::Spanned;

/// Instructions one template may run: ample for any command line, small enough that a template
/// looping over a range cannot stall a build.
const FUEL: u64 = 50_000;
/// Bytes one item of `command` or `args` may render to: ample for any argument.
pub const MAX_ITEM_BYTES: usize = 64 * 1024;
/// Bytes all items of one engine may render to together.
pub const MAX_TOTAL_BYTES: usize = 256 * 1024;

/// The variables a template may use, for the help of every template error.
pub const VARIABLES: &str = "model.name, model.path, model.source, model.revision, \
engine.port, engine.max_model_len, engine.dtype, engine.gpu_memory_utilization, \
engine.tensor_parallel_size, resources.gpus, service.name, service.namespace";

/// The filters a template may use; none of them makes a string longer than its inputs.
pub const FILTERS: &str =
    "default, lower, upper, trim, int, float, string, length, join, first, last";

/// The environment every template renders in: no globals, the filters of [`FILTERS`], the
/// tests `defined`, `undefined`, `none`, strict undefined variables, and fuel.
fn environment() -> Environment<'static> {
    use minijinja::{filters, tests};
    let mut env = Environment::empty();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_fuel(Some(FUEL));
    env.add_filter("default", filters::default);
    env.add_filter("d", filters::default);
    env.add_filter("lower", filters::lower);
    env.add_filter("upper", filters::upper);
    env.add_filter("trim", filters::trim);
    env.add_filter("int", filters::int);
    env.add_filter("float", filters::float);
    env.add_filter("string", filters::string);
    env.add_filter("length", filters::length);
    env.add_filter("join", filters::join);
    env.add_filter("first", filters::first);
    env.add_filter("last", filters::last);
    env.add_test("defined", tests::is_defined);
    env.add_test("undefined", tests::is_undefined);
    env.add_test("none", tests::is_none);
    env
}

/// Why `template` may not render at all: a `*` outside a string literal inside a tag (string
/// repetition, the one operator whose result is not bounded by the template's own length).
fn forbidden(template: &str) -> Option<&'static str> {
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let tag = &rest[open..];
        let close = match tag.get(..2) {
            Some("{{") => "}}",
            Some("{%") => "%}",
            _ => {
                rest = &tag[1..];
                continue;
            }
        };
        let body = &tag[2..];
        let end = body.find(close).unwrap_or(body.len());
        let mut quote = None;
        for c in body[..end].chars() {
            match (quote, c) {
                (None, '\'' | '"') => quote = Some(c),
                (Some(q), c) if c == q => quote = None,
                (None, '*') => return Some("the `*` operator (string repetition) is not allowed"),
                _ => {}
            }
        }
        rest = &body[end..];
    }
    None
}

/// A writer that refuses bytes beyond `limit`: rendering stops at the first write past it,
/// instead of building the whole text in memory first.
struct Bounded {
    text: Vec<u8>,
    limit: usize,
}

impl Write for Bounded {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        if self.text.len() + bytes.len() > self.limit {
            return Err(std::io::Error::other("output limit"));
        }
        self.text.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Renders one template within `limit` bytes; `Err` is the message of a `template-error`.
fn render_bounded(
    env: &Environment<'static>,
    template: &str,
    vars: &Context,
    limit: usize,
) -> Result<String, String> {
    if let Some(why) = forbidden(template) {
        return Err(format!("{why} in inferstack templates"));
    }
    let compiled = env.template_from_str(template).map_err(|e| detail(&e))?;
    let mut out = Bounded {
        text: Vec::new(),
        limit,
    };
    match compiled.render_captured_to(vars, &mut out) {
        Ok(_) => String::from_utf8(out.text).map_err(|_| "it renders to invalid UTF-8".to_owned()),
        Err(error) if error.kind() == minijinja::ErrorKind::WriteFailure => Err(format!(
            "it renders to more than {limit} bytes, the most one template may produce"
        )),
        Err(error) => Err(detail(&error)),
    }
}

fn detail(error: &minijinja::Error) -> String {
    error
        .detail()
        .map_or_else(|| error.kind().to_string(), str::to_owned)
}

pub struct Custom;

impl Engine for Custom {
    fn kind(&self) -> EngineKind {
        EngineKind::Custom
    }

    fn name(&self) -> &'static str {
        "custom"
    }

    fn container_name(&self) -> &'static str {
        "model-server"
    }

    fn health_path(&self) -> Option<&'static str> {
        None
    }

    /// A server inferstack does not know exports no queue metric it could name.
    fn queue_metric(&self) -> Option<&'static str> {
        None
    }

    fn managed_flags(&self) -> Vec<(&'static str, &'static str)> {
        Vec::new()
    }

    fn dtypes(&self) -> &'static [&'static str] {
        &[]
    }

    fn multi_node(&self) -> Option<&super::MultiNode> {
        None
    }

    fn disaggregated(&self) -> Option<&super::Disaggregated> {
        None
    }

    fn lora(&self) -> Option<&super::Lora> {
        None
    }

    fn releases(&self) -> Option<&'static super::releases::FlagReleases> {
        None
    }

    fn launch(&self, stack: &ResolvedStack, _: super::Member) -> Result<Launch, Vec<Diagnostic>> {
        let env = environment();
        let vars = variables(stack);
        let mut problems = Vec::new();
        let mut budget = MAX_TOTAL_BYTES;
        let mut render = |items: &[Spanned<String>]| -> Vec<String> {
            items
                .iter()
                .filter_map(|item| {
                    let limit = MAX_ITEM_BYTES.min(budget);
                    match render_bounded(&env, &item.value, &vars, limit) {
                        Ok(text) => {
                            budget -= text.len();
                            if let Some(what) = assembled_credential(&text) {
                                problems.push(credential(item, what));
                                return None;
                            }
                            Some(text)
                        }
                        Err(why) => {
                            problems.push(template_error(item, &why));
                            None
                        }
                    }
                })
                .collect()
        };
        let command = render(&stack.engine.command);
        let args = render(&stack.engine.args);
        if problems.is_empty() {
            Ok(Launch { command, args })
        } else {
            Err(problems)
        }
    }
}

/// The resolved stack as templates see it.
fn variables(stack: &ResolvedStack) -> Context {
    let e = &stack.engine;
    context! {
        model => context! {
            name => stack.model.name.value,
            path => stack.model.path(),
            source => stack.model.source.scheme().name,
            revision => stack.model.revision.as_ref().map(|r| r.value.clone()),
        },
        engine => context! {
            port => e.port.value,
            max_model_len => e.max_model_len.as_ref().map(|v| v.value),
            dtype => e.dtype.as_ref().map(|v| v.value.clone()),
            gpu_memory_utilization => e.gpu_memory_utilization.as_ref().map(|v| v.value),
            tensor_parallel_size => super::parallel::parallelism(stack).tensor,
        },
        resources => context! { gpus => stack.resources.gpus.value },
        service => context! {
            name => stack.service.name.value,
            namespace => stack.service.namespace.value,
        },
    }
}

/// What credential a rendered item is, if any: the scan of the stack file sees the template
/// as written (`{{ "hf_" ~ "..." }}`), so the rendered text is scanned again.
fn assembled_credential(text: &str) -> Option<&'static str> {
    if let Some(what) = crate::secrets::looks_like_secret(text) {
        return Some(what);
    }
    crate::secrets::CREDENTIAL_FLAGS
        .iter()
        .any(|flag| crate::secrets::is_flag(text, flag))
        .then_some("a command-line flag that carries a credential")
}

fn credential(item: &Spanned<String>, what: &str) -> Diagnostic {
    Diagnostic::error(
        Code::CredentialsInStack,
        Label::new(item.span, "renders a credential"),
        format!("the template renders {what}; stacks must not contain credentials"),
    )
    .with_help(
        "put the key in a Secret and name it in `engine.secret_env`; the server reads it from \
         the environment",
    )
}

fn template_error(item: &Spanned<String>, why: &str) -> Diagnostic {
    Diagnostic::error(
        Code::TemplateError,
        Label::new(item.span, "does not render"),
        format!("the template \"{}\" does not render: {why}", item.value),
    )
    .with_help(format!(
        "templates may use {VARIABLES}, and the filters {FILTERS}; one item renders to at most \
         {MAX_ITEM_BYTES} bytes and all together to {MAX_TOTAL_BYTES}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(template: &str) -> Result<String, String> {
        let vars = context! { model => context! { path => "/models/m" } };
        render_bounded(&environment(), template, &vars, MAX_ITEM_BYTES)
    }

    #[test]
    fn undefined_variables_are_errors_and_loops_are_bounded() {
        assert_eq!(render("{{ model.path }}").unwrap(), "/models/m");
        assert_eq!(
            render("--m={{ model.path | upper }}").unwrap(),
            "--m=/MODELS/M"
        );
        assert!(render("{{ model.nope }}").is_err());
        assert!(render("{{ nope }}").is_err());
        assert!(render("{% for i in [1, 2] * 50000 %}{{ i }}{% endfor %}").is_err());
        assert!(render("{{ unclosed").is_err());
    }

    #[test]
    fn output_is_bounded_in_bytes_not_only_instructions() {
        let why = render(
            "{% for i in [1,2,3,4,5,6,7,8] %}{{ 'aaaaaaaaaaaaaaaa' ~ model.path ~ 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb' }}{% endfor %}",
        );
        assert!(why.is_ok(), "{why:?}");
        let vars = context! {};
        let small = render_bounded(&environment(), "{{ 'abcdefgh' }}", &vars, 4);
        assert_eq!(
            small.unwrap_err(),
            "it renders to more than 4 bytes, the most one template may produce"
        );
    }

    #[test]
    fn a_rendered_credential_is_caught() {
        let rendered = render("{{ 'hf_' ~ 'abcdefghijklmnopqrstuvwxyzABCDEF' }}").unwrap();
        assert_eq!(
            assembled_credential(&rendered),
            Some("a Hugging Face token")
        );
        let flag = render("{{ '--api-' ~ 'key' }}=abc").unwrap();
        assert!(assembled_credential(&flag).is_some());
        assert_eq!(assembled_credential("--model=/models/m"), None);
    }

    #[test]
    fn what_multiplies_a_string_is_not_available() {
        for template in [
            "{% set a = 'x' * 100000000 %}{{ a }}",
            "{{ 'x' *3 }}",
            "{% for i in range(30) %}{{ i }}{% endfor %}",
            "{{ model.path | replace('', model.path) }}",
            "{{ model.path | center(100000000) }}",
            "{% set ns = namespace(a='x') %}{{ ns.a }}",
        ] {
            assert!(render(template).is_err(), "{template}");
        }
        // A `*` inside a string literal is text.
        assert_eq!(render("{{ '*' }}").unwrap(), "*");
        assert_eq!(render("a*b").unwrap(), "a*b");
    }
}
