//! Model source URLs (`oss://bucket/path`) -> where the weights live.

use crate::diag::{Code, Diagnostic, Diagnostics, Label};
use crate::source::Spanned;

/// Where the model weights are stored.
#[derive(Clone, Debug, PartialEq)]
pub enum ModelSource {
    /// An Alibaba Cloud OSS bucket, mounted with the OSS CSI driver (ossfs).
    Oss {
        bucket: Spanned<String>,
        /// The directory inside the bucket, absolute, without a trailing slash (`/models/x`).
        path: Spanned<String>,
    },
}

/// Schemes users ask for that inferstack cannot mount yet, with what they would need.
const PLANNED_SCHEMES: &[(&str, &str)] = &[
    ("s3", "Amazon S3 (Mountpoint for S3 CSI driver)"),
    ("gs", "Google Cloud Storage (Cloud Storage FUSE CSI driver)"),
    ("hf", "Hugging Face Hub downloads"),
    ("pvc", "an existing PersistentVolumeClaim"),
    ("http", "HTTP downloads"),
    ("https", "HTTPS downloads"),
];

/// The storage a source URL names; a malformed or unsupported one is reported and gives `None`.
pub fn parse(source: &Spanned<String>, diagnostics: &mut Diagnostics) -> Option<ModelSource> {
    parse_source(source).map_err(|d| diagnostics.push(d)).ok()
}

#[allow(clippy::result_large_err)] // private; converted at once by `parse`
fn parse_source(source: &Spanned<String>) -> Result<ModelSource, Diagnostic> {
    let span = source.span;
    let Some((scheme, rest)) = source.value.split_once("://") else {
        return Err(Diagnostic::error(
            Code::InvalidSource,
            Label::new(span, "no scheme"),
            format!("`model.source` must be a URL like oss://bucket/path, found `{}`", source.value),
        )
        .with_help("write the bucket and the model directory, e.g. source = \"oss://my-bucket/models/Qwen1.5-4B-Chat\""));
    };
    match scheme {
        "oss" => {}
        other => {
            let what = PLANNED_SCHEMES
                .iter()
                .find(|(s, _)| *s == other)
                .map(|(_, what)| format!("{what} is not supported yet"))
                .unwrap_or_else(|| format!("the scheme `{other}` is not known"));
            return Err(Diagnostic::error(
                Code::UnsupportedSource,
                Label::new(span, "unsupported scheme"),
                format!("cannot mount `model.source`: {what}"),
            )
            .with_help("supported today: oss:// (Alibaba Cloud OSS through the OSS CSI driver)"));
        }
    }
    let (bucket, path) = rest.split_once('/').unwrap_or((rest, ""));
    let path = path.trim_end_matches('/');
    let bad_path = path.is_empty()
        || path
            .split('/')
            .any(|segment| segment.is_empty() || segment == "." || segment == "..");
    if bad_path {
        return Err(Diagnostic::error(
            Code::InvalidSource,
            Label::new(span, "no usable directory"),
            format!("`model.source` must name a directory inside the bucket, found `{}`", source.value),
        )
        .with_help("write oss://<bucket>/<directory>, e.g. oss://my-bucket/models/Qwen1.5-4B-Chat (no empty, `.` or `..` segments)"));
    }
    Ok(ModelSource::Oss {
        bucket: Spanned::new(bucket.to_owned(), span),
        path: Spanned::new(format!("/{path}"), span),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{FileId, Span};

    fn spanned(s: &str) -> Spanned<String> {
        Spanned::new(s.to_owned(), Span::file_start(FileId(0)))
    }

    #[test]
    fn splits_bucket_and_path() {
        let ModelSource::Oss { bucket, path } =
            parse_source(&spanned("oss://qwen-models/models/Qwen1.5-4B-Chat/")).unwrap();
        assert_eq!(bucket.value, "qwen-models");
        assert_eq!(path.value, "/models/Qwen1.5-4B-Chat");
    }

    #[test]
    fn rejects_other_schemes_and_traversal() {
        assert_eq!(
            parse_source(&spanned("s3://b/m")).unwrap_err().code,
            Code::UnsupportedSource
        );
        assert_eq!(
            parse_source(&spanned("b/m")).unwrap_err().code,
            Code::InvalidSource
        );
        assert_eq!(
            parse_source(&spanned("oss://b")).unwrap_err().code,
            Code::InvalidSource
        );
        assert_eq!(
            parse_source(&spanned("oss://b/../etc")).unwrap_err().code,
            Code::InvalidSource
        );
    }
}
