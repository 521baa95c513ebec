//! Validate stage.
//! - `stack`: rules on one resolved stack that no TOML type can express (cross-stack rules
//!   live in `lower::merge`).
//! - `objects`: one Kubernetes object, in a fixed order: type, `metadata` rules, the JSON
//!   Schema of its type (`schemas`: the embedded `catalog`, user CRDs and OpenAPI documents
//!   rewritten by `structural`, with their CEL rules evaluated by `cel`), then admission
//!   rules (`knative`).
//! - `cross`: rules across the objects of one build (references resolve, objects agree).
//! - `manifests`: runs `objects` over YAML files or compiled objects and locates findings.

pub mod catalog;
pub mod cel;
pub mod cross;
pub mod knative;
pub mod manifests;
pub mod metadata;
pub mod names;
pub mod objects;
pub mod schemas;
pub mod stack;
pub mod structural;
pub mod units;
pub mod value;
