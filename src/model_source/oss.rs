//! `oss://BUCKET/DIR`: Alibaba Cloud OSS, mounted by the OSS CSI driver (ossfs) as a static
//! PersistentVolume and the claim that selects it, as in the seed. The volume is read through
//! ossfs, so the weights are never copied into the image.

use std::collections::BTreeMap;
use std::sync::Arc;

use k8s_openapi::api::core::v1::{
    CSIPersistentVolumeSource, PersistentVolume, PersistentVolumeClaim, PersistentVolumeClaimSpec,
    PersistentVolumeSpec, SecretReference, VolumeResourceRequirements,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;

use super::claims::{claim_id, claim_volume, storage_request, volume_id};
use super::{
    Model, PodVolume, Reader, Scheme, Source, invalid_bucket, last_segment, no_directory,
    split_location,
};
use crate::diag::{Code, Diagnostic, Diagnostics, Label};
use crate::k8s::knative::features::Feature;
use crate::k8s::meta::metadata;
use crate::k8s::names::{is_dns_label, is_dns_subdomain};
use crate::k8s::{Object, Sharing};
use crate::source::{Span, Spanned};

pub const SCHEME: Scheme = Scheme {
    name: "oss",
    summary: "oss://BUCKET/DIR: Alibaba Cloud OSS through the OSS CSI driver",
    credentials_help: CREDENTIALS_HELP,
    keys: &["model.endpoint"],
    parse: |rest, span| Ok(Arc::new(parse(rest, span)?)),
};

/// The CSI driver of Alibaba Cloud OSS volumes.
pub const OSS_DRIVER: &str = "ossplugin.csi.alibabacloud.com";
pub const OSS_STORAGE_CLASS: &str = "oss";
/// The label the claim selects its volume by, as in Alibaba Cloud's static-volume examples.
pub const PV_NAME_LABEL: &str = "alicloud-pvname";

/// How an OSS bucket's credentials reach the volume: a Secret the PV names in
/// `nodePublishSecretRef`, with keys `akId` and `akSecret` (ACK's OSS CSI driver).
pub const CREDENTIALS_HELP: &str = "create a Secret outside Git with keys akId and akSecret \
(`kubectl create secret generic oss-secret --from-literal=akId=... --from-literal=akSecret=...`, \
or a SealedSecret / External Secrets object) and name only it in the stack: `[model] credentials \
= \"oss-secret\"`";

/// A bucket and the directory inside it, absolute, without a trailing slash (`/models/x`).
#[derive(Debug)]
pub struct Oss {
    bucket: Spanned<String>,
    path: Spanned<String>,
}

fn parse(rest: &str, span: Span) -> Result<Oss, Diagnostic> {
    const EXAMPLE: &str = "oss://<bucket>/<directory>, e.g. oss://my-bucket/models/Qwen1.5-4B-Chat";
    let (bucket, dir) = split_location(rest, span, EXAMPLE)?;
    if dir.is_empty() {
        // ossfs mounts `path`; the bucket root would expose every object to the server.
        return Err(no_directory(span, rest, EXAMPLE));
    }
    if !is_oss_bucket(bucket) {
        return Err(invalid_bucket(
            span,
            bucket,
            "OSS",
            "OSS bucket names are 3 to 63 characters of lower-case letters, digits and '-', and start and end with a letter or digit",
        ));
    }
    Ok(Oss {
        bucket: Spanned::new(bucket.to_owned(), span),
        path: Spanned::new(format!("/{dir}"), span),
    })
}

impl Source for Oss {
    fn scheme(&self) -> &'static Scheme {
        &SCHEME
    }

    fn default_name(&self) -> Spanned<String> {
        last_segment(&self.path, &self.bucket.value)
    }

    fn check(&self, model: &Model, _reader: &Reader<'_>, out: &mut Diagnostics) {
        let Some(endpoint) = &model.endpoint else {
            out.push(
                Diagnostic::error(Code::MissingKey, Label::new(model.span, "no `endpoint`"), "`model.endpoint` is required for an oss:// source".to_owned())
                    .with_help("name the OSS endpoint of the bucket's region, e.g. endpoint = \"http://oss-cn-hangzhou-internal.aliyuncs.com\""),
            );
            return;
        };
        let host = endpoint
            .value
            .strip_prefix("https://")
            .or_else(|| endpoint.value.strip_prefix("http://"))
            .map(|rest| rest.split(['/', ':']).next().unwrap_or_default());
        match host {
            Some(host) if is_dns_subdomain(host) => {
                if host.ends_with(".aliyuncs.com") && !host.contains("-internal") {
                    out.push(
                        Diagnostic::warning(Code::PublicEndpoint, Label::new(endpoint.span, "public endpoint"), format!("`model.endpoint` {} is OSS's public endpoint", endpoint.value))
                            .with_help("inside the cluster's region use the -internal endpoint (e.g. http://oss-cn-hangzhou-internal.aliyuncs.com): it is faster and not billed as internet egress"),
                    );
                }
            }
            _ => out.push(
                Diagnostic::error(Code::InvalidSource, Label::new(endpoint.span, "not an http(s) URL"), format!("`model.endpoint` = \"{}\" must be an http:// or https:// URL of the OSS endpoint", endpoint.value))
                    .with_help("e.g. endpoint = \"http://oss-cn-hangzhou-internal.aliyuncs.com\""),
            ),
        }
        if model.credentials.is_none() {
            out.push(
                Diagnostic::warning(Code::MissingCredentials, Label::new(model.span, "no `credentials`"), "no Secret is named for the model bucket; the volume mounts only if the bucket is public".to_owned())
                    .with_help(CREDENTIALS_HELP),
            );
        }
    }

    fn objects(&self, model: &Model, reader: &Reader<'_>) -> anyhow::Result<Vec<Object>> {
        Ok(vec![
            self.persistent_volume(model, reader)?,
            persistent_volume_claim(model, reader)?,
        ])
    }

    fn pod_volume(&self, model: &Model) -> PodVolume {
        claim_volume(&model.volume.value, None)
    }

    fn knative_feature(&self) -> Option<Feature> {
        Some(Feature::PersistentVolumeClaim)
    }
}

