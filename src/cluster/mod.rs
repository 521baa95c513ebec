//! The cluster edge: what inferstack reads from a live Kubernetes API server, read-only. It
//! sits beside `load` at the input edge: later stages get plain JSON values from it and never
//! know a cluster was there.
//! - [`connect`]: kubeconfig contexts, exec plugins, a pod's service account; timeouts.
//! - [`pull`]: the cluster's version, CRDs and OpenAPI v3 documents.
//! - [`cache`]: what `--cluster` keeps between runs, by resourceVersion and content hash.
//! - [`live`]: discovery, live objects and dry-run applies for `diff --live`.
//! - [`tidy`]: the fields the server owns, taken out.

pub mod cache;
pub mod connect;
pub mod live;
pub mod pull;
pub mod tidy;

pub use connect::{Cluster, Target};
pub use pull::{Documents, Snapshot};
