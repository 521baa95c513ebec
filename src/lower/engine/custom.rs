//! A server inferstack does not know (llama.cpp's server, TGI, a team's own): `engine.command`
//! and `engine.args` are minijinja templates rendered with the resolved stack. Undefined
//! variables are errors, not empty strings, and rendering is bounded by a fuel limit.

use minijinja::{Environment, UndefinedBehavior, Value as Context, context};

use super::{Engine, Launch};
use crate::diag::{Code, Diagnostic, Label};
use crate::resolve::ResolvedStack;
use crate::source::Spanned;

/// Instructions one template may run: ample for any command line, small enough that a template
/// looping over a range cannot stall a build.
const FUEL: u64 = 50_000;

/// The variables a template may use, for the help of every template error.
pub const VARIABLES: &str = "model.name, model.path, model.source, model.revision, \
engine.port, engine.max_model_len, engine.dtype, engine.gpu_memory_utilization, \
engine.tensor_parallel_size, resources.gpus, service.name, service.namespace";

pub struct Custom;

impl Engine for Custom {
    fn kind(&self) -> &'static str {
        "custom"
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

    fn managed_flags(&self) -> Vec<(&'static str, &'static str)> {
        Vec::new()
    }

    fn dtypes(&self) -> &'static [&'static str] {
        &[]
    }

    fn launch(&self, stack: &ResolvedStack) -> Result<Launch, Vec<Diagnostic>> {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_fuel(Some(FUEL));
        let vars = variables(stack);
        let mut problems = Vec::new();
        let mut render = |items: &[Spanned<String>]| -> Vec<String> {
            items
                .iter()
                .filter_map(|item| match env.render_str(&item.value, &vars) {
                    Ok(text) => Some(text),
                    Err(error) => {
                        problems.push(template_error(item, &error));
                        None
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
            source => stack.model.source.scheme(),
            revision => stack.model.revision.as_ref().map(|r| r.value.clone()),
        },
        engine => context! {
            port => e.port.value,
            max_model_len => e.max_model_len.as_ref().map(|v| v.value),
            dtype => e.dtype.as_ref().map(|v| v.value.clone()),
            gpu_memory_utilization => e.gpu_memory_utilization.as_ref().map(|v| v.value),
            tensor_parallel_size => super::tensor_parallel_size(stack),
        },
        resources => context! { gpus => stack.resources.gpus.value },
        service => context! {
            name => stack.service.name.value,
            namespace => stack.service.namespace.value,
        },
    }
}

fn template_error(item: &Spanned<String>, error: &minijinja::Error) -> Diagnostic {
    let detail = error
        .detail()
        .map_or_else(|| error.kind().to_string(), str::to_owned);
    Diagnostic::error(
        Code::TemplateError,
        Label::new(item.span, "does not render"),
        format!("the template \"{}\" does not render: {detail}", item.value),
    )
    .with_help(format!("templates may use {VARIABLES}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(template: &str) -> Result<String, String> {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_fuel(Some(FUEL));
        let vars = context! { model => context! { path => "/models/m" } };
        env.render_str(template, vars).map_err(|e| {
            e.detail()
                .map_or_else(|| e.kind().to_string(), str::to_owned)
        })
    }

    #[test]
    fn undefined_variables_are_errors_and_loops_are_bounded() {
        assert_eq!(render("{{ model.path }}").unwrap(), "/models/m");
        assert!(render("{{ model.nope }}").is_err());
        assert!(render("{{ nope }}").is_err());
        assert!(render("{% for i in range(100000) %}{{ i }}{% endfor %}").is_err());
        assert!(render("{{ unclosed").is_err());
    }
}
