//! Image references as Knative's webhook parses them: `name.ParseReference(image,
//! name.WeakValidation)` of go-containerregistry v0.20.3 (the version knative/serving 1.23's
//! `go.mod` pins), `pkg/name/{ref,tag,digest,repository,registry,check}.go`. A reference is a tag
//! reference or, failing that, a digest reference.
//!
//! One addition: `ko://` import paths, which `ko resolve` replaces with built images, are
//! reported as unresolved. go-containerregistry reads `ko:` as a registry with an empty port, so
//! the webhook accepts them, and the revision then fails when Knative resolves the tag to a
//! digest.

const TAG_CHARS: &str = "abcdefghijklmnopqrstuvwxyz0123456789_-.ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const REPOSITORY_CHARS: &str = "abcdefghijklmnopqrstuvwxyz0123456789_-./";

/// Why `image` is not a reference the webhook and the kubelet can use.
pub fn problem(image: &str) -> Option<String> {
    if image.starts_with("ko://") {
        return Some(format!(
            "`{image}` is a ko import path, not an image: run `ko resolve` (or `ko apply`) to \
             build it and substitute the image reference"
        ));
    }
    let tag_error = match tag(image) {
        Ok(()) => return None,
        Err(e) => e,
    };
    match digest(image) {
        Ok(()) => None,
        Err(digest_error) if image.contains('@') => Some(digest_error),
        Err(_) => Some(tag_error),
    }
}

/// `NewTag`: an optional `:tag` after the last `/`, then a repository.
fn tag(name: &str) -> Result<(), String> {
    let mut base = name;
    if let Some((before, tag)) = name.rsplit_once(':')
        && !tag.contains('/')
    {
        if tag.is_empty() {
            return Err(format!("{name} must specify a tag name after the colon"));
        }
        check_element("tag", tag, TAG_CHARS, 1, 128)?;
        base = before;
    }
    repository(base)
}

/// `NewDigest`: exactly one `@`, a `sha256:` digest of 64 lowercase hex digits, and a base that
/// may itself carry a tag.
fn digest(name: &str) -> Result<(), String> {
    let parts: Vec<&str> = name.split('@').collect();
    let [base, digest] = parts.as_slice() else {
        return Err(format!(
            "a digest must contain exactly one '@' separator (e.g. registry/repository@digest) saw: {name}"
        ));
    };
    let Some(hex) = digest.strip_prefix("sha256:") else {
        return Err(format!("unsupported digest algorithm: {digest}"));
    };
    if hex.len() != 64 || !hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return Err(format!("invalid checksum digest format: {digest}"));
    }
    match tag(base) {
        Ok(()) => Ok(()),
        Err(_) => repository(base),
    }
}

/// `NewRepository`: a registry when the first segment has a `.` or `:`, then the repository.
fn repository(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("a repository name must be specified".to_owned());
    }
    let (registry, repo) = match name.split_once('/') {
        Some((first, rest)) if first.contains('.') || first.contains(':') => (first, rest),
        _ => ("", name),
    };
    check_element("repository", repo, REPOSITORY_CHARS, 2, 255)?;
    check_registry(registry)
}

/// `checkRegistry`: `url.Parse("//" + name).Host == name`, i.e. a valid RFC 3986 authority
/// without user info, path, query or fragment, and a numeric port if any.
fn check_registry(name: &str) -> Result<(), String> {
    let invalid = || format!("registries must be valid RFC 3986 URI authorities: {name}");
    if name
        .chars()
        .any(|c| c.is_control() || " /?#@\\\"<>^`{|}%".contains(c))
    {
        return Err(invalid());
    }
    let host_port = if let Some(rest) = name.strip_prefix('[') {
        match rest.split_once(']') {
            Some((_, port)) => port,
            None => return Err(invalid()),
        }
    } else {
        name.rfind(':').map_or("", |i| &name[i..])
    };
    let port = host_port.strip_prefix(':').unwrap_or(host_port);
    if !host_port.is_empty()
        && (!host_port.starts_with(':') || !port.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(invalid());
    }
    Ok(())
}

