//! `oss://BUCKET/DIR`: Alibaba Cloud OSS, mounted by the OSS CSI driver (ossfs), as in the seed.

use super::{ModelSource, invalid_bucket, no_directory, split_location};
use crate::diag::Diagnostic;
use crate::k8s::names::is_dns_label;
use crate::source::{Span, Spanned};

/// How an OSS bucket's credentials reach the volume: a Secret the PV names in
/// `nodePublishSecretRef`, with keys `akId` and `akSecret` (ACK's OSS CSI driver).
/// The CSI driver of Alibaba Cloud OSS volumes.
pub const OSS_DRIVER: &str = "ossplugin.csi.alibabacloud.com";

pub const CREDENTIALS_HELP: &str = "create a Secret outside Git with keys akId and akSecret \
(`kubectl create secret generic oss-secret --from-literal=akId=... --from-literal=akSecret=...`, \
or a SealedSecret / External Secrets object) and name only it in the stack: `[model] credentials \
= \"oss-secret\"`";

#[allow(clippy::result_large_err)]
pub fn parse(rest: &str, span: Span) -> Result<ModelSource, Diagnostic> {
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
    Ok(ModelSource::Oss {
        bucket: Spanned::new(bucket.to_owned(), span),
        path: Spanned::new(format!("/{dir}"), span),
    })
}

/// OSS bucket names: 3-63 of `[a-z0-9-]`, starting and ending with a letter or digit.
fn is_oss_bucket(name: &str) -> bool {
    (3..=63).contains(&name.len()) && is_dns_label(name)
}

#[cfg(test)]
mod tests {
    use super::super::parse;
    use super::super::tests::spanned;
    use super::*;
    use crate::diag::Code;

    #[test]
    fn splits_bucket_and_path() {
        let Ok(ModelSource::Oss { bucket, path }) =
            parse(&spanned("oss://qwen-models/models/Qwen1.5-4B-Chat/"))
        else {
            panic!("an OSS source")
        };
        assert_eq!(bucket.value, "qwen-models");
        assert_eq!(path.value, "/models/Qwen1.5-4B-Chat");
    }

    #[test]
    fn rejects_a_bare_bucket_traversal_and_bad_names() {
        for (url, code) in [
            ("oss://b", Code::InvalidSource),
            ("oss://bucket/../etc", Code::InvalidSource),
            ("oss://Bad_Bucket/m", Code::InvalidBucket),
        ] {
            assert_eq!(parse(&spanned(url)).unwrap_err().code, code, "{url}");
        }
    }
}
