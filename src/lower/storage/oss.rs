//! `oss://`: a static PersistentVolume on the OSS CSI driver and the claim that selects it, as in
//! the seed. The volume is read through ossfs, so the weights are never copied into the image.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{
    CSIPersistentVolumeSource, PersistentVolume, PersistentVolumeClaim, PersistentVolumeClaimSpec,
    PersistentVolumeSpec, SecretReference, VolumeResourceRequirements,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;

use super::{claim_id, storage_request, volume_id};
use crate::k8s::{Object, Sharing};
use crate::resolve::ResolvedStack;
use crate::source::Spanned;

use crate::model_source::oss::OSS_DRIVER;
pub const OSS_STORAGE_CLASS: &str = "oss";
/// The label the claim selects its volume by, as in Alibaba Cloud's static-volume examples.
pub const PV_NAME_LABEL: &str = "alicloud-pvname";

pub fn persistent_volume(
    stack: &ResolvedStack,
    bucket: &Spanned<String>,
    path: &Spanned<String>,
) -> anyhow::Result<Object> {
    let m = &stack.model;
    let name = &m.persistent_volume;
    let endpoint = m.endpoint.as_ref().map_or("", |e| e.value.as_str());
    let pv = PersistentVolume {
        metadata: super::super::metadata(name, None, [(PV_NAME_LABEL, name.as_str())]),
        spec: Some(PersistentVolumeSpec {
            capacity: Some(storage_request(&m.size.value)),
            access_modes: Some(vec!["ReadWriteMany".to_owned()]),
            persistent_volume_reclaim_policy: Some("Retain".to_owned()),
            storage_class_name: Some(OSS_STORAGE_CLASS.to_owned()),
            csi: Some(CSIPersistentVolumeSource {
                driver: OSS_DRIVER.to_owned(),
                // The OSS driver requires the handle to equal the PV name.
                volume_handle: name.clone(),
                node_publish_secret_ref: m.credentials.as_ref().map(|secret| SecretReference {
                    name: Some(secret.value.clone()),
                    namespace: Some(stack.service.namespace.value.clone()),
                }),
                volume_attributes: Some(BTreeMap::from([
                    ("bucket".to_owned(), bucket.value.clone()),
                    ("url".to_owned(), endpoint.to_owned()),
                    ("path".to_owned(), path.value.clone()),
                ])),
                ..CSIPersistentVolumeSource::default()
            }),
            ..PersistentVolumeSpec::default()
        }),
        ..PersistentVolume::default()
    };
    Ok(Object::new(volume_id(stack), &pv, m.span, Sharing::Shared)?
        .with_origin("/spec/capacity", m.size.span)
        .with_origin("/spec/csi/volumeAttributes/bucket", bucket.span)
        .with_origin("/spec/csi/volumeAttributes/path", path.span)
        .with_origin(
            "/spec/csi/volumeAttributes/url",
            m.endpoint.as_ref().map_or(m.span, |e| e.span),
        )
        .with_origin(
            "/spec/csi/nodePublishSecretRef",
            m.credentials.as_ref().map_or(m.span, |c| c.span),
        ))
}

pub fn persistent_volume_claim(stack: &ResolvedStack) -> anyhow::Result<Object> {
    let m = &stack.model;
    let name = &m.volume.value;
    let namespace = &stack.service.namespace.value;
    let pvc = PersistentVolumeClaim {
        metadata: super::super::metadata(name, Some(namespace), []),
        spec: Some(PersistentVolumeClaimSpec {
            access_modes: Some(vec!["ReadWriteMany".to_owned()]),
            storage_class_name: Some(OSS_STORAGE_CLASS.to_owned()),
            resources: Some(VolumeResourceRequirements {
                requests: Some(storage_request(&m.size.value)),
                ..VolumeResourceRequirements::default()
            }),
            selector: Some(LabelSelector {
                match_labels: Some(BTreeMap::from([(
                    PV_NAME_LABEL.to_owned(),
                    m.persistent_volume.clone(),
                )])),
                ..LabelSelector::default()
            }),
            ..PersistentVolumeClaimSpec::default()
        }),
        ..PersistentVolumeClaim::default()
    };
    Ok(Object::new(claim_id(stack), &pvc, m.span, Sharing::Shared)?
        .with_origin("/spec/resources", m.size.span))
}
