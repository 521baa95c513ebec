//! `pvc://CLAIM/DIR`: an existing PersistentVolumeClaim the user manages (NFS, a pre-filled
//! disk, a cache filled by a Job). Nothing storage-side is emitted; DIR is the mount's subPath.

use super::{ModelSource, split_location};
use crate::diag::{Code, Diagnostic, Label};
use crate::k8s::names::is_dns_subdomain;
use crate::source::{Span, Spanned};

/// A claim is mounted as it is: whoever filled it held the credentials.
pub const CREDENTIALS_HELP: &str = "a claim needs no credentials: remove `credentials` (whoever \
copies the weights into the volume holds them)";

#[allow(clippy::result_large_err)]
pub fn parse(rest: &str, span: Span) -> Result<ModelSource, Diagnostic> {
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
    Ok(ModelSource::Pvc {
        claim: Spanned::new(claim.to_owned(), span),
        dir: Spanned::new(dir.to_owned(), span),
    })
}
