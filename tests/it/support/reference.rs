//! Where the upstream reference set is (`../shared/reference`, or `$INFERSTACK_REFERENCE`), and
//! what a test that needs it does when it is absent: on a user's clone it is skipped, by name,
//! on stderr past the test harness's capture; in CI (`INFERSTACK_REQUIRE_REFERENCE` set) its
//! absence is a failure.

use std::io::Write;

use super::cli::root;

/// Points the tests at a reference set elsewhere (for example one `scripts/fetch-reference.sh`
/// downloaded).
pub const ENV: &str = "INFERSTACK_REFERENCE";
/// Makes a missing reference set fail the tests that need it instead of skipping them.
pub const REQUIRE_ENV: &str = "INFERSTACK_REQUIRE_REFERENCE";
const DEFAULT: &str = "../shared/reference";

/// The reference set as the CLI is given it from the crate root (relative by default, so
/// messages stay short), if it is there.
pub fn dir() -> Option<String> {
    let dir = std::env::var(ENV).unwrap_or_else(|_| DEFAULT.to_owned());
    root().join(&dir).is_dir().then_some(dir)
}

/// A path inside the reference set; call [`require`] first.
pub fn path(relative: &str) -> String {
    format!(
        "{}/{relative}",
        dir().expect("the reference set (call `require` first)")
    )
}

/// A file of the seed (`shared/seed`, beside the reference set), or `None` after reporting the
/// calling test as skipped: the seed is the user's document, not an upstream file, so it exists
/// only beside this checkout.
pub fn seed(relative: &str) -> Option<String> {
    let path = format!(
        "{}/../seed/{relative}",
        dir().unwrap_or_else(|| DEFAULT.to_owned())
    );
    if root().join(&path).is_file() {
        return Some(path);
    }
    skip(&format!("the seed at {path}"));
    None
}

/// `true` when the reference set is there; otherwise reports the calling test as skipped (or
/// fails it when the reference is required) and returns `false`.
pub fn require() -> bool {
    let present = dir().is_some_and(|d| root().join(&d).join("crds").is_dir());
    if present {
        return true;
    }
    skip(&format!(
        "the upstream reference set at {DEFAULT} or ${ENV} (scripts/fetch-reference.sh downloads it)"
    ));
    false
}

/// Says that the calling test skips what needs `what`, or fails it when the reference is
/// required.
fn skip(what: &str) {
    let test = std::thread::current().name().unwrap_or("a test").to_owned();
    let why = format!("{test} needs {what}");
    assert!(std::env::var_os(REQUIRE_ENV).is_none(), "{why}");
    // Written past the harness's capture, so a skip is never silent.
    let _ = writeln!(std::io::stderr(), "SKIPPED {why}");
}

/// The configurations every case is judged under: the catalog, then the reference set, for
/// each Gateway API channel the suite runs with (gateway-api's `tests/cel/main_test.go` installs
/// `config/crd/<channel>`; a file without a build tag runs with both).
pub fn configurations(channel: Option<&str>) -> Vec<(&'static str, Vec<String>)> {
    let crds = |dir: &str| path(&format!("crds/{dir}"));
    let with_crds = |experimental: bool| {
        let mut args = vec!["--openapi".to_owned(), path("openapi/kubernetes/v1.35")];
        // The experimental channel's CRDs first, so they are the ones used: the reference set
        // holds its Gateway and HTTPRoute, `schemas/upstream` the rest of the channel.
        if experimental {
            args.extend(["--crds".to_owned(), crds("gateway-api/experimental")]);
            let rest = root().join("schemas/upstream/crds/gateway-api/experimental");
            args.extend(["--crds".to_owned(), rest.display().to_string()]);
        }
        for dir in [
            "gateway-api/standard",
            "gateway-api-inference-extension",
            "llm-d-router",
            "knative-serving",
        ] {
            args.extend(["--crds".to_owned(), crds(dir)]);
        }
        args
    };
    let experimental_catalog = vec![
        "--gateway-api-channel".to_owned(),
        "experimental".to_owned(),
    ];
    let standard = [("catalog", Vec::new()), ("--crds", with_crds(false))];
    let experimental = [
        ("catalog experimental", experimental_catalog),
        ("--crds experimental", with_crds(true)),
    ];
    match channel {
        Some("experimental") => experimental.into(),
        Some("both") => standard.into_iter().chain(experimental).collect(),
        _ => standard.into(),
    }
}
