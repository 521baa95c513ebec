//! What `diff --live` asks a cluster about each object a build would write: where its
//! resource lives (API discovery), the live object, and what the object would become if
//! applied (a server-side apply with `dryRun=All`: the cluster's defaults, mutating webhooks
//! and validation, and nothing persisted). Read-only by construction: the only request that is
//! not a GET carries `dryRun=All`.

use std::collections::BTreeMap;

use serde_json::Value;

use super::connect::{Cluster, Failure};
use super::tidy::without_server_fields;

/// The field manager of the dry-run applies (`kubectl apply --server-side` uses `kubectl`).
pub const FIELD_MANAGER: &str = "inferstack";
const APPLY_PATCH: &str = "application/apply-patch+yaml";

/// A resource type as discovery describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resource {
    /// `deployments`, `inferencepools`.
    pub plural: String,
    pub namespaced: bool,
}

/// Discovery documents read so far, one request per group-version per run.
#[derive(Default)]
pub struct Discovery {
    group_versions: BTreeMap<String, Option<Vec<(String, Resource)>>>,
}

impl Discovery {
    /// The resource of `kind` in `api_version`; `None` if the cluster does not serve it.
    pub fn resource(
        &mut self,
        cluster: &Cluster,
        api_version: &str,
        kind: &str,
    ) -> anyhow::Result<Option<Resource>> {
        if !self.group_versions.contains_key(api_version) {
            let resources = discover(cluster, api_version)?;
            self.group_versions
                .insert(api_version.to_owned(), resources);
        }
        Ok(self.group_versions[api_version]
            .as_ref()
            .and_then(|resources| {
                resources
                    .iter()
                    .find(|(k, _)| k == kind)
                    .map(|(_, resource)| resource.clone())
            }))
    }
}

/// `GET /api/v1` or `/apis/<group>/<version>`: the kinds and their resources, without
/// subresources (`deployments/scale`); `None` for a group-version not served (404).
fn discover(
    cluster: &Cluster,
    api_version: &str,
) -> anyhow::Result<Option<Vec<(String, Resource)>>> {
    let path = base(api_version);
    let what = format!("the resources of {api_version} ({path})");
    let Some(list) = cluster.get_json_if_found(&path, &what)? else {
        return Ok(None);
    };
    let resources = list
        .get("resources")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|resource| {
            let name = resource.get("name")?.as_str()?;
            if name.contains('/') || !is_plural(name) {
                return None;
            }
            Some((
                resource.get("kind")?.as_str()?.to_owned(),
                Resource {
                    plural: name.to_owned(),
                    namespaced: resource.get("namespaced")?.as_bool()?,
                },
            ))
        })
        .collect();
    Ok(Some(resources))
}

/// A resource name that can go into a path as it is: lower-case letters, digits, `-` and `.`.
fn is_plural(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
}

/// `/api/v1` for the core group, `/apis/<group>/<version>` for the others.
fn base(api_version: &str) -> String {
    if api_version.contains('/') {
        format!("/apis/{api_version}")
    } else {
        format!("/api/{api_version}")
    }
}

/// The URL of one object; `None` if the names cannot be path segments (they are DNS names
/// after `validate`, so this only guards).
pub fn object_path(
    api_version: &str,
    resource: &Resource,
    namespace: Option<&str>,
    name: &str,
) -> Option<String> {
    let segment = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-._:".contains(&b))
    };
    if !segment(name) {
        return None;
    }
    let base = base(api_version);
    match (resource.namespaced, namespace) {
        (true, Some(namespace)) if segment(namespace) => Some(format!(
            "{base}/namespaces/{namespace}/{}/{name}",
            resource.plural
        )),
        (true, _) => None,
        (false, _) => Some(format!("{base}/{}/{name}", resource.plural)),
    }
}

/// The live object at `path` without the server's fields, or `None` if absent.
pub fn live(cluster: &Cluster, path: &str, what: &str) -> anyhow::Result<Option<Value>> {
    let mut object = cluster.get_json_if_found(path, what)?;
    if let Some(object) = &mut object {
        without_server_fields(object);
    }
    Ok(object)
}

/// What a server-side apply of `object` at `path` would leave, without the server's fields:
/// `Ok(None)` when the server cannot say because something the object needs is not there
/// yet (its Namespace, which the same output creates: 404).
pub fn dry_run_apply(
    cluster: &Cluster,
    path: &str,
    object: &Value,
    what: &str,
) -> anyhow::Result<Option<Value>> {
    let url = format!("{path}?dryRun=All&fieldManager={FIELD_MANAGER}&force=true");
    let body = serde_json::to_vec(object)?;
    let request = http::Request::patch(url)
        .header(http::header::CONTENT_TYPE, APPLY_PATCH)
        .header(http::header::ACCEPT, "application/json")
        .body(body)?;
    match cluster.send(request) {
        Ok(text) => {
            let mut applied = cluster.parse_json(&text, what)?;
            without_server_fields(&mut applied);
            Ok(Some(applied))
        }
        Err(Failure::Status(404, _)) => Ok(None),
        Err(Failure::Status(code, message)) => anyhow::bail!(
            "the cluster of context {} ({}) refuses {what} (a dry-run apply answered {code}): {message}",
            cluster.context,
            cluster.server
        ),
        Err(failure) => Err(cluster.error(what, failure)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_paths_follow_the_api_layout() {
        let deployments = Resource {
            plural: "deployments".into(),
            namespaced: true,
        };
        let namespaces = Resource {
            plural: "namespaces".into(),
            namespaced: false,
        };
        assert_eq!(
            object_path("apps/v1", &deployments, Some("llm"), "qwen").as_deref(),
            Some("/apis/apps/v1/namespaces/llm/deployments/qwen")
        );
        assert_eq!(
            object_path("v1", &namespaces, None, "llm").as_deref(),
            Some("/api/v1/namespaces/llm")
        );
        assert_eq!(object_path("apps/v1", &deployments, None, "qwen"), None);
        assert_eq!(
            object_path("apps/v1", &deployments, Some("llm"), "../x?y"),
            None
        );
    }
}
