//! `--cluster` for `validate`, `check` and `build --check`: the live cluster's schemas, what it
//! serves and its Knative configuration, read once per run (through the cache) and handed to
//! the validator as plain values.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::cli::{ClusterArgs, LiveCluster};
use crate::cluster::{Documents, Snapshot, pull::knative_configmaps};
use crate::output::freshness::cache_dir;
use crate::validate::catalog::Selection;
use crate::validate::knative::KnativeConfig;
use crate::validate::schemas::SchemaSet;
use crate::validate::served::Served;

/// What a run read from its cluster.
pub struct Live {
    snapshot: Snapshot,
    served: Served,
    configmaps: Vec<Value>,
    /// `the cluster of context NAME`, for where a Knative value comes from.
    origin: String,
}

impl LiveCluster {
    /// The cluster `--cluster` asks for; `--kubeconfig` or `--context` alone is a mistake, not
    /// a silent offline run.
    pub fn chosen(&self) -> anyhow::Result<Option<&ClusterArgs>> {
        let target = &self.target;
        let targeted = target.kubeconfig.is_some()
            || target.context.is_some()
            || target.request_timeout.is_some();
        match (self.cluster, targeted) {
            (true, _) => Ok(Some(&self.target)),
            (false, true) => anyhow::bail!(
                "--kubeconfig, --context and --request-timeout are for the cluster of --cluster; \
                 pass --cluster to check against it"
            ),
            (false, false) => Ok(None),
        }
    }
}

impl Live {
    /// Reads the cluster: the documents of `api_versions` (`None`: every built-in one).
    pub fn read(
        args: &ClusterArgs,
        api_versions: Option<&BTreeSet<String>>,
    ) -> anyhow::Result<Live> {
        let cluster = args.target().connect()?;
        let documents = api_versions.map_or(Documents::All, Documents::Of);
        let snapshot = Snapshot::pull(&cluster, documents, cache_dir().as_deref())?;
        let configmaps = knative_configmaps(&cluster)?;
        Ok(Live {
            served: Served::of(&snapshot, &cluster.context, &cluster.server),
            origin: format!("the cluster of context {}", cluster.context),
            snapshot,
            configmaps,
        })
    }

    /// The catalog with the cluster's schemas in place of its own: its OpenAPI documents for
    /// the built-in kinds, its CRDs for the rest.
    pub fn schemas(&self, selection: Selection) -> anyhow::Result<SchemaSet> {
        let mut set = SchemaSet::catalog_of(selection);
        for (path, document) in &self.snapshot.openapi {
            let origin = format!("{} /openapi/v3/{path}", self.origin);
            set.add_openapi(document.clone(), &origin)
                .map_err(|why| anyhow::anyhow!("{origin}: {why}"))?;
        }
        for (name, crd) in &self.snapshot.crds {
            let origin = format!("{} CustomResourceDefinition {name}", self.origin);
            set.add_crd(crd, &origin)
                .map_err(|why| anyhow::anyhow!("{origin}: {why}"))?;
        }
        Ok(set)
    }

    pub fn served(&self) -> Served {
        self.served.clone()
    }

    /// Knative's defaults overlaid with the cluster's own ConfigMaps.
    pub fn knative(&self) -> KnativeConfig {
        let mut config = KnativeConfig::default();
        for configmap in &self.configmaps {
            let name = configmap
                .pointer("/metadata/name")
                .and_then(Value::as_str)
                .unwrap_or("");
            config.absorb(configmap, &format!("{}'s {name}", self.origin));
        }
        config
    }
}
