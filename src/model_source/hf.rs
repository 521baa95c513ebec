//! `hf://ORG/NAME[@REV]`: a Hugging Face hub repository that the engine downloads into a cache
//! volume at start. The repository id follows `huggingface_hub.utils.validate_repo_id`.

use super::ModelSource;
use crate::diag::{Code, Diagnostic, Label};
use crate::source::{Span, Spanned};

/// How the hub's token reaches the server: a Secret whose key `token` becomes `HF_TOKEN`.
/// `HF_HOME` for hub downloads: the cache volume's mount.
pub const HF_HOME: &str = "HF_HOME";
/// The key of the hub token in the `model.credentials` Secret.
pub const HF_TOKEN_KEY: &str = "token";

pub const CREDENTIALS_HELP: &str = "create a Secret outside Git whose key `token` holds the hub \
token (`kubectl create secret generic hf-token --from-literal=token=...`) and name only it in \
the stack: `[model] credentials = \"hf-token\"` (it becomes HF_TOKEN)";

#[allow(clippy::result_large_err)]
pub fn parse(rest: &str, span: Span) -> Result<ModelSource, Diagnostic> {
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
    Ok(ModelSource::Hub {
        repo: Spanned::new(repo.to_owned(), span),
        revision: revision.map(|r| Spanned::new(r.to_owned(), span)),
    })
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
        let Ok(ModelSource::Hub { repo, revision }) = parse("org/name@abc", span) else {
            panic!("a hub source")
        };
        assert_eq!(repo.value, "org/name");
        assert_eq!(revision.unwrap().value, "abc");
        assert!(is_commit("5206a32e0bd3067aef1ce90f5528ade7d866253f"));
        assert!(!is_commit("main"));
    }
}
