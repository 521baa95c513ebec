//! `diff --live` and `diff --print-rbac`: the compiled objects against what runs in a
//! cluster, and the read-only role that comparison needs. The comparison is `crate::diff`'s,
//! with the live objects as the "before" side and the dry-run applies as the "after" side, so
//! the report, its JSON and its exit codes are `diff`'s.

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::rbac::v1::{ClusterRole, PolicyRule};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde_json::Value;

use crate::cli::{DiffArgs, DiffFormat};
use crate::cluster::live::{Discovery, dry_run_apply, live, object_path};
use crate::cluster::tidy::without_server_fields;
use crate::diag::render::Style;
use crate::diff::{Ours, diff};
use crate::emit::to_yaml;
use crate::k8s::ObjectRef;
use crate::validate::catalog::resource_of;

use super::Outcome;
use super::check::FleetCheck;
use super::diff_report::{Against, json, text};
use super::plan::plan;

/// The name of the role `--print-rbac` prints.
const ROLE: &str = "inferstack-diff-live";

pub fn run(args: &DiffArgs, checked: &mut FleetCheck, style: Style) -> anyhow::Result<Outcome> {
    let planned = plan(checked, &args.against, &args.delivery)?;
    let cluster = args.cluster.target().connect()?;
    let mut discovery = Discovery::default();
    let mut after: Vec<(ObjectRef, String, Value)> = Vec::new();
    let mut before: Vec<(String, Value)> = Vec::new();
    for tree in &planned {
        for object in Ours::of_tree(tree.objects, &tree.gitops) {
            let id = &object.id;
            let Some(resource) = discovery.resource(&cluster, &id.api_version, &id.kind)? else {
                anyhow::bail!(
                    "the cluster of context {} ({}) does not serve {} {}, so {id} cannot be \
                     compared (`inferstack check --cluster` says what it lacks)",
                    cluster.context,
                    cluster.server,
                    id.api_version,
                    id.kind
                );
            };
            let Some(path) = object_path(
                &id.api_version,
                &resource,
                id.namespace.as_deref(),
                &id.name,
            ) else {
                anyhow::bail!(
                    "{id} has no URL on the cluster: a namespaced kind without a namespace"
                );
            };
            let what = id.to_string();
            if let Some(live) = live(&cluster, &path, &what)? {
                before.push((object.path.clone(), live));
            }
            // A server that cannot dry-run it (its Namespace comes with the same output) leaves
            // the object as compiled.
            let applied = match dry_run_apply(&cluster, &path, object.body, &what)? {
                Some(applied) => applied,
                None => {
                    let mut compiled = object.body.clone();
                    without_server_fields(&mut compiled);
                    compiled
                }
            };
            after.push((id.clone(), object.path.clone(), applied));
        }
    }
    let ours: Vec<Ours<'_>> = after
        .iter()
        .map(|(id, path, body)| Ours {
            id: id.clone(),
            path: path.clone(),
            body,
        })
        .collect();
    let changes = diff(&ours, &before)?;
    let against = Against::Cluster(format!("context {} ({})", cluster.context, cluster.server));
    Ok(Outcome {
        stdout: match args.format {
            DiffFormat::Text => text(&changes, &[], &against, style),
            DiffFormat::Json => json(&changes, &[])?,
        },
        stderr: String::new(),
        problems: !changes.is_empty(),
    })
}

/// A ClusterRole with what `diff --live` does on the kinds these stacks emit: `get` and
/// `list` them, and `patch` (a dry-run apply of an object that exists) and `create` (one
/// that does not: the API server authorizes an apply that would create as a create). RBAC
/// cannot limit a verb to dry runs; inferstack sends every patch with `dryRun=All`, and the
/// role is meant for a service account of its own.
pub fn print_rbac(checked: &FleetCheck) -> anyhow::Result<Outcome> {
    let mut resources: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for env in &checked.envs {
        for object in &env.objects {
            let id = &object.id;
            // Every kind a build emits passed the catalog's schema, so the catalog names it.
            let Some(resource) = resource_of(&id.api_version, &id.kind) else {
                anyhow::bail!(
                    "the catalog names no resource for {} {}",
                    id.api_version,
                    id.kind
                );
            };
            resources
                .entry(id.group().to_owned())
                .or_default()
                .insert(resource.to_owned());
        }
    }
    let verbs = ["get", "list", "patch", "create"]
        .map(str::to_owned)
        .to_vec();
    let role = ClusterRole {
        metadata: ObjectMeta {
            name: Some(ROLE.to_owned()),
            annotations: Some(BTreeMap::from([(
                "inferstack.dev/purpose".to_owned(),
                "inferstack diff --live: reads these kinds and dry-run applies them (dryRun=All); \
                 bind it to a service account of its own"
                    .to_owned(),
            )])),
            ..ObjectMeta::default()
        },
        rules: Some(
            resources
                .into_iter()
                .map(|(group, resources)| PolicyRule {
                    api_groups: Some(vec![group]),
                    resources: Some(resources.into_iter().collect()),
                    verbs: verbs.clone(),
                    ..PolicyRule::default()
                })
                .collect(),
        ),
        ..ClusterRole::default()
    };
    // k8s-openapi writes the type's apiVersion and kind first.
    let body = serde_json::to_value(&role)?;
    Ok(Outcome {
        stdout: to_yaml(&body)?,
        ..Outcome::default()
    })
}
