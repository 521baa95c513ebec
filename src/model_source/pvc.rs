//! `pvc://CLAIM/DIR`: an existing PersistentVolumeClaim the user manages (NFS, a pre-filled
//! disk, a cache filled by a Job). Nothing storage-side is emitted; DIR is the mount's subPath.

use std::sync::Arc;

use super::claims::claim_volume;
use super::{
    Model, PodVolume, Reader, Scheme, Source, last_segment, split_location, unusable_credentials,
};
use crate::diag::{Code, Diagnostic, Diagnostics, Label};
use crate::k8s::knative::features::Feature;
use crate::k8s::names::is_dns_subdomain;
use crate::source::{Span, Spanned};

pub const SCHEME: Scheme = Scheme {
    name: "pvc",
    summary: "pvc://CLAIM/DIR: an existing PersistentVolumeClaim, mounted read-only",
    credentials_help: CREDENTIALS_HELP,
    keys: &[],
    parse: |rest, span| Ok(Arc::new(parse(rest, span)?)),
};

/// A claim is mounted as it is: whoever filled it held the credentials.
pub const CREDENTIALS_HELP: &str = "a claim needs no credentials: remove `credentials` (whoever \
copies the weights into the volume holds them)";

/// A claim and the directory inside it (`models/x`), mounted as a subPath; empty for all.
#[derive(Debug)]
pub struct Pvc {
    claim: Spanned<String>,
    dir: Spanned<String>,
}

fn parse(rest: &str, span: Span) -> Result<Pvc, Diagnostic> {
    let (claim, dir) = split_location(
        rest,
        span,
        "pvc://<claim>/<directory>, e.g. pvc://model-weights/llama-3.1-8b",
    )?;
    if !is_dns_subdomain(claim) {
        return Err(Diagnostic::error(
            Code::InvalidName,
            Label::new(span, "not a claim name"),
            format!("\"{claim}\" in `model.source` is not a valid PersistentVolumeClaim name"),
        )
        .with_help("claim names are DNS-1123 subdomains: lower-case letters, digits, '-' and '.', at most 253 characters"));
    }
    Ok(Pvc {
        claim: Spanned::new(claim.to_owned(), span),
        dir: Spanned::new(dir.to_owned(), span),
    })
}

impl Source for Pvc {
    fn scheme(&self) -> &'static Scheme {
        &SCHEME
    }

    fn default_name(&self) -> Spanned<String> {
        last_segment(&self.dir, &self.claim.value)
    }

    fn check(&self, model: &Model, _reader: &Reader<'_>, out: &mut Diagnostics) {
        unusable_credentials(
            model,
            "a PersistentVolumeClaim is mounted by its own driver, which reads no Secret of the pod's",
            out,
        );
    }

    fn pod_volume(&self, _model: &Model) -> PodVolume {
        let sub_path = Some(self.dir.value.clone()).filter(|d| !d.is_empty());
        claim_volume(&self.claim.value, sub_path)
    }

    fn knative_feature(&self) -> Option<Feature> {
        Some(Feature::PersistentVolumeClaim)
    }

    /// The claim's volume is the cluster's own storage, of unknown speed.
    fn fetched_while_loading(&self) -> bool {
        false
    }
}
