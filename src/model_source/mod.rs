//! Model source URLs -> where the weights live. One module per scheme, each knowing its own
//! naming rules; this file only dispatches on the scheme and shares the path checks.

mod gs;
pub mod hf;
pub mod oss;
mod pvc;
mod s3;

use crate::diag::{Code, Diagnostic, Label};
use crate::source::{Span, Spanned};

pub use hf::is_commit;

/// Where the model weights are stored.
#[derive(Clone, Debug, PartialEq)]
pub enum ModelSource {
    /// An Alibaba Cloud OSS bucket, mounted with the OSS CSI driver (ossfs).
    Oss {
        bucket: Spanned<String>,
        /// The directory inside the bucket, absolute, without a trailing slash (`/models/x`).
        path: Spanned<String>,
    },
    /// An Amazon S3 bucket, mounted with the Mountpoint for Amazon S3 CSI driver.
    S3 {
        bucket: Spanned<String>,
        /// The key prefix, relative, ending in `/` (`models/x/`), or empty for the bucket.
        prefix: Spanned<String>,
    },
    /// A Google Cloud Storage bucket, mounted with the Cloud Storage FUSE CSI driver.
    Gcs {
        bucket: Spanned<String>,
        /// The directory inside the bucket, relative (`models/x`), or empty for the bucket.
        dir: Spanned<String>,
    },
    /// An existing PersistentVolumeClaim the user manages.
    Pvc {
        claim: Spanned<String>,
        /// The directory inside the claim (`models/x`), mounted as a subPath; empty for all.
        dir: Spanned<String>,
    },
    /// A Hugging Face hub repository the engine downloads at start.
    Hub {
        /// `ORG/NAME`.
        repo: Spanned<String>,
        /// The commit written after `@` in the URL.
        revision: Option<Spanned<String>>,
    },
}

/// The schemes inferstack reads, with what each becomes, for messages and `explain`.
pub const SCHEMES: [(&str, &str); 5] = [
    (
        "oss",
        "oss://BUCKET/DIR: Alibaba Cloud OSS through the OSS CSI driver",
    ),
    (
        "s3",
        "s3://BUCKET/PREFIX: Amazon S3 through the Mountpoint for Amazon S3 CSI driver",
    ),
    (
        "gs",
        "gs://BUCKET/DIR: Google Cloud Storage through the Cloud Storage FUSE CSI driver",
    ),
    (
        "pvc",
        "pvc://CLAIM/DIR: an existing PersistentVolumeClaim, mounted read-only",
    ),
    (
        "hf",
        "hf://ORG/NAME[@REV]: downloaded from the Hugging Face hub by the engine",
    ),
];
/// The scheme names alone, in the same order, for the key table and the schema.
pub const SCHEME_NAMES: [&str; SCHEMES.len()] = {
    let mut names = [""; SCHEMES.len()];
    let mut i = 0;
    while i < SCHEMES.len() {
        names[i] = SCHEMES[i].0;
        i += 1;
    }
    names
};

impl ModelSource {
    pub fn scheme(&self) -> &'static str {
        match self {
            ModelSource::Oss { .. } => "oss",
            ModelSource::S3 { .. } => "s3",
            ModelSource::Gcs { .. } => "gs",
            ModelSource::Pvc { .. } => "pvc",
            ModelSource::Hub { .. } => "hf",
        }
    }

    /// The last segment of the location, the model's default name.
    pub fn default_name(&self) -> Spanned<String> {
        let (whole, fallback) = match self {
            ModelSource::Oss { path, bucket } => (path, bucket),
            ModelSource::S3 { prefix, bucket } => (prefix, bucket),
            ModelSource::Gcs { dir, bucket } => (dir, bucket),
            ModelSource::Pvc { dir, claim } => (dir, claim),
            ModelSource::Hub { repo, .. } => (repo, repo),
        };
        let last = whole.value.trim_end_matches('/').rsplit('/').next();
        let name = last.filter(|l| !l.is_empty()).unwrap_or(&fallback.value);
        Spanned::new(name.to_owned(), whole.span)
    }

    /// Whether the weights are a mounted directory (every source but the hub).
    pub fn is_mounted(&self) -> bool {
        !matches!(self, ModelSource::Hub { .. })
    }
}

