//! Names that become Kubernetes object names, namespaces, label keys and values, or paths.

use super::error;
use crate::diag::{Code, Diagnostics};
use crate::k8s::names::{
    is_dns_label, is_dns_subdomain, is_label_key, is_label_value, is_path_segment,
};
use crate::resolve::ResolvedStack;
use crate::source::Spanned;

const LABEL: &str = "DNS-1123 label";
const SUBDOMAIN: &str = "DNS-1123 subdomain";

pub fn check(stack: &ResolvedStack, out: &mut Diagnostics) {
    let dns = [
        ("service.name", &stack.service.name, LABEL),
        ("service.namespace", &stack.service.namespace, LABEL),
        ("model.volume", &stack.model.volume, LABEL),
        ("gateway.name", &stack.gateway.name, SUBDOMAIN),
        ("gateway.namespace", &stack.gateway.namespace, LABEL),
        ("gateway.class", &stack.gateway.class, SUBDOMAIN),
    ];
    for (key, value, rule) in dns {
        name_rule(out, key, value, rule);
    }
    let sc = &stack.scheduling;
    let optional = [
        ("model.credentials", &stack.model.credentials),
        ("scheduling.runtime_class", &sc.runtime_class),
        ("scheduling.priority_class", &sc.priority_class),
        ("scheduling.service_account", &sc.service_account),
    ];
    for (key, value) in optional {
        if let Some(value) = value {
            name_rule(out, key, value, SUBDOMAIN);
        }
    }
    for secret in &sc.image_pull_secrets {
        name_rule(out, "scheduling.image_pull_secrets", secret, SUBDOMAIN);
    }
    for listener in &stack.gateway.listeners {
        name_rule(out, "gateway.listeners", &listener.name, SUBDOMAIN);
    }
    picker_name_fits(stack, out);
    let model = &stack.model.name;
    if !is_path_segment(&model.value) {
        out.push(
            error(
                Code::InvalidName,
                model.span,
                "not a directory name",
                format!("`model.name` = \"{}\" cannot be used as a directory name", model.value),
            )
            .with_help("the model is mounted at /models/<name>: use letters, digits, '.', '_' and '-' only (no '/', '.' or '..')"),
        );
    }
    labels(out, &stack.service.labels);
    labels(out, &sc.node_selector);
    if let Some(product) = &stack.resources.gpu_product
        && !is_label_value(&product.value)
    {
        label_value(out, product);
    }
}

/// The endpoint picker's Service, Deployment and `app` label are `<service.name>-epp`: a
/// service name that fits a DNS label may still make that one too long. Said once, at
/// `service.name`, instead of once per picker object at the table that emits them.
fn picker_name_fits(stack: &ResolvedStack, out: &mut Diagnostics) {
    let name = &stack.service.name;
    let picker = stack.picker_name();
    if stack.profile.inference_apis().is_none()
        || !is_dns_label(&name.value)
        || is_dns_label(&picker)
    {
        return;
    }
    let room = 63 - (picker.len() - name.value.len());
    out.push(
        error(
            Code::InvalidName,
            name.span,
            "too long for the picker's name",
            format!(
                "`service.name` ({} characters) makes the endpoint picker's objects `{picker}` ({} characters); a Service name and a label value are at most 63",
                name.value.len(),
                picker.len()
            ),
        )
        .with_help(format!("shorten `service.name` to at most {room} characters")),
    );
}

fn name_rule(out: &mut Diagnostics, key: &str, value: &Spanned<String>, rule: &str) {
    let ok = if rule == LABEL {
        is_dns_label(&value.value)
    } else {
        is_dns_subdomain(&value.value)
    };
    if !ok {
        out.push(
            error(
                Code::InvalidName,
                value.span,
                "invalid name",
                format!("`{key}` = \"{}\" is not a valid {rule}", value.value),
            )
            .with_help(format!("{rule}s use lower-case letters, digits and '-', start and end with a letter or digit, and are at most {} characters", if rule == SUBDOMAIN { "253 (63 per dot-separated part)" } else { "63" })),
        );
    }
}

/// Label-shaped pairs: service labels and node selectors.
fn labels(out: &mut Diagnostics, pairs: &[(Spanned<String>, Spanned<String>)]) {
    for (key, value) in pairs {
        if !is_label_key(&key.value) {
            out.push(
                error(Code::InvalidName, key.span, "invalid label key", format!("`{}` is not a valid label key", key.value))
                    .with_help("a label key is an optional DNS subdomain prefix and '/', then up to 63 of [A-Za-z0-9._-], starting and ending alphanumeric"),
            );
        }
        if !is_label_value(&value.value) {
            label_value(out, value);
        }
    }
}

fn label_value(out: &mut Diagnostics, value: &Spanned<String>) {
    out.push(
        error(Code::InvalidName, value.span, "invalid label value", format!("\"{}\" is not a valid label value", value.value))
            .with_help("a label value is empty or up to 63 of [A-Za-z0-9._-], starting and ending alphanumeric"),
    );
}
