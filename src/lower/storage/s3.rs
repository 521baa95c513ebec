//! `s3://`: a static PersistentVolume on the Mountpoint for Amazon S3 CSI driver, as in
//! awslabs/mountpoint-s3-csi-driver v2.7.0 `examples/kubernetes/static_provisioning/` and
//! `docs/CONFIGURATION.md`: `bucketName` in the volume attributes, the region and the prefix as
//! Mountpoint options, `authenticationSource` `driver` or `pod` (the driver has no per-volume
//! Secret: `pkg/driver/node/credentialprovider`).

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::CSIPersistentVolumeSource;

use super::volume_id;
use crate::k8s::{Object, Sharing};
use crate::resolve::ResolvedStack;
use crate::source::Spanned;

pub const S3_DRIVER: &str = "s3.csi.aws.com";

pub fn persistent_volume(
    stack: &ResolvedStack,
    bucket: &Spanned<String>,
    prefix: &Spanned<String>,
) -> anyhow::Result<Object> {
    let m = &stack.model;
    let name = &m.persistent_volume;
    // Mountpoint's own options (mountpoint-s3 `doc/CONFIGURATION.md`): the weights are only
    // read, so the mount is read-only and no write or delete can reach the bucket.
    let mut options = vec!["read-only".to_owned()];
    if let Some(region) = &m.region {
        options.push(format!("region {}", region.value));
    }
    if !prefix.value.is_empty() {
        options.push(format!("prefix {}", prefix.value));
    }
    let pv = super::static_volume(
        stack,
        options,
        CSIPersistentVolumeSource {
            driver: S3_DRIVER.to_owned(),
            // Kubernetes mounts a volume once per handle; the PV name is unique.
            volume_handle: name.clone(),
            volume_attributes: Some(BTreeMap::from([
                ("authenticationSource".to_owned(), m.identity.value.clone()),
                ("bucketName".to_owned(), bucket.value.clone()),
            ])),
            ..CSIPersistentVolumeSource::default()
        },
    );
    let region_span = m.region.as_ref().map_or(m.span, |r| r.span);
    Ok(Object::new(volume_id(stack), &pv, m.span, Sharing::Shared)?
        .with_origin("/spec/capacity", m.size.span)
        .with_origin("/spec/mountOptions", region_span)
        .with_origin("/spec/csi/volumeAttributes/bucketName", bucket.span)
        .with_origin(
            "/spec/csi/volumeAttributes/authenticationSource",
            m.identity.span,
        ))
}
