//! The metadata conventions of every object inferstack emits, shared by the stage that lowers
//! the stack and the model sources that build their own storage objects.

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

/// Label on every object inferstack owns, so `kubectl get -l` and GitOps pruning can find them.
pub const MANAGED_BY: (&str, &str) = ("app.kubernetes.io/managed-by", "inferstack");

/// Metadata with a name, an optional namespace and labels (managed-by added).
pub fn metadata<'a>(
    name: &str,
    namespace: Option<&str>,
    labels: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> ObjectMeta {
    let mut all: BTreeMap<String, String> = labels
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    all.insert(MANAGED_BY.0.to_owned(), MANAGED_BY.1.to_owned());
    ObjectMeta {
        name: Some(name.to_owned()),
        namespace: namespace.map(str::to_owned),
        labels: Some(all),
        ..ObjectMeta::default()
    }
}
