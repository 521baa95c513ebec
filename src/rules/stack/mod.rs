//! Rules on one [`ResolvedStack`], one file per rule family, run in a fixed order by [`check`].
//! Each catches a mistake the API server, Knative or the model server would otherwise report
//! only after the GPU node is up.

mod adapters;
mod disaggregation;
mod engine;
mod listeners;
mod names;
mod network;
mod pod;
mod resources;
mod routing;
mod scaling;
mod storage;
mod workload;

use crate::diag::{Code, Diagnostic, Diagnostics, Label};
use crate::resolve::ResolvedStack;
use crate::source::{Span, Spanned};
use crate::stack::keys::{self, Ty};

/// Runs every rule on one stack.
pub fn check(stack: &ResolvedStack) -> Diagnostics {
    let mut out = Diagnostics::default();
    names::check(stack, &mut out);
    network::ports(stack, &mut out);
    listeners::check(stack, &mut out);
    scaling::check(stack, &mut out);
    resources::check(stack, &mut out);
    engine::check(stack, &mut out);
    pod::check(stack, &mut out);
    storage::check(stack, &mut out);
    network::inference(stack, &mut out);
    routing::check(stack, &mut out);
    workload::check(stack, &mut out);
    disaggregation::check(stack, &mut out);
    adapters::check(stack, &mut out);
    out
}

fn error(code: Code, value_span: Span, label: &str, message: String) -> Diagnostic {
    Diagnostic::error(code, Label::new(value_span, label), message)
}

/// A value of an enumerated key must be one of the key table's choices.
fn one_of(out: &mut Diagnostics, path: &str, value: &Spanned<String>, help: &str) -> bool {
    let Ty::Enum(choices) = keys::lookup(path).ty else {
        unreachable!("{path} is not an enumeration")
    };
    choice(out, path, value, choices, help)
}

/// A value that must be one of `choices`; `help` ends the message (`is not a known ...`).
fn choice(
    out: &mut Diagnostics,
    path: &str,
    value: &Spanned<String>,
    choices: &[&str],
    help: &str,
) -> bool {
    let ok = choices.contains(&value.value.as_str());
    if !ok {
        let quoted: Vec<String> = choices.iter().map(|c| format!("\"{c}\"")).collect();
        out.push(
            error(
                Code::InvalidValue,
                value.span,
                "not a choice",
                format!("`{path}` = \"{}\" {help}", value.value),
            )
            .with_help(format!("use one of: {}", quoted.join(", "))),
        );
    }
    ok
}