impl Oss {
    fn persistent_volume(&self, model: &Model, reader: &Reader<'_>) -> anyhow::Result<Object> {
        let name = &model.persistent_volume;
        let endpoint = model.endpoint.as_ref().map_or("", |e| e.value.as_str());
        let pv = PersistentVolume {
            metadata: metadata(name, None, [(PV_NAME_LABEL, name.as_str())]),
            spec: Some(PersistentVolumeSpec {
                capacity: Some(storage_request(&model.size.value)),
                access_modes: Some(vec!["ReadWriteMany".to_owned()]),
                persistent_volume_reclaim_policy: Some("Retain".to_owned()),
                storage_class_name: Some(OSS_STORAGE_CLASS.to_owned()),
                csi: Some(CSIPersistentVolumeSource {
                    driver: OSS_DRIVER.to_owned(),
                    // The OSS driver requires the handle to equal the PV name.
                    volume_handle: name.clone(),
                    node_publish_secret_ref: model.credentials.as_ref().map(|secret| {
                        SecretReference {
                            name: Some(secret.value.clone()),
                            namespace: Some(reader.namespace.value.clone()),
                        }
                    }),
                    volume_attributes: Some(BTreeMap::from([
                        ("bucket".to_owned(), self.bucket.value.clone()),
                        ("url".to_owned(), endpoint.to_owned()),
                        ("path".to_owned(), self.path.value.clone()),
                    ])),
                    ..CSIPersistentVolumeSource::default()
                }),
                ..PersistentVolumeSpec::default()
            }),
            ..PersistentVolume::default()
        };
        Ok(
            Object::new(volume_id(model), &pv, model.span, Sharing::Shared)?
                .with_origin("/spec/capacity", model.size.span)
                .with_origin("/spec/csi/volumeAttributes/bucket", self.bucket.span)
                .with_origin("/spec/csi/volumeAttributes/path", self.path.span)
                .with_origin(
                    "/spec/csi/volumeAttributes/url",
                    model.endpoint.as_ref().map_or(model.span, |e| e.span),
                )
                .with_origin(
                    "/spec/csi/nodePublishSecretRef",
                    model.credentials.as_ref().map_or(model.span, |c| c.span),
                ),
        )
    }
}

fn persistent_volume_claim(model: &Model, reader: &Reader<'_>) -> anyhow::Result<Object> {
    let pvc = PersistentVolumeClaim {
        metadata: metadata(&model.volume.value, Some(&reader.namespace.value), []),
        spec: Some(PersistentVolumeClaimSpec {
            access_modes: Some(vec!["ReadWriteMany".to_owned()]),
            storage_class_name: Some(OSS_STORAGE_CLASS.to_owned()),
            resources: Some(VolumeResourceRequirements {
                requests: Some(storage_request(&model.size.value)),
                ..VolumeResourceRequirements::default()
            }),
            selector: Some(LabelSelector {
                match_labels: Some(BTreeMap::from([(
                    PV_NAME_LABEL.to_owned(),
                    model.persistent_volume.clone(),
                )])),
                ..LabelSelector::default()
            }),
            ..PersistentVolumeClaimSpec::default()
        }),
        ..PersistentVolumeClaim::default()
    };
    Ok(
        Object::new(claim_id(model, reader), &pvc, model.span, Sharing::Shared)?
            .with_origin("/spec/resources", model.size.span),
    )
}

/// OSS bucket names: 3-63 of `[a-z0-9-]`, starting and ending with a letter or digit.
fn is_oss_bucket(name: &str) -> bool {
    (3..=63).contains(&name.len()) && is_dns_label(name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;

    #[test]
    fn splits_bucket_and_path() {
        let span = Span::file_start(FileId(0));
        let oss = parse("qwen-models/models/Qwen1.5-4B-Chat/", span).unwrap();
        assert_eq!(oss.bucket.value, "qwen-models");
        assert_eq!(oss.path.value, "/models/Qwen1.5-4B-Chat");
    }

    #[test]
    fn rejects_a_bare_bucket_traversal_and_bad_names() {
        for (url, code) in [
            ("oss://b", Code::InvalidSource),
            ("oss://bucket/../etc", Code::InvalidSource),
            ("oss://Bad_Bucket/m", Code::InvalidBucket),
        ] {
            assert_eq!(
                super::super::parse(&super::super::tests::spanned(url))
                    .unwrap_err()
                    .code,
                code,
                "{url}"
            );
        }
    }
}
