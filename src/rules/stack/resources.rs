//! What one replica asks for: quantities, GPUs and tensor parallelism, shared memory.

use super::error;
use crate::diag::{Code, Diagnostics, Label};
use crate::k8s::names::{is_dns_subdomain, is_label_value};
use crate::quantity::Quantity;
use crate::resolve::ResolvedStack;
use crate::source::Spanned;
use crate::stack::ast::RequestLimit;

pub fn check(stack: &ResolvedStack, out: &mut Diagnostics) {
    quantities(stack, out);
    gpus(stack, out);
    shm(stack, out);
}

fn quantity(out: &mut Diagnostics, key: &str, value: &Spanned<String>) -> Option<Quantity> {
    match Quantity::parse(&value.value) {
        Some(q) if !q.is_negative() => Some(q),
        _ => {
            out.push(
                error(Code::InvalidQuantity, value.span, "not a quantity", format!("`{key}` = \"{}\" is not a Kubernetes quantity", value.value))
                    .with_help("write a number with an optional suffix: \"8\", \"500m\", \"32Gi\", \"1.5\" (Gi/Mi for memory, not GB/MB)"),
            );
            None
        }
    }
}

fn request_limit(out: &mut Diagnostics, key: &str, pair: &RequestLimit) {
    let request = pair
        .request
        .as_ref()
        .and_then(|r| quantity(out, &format!("{key}.request"), r).map(|q| (q, r)));
    // `cpu = "8"` sets both from one value: report a bad value once, not twice.
    let same_value = pair.request.as_ref().map(|r| r.span) == pair.limit.as_ref().map(|l| l.span);
    let limit = match (&pair.limit, same_value) {
        (Some(_), true) => None,
        (Some(l), false) => quantity(out, &format!("{key}.limit"), l).map(|q| (q, l)),
        (None, _) => None,
    };
    if let (Some((rq, r)), Some((lq, l))) = (request, limit)
        && rq > lq
    {
        out.push(
            error(Code::RequestExceedsLimit, r.span, "request", format!("`{key}` request {} is larger than its limit {}", r.value, l.value))
                .with_secondary(Label::new(l.span, "limit"))
                .with_help("Kubernetes rejects a pod whose request exceeds its limit; raise the limit or lower the request"),
        );
    }
}

fn quantities(stack: &ResolvedStack, out: &mut Diagnostics) {
    quantity(out, "model.size", &stack.model.size);
    request_limit(out, "resources.cpu", &stack.resources.cpu);
    request_limit(out, "resources.memory", &stack.resources.memory);
}

fn gpus(stack: &ResolvedStack, out: &mut Diagnostics) {
    let r = &stack.resources;
    let resource = &r.gpu_resource.value;
    let valid = resource.split_once('/').is_some_and(|(domain, name)| {
        is_dns_subdomain(domain) && domain.contains('.') && is_label_value(name) && !name.is_empty()
    });
    if !valid {
        out.push(
            error(
                Code::InvalidName,
                r.gpu_resource.span,
                "not an extended resource",
                format!(
                    "`resources.gpu_resource` = \"{resource}\" is not an extended resource name"
                ),
            )
            .with_help(
                "use the device plugin's resource, e.g. \"nvidia.com/gpu\" or \"amd.com/gpu\"",
            ),
        );
    }
    if let Some(memory) = &r.gpu_memory {
        quantity(out, "resources.gpu_memory", memory);
    }
    let gpu = r
        .gpu_product
        .as_ref()
        .and_then(|p| crate::k8s::gpus::lookup(&p.value));
    if let (Some(gpu), Some(product)) = (gpu, &r.gpu_product)
        && valid
        && *resource != gpu.vendor.resource()
    {
        out.push(
            error(
                Code::InvalidValue,
                r.gpu_resource.span,
                "not this GPU's resource",
                format!("`resources.gpu_resource` = \"{resource}\" is not the resource of {}, whose device plugin advertises `{}`: no node offers both", product.value, gpu.vendor.resource()),
            )
            .with_secondary(Label::new(product.span, "GPU product"))
            .with_help(format!("remove `gpu_resource` (it follows the product) or write \"{}\"", gpu.vendor.resource())),
        );
    }
}

/// `/dev/shm` lives in memory and counts against the container's memory limit: a size at or
/// above the limit gets the server OOM-killed as soon as NCCL fills it.
fn shm(stack: &ResolvedStack, out: &mut Diagnostics) {
    let Some(shm) = &stack.engine.shm else {
        return;
    };
    let Some(size) = quantity(out, "engine.shm", shm) else {
        return;
    };
    let limit = stack.resources.memory.limit.as_ref();
    if let Some((limit_value, limit_text)) =
        limit.and_then(|l| Quantity::parse(&l.value).map(|q| (q, l)))
        && size >= limit_value
    {
        out.push(
            error(Code::InvalidValue, shm.span, "not below the memory limit", format!("`engine.shm` = \"{}\" is not below the container's memory limit {}", shm.value, limit_text.value))
                .with_secondary(Label::new(limit_text.span, "memory limit"))
                .with_help("shared memory is counted as the container's memory: lower `shm` or raise `resources.memory`'s limit"),
        );
    }
}
