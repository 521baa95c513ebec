//! Model storage: a static PersistentVolume on the OSS CSI driver and the claim that binds it.
//! The volume is read through ossfs, so the weights are never copied into the image.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{
    CSIPersistentVolumeSource, PersistentVolume, PersistentVolumeClaim, PersistentVolumeClaimSpec,
    PersistentVolumeSpec, SecretReference, VolumeResourceRequirements,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;

use crate::k8s::{Object, ObjectRef, Sharing};
use crate::resolve::{ModelSource, ResolvedStack};

pub const OSS_DRIVER: &str = "ossplugin.csi.alibabacloud.com";
pub const OSS_STORAGE_CLASS: &str = "oss";
/// The label the claim selects its volume by, as in Alibaba Cloud's static-volume examples.
pub const PV_NAME_LABEL: &str = "alicloud-pvname";

fn storage_request(size: &str) -> BTreeMap<String, Quantity> {
    BTreeMap::from([("storage".to_owned(), Quantity(size.to_owned()))])
}

pub fn persistent_volume(stack: &ResolvedStack) -> anyhow::Result<Object> {
    let m = &stack.model;
    let name = &m.volume.value;
    let ModelSource::Oss { bucket, path } = &m.source;
    let pv = PersistentVolume {
        metadata: super::metadata(name, None, [(PV_NAME_LABEL, name.as_str())]),
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
                    ("url".to_owned(), m.endpoint.value.clone()),
                    ("path".to_owned(), path.value.clone()),
                ])),
                ..CSIPersistentVolumeSource::default()
            }),
            ..PersistentVolumeSpec::default()
        }),
        ..PersistentVolume::default()
    };
    let id = ObjectRef {
        api_version: "v1".to_owned(),
        kind: "PersistentVolume".to_owned(),
        namespace: None,
        name: name.clone(),
    };
    let ModelSource::Oss { bucket, path } = &m.source;
    Ok(Object::new(id, &pv, m.span, Sharing::Shared)?
        .with_origin("/spec/capacity", m.size.span)
        .with_origin("/spec/csi/volumeAttributes/bucket", bucket.span)
        .with_origin("/spec/csi/volumeAttributes/path", path.span)
        .with_origin("/spec/csi/volumeAttributes/url", m.endpoint.span)
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
        metadata: super::metadata(name, Some(namespace), []),
        spec: Some(PersistentVolumeClaimSpec {
            access_modes: Some(vec!["ReadWriteMany".to_owned()]),
            storage_class_name: Some(OSS_STORAGE_CLASS.to_owned()),
            resources: Some(VolumeResourceRequirements {
                requests: Some(storage_request(&m.size.value)),
                ..VolumeResourceRequirements::default()
            }),
            selector: Some(LabelSelector {
                match_labels: Some(BTreeMap::from([(PV_NAME_LABEL.to_owned(), name.clone())])),
                ..LabelSelector::default()
            }),
            ..PersistentVolumeClaimSpec::default()
        }),
        ..PersistentVolumeClaim::default()
    };
    let id = ObjectRef {
        api_version: "v1".to_owned(),
        kind: "PersistentVolumeClaim".to_owned(),
        namespace: Some(namespace.clone()),
        name: name.clone(),
    };
    Ok(Object::new(id, &pvc, m.span, Sharing::Shared)?.with_origin("/spec/resources", m.size.span))
}
