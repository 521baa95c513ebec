//! Validate stage.
//! - `objects`: one Kubernetes object, in a fixed order: type, `metadata` rules, the JSON
//!   Schema of its type (`schemas`: the embedded `catalog`, user CRDs and OpenAPI documents
//!   rewritten by `structural`, with their CEL rules evaluated by `cel`), then admission
//!   rules (`knative`).
//! - `manifests`: runs `objects` over YAML files or compiled objects and locates findings.
//!
//! The rules beyond schemas and admission (stack values, references between objects, the
//! inference families) live in `crate::rules`, which `manifests` runs after these.

pub mod catalog;
pub mod cel;
pub mod finding;
pub mod knative;
pub mod limits;
pub mod manifests;
pub mod metadata;
pub mod objects;
pub mod schemas;
pub mod served;
pub mod shape;
pub mod structural;
pub mod units;
