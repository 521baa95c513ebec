//! `hf://ORG/NAME[@REV]`: a Hugging Face hub repository that the engine downloads into a cache
//! volume at start. The repository id follows `huggingface_hub.utils.validate_repo_id`.

use std::sync::Arc;

use k8s_openapi::api::core::v1::{EmptyDirVolumeSource, Volume};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;

use super::{EnvValue, Model, PodVolume, Reader, Scheme, ServerEnv, Source, Weights, last_segment};
use crate::diag::{Code, Diagnostic, Diagnostics, Label};
use crate::k8s::knative::features::Feature;
use crate::source::{Span, Spanned};

pub const SCHEME: Scheme = Scheme {
    name: "hf",
    summary: "hf://ORG/NAME[@REV]: downloaded from the Hugging Face hub by the engine",
    credentials_help: CREDENTIALS_HELP,
    keys: &["model.revision"],
    parse: |rest, span| Ok(Arc::new(parse(rest, span)?)),
};

/// `HF_HOME` for hub downloads: the cache volume's mount.
pub const HF_HOME: &str = "HF_HOME";
/// How the hub's token reaches the server: a Secret whose key `token` becomes `HF_TOKEN`.
pub const HF_TOKEN: &str = "HF_TOKEN";
/// The key of the hub token in the `model.credentials` Secret.
pub const HF_TOKEN_KEY: &str = "token";

/// A repository, `ORG/NAME`, and the commit written after `@` in the URL.
#[derive(Debug)]
pub struct Hub {
    repo: Spanned<String>,
    revision: Option<Spanned<String>>,
}

pub const CREDENTIALS_HELP: &str = "create a Secret outside Git whose key `token` holds the hub \
token (`kubectl create secret generic hf-token --from-literal=token=...`) and name only it in \
the stack: `[model] credentials = \"hf-token\"` (it becomes HF_TOKEN)";

fn parse(rest: &str, span: Span) -> Result<Hub, Diagnostic> {
    let (repo, revision) = match rest.split_once('@') {
        Some((repo, revision)) => (repo, Some(revision)),
        None => (rest, None),
    };
    let repo = repo.trim_end_matches('/');
    if !is_repo_id(repo) {
        return Err(Diagnostic::error(
            Code::InvalidSource,
            Label::new(span, "not a hub repository"),
            format!("`model.source` must name a hub repository as hf://ORG/NAME, found `hf://{rest}`"),
        )
        .with_help("write hf://<org>/<name>[@<commit>], e.g. hf://meta-llama/Llama-3.1-8B-Instruct; names are up to 96 of [A-Za-z0-9._-], without `--` or `..`"));
    }
    Ok(Hub {
        repo: Spanned::new(repo.to_owned(), span),
        revision: revision.map(|r| Spanned::new(r.to_owned(), span)),
    })
}

impl Source for Hub {
    fn scheme(&self) -> &'static Scheme {
        &SCHEME
    }

    fn default_name(&self) -> Spanned<String> {
        last_segment(&self.repo, &self.repo.value)
    }

    fn weights(&self) -> Weights<'_> {
        Weights::Downloaded { id: &self.repo }
    }

    fn url_revision(&self) -> Option<&Spanned<String>> {
        self.revision.as_ref()
    }

    fn check(&self, model: &Model, _reader: &Reader<'_>, out: &mut Diagnostics) {
        match &model.revision {
            None => out.push(
                Diagnostic::warning(Code::UnpinnedRevision, Label::new(self.repo.span, "no revision"), format!("`{}` is not pinned to a commit: every start downloads whatever the main branch holds then", self.repo.value))
                    .with_help("pin the commit: `revision = \"<40-hex commit>\"` in [model], or hf://ORG/NAME@<commit>; the hub page's \"Files and versions\" tab lists commits"),
            ),
            Some(revision) if !is_commit(&revision.value) => out.push(
                Diagnostic::error(Code::InvalidValue, Label::new(revision.span, "not a commit"), format!("`model.revision` = \"{}\" is not a 40-hex commit hash", revision.value))
                    .with_help("a branch or tag can move; write the full commit hash, e.g. 5206a32e0bd3067aef1ce90f5528ade7d866253f"),
            ),
            Some(_) => {}
        }
    }

    /// The hub's files are downloaded at start, so the cache is writable scratch space.
    fn pod_volume(&self, model: &Model) -> PodVolume {
        PodVolume {
            volume: Volume {
                empty_dir: Some(EmptyDirVolumeSource {
                    size_limit: Some(Quantity(model.size.value.clone())),
                    ..EmptyDirVolumeSource::default()
                }),
                ..Volume::default()
            },
            sub_path: None,
            read_only: false,
        }
    }

    fn server_env(&self, model: &Model) -> Vec<ServerEnv> {
        let mut env = vec![ServerEnv {
            name: HF_HOME,
            value: EnvValue::Text(model.mount_path()),
            span: self.repo.span,
            how: "set for the hub cache",
        }];
        if let Some(credentials) = &model.credentials {
            env.push(ServerEnv {
                name: HF_TOKEN,
                value: EnvValue::Secret {
                    name: credentials.value.clone(),
                    key: HF_TOKEN_KEY,
                },
                span: credentials.span,
                how: "set from `model.credentials`",
            });
        }
        env
    }

    /// emptyDir volumes are on in Knative by default.
    fn knative_feature(&self) -> Option<Feature> {
        None
    }
}

/// `ORG/NAME` as `validate_repo_id` accepts it (huggingface_hub `utils/_validators.py`): at
/// most 96 characters of `[A-Za-z0-9._-]`, no `--` or `..`, no leading or trailing `-` or `.`,
/// not ending in `.git`; inferstack also requires the organisation.
fn is_repo_id(repo: &str) -> bool {
    let part = |p: &str| {
        !p.is_empty()
            && p.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
            && !p.starts_with(['-', '.'])
            && !p.ends_with(['-', '.'])
    };
    let mut parts = repo.split('/');
    let (Some(org), Some(name), None) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    repo.len() <= 96
        && part(org)
        && part(name)
        && !repo.contains("--")
        && !repo.contains("..")
        && !repo.ends_with(".git")
}

/// A full commit hash: what pins a hub download (a branch or tag can move).
pub fn is_commit(revision: &str) -> bool {
    revision.len() == 40
        && revision
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repository_ids() {
        for ok in [
            "meta-llama/Llama-3.1-8B-Instruct",
            "Qwen/Qwen2.5-7B-Instruct",
            "a/b.c_d",
        ] {
            assert!(is_repo_id(ok), "{ok}");
        }
        for bad in ["llama", "a/b/c", "a/b--c", "a/.b", "a/b.git", "a/b c", "/b"] {
            assert!(!is_repo_id(bad), "{bad}");
        }
    }

    #[test]
    fn the_revision_follows_the_at_sign() {
        let span = Span::file_start(crate::source::FileId(0));
        let hub = parse("org/name@abc", span).unwrap();
        assert_eq!(hub.repo.value, "org/name");
        assert_eq!(hub.revision.unwrap().value, "abc");
        assert!(is_commit("5206a32e0bd3067aef1ce90f5528ade7d866253f"));
        assert!(!is_commit("main"));
    }
}