/// What to write instead of inline credentials for a source scheme (`s3`; any other text is
/// read as OSS, the default platform's): what that scheme's driver or engine reads, with the
/// key names.
pub fn credentials_help(scheme: &str) -> &'static str {
    match scheme {
        "s3" => s3::CREDENTIALS_HELP,
        "gs" => gs::CREDENTIALS_HELP,
        "hf" => hf::CREDENTIALS_HELP,
        "pvc" => pvc::CREDENTIALS_HELP,
        _ => oss::CREDENTIALS_HELP,
    }
}

/// The storage a source URL names; a malformed or unsupported one is a located diagnostic.
#[allow(clippy::result_large_err)] // converted at once by the caller
pub fn parse(source: &Spanned<String>) -> Result<ModelSource, Diagnostic> {
    let span = source.span;
    let Some((scheme, rest)) = source.value.split_once("://") else {
        return Err(Diagnostic::error(
            Code::InvalidSource,
            Label::new(span, "no scheme"),
            format!(
                "`model.source` must be a URL like s3://bucket/path, found `{}`",
                source.value
            ),
        )
        .with_help(supported()));
    };
    match scheme {
        "oss" => oss::parse(rest, span),
        "s3" => s3::parse(rest, span),
        "gs" => gs::parse(rest, span),
        "pvc" => pvc::parse(rest, span),
        "hf" => hf::parse(rest, span),
        other => Err(Diagnostic::error(
            Code::UnsupportedSource,
            Label::new(span, "unsupported scheme"),
            format!("cannot read `model.source`: the scheme `{other}://` is not supported"),
        )
        .with_help(supported())),
    }
}

fn supported() -> String {
    let lines: Vec<&str> = SCHEMES.iter().map(|(_, what)| *what).collect();
    format!("supported sources are {}", lines.join("; "))
}

/// Splits `BUCKET/DIR...` and checks the directory: no empty, `.` or `..` segments. Returns the
/// bucket and the directory without leading or trailing slashes (possibly empty).
#[allow(clippy::result_large_err)]
fn split_location<'a>(
    rest: &'a str,
    span: Span,
    example: &str,
) -> Result<(&'a str, &'a str), Diagnostic> {
    let (bucket, dir) = rest.split_once('/').unwrap_or((rest, ""));
    let dir = dir.trim_end_matches('/');
    let bad = !dir.is_empty()
        && dir
            .split('/')
            .any(|segment| segment.is_empty() || segment == "." || segment == "..");
    if bucket.is_empty() || bad {
        return Err(no_directory(span, rest, example));
    }
    Ok((bucket, dir))
}

fn no_directory(span: Span, rest: &str, example: &str) -> Diagnostic {
    Diagnostic::error(
        Code::InvalidSource,
        Label::new(span, "no usable directory"),
        format!("`model.source` must name a directory inside the bucket, found `{rest}`"),
    )
    .with_help(format!("write {example} (no empty, `.` or `..` segments)"))
}

/// A bucket name that breaks its store's rules.
fn invalid_bucket(span: Span, bucket: &str, store: &str, rule: &str) -> Diagnostic {
    Diagnostic::error(
        Code::InvalidBucket,
        Label::new(span, "invalid bucket"),
        format!("\"{bucket}\" is not a valid {store} bucket name"),
    )
    .with_help(rule.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;

    pub fn spanned(s: &str) -> Spanned<String> {
        Spanned::new(s.to_owned(), Span::file_start(FileId(0)))
    }

    #[test]
    fn every_scheme_is_dispatched_and_others_list_them() {
        for url in [
            "oss://b-1/m",
            "s3://bucket/m/",
            "gs://bucket/m",
            "pvc://claim/m",
            "hf://org/name",
        ] {
            assert!(parse(&spanned(url)).is_ok(), "{url}");
        }
        let error = parse(&spanned("http://host/m")).unwrap_err();
        assert_eq!(error.code, Code::UnsupportedSource);
        assert!(
            error
                .help
                .as_deref()
                .unwrap()
                .contains("s3://BUCKET/PREFIX")
        );
        assert_eq!(
            parse(&spanned("b/m")).unwrap_err().code,
            Code::InvalidSource
        );
    }

    #[test]
    fn the_default_name_is_the_last_segment() {
        let name = |url: &str| parse(&spanned(url)).unwrap().default_name().value;
        assert_eq!(name("s3://bucket/models/Llama-3.1-8B/"), "Llama-3.1-8B");
        assert_eq!(name("gs://bucket"), "bucket");
        assert_eq!(name("hf://meta-llama/Llama-3.1-8B"), "Llama-3.1-8B");
        assert_eq!(name("pvc://weights"), "weights");
    }
}
