//! Storage for the model weights, one file per source: what is emitted cluster-side (a static
//! PersistentVolume and its claim for buckets, nothing for a claim the user owns or the hub) and
//! what the pod mounts. Every mount of weights is read-only: the server only reads them.

mod gs;
mod oss;
mod s3;

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{
    CSIPersistentVolumeSource, EmptyDirVolumeSource, ObjectReference, PersistentVolume,
    PersistentVolumeClaim, PersistentVolumeClaimSpec, PersistentVolumeClaimVolumeSource,
    PersistentVolumeSpec, Volume, VolumeMount, VolumeResourceRequirements,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;

use crate::k8s::{Object, ObjectRef, Sharing};
use crate::resolve::{ModelSource, ResolvedStack};

/// The PersistentVolume and claim of a bucket source; none for `pvc://` and `hf://`.
pub fn objects(stack: &ResolvedStack) -> anyhow::Result<Vec<Object>> {
    match &stack.model.source {
        ModelSource::Oss { bucket, path } => Ok(vec![
            oss::persistent_volume(stack, bucket, path)?,
            oss::persistent_volume_claim(stack)?,
        ]),
        ModelSource::S3 { bucket, prefix } => Ok(vec![
            s3::persistent_volume(stack, bucket, prefix)?,
            static_claim(stack)?,
        ]),
        ModelSource::Gcs { bucket, dir } => Ok(vec![
            gs::persistent_volume(stack, bucket, dir)?,
            static_claim(stack)?,
        ]),
        ModelSource::Pvc { .. } | ModelSource::Hub { .. } => Ok(Vec::new()),
    }
}

/// The pod volume that holds the weights and its mount in the server container.
pub fn pod_volume(stack: &ResolvedStack) -> (Volume, VolumeMount) {
    let m = &stack.model;
    let name = m.volume.value.clone();
    let claim = |claim_name: String| PersistentVolumeClaimVolumeSource {
        claim_name,
        // Read-only: a writable claim would also need Knative's
        // `kubernetes.podspec-persistent-volume-write` flag.
        read_only: Some(true),
    };
    let (source, sub_path, read_only) = match &m.source {
        ModelSource::Pvc { claim: c, dir } => (
            Volume {
                persistent_volume_claim: Some(claim(c.value.clone())),
                ..Volume::default()
            },
            Some(dir.value.clone()).filter(|d| !d.is_empty()),
            true,
        ),
        // The hub's files are downloaded at start, so the cache is writable scratch space.
        ModelSource::Hub { .. } => (
            Volume {
                empty_dir: Some(EmptyDirVolumeSource {
                    size_limit: Some(Quantity(m.size.value.clone())),
                    ..EmptyDirVolumeSource::default()
                }),
                ..Volume::default()
            },
            None,
            false,
        ),
        _ => (
            Volume {
                persistent_volume_claim: Some(claim(name.clone())),
                ..Volume::default()
            },
            None,
            true,
        ),
    };
    let volume = Volume {
        name: name.clone(),
        ..source
    };
    let mount = VolumeMount {
        name,
        mount_path: m.mount_path(),
        read_only: Some(read_only),
        sub_path,
        ..VolumeMount::default()
    };
    (volume, mount)
}

/// Annotations the pod needs for its volume: Cloud Storage FUSE injects its sidecar only into
/// pods that ask for it.
pub fn pod_annotations(stack: &ResolvedStack) -> BTreeMap<String, String> {
    match stack.model.source {
        ModelSource::Gcs { .. } => gs::pod_annotations(),
        _ => BTreeMap::new(),
    }
}

fn storage_request(size: &str) -> BTreeMap<String, Quantity> {
    BTreeMap::from([("storage".to_owned(), Quantity(size.to_owned()))])
}

fn claim_id(stack: &ResolvedStack) -> ObjectRef {
    ObjectRef {
        api_version: "v1".to_owned(),
        kind: "PersistentVolumeClaim".to_owned(),
        namespace: Some(stack.service.namespace.value.clone()),
        name: stack.model.volume.value.clone(),
    }
}

fn volume_id(stack: &ResolvedStack) -> ObjectRef {
    ObjectRef {
        api_version: "v1".to_owned(),
        kind: "PersistentVolume".to_owned(),
        namespace: None,
        name: stack.model.persistent_volume.clone(),
    }
}

/// Static provisioning as the Mountpoint and Cloud Storage FUSE drivers document it: no
/// storage class (`""`), and the claim names its volume, which in turn reserves itself for the
/// claim with `claimRef`, so no other claim can take it.
fn static_claim(stack: &ResolvedStack) -> anyhow::Result<Object> {
    let m = &stack.model;
    let pvc = PersistentVolumeClaim {
        metadata: super::metadata(&m.volume.value, Some(&stack.service.namespace.value), []),
        spec: Some(PersistentVolumeClaimSpec {
            access_modes: Some(vec!["ReadOnlyMany".to_owned()]),
            storage_class_name: Some(String::new()),
            resources: Some(VolumeResourceRequirements {
                requests: Some(storage_request(&m.size.value)),
                ..VolumeResourceRequirements::default()
            }),
            volume_name: Some(m.persistent_volume.clone()),
            ..PersistentVolumeClaimSpec::default()
        }),
        ..PersistentVolumeClaim::default()
    };
    Ok(Object::new(claim_id(stack), &pvc, m.span, Sharing::Shared)?
        .with_origin("/spec/resources", m.size.span))
}

/// A read-only static PersistentVolume for a FUSE driver, reserved for the stack's claim with
/// `claimRef` and without a storage class, as both the Mountpoint and the Cloud Storage FUSE
/// drivers document static provisioning.
fn static_volume(
    stack: &ResolvedStack,
    mount_options: Vec<String>,
    csi: CSIPersistentVolumeSource,
) -> PersistentVolume {
    let m = &stack.model;
    PersistentVolume {
        metadata: super::metadata(&m.persistent_volume, None, []),
        spec: Some(PersistentVolumeSpec {
            capacity: Some(storage_request(&m.size.value)),
            access_modes: Some(vec!["ReadOnlyMany".to_owned()]),
            persistent_volume_reclaim_policy: Some("Retain".to_owned()),
            storage_class_name: Some(String::new()),
            claim_ref: Some(ObjectReference {
                namespace: Some(stack.service.namespace.value.clone()),
                name: Some(m.volume.value.clone()),
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
