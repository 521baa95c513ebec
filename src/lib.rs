//! inferstack compiles LLM inference stacks, written as short TOML files, into validated and
//! byte-for-byte deterministic Kubernetes YAML.
//!
//! The pipeline, one module per stage, pure in the middle; each stage uses only the ones
//! before it and the leaves below them all (`tests/it/layers.rs` checks it):
//! - leaves: [`source`] (spans), [`duration`], [`quantity`], [`secrets`], [`yaml`],
//!   [`k8s`] (Kubernetes, Knative and Gateway API types and facts), [`diag`] (diagnostics and
//!   their codes), [`model_source`] (one module per model source scheme);
//! 1. [`stack`] (parse): TOML with spans -> [`stack::ast::StackFile`]; never fails, reports all.
//! 2. [`load`] (input edge): find stack files and their layers, read them into a
//!    [`source::SourceMap`]; [`cluster`] (input edge too): what a live cluster serves.
//! 3. [`resolve`]: profile and defaults -> [`resolve::ResolvedStack`]; [`engine`] describes
//!    each model server on it.
//! 4. [`rules`]: what no type can express, on the resolved stacks and on objects.
//! 5. [`lower`]: typed Kubernetes objects ([`k8s::Object`]), merged across stacks.
//! 6. [`validate`]: any manifests against the schemas, CEL and Knative's admission.
//! 7. [`emit`]: canonical YAML and the output layout.
//! 8. [`output`] (output edge): atomic, ownership-aware writes; [`report`] and [`diff`] present
//!    what was found and what would change.
//!
//! [`compile`] runs parse to lower; [`commands`] wires the edges around it.
#![warn(clippy::print_stdout, clippy::print_stderr)]

pub mod background;
pub mod cli;
pub mod closed_set;
pub mod cluster;
pub mod commands;
pub mod compile;
pub mod diag;
pub mod diff;
pub mod duration;
pub mod emit;
pub mod engine;
pub mod k8s;
pub mod load;
pub mod lower;
pub mod model_source;
pub mod output;
pub mod quantity;
pub mod report;
pub mod resolve;
pub mod rules;
pub mod secrets;
pub mod source;
pub mod stack;
pub mod validate;
pub mod yaml;
