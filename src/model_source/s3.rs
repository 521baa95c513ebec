//! `s3://BUCKET/PREFIX`: Amazon S3, mounted by the Mountpoint for Amazon S3 CSI driver as a
//! static PersistentVolume, as in awslabs/mountpoint-s3-csi-driver v2.7.0
//! `examples/kubernetes/static_provisioning/` and `docs/CONFIGURATION.md`: `bucketName` in the
//! volume attributes, the region and the prefix as Mountpoint options, `authenticationSource`
//! `driver` or `pod` (the driver has no per-volume Secret: `pkg/driver/node/credentialprovider`).

use std::collections::BTreeMap;
use std::sync::Arc;

use k8s_openapi::api::core::v1::CSIPersistentVolumeSource;

use super::claims::{claim_volume, static_claim, static_volume, volume_id};
use super::{
    Model, PodVolume, Reader, Scheme, Source, invalid_bucket, last_segment, split_location,
    unusable_credentials,
};
use crate::closed_set::closed_set;
use crate::diag::{Code, Diagnostic, Diagnostics, Label};
use crate::k8s::knative::features::Feature;
use crate::k8s::{Object, Sharing};
use crate::source::{Span, Spanned};

pub const SCHEME: Scheme = Scheme {
    name: "s3",
    summary: "s3://BUCKET/PREFIX: Amazon S3 through the Mountpoint for Amazon S3 CSI driver",
    credentials_help: CREDENTIALS_HELP,
    keys: &["model.region", "model.identity"],
    parse: |rest, span| Ok(Arc::new(parse(rest, span)?)),
};

pub const S3_DRIVER: &str = "s3.csi.aws.com";

closed_set! {
    /// Whose identity reads the bucket, the PV's `authenticationSource`; the default first.
    pub enum Identity {
        Driver = "driver",
        Pod = "pod",
    }
}

/// A bucket and the key prefix, relative, ending in `/` (`models/x/`), or empty for the bucket.
#[derive(Debug)]
pub struct S3 {
    bucket: Spanned<String>,
    prefix: Spanned<String>,
}

/// How an S3 bucket is read: Mountpoint for Amazon S3 takes no Secret per volume, only the
/// driver's identity or the pod's (awslabs/mountpoint-s3-csi-driver v2.7.0
/// `docs/CONFIGURATION.md`, "AWS Credentials").
pub const CREDENTIALS_HELP: &str = "Mountpoint for Amazon S3 reads no Secret per volume: remove \
`credentials` and either give the driver its identity at install (IRSA on its ServiceAccount, \
or its `aws-secret` Secret in kube-system), or read the bucket as the pod: `[model] identity = \
\"pod\"` with `[scheduling] service_account` bound to an IAM role \
(`eks.amazonaws.com/role-arn`)";

fn parse(rest: &str, span: Span) -> Result<S3, Diagnostic> {
    let (bucket, dir) = split_location(
        rest,
        span,
        "s3://<bucket>/<prefix>, e.g. s3://acme-models/meta-llama/Llama-3.1-8B-Instruct",
    )?;
    if !is_s3_bucket(bucket) {
        return Err(invalid_bucket(
            span,
            bucket,
            "S3",
            "S3 bucket names are 3 to 63 characters of lower-case letters, digits, '.' and '-', start and end with a letter or digit, have no '..' and are not an IP address (AWS \"General purpose bucket naming rules\")",
        ));
    }
    // Mountpoint's `--prefix` must end in '/' (mountpoint-s3 `doc/CONFIGURATION.md`).
    let prefix = if dir.is_empty() {
        String::new()
    } else {
        format!("{dir}/")
    };
    Ok(S3 {
        bucket: Spanned::new(bucket.to_owned(), span),
        prefix: Spanned::new(prefix, span),
    })
}

