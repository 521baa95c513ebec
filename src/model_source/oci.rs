//! `oci://REGISTRY/REPOSITORY[:TAG][@DIGEST]`: the weights in an OCI image, mounted by the
//! kubelet as a Kubernetes image volume (`volumes[].image`, the `ImageVolume` feature, beta and
//! on by default since Kubernetes 1.35). The layout is KServe's modelcar convention: the files
//! under `/models/` in the image, mounted with `subPath: models` (kserve/kserve
//! `pkg/utils/storage.go`, `ConfigureOciNativeToContainer`, and
//! `docs/samples/storage/oci-image-volume/README.md`, which names the Kubernetes versions).
//! Knative 1.23 admits image volumes behind `kubernetes.podspec-volumes-image`
//! (knative/serving `pkg/apis/serving/k8s_validation.go` at `knative-v1.23.0`).
//!
//! The reference is read as Knative reads container images (`k8s::image`); the kubelet pulls it
//! with the pod's image pull secrets, like the server's own image.

use std::sync::Arc;

use k8s_openapi::api::core::v1::{ImageVolumeSource, Volume};

use super::{Model, PodVolume, Reader, Scheme, Source, unusable_credentials};
use crate::diag::{Code, Diagnostic, Diagnostics, Label};
use crate::k8s::image;
use crate::k8s::knative::features::Feature;
use crate::source::{Span, Spanned};

pub const SCHEME: Scheme = Scheme {
    name: "oci",
    summary: "oci://REGISTRY/REPOSITORY[:TAG][@DIGEST]: an OCI image mounted as an image volume",
    credentials_help: CREDENTIALS_HELP,
    keys: &[],
    parse: |rest, span| Ok(Arc::new(parse(rest, span)?)),
};

pub const CREDENTIALS_HELP: &str = "the kubelet pulls the image like the server's own, with the \
pod's image pull secrets: remove `credentials` and name the registry's `kubernetes.io/dockerconfigjson` \
Secret in `[scheduling] image_pull_secrets`";

/// The directory of the image that holds the weights: KServe's modelcar layout.
pub const MODELS_SUBPATH: &str = "models";
/// Pulled once per node: a digest never changes, and a tag is pinned by the warning below.
const PULL_POLICY: &str = "IfNotPresent";

/// An image reference as written after `oci://`.
#[derive(Debug)]
pub struct Oci {
    reference: Spanned<String>,
}

fn parse(rest: &str, span: Span) -> Result<Oci, Diagnostic> {
    if let Some(why) = image::problem(rest) {
        return Err(Diagnostic::error(
            Code::InvalidSource,
            Label::new(span, "not an image reference"),
            format!("`model.source` must name an image as oci://REGISTRY/REPOSITORY[:TAG][@DIGEST]: {why}"),
        )
        .with_help("write e.g. oci://ghcr.io/acme/llama-3.1-8b-instruct@sha256:<64 hex>, an image holding the weights under /models/"));
    }
    Ok(Oci {
        reference: Spanned::new(rest.to_owned(), span),
    })
}

impl Oci {
    /// The repository's last segment, without tag or digest.
    fn repository_name(&self) -> &str {
        let without_digest = self.reference.value.split('@').next().unwrap_or_default();
        let last = without_digest.rsplit('/').next().unwrap_or(without_digest);
        last.split(':').next().unwrap_or(last)
    }
}

impl Source for Oci {
    fn scheme(&self) -> &'static Scheme {
        &SCHEME
    }

    fn default_name(&self) -> Spanned<String> {
        Spanned::new(self.repository_name().to_owned(), self.reference.span)
    }

    fn check(&self, model: &Model, _reader: &Reader<'_>, out: &mut Diagnostics) {
        unusable_credentials(
            model,
            "the kubelet pulls an image volume with the pod's image pull secrets, not a Secret named here",
            out,
        );
        if !self.reference.value.contains("@sha256:") {
            out.push(
                Diagnostic::warning(
                    Code::UnpinnedRevision,
                    Label::new(self.reference.span, "no digest"),
                    format!(
                        "`{}` is not pinned to a digest: each node pulls whatever the tag names when it first starts a pod, so replicas can serve different weights",
                        self.reference.value
                    ),
                )
                .with_help("pin the image: oci://REGISTRY/REPOSITORY@sha256:<digest> (`crane digest` or `docker buildx imagetools inspect` prints it)"),
            );
        }
    }

    fn pod_volume(&self, _model: &Model) -> PodVolume {
        PodVolume {
            volume: Volume {
                image: Some(ImageVolumeSource {
                    reference: Some(self.reference.value.clone()),
                    pull_policy: Some(PULL_POLICY.to_owned()),
                }),
                ..Volume::default()
            },
            sub_path: Some(MODELS_SUBPATH.to_owned()),
            read_only: true,
        }
    }

    fn knative_feature(&self) -> Option<Feature> {
        Some(Feature::ImageVolumes)
    }

    /// The kubelet pulls the image before the container starts, outside the startup probe.
    fn fetched_while_loading(&self) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;

    fn oci(reference: &str) -> Result<Oci, Diagnostic> {
        parse(reference, Span::file_start(FileId(0)))
    }

    #[test]
    fn the_name_is_the_repository_without_tag_or_digest() {
        let digest = format!("ghcr.io/acme/llama-3.1-8b@sha256:{}", "a".repeat(64));
        for (reference, name) in [
            ("ghcr.io/acme/llama-3.1-8b:v1", "llama-3.1-8b"),
            ("registry.local:5000/models/qwen3-8b", "qwen3-8b"),
            (digest.as_str(), "llama-3.1-8b"),
        ] {
            assert_eq!(oci(reference).unwrap().repository_name(), name);
        }
    }

    #[test]
    fn references_are_read_as_knative_reads_images() {
        for bad in [
            "",
            "ghcr.io/Acme/Llama:v1",
            "ghcr.io/acme/llama:",
            "a@sha256:abc",
        ] {
            assert_eq!(oci(bad).unwrap_err().code, Code::InvalidSource, "{bad}");
        }
    }
}
