//! inferstack compiles LLM inference stacks, written as short TOML files, into validated and
//! byte-for-byte deterministic Kubernetes YAML.
//!
//! The pipeline, one module per stage, pure in the middle:
//! 1. [`load`] (input edge): find stack files, read them into a [`source::SourceMap`].
//! 2. [`stack`] (parse): TOML with spans -> [`stack::ast::StackFile`]; never fails, reports all.
//! 3. [`resolve`]: profile and defaults -> [`resolve::ResolvedStack`].
//! 4. [`validate`]: stack rules no type can express.
//! 5. [`lower`]: typed Kubernetes objects ([`k8s::Object`]), merged across stacks.
//! 6. [`emit`]: canonical YAML and the output layout.
//! 7. [`output`] (output edge): atomic, ownership-aware writes.
//!
//! [`compile`] runs stages 2 to 5; [`commands`] wires the edges around it.
#![warn(clippy::print_stdout, clippy::print_stderr)]

pub mod background;
pub mod cli;
pub mod commands;
pub mod compile;
pub mod diag;
pub mod diff;
pub mod duration;
pub mod emit;
pub mod k8s;
pub mod load;
pub mod lower;
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
