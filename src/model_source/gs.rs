//! `gs://BUCKET/DIR`: Google Cloud Storage, mounted by the Cloud Storage FUSE CSI driver as a
//! static PersistentVolume, as in GoogleCloudPlatform/gcs-fuse-csi-driver v1.24.4
//! `examples/static/`: the bucket is the `volumeHandle`, a directory is mounted with the
//! `only-dir` option, and the pod asks for the driver's sidecar with the annotation
//! `gke-gcsfuse/volumes: "true"`. The bucket is read with the pod's ServiceAccount through
//! Workload Identity.

use std::collections::BTreeMap;
use std::sync::Arc;

use k8s_openapi::api::core::v1::CSIPersistentVolumeSource;

use super::claims::{claim_volume, static_claim, static_volume, volume_id};
use super::{
    Model, PodVolume, Reader, Scheme, Source, invalid_bucket, last_segment, split_location,
    unusable_credentials,
};
use crate::diag::{Code, Diagnostic, Diagnostics, Label};
use crate::k8s::knative::features::Feature;
use crate::k8s::{Object, Sharing};
use crate::source::{Span, Spanned};

pub const SCHEME: Scheme = Scheme {
    name: "gs",
    summary: "gs://BUCKET/DIR: Google Cloud Storage through the Cloud Storage FUSE CSI driver",
    credentials_help: CREDENTIALS_HELP,
    keys: &[],
    parse: |rest, span| Ok(Arc::new(parse(rest, span)?)),
};

pub const GCS_FUSE_DRIVER: &str = "gcsfuse.csi.storage.gke.io";
/// The pod annotation that makes GKE inject the Cloud Storage FUSE sidecar.
pub const SIDECAR_ANNOTATION: &str = "gke-gcsfuse/volumes";

/// A bucket and the directory inside it, relative (`models/x`), or empty for the bucket.
#[derive(Debug)]
pub struct Gcs {
    bucket: Spanned<String>,
    dir: Spanned<String>,
}

/// How a Cloud Storage bucket is read: as the pod's Kubernetes ServiceAccount through GKE
/// Workload Identity, with no key file (gcs-fuse-csi-driver `examples/static/`).
pub const CREDENTIALS_HELP: &str = "Cloud Storage FUSE reads the bucket as the pod's \
ServiceAccount through GKE Workload Identity, with no key: remove `credentials` and set \
`[scheduling] service_account` to the Kubernetes ServiceAccount granted \
roles/storage.objectViewer on the bucket";

fn parse(rest: &str, span: Span) -> Result<Gcs, Diagnostic> {
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
    Ok(Gcs {
        bucket: Spanned::new(bucket.to_owned(), span),
        dir: Spanned::new(dir.to_owned(), span),
    })
}

impl Source for Gcs {
    fn scheme(&self) -> &'static Scheme {
        &SCHEME
    }

    fn default_name(&self) -> Spanned<String> {
        last_segment(&self.dir, &self.bucket.value)
    }

    /// Cloud Storage FUSE reads the bucket as the pod's Kubernetes ServiceAccount through
    /// Workload Identity (gcs-fuse-csi-driver `examples/static/`: `serviceAccountName` on the pod).
    fn check(&self, model: &Model, reader: &Reader<'_>, out: &mut Diagnostics) {
        unusable_credentials(
            model,
            "Cloud Storage FUSE reads the bucket as the pod's ServiceAccount through Workload Identity, not with a Secret",
            out,
        );
        if reader.service_account.is_none() {
            out.push(
                Diagnostic::warning(Code::MissingCredentials, Label::new(model.span, "no ServiceAccount"), "no `scheduling.service_account` for a gs:// source: the bucket is read as the namespace's `default` ServiceAccount".to_owned())
                    .with_help("set `scheduling.service_account` to the Kubernetes ServiceAccount that Workload Identity grants `roles/storage.objectViewer` on the bucket"),
            );
        }
    }

    fn objects(&self, model: &Model, reader: &Reader<'_>) -> anyhow::Result<Vec<Object>> {
        // `implicit-dirs`: buckets filled by `gcloud storage cp` have no directory objects, and
        // without it gcsfuse shows none of the model's subdirectories.
        let mut options = vec!["implicit-dirs".to_owned()];
        if !self.dir.value.is_empty() {
            options.push(format!("only-dir={}", self.dir.value));
        }
        let pv = static_volume(
            model,
            reader,
            options,
            CSIPersistentVolumeSource {
                driver: GCS_FUSE_DRIVER.to_owned(),
                volume_handle: self.bucket.value.clone(),
                ..CSIPersistentVolumeSource::default()
            },
        );
        let volume = Object::new(volume_id(model), &pv, model.span, Sharing::Shared)?
            .with_origin("/spec/capacity", model.size.span)
            .with_origin("/spec/mountOptions", self.dir.span)
            .with_origin("/spec/csi/volumeHandle", self.bucket.span);
        Ok(vec![volume, static_claim(model, reader)?])
    }

    fn pod_volume(&self, model: &Model) -> PodVolume {
        claim_volume(&model.volume.value, None)
    }

    /// Cloud Storage FUSE injects its sidecar only into pods that ask for it.
    fn pod_annotations(&self) -> BTreeMap<String, String> {
        BTreeMap::from([(SIDECAR_ANNOTATION.to_owned(), "true".to_owned())])
    }

    fn knative_feature(&self) -> Option<Feature> {
        Some(Feature::PersistentVolumeClaim)
    }
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
