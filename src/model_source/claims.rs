//! The PersistentVolume and claim shapes the bucket sources share. Every mount of weights is
//! read-only: the server only reads them.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{
    CSIPersistentVolumeSource, ObjectReference, PersistentVolume, PersistentVolumeClaim,
    PersistentVolumeClaimSpec, PersistentVolumeClaimVolumeSource, PersistentVolumeSpec, Volume,
    VolumeResourceRequirements,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;

use super::{Model, PodVolume, Reader};
use crate::k8s::meta::metadata;
use crate::k8s::{Object, ObjectRef, Sharing};

pub fn storage_request(size: &str) -> BTreeMap<String, Quantity> {
    BTreeMap::from([("storage".to_owned(), Quantity(size.to_owned()))])
}

pub fn claim_id(model: &Model, reader: &Reader<'_>) -> ObjectRef {
    ObjectRef {
        api_version: "v1".to_owned(),
        kind: "PersistentVolumeClaim".to_owned(),
        namespace: Some(reader.namespace.value.clone()),
        name: model.volume.value.clone(),
    }
}

pub fn volume_id(model: &Model) -> ObjectRef {
    ObjectRef {
        api_version: "v1".to_owned(),
        kind: "PersistentVolume".to_owned(),
        namespace: None,
        name: model.persistent_volume.clone(),
    }
}

/// The pod volume of a claim, read-only: a writable claim would also need Knative's
/// `kubernetes.podspec-persistent-volume-write` flag.
pub fn claim_volume(claim_name: &str, sub_path: Option<String>) -> PodVolume {
    PodVolume {
        volume: Volume {
            persistent_volume_claim: Some(PersistentVolumeClaimVolumeSource {
                claim_name: claim_name.to_owned(),
                read_only: Some(true),
            }),
            ..Volume::default()
        },
        sub_path,
        read_only: true,
    }
}

/// Static provisioning as the Mountpoint and Cloud Storage FUSE drivers document it: no
/// storage class (`""`), and the claim names its volume, which in turn reserves itself for the
/// claim with `claimRef`, so no other claim can take it.
pub fn static_claim(model: &Model, reader: &Reader<'_>) -> anyhow::Result<Object> {
    let pvc = PersistentVolumeClaim {
        metadata: metadata(&model.volume.value, Some(&reader.namespace.value), []),
        spec: Some(PersistentVolumeClaimSpec {
            access_modes: Some(vec!["ReadOnlyMany".to_owned()]),
            storage_class_name: Some(String::new()),
            resources: Some(VolumeResourceRequirements {
                requests: Some(storage_request(&model.size.value)),
                ..VolumeResourceRequirements::default()
            }),
            volume_name: Some(model.persistent_volume.clone()),
            ..PersistentVolumeClaimSpec::default()
        }),
        ..PersistentVolumeClaim::default()
    };
    Ok(
        Object::new(claim_id(model, reader), &pvc, model.span, Sharing::Shared)?
            .with_origin("/spec/resources", model.size.span),
    )
}

/// A read-only static PersistentVolume for a FUSE driver, reserved for the stack's claim with
/// `claimRef` and without a storage class, as both the Mountpoint and the Cloud Storage FUSE
/// drivers document static provisioning.
pub fn static_volume(
    model: &Model,
    reader: &Reader<'_>,
    mount_options: Vec<String>,
    csi: CSIPersistentVolumeSource,
) -> PersistentVolume {
    PersistentVolume {
        metadata: metadata(&model.persistent_volume, None, []),
        spec: Some(PersistentVolumeSpec {
            capacity: Some(storage_request(&model.size.value)),
            access_modes: Some(vec!["ReadOnlyMany".to_owned()]),
            persistent_volume_reclaim_policy: Some("Retain".to_owned()),
            storage_class_name: Some(String::new()),
            claim_ref: Some(ObjectReference {
                namespace: Some(reader.namespace.value.clone()),
                name: Some(model.volume.value.clone()),
                ..ObjectReference::default()
            }),
            mount_options: Some(mount_options),
            csi: Some(CSIPersistentVolumeSource {
                read_only: Some(true),
                ..csi
            }),
            ..PersistentVolumeSpec::default()
        }),
        ..PersistentVolume::default()
    }
}