/// `checkElement`: a length in runes and an alphabet.
fn check_element(
    what: &str,
    element: &str,
    allowed: &str,
    min: usize,
    max: usize,
) -> Result<(), String> {
    let runes = element.chars().count();
    if runes < min || runes > max {
        return Err(format!(
            "{what} must be between {min} and {max} characters in length: {element}"
        ));
    }
    if element.chars().any(|c| !allowed.contains(c)) {
        return Err(format!(
            "{what} can only contain the characters `{allowed}`: {element}"
        ));
    }
    Ok(())
}

/// An image reference's tag (`v0.10.1.1` of `vllm/vllm-openai:v0.10.1.1@sha256:...`): after the
/// last `:` of the last path segment, so a registry's port is not taken for one.
pub fn tag_of(image: &str) -> Option<&str> {
    let last = image.rsplit('/').next()?;
    last.split_once(':')?.1.split('@').next()
}

/// The release an image tag names (`v0.10.1.1`, `0.4.1-ubuntu22.04`), as its leading numbers.
pub fn version(image: &str) -> Option<Vec<u64>> {
    let numbers = release_numbers(tag_of(image)?);
    (numbers.len() >= 2).then_some(numbers)
}

/// The leading numbers of a release or tag (`0.8.5.post1` -> 0.8.5, `v0.10.1.1` -> 0.10.1.1).
pub fn release_numbers(release: &str) -> Vec<u64> {
    let release = release.strip_prefix('v').unwrap_or(release);
    release
        .split(|c: char| !c.is_ascii_digit() && c != '.')
        .next()
        .unwrap_or_default()
        .split('.')
        .map_while(|n| n.parse().ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const DIGEST: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    #[test]
    fn references_the_webhook_accepts() {
        for image in [
            "nginx",
            "vllm/vllm-openai:v0.6.3",
            "ac2-registry.cn-hangzhou.cr.aliyuncs.com/ac2/vllm:0.4.1-ubuntu22.04",
            "localhost:5000/model-server",
            "registry.k8s.io/gateway-api-inference-extension/epp:v1.0.2",
            &format!("ghcr.io/llm-d/router@{DIGEST}"),
            &format!("ghcr.io/llm-d/router:v0.10.0@{DIGEST}"),
            "[::1]:5000/app",
        ] {
            assert_eq!(problem(image), None, "{image}");
        }
    }

    #[test]
    fn references_the_webhook_refuses() {
        for (image, why) in [
            ("Vllm/Server", "repository can only contain"),
            ("vllm:", "must specify a tag name"),
            ("vllm:v 1", "tag can only contain"),
            ("a", "repository must be between 2 and 255"),
            ("ghcr.io/x@sha256:abc", "invalid checksum digest"),
            ("ghcr.io/x@md5:abc", "unsupported digest algorithm"),
            ("my registry.io/app", "registries must be valid"),
            ("registry.io:port/app", "registries must be valid"),
            (
                "ko://knative.dev/serving/test/test_images/helloworld",
                "ko import path",
            ),
        ] {
            let found = problem(image).unwrap_or_else(|| panic!("{image} passed"));
            assert!(found.contains(why), "{image}: {found}");
        }
    }

    #[test]
    fn image_tags_name_their_release() {
        assert_eq!(
            version("vllm/vllm-openai:v0.10.1.1"),
            Some(vec![0, 10, 1, 1])
        );
        assert_eq!(
            version("ac2-registry.cn-hangzhou.cr.aliyuncs.com/ac2/vllm:0.4.1-ubuntu22.04"),
            Some(vec![0, 4, 1])
        );
        assert_eq!(
            version("registry:5000/vllm/vllm-openai:v0.12.0@sha256:ab"),
            Some(vec![0, 12, 0])
        );
        assert_eq!(version("vllm/vllm-openai:latest"), None);
        assert_eq!(version("registry:5000/vllm"), None);
        assert!(version("vllm/vllm-openai:v0.12.0").unwrap().as_slice() >= [0, 12, 0].as_slice());
        assert!(version("vllm/vllm-openai:v0.11.2").unwrap().as_slice() < [0, 12, 0].as_slice());
    }
}
