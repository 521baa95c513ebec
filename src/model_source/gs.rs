//! `gs://BUCKET/DIR`: Google Cloud Storage, mounted by the Cloud Storage FUSE CSI driver
//! (GoogleCloudPlatform/gcs-fuse-csi-driver v1.24.4, `examples/static/`).

use super::{ModelSource, invalid_bucket, split_location};
use crate::diag::Diagnostic;
use crate::source::{Span, Spanned};

/// How a Cloud Storage bucket is read: as the pod's Kubernetes ServiceAccount through GKE
/// Workload Identity, with no key file (gcs-fuse-csi-driver `examples/static/`).
pub const CREDENTIALS_HELP: &str = "Cloud Storage FUSE reads the bucket as the pod's \
ServiceAccount through GKE Workload Identity, with no key: remove `credentials` and set \
`[scheduling] service_account` to the Kubernetes ServiceAccount granted \
roles/storage.objectViewer on the bucket";

#[allow(clippy::result_large_err)]
pub fn parse(rest: &str, span: Span) -> Result<ModelSource, Diagnostic> {
    let (bucket, dir) = split_location(
        rest,
        span,
        "gs://<bucket>/<directory>, e.g. gs://acme-models/google/gemma-2-9b-it",
    )?;
    if !is_gcs_bucket(bucket) {
        return Err(invalid_bucket(
            span,
            bucket,
            "Cloud Storage",
            "Cloud Storage bucket names are 3 to 63 characters (222 with dots, 63 per dot-separated part) of lower-case letters, digits, '-', '_' and '.', start and end with a letter or digit, and do not start with \"goog\" or contain \"google\" (Cloud Storage \"Bucket naming requirements\")",
        ));
    }
    Ok(ModelSource::Gcs {
        bucket: Spanned::new(bucket.to_owned(), span),
        dir: Spanned::new(dir.to_owned(), span),
    })
}

/// Cloud Storage's bucket naming requirements.
fn is_gcs_bucket(name: &str) -> bool {
    let edge = |c: Option<char>| c.is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    let max = if name.contains('.') { 222 } else { 63 };
    (3..=max).contains(&name.len())
        && name
            .split('.')
            .all(|part| !part.is_empty() && part.len() <= 63)
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_' | '.'))
        && edge(name.chars().next())
        && edge(name.chars().last())
        && !name.starts_with("goog")
        && !name.contains("google")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_names_follow_the_cloud_storage_rules() {
        for ok in ["acme_models", "acme-models", "a.b.c"] {
            assert!(is_gcs_bucket(ok), "{ok}");
        }
        for bad in [
            "ab",
            "googbucket",
            "my-google-models",
            "Acme",
            "a..b",
            "_ab",
        ] {
            assert!(!is_gcs_bucket(bad), "{bad}");
        }
    }
}
