//! Model sources: where the weights live and everything that follows from it. A scheme is one
//! file here, a type implementing [`Source`] (its checks, its storage objects, the pod's volume,
//! annotations and environment), and one row in [`SCHEMES`], which the key table, the schema
//! and the messages read. This file holds the trait, the table and the checks every
//! scheme shares; `model.rs` the resolved `[model]` section the sources read.

// A parse error is one diagnostic, converted at once by the caller: boxing it buys nothing.
#![allow(clippy::result_large_err)]

mod claims;
mod gs;
pub mod hf;
mod model;
mod oci;
pub mod oss;
mod pvc;
mod s3;

use std::collections::BTreeMap;
use std::fmt::Debug;
use std::sync::Arc;

use k8s_openapi::api::core::v1::Volume;

use crate::diag::{Code, Diagnostic, Diagnostics, Label};
use crate::k8s::Object;
use crate::k8s::knative::features::Feature;
use crate::source::{Span, Spanned};

pub use hf::is_commit;
pub use model::{MODELS_DIR, Model, Quantization, WrittenFacts};
pub use s3::Identity;

/// A parsed `model.source`: one location of one scheme.
pub type ModelSource = Arc<dyn Source>;

/// One scheme: its name, what it becomes, and how its URLs are read.
pub struct Scheme {
    /// The URL scheme, without `://`.
    pub name: &'static str,
    /// `oss://BUCKET/DIR: ...`, for messages and `explain`.
    pub summary: &'static str,
    /// What to write instead of inline credentials: what this store's driver or engine reads.
    pub credentials_help: &'static str,
    /// The `[model]` keys only this scheme reads; written for another source, they are errors.
    pub keys: &'static [&'static str],
    /// The part after `://` -> the location, or a located diagnostic.
    pub parse: fn(&str, Span) -> Result<ModelSource, Diagnostic>,
}

/// Every scheme inferstack reads, in the order messages and the reference list them.
pub const SCHEMES: [&Scheme; 6] = [
    &oss::SCHEME,
    &s3::SCHEME,
    &gs::SCHEME,
    &pvc::SCHEME,
    &hf::SCHEME,
    &oci::SCHEME,
];

/// The scheme names alone, in the same order, for the key table and the schema.
pub const SCHEME_NAMES: [&str; SCHEMES.len()] = {
    let mut names = [""; SCHEMES.len()];
    let mut i = 0;
    while i < SCHEMES.len() {
        names[i] = SCHEMES[i].name;
        i += 1;
    }
    names
};

/// How the server gets the weights.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Weights<'a> {
    /// A directory mounted read-only at `/models/<name>`.
    Mounted,
    /// Downloaded by the engine at start into a cache volume at `/models`, from this id.
    Downloaded { id: &'a Spanned<String> },
}

/// What of the rest of the stack a source reads: the pod that reads the weights.
pub struct Reader<'a> {
    pub namespace: &'a Spanned<String>,
    pub service_account: Option<&'a Spanned<String>>,
    pub image_pull_secrets: &'a [Spanned<String>],
}

/// The pod's volume of the weights, before it is named, and how the server mounts it.
pub struct PodVolume {
    pub volume: Volume,
    pub sub_path: Option<String>,
    pub read_only: bool,
}

/// An environment variable a source sets on the server.
#[derive(Clone, Debug, PartialEq)]
pub struct ServerEnv {
    pub name: &'static str,
    pub value: EnvValue,
    /// What set it, for a message about a second definition.
    pub span: Span,
    pub how: &'static str,
}

#[derive(Clone, Debug, PartialEq)]
pub enum EnvValue {
    Text(String),
    /// A key of a Secret.
    Secret {
        name: String,
        key: &'static str,
    },
}

/// A parsed location of one scheme: what it needs checked, emitted and mounted.
pub trait Source: Debug + Send + Sync {
    fn scheme(&self) -> &'static Scheme;

    /// The location's last segment: the model's default name.
    fn default_name(&self) -> Spanned<String>;

