//! The model source: what each store needs to mount, and keys written for another store.

use super::{error, one_of};
use crate::diag::{Code, Diagnostic, Diagnostics, Label};
use crate::k8s::names::is_dns_subdomain;
use crate::model_source::is_commit;
use crate::resolve::{ModelSource, ResolvedStack};
use crate::source::Spanned;

pub fn check(stack: &ResolvedStack, out: &mut Diagnostics) {
    let m = &stack.model;
    let scheme = m.source.scheme();
    let identity_valid = one_of(
        out,
        "model.identity",
        &m.identity,
        "is not an identity the Mountpoint driver takes",
    );
    // An identity other than the default was written; an invalid one is reported once.
    let identity_written = (identity_valid && m.identity.value != "driver").then_some(&m.identity);
    for (key, value, owner) in [
        ("model.endpoint", m.endpoint.as_ref(), "oss"),
        ("model.region", m.region.as_ref(), "s3"),
        ("model.identity", identity_written, "s3"),
        ("model.revision", m.revision.as_ref(), "hf"),
    ] {
        if let Some(value) = value.filter(|_| scheme != owner) {
            out.push(
                error(
                    Code::InvalidValue,
                    value.span,
                    "not for this source",
                    format!(
                        "`{key}` applies only to {owner}:// sources, and this one is {scheme}://"
                    ),
                )
                .with_help(format!("remove `{}`", key.trim_start_matches("model."))),
            );
        }
    }
    match &m.source {
        ModelSource::Oss { .. } => oss(stack, out),
        ModelSource::S3 { .. } => s3(stack, out),
        ModelSource::Gcs { .. } => gcs(stack, out),
        ModelSource::Pvc { .. } => unusable_credentials(
            stack,
            "a PersistentVolumeClaim is mounted by its own driver, which reads no Secret of the pod's",
            out,
        ),
        ModelSource::Hub { repo, .. } => hub(stack, repo, out),
    }
}

fn oss(stack: &ResolvedStack, out: &mut Diagnostics) {
    let m = &stack.model;
    let Some(endpoint) = &m.endpoint else {
        out.push(
            error(Code::MissingKey, m.span, "no `endpoint`", "`model.endpoint` is required for an oss:// source".to_owned())
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
            error(Code::InvalidSource, endpoint.span, "not an http(s) URL", format!("`model.endpoint` = \"{}\" must be an http:// or https:// URL of the OSS endpoint", endpoint.value))
                .with_help("e.g. endpoint = \"http://oss-cn-hangzhou-internal.aliyuncs.com\""),
        ),
    }
    if m.credentials.is_none() {
        out.push(
            Diagnostic::warning(Code::MissingCredentials, Label::new(m.span, "no `credentials`"), "no Secret is named for the model bucket; the volume mounts only if the bucket is public".to_owned())
                .with_help(crate::model_source::credentials_help("oss")),
        );
    }
}

/// Mountpoint for S3 takes credentials from the driver (its IRSA role, its `aws-secret`, or
/// the instance profile) or from the pod's ServiceAccount (`authenticationSource: pod`), never
/// from a Secret per volume (awslabs/mountpoint-s3-csi-driver v2.7.0 `docs/CONFIGURATION.md`).
fn s3(stack: &ResolvedStack, out: &mut Diagnostics) {
    let m = &stack.model;
    unusable_credentials(
        stack,
        "Mountpoint for Amazon S3 reads no Secret per volume: it uses the driver's credentials (its IRSA role, its `aws-secret` Secret set at install, or the node's instance profile) or, with `identity = \"pod\"`, the pod's ServiceAccount",
        out,
    );
    if m.identity.value == "pod" && stack.scheduling.service_account.is_none() {
        out.push(
            error(Code::MissingKey, m.identity.span, "pod identity", "`model.identity = \"pod\"` needs `scheduling.service_account`".to_owned())
                .with_help("name the ServiceAccount annotated with the IAM role (`eks.amazonaws.com/role-arn`) that may read the bucket"),
        );
    }
    if let Some(region) = &m.region
        && !is_aws_region(&region.value)
    {
        out.push(
            error(
                Code::InvalidValue,
                region.span,
                "not a region",
                format!(
                    "`model.region` = \"{}\" is not an AWS region name",
                    region.value
                ),
            )
            .with_help("write the region code, e.g. \"us-east-1\" or \"eu-central-1\""),
        );
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

/// Cloud Storage FUSE reads the bucket as the pod's Kubernetes ServiceAccount through Workload
/// Identity (gcs-fuse-csi-driver `examples/static/`: `serviceAccountName` on the pod).
fn gcs(stack: &ResolvedStack, out: &mut Diagnostics) {
    let m = &stack.model;
    unusable_credentials(
        stack,
        "Cloud Storage FUSE reads the bucket as the pod's ServiceAccount through Workload Identity, not with a Secret",
        out,
    );
    if stack.scheduling.service_account.is_none() {
        out.push(
            Diagnostic::warning(Code::MissingCredentials, Label::new(m.span, "no ServiceAccount"), "no `scheduling.service_account` for a gs:// source: the bucket is read as the namespace's `default` ServiceAccount".to_owned())
                .with_help("set `scheduling.service_account` to the Kubernetes ServiceAccount that Workload Identity grants `roles/storage.objectViewer` on the bucket"),
        );
    }
}

fn hub(stack: &ResolvedStack, repo: &Spanned<String>, out: &mut Diagnostics) {
    let m = &stack.model;
    match &m.revision {
        None => out.push(
            Diagnostic::warning(Code::UnpinnedRevision, Label::new(repo.span, "no revision"), format!("`{}` is not pinned to a commit: every start downloads whatever the main branch holds then", repo.value))
                .with_help("pin the commit: `revision = \"<40-hex commit>\"` in [model], or hf://ORG/NAME@<commit>; the hub page's \"Files and versions\" tab lists commits"),
        ),
        Some(revision) if !is_commit(&revision.value) => out.push(
            error(Code::InvalidValue, revision.span, "not a commit", format!("`model.revision` = \"{}\" is not a 40-hex commit hash", revision.value))
                .with_help("a branch or tag can move; write the full commit hash, e.g. 5206a32e0bd3067aef1ce90f5528ade7d866253f"),
        ),
        Some(_) => {}
    }
}

fn unusable_credentials(stack: &ResolvedStack, why: &str, out: &mut Diagnostics) {
    let Some(credentials) = &stack.model.credentials else {
        return;
    };
    let span = credentials.span;
    out.push(
        error(
            Code::UnusableCredentials,
            span,
            "cannot be used",
            format!(
                "`model.credentials` = \"{}\" cannot be used with a {}:// source: {why}",
                credentials.value,
                stack.model.source.scheme()
            ),
        )
        .with_help(crate::model_source::credentials_help(
            stack.model.source.scheme(),
        )),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
