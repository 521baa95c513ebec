//! The Namespaces a stack's own objects live in, so a first sync into a fresh cluster works
//! with Argo CD and Flux alike (Argo CD's `CreateNamespace=true` does nothing for Flux, nor for
//! the Gateway's namespace).

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::Namespace;

use super::network::KNATIVE_NAMESPACE;
use crate::k8s::{Object, ObjectRef, Sharing};
use crate::resolve::ResolvedStack;

/// Deleting a Namespace deletes everything in it, the user's objects too: neither Argo CD
/// (`argocd.argoproj.io/sync-options`, docs/user-guide/sync-options.md) nor Flux
/// (`kustomize.toolkit.fluxcd.io/prune`, kustomize-controller docs) ever prunes these.
pub const NO_PRUNE: [(&str, &str); 2] = [
    ("argocd.argoproj.io/sync-options", "Prune=false"),
    ("kustomize.toolkit.fluxcd.io/prune", "disabled"),
];

/// Namespaces every cluster has, or that belong to the platform.
pub fn is_preexisting(namespace: &str) -> bool {
    namespace == "default" || namespace.starts_with("kube-") || namespace == KNATIVE_NAMESPACE
}

pub fn objects(stack: &ResolvedStack) -> anyhow::Result<Vec<Object>> {
    if !stack.create_namespaces.value {
        return Ok(Vec::new());
    }
    let used = [&stack.service.namespace, &stack.gateway.namespace];
    let mut out: Vec<Object> = Vec::new();
    for namespace in used {
        if is_preexisting(&namespace.value) || out.iter().any(|o| o.id.name == namespace.value) {
            continue;
        }
        let mut metadata = super::metadata(&namespace.value, None, []);
        metadata.annotations = Some(
            NO_PRUNE
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect::<BTreeMap<_, _>>(),
        );
        let object = Namespace {
            metadata,
            ..Namespace::default()
        };
        let id = ObjectRef {
            api_version: "v1".to_owned(),
            kind: "Namespace".to_owned(),
            namespace: None,
            name: namespace.value.clone(),
        };
        out.push(Object::new(id, &object, namespace.span, Sharing::Shared)?);
    }
    Ok(out)
}