    fn weights(&self) -> Weights<'_> {
        Weights::Mounted
    }

    /// A revision written in the URL itself (`hf://ORG/NAME@REV`).
    fn url_revision(&self) -> Option<&Spanned<String>> {
        None
    }

    /// The stack rules of this store: what its driver or engine needs from the stack.
    fn check(&self, model: &Model, reader: &Reader<'_>, out: &mut Diagnostics);

    /// What is emitted cluster-side (a static PersistentVolume and its claim for a bucket).
    fn objects(&self, _model: &Model, _reader: &Reader<'_>) -> anyhow::Result<Vec<Object>> {
        Ok(Vec::new())
    }

    fn pod_volume(&self, model: &Model) -> PodVolume;

    /// Annotations the pod needs for its volume.
    fn pod_annotations(&self) -> BTreeMap<String, String> {
        BTreeMap::new()
    }

    fn server_env(&self, _model: &Model) -> Vec<ServerEnv> {
        Vec::new()
    }

    /// The Knative feature flag the pod's volume needs, if any.
    fn knative_feature(&self) -> Option<Feature>;

    /// Whether the weights cross the network while the server loads them (a FUSE mount, a
    /// download), so the load is bounded by the network: not for a claim or an image volume,
    /// which the kubelet has in place before the container starts.
    fn fetched_while_loading(&self) -> bool {
        true
    }
}

/// The scheme named `name`.
pub fn scheme(name: &str) -> Option<&'static Scheme> {
    SCHEMES.into_iter().find(|s| s.name == name)
}

/// What to write instead of inline credentials for a source scheme; any other text is read as
/// OSS, the default platform's.
pub fn credentials_help(scheme_name: &str) -> &'static str {
    scheme(scheme_name).unwrap_or(&oss::SCHEME).credentials_help
}

/// The storage a source URL names; a malformed or unsupported one is a located diagnostic.
pub fn parse(source: &Spanned<String>) -> Result<ModelSource, Diagnostic> {
    let span = source.span;
    let Some((name, rest)) = source.value.split_once("://") else {
        return Err(Diagnostic::error(
            Code::InvalidSource,
            Label::new(span, "no scheme"),
            format!(
                "`model.source` must be a URL like s3://bucket/path, found `{}`",
                source.value
            ),
        )
        .with_help(supported()));
    };
    match scheme(name) {
        Some(scheme) => (scheme.parse)(rest, span),
        None => Err(Diagnostic::error(
            Code::UnsupportedSource,
            Label::new(span, "unsupported scheme"),
            format!("cannot read `model.source`: the scheme `{name}://` is not supported"),
        )
        .with_help(supported())),
    }
}

fn supported() -> String {
    let lines: Vec<&str> = SCHEMES.iter().map(|s| s.summary).collect();
    format!("supported sources are {}", lines.join("; "))
}

/// The checks every source shares: keys written for another scheme, then the scheme's own.
pub fn check(model: &Model, reader: &Reader<'_>, out: &mut Diagnostics) {
    let own = model.source.scheme();
    // An identity other than the default was written.
    let identity = (model.identity.value != Identity::Driver).then(|| {
        Spanned::new(
            model.identity.value.as_str().to_owned(),
            model.identity.span,
        )
    });
    for (key, value) in [
        ("model.endpoint", model.endpoint.as_ref()),
        ("model.region", model.region.as_ref()),
        ("model.identity", identity.as_ref()),
        ("model.revision", model.revision.as_ref()),
    ] {
        let owner = SCHEMES.into_iter().find(|s| s.keys.contains(&key));
        if let (Some(value), Some(owner)) = (value, owner)
            && owner.name != own.name
        {
            out.push(
                Diagnostic::error(
                    Code::InvalidValue,
                    Label::new(value.span, "not for this source"),
                    format!(
                        "`{key}` applies only to {}:// sources, and this one is {}://",
                        owner.name, own.name
                    ),
                )
                .with_help(format!("remove `{}`", key.trim_start_matches("model."))),
            );
        }
    }
    model.source.check(model, reader, out);
}

