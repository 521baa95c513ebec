//! Kubernetes objects as the pipeline carries them after lowering: typed structs for the custom
//! resources here, k8s-openapi for core kinds, all serialized once into an [`Object`].

pub mod disaggregation;
pub mod epp_config;
pub mod gateway;
pub mod gitops;
pub mod gke;
pub mod gpus;
pub mod image;
pub mod inference;
pub mod istio;
pub mod keda;
pub mod knative;
pub mod kustomize;
pub mod lws;
pub mod meta;
pub mod names;
pub mod value;
pub mod workload;

use std::borrow::Cow;

use serde::Serialize;

use crate::source::Span;

/// A typed Kubernetes object: the envelope every kind shares, around its own `spec`. The
/// custom resources inferstack emits are this with their spec types (`gateway::Gateway`, ...).
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Resource<Spec> {
    pub api_version: &'static str,
    pub kind: &'static str,
    pub metadata: k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta,
    pub spec: Spec,
}

/// The identity of an object: what `kubectl` and GitOps tools match on.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ObjectRef {
    pub api_version: String,
    pub kind: String,
    pub namespace: Option<String>,
    pub name: String,
}

impl ObjectRef {
    /// The API group (`""` for core), from `apiVersion`.
    pub fn group(&self) -> &str {
        self.api_version
            .rsplit_once('/')
            .map_or("", |(group, _)| group)
    }

    /// Whether this is a Knative Service (not a core `v1` Service).
    pub fn is_knative_service(&self) -> bool {
        self.group() == knative::GROUP && self.kind == "Service"
    }
}

impl ObjectRef {
    /// The identity of a manifest: string `apiVersion` and `kind`, and `metadata.namespace` and
    /// `metadata.name` where they are strings (a missing name is empty). `None` for a document
    /// that is not a Kubernetes object.
    pub fn of_manifest(value: &serde_json::Value) -> Option<ObjectRef> {
        let text = |pointer: &str| value.pointer(pointer).and_then(serde_json::Value::as_str);
        Some(ObjectRef {
            api_version: text("/apiVersion")?.to_owned(),
            kind: text("/kind")?.to_owned(),
            namespace: text("/metadata/namespace").map(str::to_owned),
            name: text("/metadata/name").unwrap_or_default().to_owned(),
        })
    }
}

impl std::fmt::Display for ObjectRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.namespace {
            Some(ns) => write!(f, "{} {}/{}", self.kind, ns, self.name),
            None => write!(f, "{} {}", self.kind, self.name),
        }
    }
}

/// Whether an object may be defined by several stacks (identical definitions are emitted once).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sharing {
    /// Cluster-level infrastructure several services use: the Gateway, config-network, storage.
    Shared,
    /// Belongs to exactly one stack; a second definition is a mistake.
    Owned,
}

/// A lowered object: its identity, its body as JSON, and the stack text it came from.
#[derive(Clone, Debug, PartialEq)]
pub struct Object {
    pub id: ObjectRef,
    pub body: serde_json::Value,
    /// The stack text the object as a whole comes from (its table).
    pub origin: Span,
    /// Finer origins: JSON Pointer prefix -> the stack value that produced it.
    pub origins: Vec<(Cow<'static, str>, Span)>,
    pub sharing: Sharing,
}

impl Object {
    /// Serializes a typed object. Our own types always serialize, so a failure is a bug and is
    /// reported as an internal error rather than a panic.
    pub fn new<T: Serialize>(
        id: ObjectRef,
        typed: &T,
        origin: Span,
        sharing: Sharing,
    ) -> anyhow::Result<Object> {
        Ok(Object {
            id,
            body: serde_json::to_value(typed)?,
            origin,
            origins: Vec::new(),
            sharing,
        })
    }

    /// Records that the value at `pointer` (and below) was written at `span`.
    pub fn with_origin(mut self, pointer: impl Into<Cow<'static, str>>, span: Span) -> Object {
        self.origins.push((pointer.into(), span));
        self
    }

    /// The most precise stack location for a JSON Pointer into this object.
    pub fn origin_of(&self, pointer: &str) -> Span {
        self.origins
            .iter()
            .filter(|(prefix, _)| {
                pointer == prefix
                    || pointer
                        .strip_prefix(prefix.as_ref())
                        .is_some_and(|rest| rest.starts_with('/'))
            })
            .max_by_key(|(prefix, _)| prefix.len())
            .map_or(self.origin, |(_, span)| *span)
    }
}
