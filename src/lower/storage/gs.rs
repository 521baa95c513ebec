//! `gs://`: a static PersistentVolume on the Cloud Storage FUSE CSI driver, as in
//! GoogleCloudPlatform/gcs-fuse-csi-driver v1.24.4 `examples/static/`: the bucket is the
//! `volumeHandle`, a directory is mounted with the `only-dir` option, and the pod asks for the
//! driver's sidecar with the annotation `gke-gcsfuse/volumes: "true"`. The bucket is read with
//! the pod's ServiceAccount through Workload Identity.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::CSIPersistentVolumeSource;

use super::volume_id;
use crate::k8s::{Object, Sharing};
use crate::resolve::ResolvedStack;
use crate::source::Spanned;

pub const GCS_FUSE_DRIVER: &str = "gcsfuse.csi.storage.gke.io";
/// The pod annotation that makes GKE inject the Cloud Storage FUSE sidecar.
pub const SIDECAR_ANNOTATION: &str = "gke-gcsfuse/volumes";

pub fn persistent_volume(
    stack: &ResolvedStack,
    bucket: &Spanned<String>,
    dir: &Spanned<String>,
) -> anyhow::Result<Object> {
    let m = &stack.model;
    // `implicit-dirs`: buckets filled by `gcloud storage cp` have no directory objects, and
    // without it gcsfuse shows none of the model's subdirectories.
    let mut options = vec!["implicit-dirs".to_owned()];
    if !dir.value.is_empty() {
        options.push(format!("only-dir={}", dir.value));
    }
    let pv = super::static_volume(
        stack,
        options,
        CSIPersistentVolumeSource {
            driver: GCS_FUSE_DRIVER.to_owned(),
            volume_handle: bucket.value.clone(),
            ..CSIPersistentVolumeSource::default()
        },
    );
    Ok(Object::new(volume_id(stack), &pv, m.span, Sharing::Shared)?
        .with_origin("/spec/capacity", m.size.span)
        .with_origin("/spec/mountOptions", dir.span)
        .with_origin("/spec/csi/volumeHandle", bucket.span))
}

pub fn pod_annotations() -> BTreeMap<String, String> {
    BTreeMap::from([(SIDECAR_ANNOTATION.to_owned(), "true".to_owned())])
}
