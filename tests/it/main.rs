//! The integration tests, one binary so the suite links once: each module is one area, run
//! against the real binary and the upstream reference set (`support`).

mod support;

mod bad_inputs;
mod build_record;
mod catalog;
mod cel;
mod cli;
mod cluster;
mod cmd;
mod corpus_upstream;
mod diff;
mod fleet;
mod fuzz_regressions;
mod gitops;
mod golden;
mod hostile;
mod integrations;
mod knative;
mod kubeconform;
mod layers;
mod manifest_sets;
mod no_panic;
mod profiles;
mod rules;
mod schema;
mod secrets;
mod traffic;
mod upstream_conformance;
mod upstream_reference;
mod upstream_suites;
mod validate;
mod workloads;
mod yaml_block;