impl Source for S3 {
    fn scheme(&self) -> &'static Scheme {
        &SCHEME
    }

    fn default_name(&self) -> Spanned<String> {
        last_segment(&self.prefix, &self.bucket.value)
    }

    /// Mountpoint for S3 takes credentials from the driver (its IRSA role, its `aws-secret`, or
    /// the instance profile) or from the pod's ServiceAccount (`authenticationSource: pod`),
    /// never from a Secret per volume (mountpoint-s3-csi-driver v2.7.0 `docs/CONFIGURATION.md`).
    fn check(&self, model: &Model, reader: &Reader<'_>, out: &mut Diagnostics) {
        unusable_credentials(
            model,
            "Mountpoint for Amazon S3 reads no Secret per volume: it uses the driver's credentials (its IRSA role, its `aws-secret` Secret set at install, or the node's instance profile) or, with `identity = \"pod\"`, the pod's ServiceAccount",
            out,
        );
        if model.identity.value == Identity::Pod && reader.service_account.is_none() {
            out.push(
                Diagnostic::error(Code::MissingKey, Label::new(model.identity.span, "pod identity"), "`model.identity = \"pod\"` needs `scheduling.service_account`".to_owned())
                    .with_help("name the ServiceAccount annotated with the IAM role (`eks.amazonaws.com/role-arn`) that may read the bucket"),
            );
        }
        if let Some(region) = &model.region
            && !is_aws_region(&region.value)
        {
            out.push(
                Diagnostic::error(
                    Code::InvalidValue,
                    Label::new(region.span, "not a region"),
                    format!(
                        "`model.region` = \"{}\" is not an AWS region name",
                        region.value
                    ),
                )
                .with_help("write the region code, e.g. \"us-east-1\" or \"eu-central-1\""),
            );
        }
    }

    fn objects(&self, model: &Model, reader: &Reader<'_>) -> anyhow::Result<Vec<Object>> {
        // Mountpoint's own options (mountpoint-s3 `doc/CONFIGURATION.md`): the weights are only
        // read, so the mount is read-only and no write or delete can reach the bucket.
        let mut options = vec!["read-only".to_owned()];
        if let Some(region) = &model.region {
            options.push(format!("region {}", region.value));
        }
        if !self.prefix.value.is_empty() {
            options.push(format!("prefix {}", self.prefix.value));
        }
        let pv = static_volume(
            model,
            reader,
            options,
            CSIPersistentVolumeSource {
                driver: S3_DRIVER.to_owned(),
                // Kubernetes mounts a volume once per handle; the PV name is unique.
                volume_handle: model.persistent_volume.clone(),
                volume_attributes: Some(BTreeMap::from([
                    (
                        "authenticationSource".to_owned(),
                        model.identity.value.as_str().to_owned(),
                    ),
                    ("bucketName".to_owned(), self.bucket.value.clone()),
                ])),
                ..CSIPersistentVolumeSource::default()
            },
        );
        let region_span = model.region.as_ref().map_or(model.span, |r| r.span);
        let volume = Object::new(volume_id(model), &pv, model.span, Sharing::Shared)?
            .with_origin("/spec/capacity", model.size.span)
            .with_origin("/spec/mountOptions", region_span)
            .with_origin("/spec/csi/volumeAttributes/bucketName", self.bucket.span)
            .with_origin(
                "/spec/csi/volumeAttributes/authenticationSource",
                model.identity.span,
            );
        Ok(vec![volume, static_claim(model, reader)?])
    }

    fn pod_volume(&self, model: &Model) -> PodVolume {
        claim_volume(&model.volume.value, None)
    }

    fn knative_feature(&self) -> Option<Feature> {
        Some(Feature::PersistentVolumeClaim)
    }
}

/// Region codes: lower-case words and a number, joined by `-` (`us-east-1`, `us-gov-west-1`).
fn is_aws_region(region: &str) -> bool {
    let parts: Vec<&str> = region.split('-').collect();
    parts.len() >= 3
        && parts[..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
        && parts
            .last()
            .is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

/// AWS's general purpose bucket naming rules: 3-63 characters of `[a-z0-9.-]`, starting and
/// ending with a letter or digit, no `..`, not shaped like an IPv4 address, and none of the
/// reserved prefixes (`xn--`, `sthree-`, `amzn-s3-demo-`) or suffixes (`-s3alias`, `--ol-s3`).
fn is_s3_bucket(name: &str) -> bool {
    let edge = |c: Option<char>| c.is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    let ipv4 = name.split('.').count() == 4
        && name
            .split('.')
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    (3..=63).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-')
        && edge(name.chars().next())
        && edge(name.chars().last())
        && !name.contains("..")
        && !ipv4
        && !["xn--", "sthree-", "amzn-s3-demo-"]
            .iter()
            .any(|p| name.starts_with(p))
        && !["-s3alias", "--ol-s3"].iter().any(|s| name.ends_with(s))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;

    #[test]
    fn the_prefix_ends_in_a_slash_and_the_bucket_root_has_none() {
        let span = Span::file_start(FileId(0));
        let s3 = parse("acme-models/meta-llama/Llama-3.1-8B-Instruct", span).unwrap();
        assert_eq!(s3.bucket.value, "acme-models");
        assert_eq!(s3.prefix.value, "meta-llama/Llama-3.1-8B-Instruct/");
        assert_eq!(parse("acme-models", span).unwrap().prefix.value, "");
    }

    #[test]
    fn aws_regions() {
        for ok in [
            "us-east-1",
            "eu-central-1",
            "us-gov-west-1",
            "ap-southeast-2",
        ] {
            assert!(is_aws_region(ok), "{ok}");
        }
        for bad in [
            "us-east",
            "US-EAST-1",
            "useast1",
            "us--1",
            "oss-cn-hangzhou",
        ] {
            assert!(!is_aws_region(bad), "{bad}");
        }
    }

    #[test]
    fn bucket_names_follow_the_aws_rules() {
        for ok in ["acme-models", "my.bucket.1", "abc"] {
            assert!(is_s3_bucket(ok), "{ok}");
        }
        for bad in [
            "ab",
            "Acme",
            "a..b",
            "192.168.5.4",
            "xn--abc",
            "b-s3alias",
            "-ab",
            "a_b",
        ] {
            assert!(!is_s3_bucket(bad), "{bad}");
        }
    }
}
