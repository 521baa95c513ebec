//! Argo CD: per tree, an Application per stack for the objects it owns and one for the
//! objects stacks share (Gateway, config-network, storage), with sync waves ordering the shared
//! objects first and Knative's ConfigMaps server-side applied and never pruned; for a fleet,
//! one ApplicationSet with an Application per environment, each to its cluster.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

use super::{Delivery, Environment, GITOPS_DIR, annotate, metadata, wave};
use crate::emit::layout;
use crate::k8s::gitops::{
    Application, ApplicationSet, ApplicationSetSpec, ApplicationSource, ApplicationSpec,
    ApplicationTemplate, Automated, Destination, DirectorySource, Generator, ListGenerator,
    SyncPolicy, TemplateMeta,
};
use crate::k8s::{Object, Sharing};
use crate::lower::network::is_knative_configmap;
use crate::resolve::gitops::GitOpsSettings;
use crate::source::FileId;

const ARGOCD_NAMESPACE: &str = "argocd";
const SYNC_WAVE: &str = "argocd.argoproj.io/sync-wave";
const SYNC_OPTIONS: &str = "argocd.argoproj.io/sync-options";

pub(super) fn annotate_objects(objects: &mut [Object]) {
    for object in objects.iter_mut() {
        if let Some(wave) = wave(object) {
            annotate(object, SYNC_WAVE, wave);
        }
        // Knative owns its ConfigMaps: server-side apply claims only the keys we set, and
        // removing them from Git must never delete Knative's configuration.
        if is_knative_configmap(object) {
            annotate(object, SYNC_OPTIONS, "Prune=false,ServerSideApply=true");
        }
    }
}

/// Where the settings send an environment: a cluster by name, else by server.
fn destination(settings: &GitOpsSettings) -> Destination {
    match &settings.cluster {
        Some(name) => Destination {
            name: Some(name.clone()),
            server: None,
        },
        None => Destination {
            name: None,
            server: Some(settings.server.clone()),
        },
    }
}

/// Automated sync only when asked; prune and self-heal only with it.
fn sync_policy(settings: &GitOpsSettings) -> SyncPolicy {
    SyncPolicy {
        automated: settings.automated.then_some(Automated {
            prune: settings.prune,
            self_heal: settings.self_heal,
        }),
        sync_options: settings.sync_options.clone(),
    }
}

pub(super) fn applications(
    objects: &mut [Object],
    delivery: &Delivery<'_>,
) -> anyhow::Result<Vec<(String, Value)>> {
    annotate_objects(objects);
    // The application of each stack is named after its Knative Service.
    let stack_names: BTreeMap<FileId, String> = objects
        .iter()
        .filter(|o| o.id.is_knative_service())
        .map(|o| {
            (
                o.origin.file,
                format!(
                    "{}-{}",
                    o.id.namespace.as_deref().unwrap_or_default(),
                    o.id.name
                ),
            )
        })
        .collect();
    let mut members: BTreeMap<(String, &'static str), BTreeSet<String>> = BTreeMap::new();
    for object in objects.iter() {
        let path = format!(
            "{}/{}",
            layout::directory(object),
            layout::file_name(object)
        );
        let key = match (object.sharing, stack_names.get(&object.origin.file)) {
            (Sharing::Owned, Some(name)) => (name.clone(), "0"),
            _ => ("inferstack-shared".to_owned(), "-1"),
        };
        members.entry(key).or_default().insert(path);
    }
    let mut out = Vec::new();
    for ((name, app_wave), files) in members {
        let include = format!("{{{}}}", files.into_iter().collect::<Vec<_>>().join(","));
        let application = Application {
            api_version: "argoproj.io/v1alpha1",
            kind: "Application",
            metadata: metadata(
                &name,
                ARGOCD_NAMESPACE,
                Some(BTreeMap::from([(
                    SYNC_WAVE.to_owned(),
                    app_wave.to_owned(),
                )])),
            ),
            spec: ApplicationSpec {
                project: delivery.settings.project.clone(),
                source: ApplicationSource {
                    repo_url: delivery.repo_url.clone(),
                    target_revision: delivery.revision.clone(),
                    path: delivery.path.to_owned(),
                    directory: Some(DirectorySource {
                        recurse: true,
                        include,
                    }),
                },
                destination: destination(delivery.settings),
                sync_policy: sync_policy(delivery.settings),
            },
        };
        out.push((
            format!("{GITOPS_DIR}/argocd/application-{name}.yaml"),
            serde_json::to_value(application)?,
        ));
    }
    Ok(out)
}

/// `text` as literal text of a Go template: the ApplicationSet controller renders every string
/// of the template and the patch (`goTemplate: true`), so a value with `{{` in it (a cluster
/// name, a sync option, a revision) would be an action, `{{ .missing }}` stopping every
/// environment and `{{ .path }}` evaluated. Each `{{` is written as the action `{{"{{"}}`,
/// which prints it.
fn go_template_text(text: &str) -> String {
    text.replace("{{", "{{\"{{\"}}")
}

/// One ApplicationSet over the environments (a list generator, one element each). The
/// template holds what all share; each environment's destination and sync policy, which typed
/// template fields cannot vary, come from its block of the template patch.
pub(super) fn application_set(
    repo_url: &str,
    revision: &str,
    envs: &[&Environment<'_>],
) -> anyhow::Result<Vec<(String, Value)>> {
    let elements = envs
        .iter()
        .map(|e| json!({ "env": e.name, "path": e.path, "project": e.settings.project }))
        .collect();
    let mut patch = String::new();
    for env in envs {
        let block = json!({ "spec": {
            "destination": destination(env.settings),
            "syncPolicy": sync_policy(env.settings),
        }});
        patch.push_str(&format!(
            "{{{{- if eq .env {:?} }}}}\n{}{{{{- end }}}}\n",
            env.name,
            go_template_text(&crate::emit::to_yaml(&block)?)
        ));
    }
    let set = ApplicationSet {
        api_version: "argoproj.io/v1alpha1",
        kind: "ApplicationSet",
        metadata: metadata("inferstack", ARGOCD_NAMESPACE, None),
        spec: ApplicationSetSpec {
            go_template: true,
            go_template_options: vec!["missingkey=error"],
            generators: vec![Generator {
                list: ListGenerator { elements },
            }],
            template: ApplicationTemplate {
                metadata: TemplateMeta {
                    name: "inferstack-{{.env}}".to_owned(),
                    labels: BTreeMap::from([(
                        crate::k8s::meta::MANAGED_BY.0.to_owned(),
                        crate::k8s::meta::MANAGED_BY.1.to_owned(),
                    )]),
                },
                spec: ApplicationSpec {
                    project: "{{.project}}".to_owned(),
                    source: ApplicationSource {
                        repo_url: go_template_text(repo_url),
                        target_revision: go_template_text(revision),
                        path: "{{.path}}".to_owned(),
                        // The environment's tree is a kustomization: Argo CD renders it whole.
                        directory: None,
                    },
                    destination: Destination::default(),
                    sync_policy: SyncPolicy::default(),
                },
            },
            template_patch: patch,
        },
    };
    Ok(vec![(
        "argocd/applicationset-inferstack.yaml".to_owned(),
        serde_json::to_value(set)?,
    )])
}
