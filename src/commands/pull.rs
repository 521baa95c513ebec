//! `inferstack schemas pull`: a cluster's schemas as files, for `validate --crds --openapi`
//! in CI where no cluster is reachable. Written like a build (atomically, owning only the
//! files it wrote), so a pull that fails half-way leaves the previous tree, and a CRD
//! removed from the cluster leaves the tree at the next pull.

use serde_json::{Value, json};

use crate::cli::PullArgs;
use crate::cluster::pull::openapi_file_name;
use crate::cluster::{Cluster, Documents, Snapshot};
use crate::emit::layout::OutputTree;
use crate::emit::to_yaml;
use crate::secrets::redact;

use super::Outcome;

pub fn run(args: &PullArgs) -> anyhow::Result<Outcome> {
    let cluster = args.cluster.target().connect()?;
    let snapshot = Snapshot::pull(&cluster, Documents::All, None)?;
    let tree = tree(&snapshot, &cluster)?;
    let summary = crate::output::stage(&args.output, &tree, &|_| None)?.commit()?;
    Ok(Outcome {
        stdout: format!(
            "pulled {} CustomResourceDefinition(s) and {} OpenAPI v3 document(s) of Kubernetes {} \
             from context {} into {}: {} written, {} unchanged, {} removed\n",
            snapshot.crds.len(),
            snapshot.openapi.len(),
            snapshot.git_version(),
            cluster.context,
            args.output.display(),
            summary.written,
            summary.unchanged,
            summary.removed,
        ),
        ..Outcome::default()
    })
}

/// `crds/<name>.yaml`, `openapi/<upstream file name>`, and `cluster.yaml`, which says where
/// they came from and what they are. No time or resourceVersion: the same cluster gives the
/// same bytes.
fn tree(snapshot: &Snapshot, cluster: &Cluster) -> anyhow::Result<OutputTree> {
    let mut tree = OutputTree::new();
    for (name, crd) in &snapshot.crds {
        tree.insert(format!("crds/{name}.yaml"), to_yaml(crd)?.into_bytes());
    }
    for (path, document) in &snapshot.openapi {
        let text = serde_json::to_string_pretty(document)? + "\n";
        tree.insert(
            format!("openapi/{}", openapi_file_name(path)),
            text.into_bytes(),
        );
    }
    let served: Vec<Value> = snapshot
        .served()
        .into_iter()
        .map(|((group, kind), versions)| json!({"group": group, "kind": kind, "served": versions}))
        .collect();
    let version = &snapshot.version;
    let record = json!({
        "context": cluster.context,
        "server": redact(&cluster.server),
        "version": {
            "gitVersion": version.get("gitVersion"),
            "major": version.get("major"),
            "minor": version.get("minor"),
            "platform": version.get("platform"),
        },
        "crds": served,
        "openapi": snapshot.openapi.keys().collect::<Vec<_>>(),
    });
    let header = "# Written by `inferstack schemas pull`: where crds/ and openapi/ come from. Use them\n\
                  # with `inferstack validate --crds crds --openapi openapi`.\n";
    tree.insert(
        "cluster.yaml".to_owned(),
        format!("{header}{}", to_yaml(&record)?).into_bytes(),
    );
    Ok(tree)
}