/// `model.credentials` written for a store that reads no Secret of the pod's: `why` says what
/// it reads instead.
fn unusable_credentials(model: &Model, why: &str, out: &mut Diagnostics) {
    let Some(credentials) = &model.credentials else {
        return;
    };
    let scheme = model.source.scheme();
    out.push(
        Diagnostic::error(
            Code::UnusableCredentials,
            Label::new(credentials.span, "cannot be used"),
            format!(
                "`model.credentials` = \"{}\" cannot be used with {}:// sources: {why}",
                credentials.value, scheme.name
            ),
        )
        .with_help(scheme.credentials_help),
    );
}

/// Splits `BUCKET/DIR...` and checks the directory: no empty, `.` or `..` segments. Returns the
/// bucket and the directory without leading or trailing slashes (possibly empty).
fn split_location<'a>(
    rest: &'a str,
    span: Span,
    example: &str,
) -> Result<(&'a str, &'a str), Diagnostic> {
    let (bucket, dir) = rest.split_once('/').unwrap_or((rest, ""));
    let dir = dir.trim_end_matches('/');
    let bad = !dir.is_empty()
        && dir
            .split('/')
            .any(|segment| segment.is_empty() || segment == "." || segment == "..");
    if bucket.is_empty() || bad {
        return Err(no_directory(span, rest, example));
    }
    Ok((bucket, dir))
}

fn no_directory(span: Span, rest: &str, example: &str) -> Diagnostic {
    Diagnostic::error(
        Code::InvalidSource,
        Label::new(span, "no usable directory"),
        format!("`model.source` must name a directory inside the bucket, found `{rest}`"),
    )
    .with_help(format!("write {example} (no empty, `.` or `..` segments)"))
}

/// A bucket name that breaks its store's rules.
fn invalid_bucket(span: Span, bucket: &str, store: &str, rule: &str) -> Diagnostic {
    Diagnostic::error(
        Code::InvalidBucket,
        Label::new(span, "invalid bucket"),
        format!("\"{bucket}\" is not a valid {store} bucket name"),
    )
    .with_help(rule.to_owned())
}

/// The last segment of `whole`, or `fallback` where `whole` is empty: a default model name.
fn last_segment(whole: &Spanned<String>, fallback: &str) -> Spanned<String> {
    let last = whole.value.trim_end_matches('/').rsplit('/').next();
    let name = last.filter(|l| !l.is_empty()).unwrap_or(fallback);
    Spanned::new(name.to_owned(), whole.span)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;

    pub fn spanned(s: &str) -> Spanned<String> {
        Spanned::new(s.to_owned(), Span::file_start(FileId(0)))
    }

    #[test]
    fn every_scheme_is_dispatched_and_others_list_them() {
        for url in [
            "oss://b-1/m",
            "s3://bucket/m/",
            "gs://bucket/m",
            "pvc://claim/m",
            "hf://org/name",
            "oci://ghcr.io/acme/llama:v1",
        ] {
            let source = parse(&spanned(url)).unwrap();
            assert!(url.starts_with(source.scheme().name), "{url}");
        }
        let error = parse(&spanned("http://host/m")).unwrap_err();
        assert_eq!(error.code, Code::UnsupportedSource);
        let help = error.help.as_deref().unwrap();
        for scheme in SCHEMES {
            assert!(help.contains(scheme.summary), "{}", scheme.name);
        }
        assert_eq!(
            parse(&spanned("b/m")).unwrap_err().code,
            Code::InvalidSource
        );
    }

    #[test]
    fn the_default_name_is_the_last_segment() {
        let name = |url: &str| parse(&spanned(url)).unwrap().default_name().value;
        assert_eq!(name("s3://bucket/models/Llama-3.1-8B/"), "Llama-3.1-8B");
        assert_eq!(name("gs://bucket"), "bucket");
        assert_eq!(name("hf://meta-llama/Llama-3.1-8B"), "Llama-3.1-8B");
        assert_eq!(name("pvc://weights"), "weights");
        assert_eq!(name("oci://ghcr.io/acme/llama-3.1-8b:v1"), "llama-3.1-8b");
    }

    #[test]
    fn every_key_has_one_owner() {
        let mut keys: Vec<&str> = SCHEMES
            .iter()
            .flat_map(|s| s.keys.iter().copied())
            .collect();
        let all = keys.len();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), all);
    }
}
