//! `s3://BUCKET/PREFIX`: Amazon S3, mounted by the Mountpoint for Amazon S3 CSI driver
//! (awslabs/mountpoint-s3-csi-driver v2.7.0, `examples/kubernetes/static_provisioning/`).

use super::{ModelSource, invalid_bucket, split_location};
use crate::diag::Diagnostic;
use crate::source::{Span, Spanned};

/// How an S3 bucket is read: Mountpoint for Amazon S3 takes no Secret per volume, only the
/// driver's identity or the pod's (awslabs/mountpoint-s3-csi-driver v2.7.0
/// `docs/CONFIGURATION.md`, "AWS Credentials").
pub const CREDENTIALS_HELP: &str = "Mountpoint for Amazon S3 reads no Secret per volume: remove \
`credentials` and either give the driver its identity at install (IRSA on its ServiceAccount, \
or its `aws-secret` Secret in kube-system), or read the bucket as the pod: `[model] identity = \
\"pod\"` with `[scheduling] service_account` bound to an IAM role \
(`eks.amazonaws.com/role-arn`)";

#[allow(clippy::result_large_err)]
pub fn parse(rest: &str, span: Span) -> Result<ModelSource, Diagnostic> {
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
    Ok(ModelSource::S3 {
        bucket: Spanned::new(bucket.to_owned(), span),
        prefix: Spanned::new(prefix, span),
    })
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
    use super::super::parse;
    use super::super::tests::spanned;
    use super::*;

    #[test]
    fn the_prefix_ends_in_a_slash_and_the_bucket_root_has_none() {
        let Ok(ModelSource::S3 { bucket, prefix }) = parse(&spanned(
            "s3://acme-models/meta-llama/Llama-3.1-8B-Instruct",
        )) else {
            panic!("an S3 source")
        };
        assert_eq!(bucket.value, "acme-models");
        assert_eq!(prefix.value, "meta-llama/Llama-3.1-8B-Instruct/");
        let Ok(ModelSource::S3 { prefix, .. }) = parse(&spanned("s3://acme-models")) else {
            panic!("an S3 source")
        };
        assert_eq!(prefix.value, "");
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
