//! The cluster paths (`schemas pull`, and what reads a cluster) against the recorded API
//! server of `support::apiserver`: no real API server runs here (`scripts/kind-e2e.sh` runs
//! the same commands against a kind cluster where there is one).

use std::path::Path;

use serde_json::Value;

use crate::support::apiserver::{self, Answer, ApiServer, Recorded, TOKEN};
use crate::support::cli::{run, stderr, stdout};
use crate::support::reference;

/// A recorded v1.35 cluster and a kubeconfig for it in `dir`.
fn cluster(dir: &Path) -> (ApiServer, String) {
    let recorded = Recorded::reference_cluster();
    let server = ApiServer::start(move |request| recorded.answer(&request.path));
    let kubeconfig = dir.join("kubeconfig");
    server.kubeconfig(&kubeconfig);
    (server, kubeconfig.display().to_string())
}

fn pull(kubeconfig: &str, out: &Path) -> std::process::Output {
    run(&[
        "schemas",
        "pull",
        "--kubeconfig",
        kubeconfig,
        "-o",
        &out.display().to_string(),
    ])
}

/// Every file under `dir`, relative, sorted, with its text.
fn tree(dir: &Path) -> Vec<(String, String)> {
    let mut files: Vec<_> = walkdir::WalkDir::new(dir)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let relative = e.path().strip_prefix(dir).unwrap().display().to_string();
            (relative, std::fs::read_to_string(e.path()).unwrap())
        })
        .collect();
    files.sort();
    files
}

#[test]
fn schemas_pull_writes_every_crd_and_built_in_document_without_the_servers_fields() {
    if !reference::require() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (server, kubeconfig) = cluster(dir.path());
    let out = dir.path().join("schemas");
    let output = pull(&kubeconfig, &out);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let files = tree(&out);
    let crds: Vec<&String> = files
        .iter()
        .map(|(f, _)| f)
        .filter(|f| f.starts_with("crds/"))
        .collect();
    let documents = files
        .iter()
        .filter(|(f, _)| f.starts_with("openapi/"))
        .count();
    let recorded = Recorded::reference_cluster();
    assert_eq!(crds.len(), recorded.crds.len());
    assert_eq!(documents, recorded.openapi.len());
    assert!(crds.contains(&&"crds/inferencepools.inference.networking.k8s.io.yaml".to_owned()));
    assert!(
        files
            .iter()
            .any(|(f, _)| f == "openapi/apis__apps__v1_openapi.json")
    );
    assert_eq!(
        stdout(&output),
        format!(
            "pulled {} CustomResourceDefinition(s) and {documents} OpenAPI v3 document(s) of \
             Kubernetes v1.35.0 from context recorded into {}: {} written, 0 unchanged, 0 removed\n",
            crds.len(),
            out.display(),
            files.len() - 1,
        )
    );
    for (name, text) in &files {
        assert!(!text.contains(TOKEN), "{name} holds the token");
        if name.starts_with("crds/") {
            assert!(
                text.starts_with(
                    "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n"
                ),
                "{name}"
            );
            let crd: Value = serde_saphyr::from_str(text).unwrap();
            assert!(
                crd.get("status").is_none(),
                "{name} keeps the server's status"
            );
            for field in [
                "uid",
                "resourceVersion",
                "generation",
                "managedFields",
                "creationTimestamp",
            ] {
                assert!(
                    crd["metadata"].get(field).is_none(),
                    "{name} keeps the server's {field}"
                );
            }
        }
    }
    // The CRD list was read page by page, and every request carried the kubeconfig's token.
    let seen = server.seen();
    let pages = seen
        .iter()
        .filter(|r| r.path.contains("customresourcedefinitions"))
        .count();
    assert_eq!(pages, recorded.crds.len().div_ceil(recorded.page));
    assert!(
        seen.iter().all(|r| r.method == "GET"
            && r.authorization.as_deref() == Some(&*format!("Bearer {TOKEN}")))
    );
    // Discovery documents, `.well-known` and the CRD groups' documents are not read.
    assert!(!seen.iter().any(|r| {
        r.path
            .starts_with("/openapi/v3/apis/inference.networking.k8s.io")
            || r.path.starts_with("/openapi/v3/.well-known")
            || r.path.starts_with("/openapi/v3/apis?")
    }));
    let record = &files.iter().find(|(f, _)| f == "cluster.yaml").unwrap().1;
    assert!(record.contains("context: recorded\n"), "{record}");
    assert!(record.contains("gitVersion: v1.35.0\n"), "{record}");
    assert!(
        record.contains(&format!("server: {}", server.url)),
        "{record}"
    );
    assert!(!stdout(&output).contains(TOKEN) && !stderr(&output).contains(TOKEN));
}

#[test]
fn a_second_pull_of_the_same_cluster_writes_nothing() {
    if !reference::require() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (_server, kubeconfig) = cluster(dir.path());
    let out = dir.path().join("schemas");
    assert_eq!(pull(&kubeconfig, &out).status.code(), Some(0));
    let first = tree(&out);
    let again = pull(&kubeconfig, &out);
    assert!(
        stdout(&again).ends_with(&format!(
            ": 0 written, {} unchanged, 0 removed\n",
            first.len() - 1
        )),
        "{}",
        stdout(&again)
    );
    assert_eq!(tree(&out), first);
}

/// The corpus `validate` is judged on: every manifest directory of `tests/manifests`.
const CORPUS: &[&str] = &[
    "tests/manifests/builtin",
    "tests/manifests/cel",
    "tests/manifests/invalid",
    "tests/manifests/knative",
    "tests/manifests/sets",
    "tests/manifests/valid",
];

/// The report's objects and its findings on the corpus, one line each: what is said of the
/// schema files themselves (the reference set's directory holds a ValidatingAdmissionPolicy
/// beside the CRDs, which `--crds` points out) is not a verdict on the corpus.
fn verdicts(args: &[String]) -> (Option<i32>, Vec<String>) {
    let mut all: Vec<&str> = vec!["validate", "--format", "json"];
    all.extend(CORPUS);
    all.extend(args.iter().map(String::as_str));
    let output = run(&all);
    let report: Value = serde_json::from_str(&stdout(&output))
        .unwrap_or_else(|e| panic!("{e}: {}", stderr(&output)));
    let on_corpus = |item: &&Value| {
        item["source"]
            .as_str()
            .is_some_and(|s| s.starts_with("tests/"))
    };
    let lines = report["objects"]
        .as_array()
        .unwrap()
        .iter()
        .chain(report["findings"].as_array().unwrap())
        .filter(on_corpus)
        .map(Value::to_string)
        .collect();
    (output.status.code(), lines)
}

#[test]
fn validate_with_pulled_schemas_gives_the_verdicts_of_the_reference_set() {
    if !reference::require() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (_server, kubeconfig) = cluster(dir.path());
    let out = dir.path().join("schemas");
    assert_eq!(pull(&kubeconfig, &out).status.code(), Some(0));
    let pulled = [
        "--crds".to_owned(),
        out.join("crds").display().to_string(),
        "--openapi".to_owned(),
        out.join("openapi").display().to_string(),
    ];
    let (_, reference_args) = &reference::configurations(None)[1];
    let (code, with_reference) = verdicts(reference_args);
    let (pulled_code, with_pulled) = verdicts(&pulled);
    assert_eq!(pulled_code, code);
    assert!(
        with_reference.len() > 300,
        "the corpus is judged: {}",
        with_reference.len()
    );
    let differing: Vec<_> = with_pulled
        .iter()
        .filter(|line| !with_reference.contains(line))
        .chain(
            with_reference
                .iter()
                .filter(|line| !with_pulled.contains(line)),
        )
        .collect();
    assert!(differing.is_empty(), "{differing:#?}");
    assert_eq!(with_pulled, with_reference);
}

#[test]
fn an_unreachable_cluster_is_exit_2_naming_the_context_and_the_server() {
    let dir = tempfile::tempdir().unwrap();
    // A port nothing listens on: bound, then closed.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let kubeconfig = dir.path().join("kubeconfig");
    apiserver::kubeconfig(&kubeconfig, &format!("http://127.0.0.1:{port}"));
    let output = pull(&kubeconfig.display().to_string(), &dir.path().join("out"));
    assert_eq!(output.status.code(), Some(2));
    let message = stderr(&output);
    assert!(message.contains(&format!("cannot read the server version (/version) from the cluster of context recorded (http://127.0.0.1:{port}/)")), "{message}");
    assert!(!message.contains(TOKEN));
    assert!(!dir.path().join("out").exists(), "nothing is written");
}

#[test]
fn a_refusal_is_exit_2_with_the_servers_answer() {
    let dir = tempfile::tempdir().unwrap();
    let server = ApiServer::start(|request| match request.path.as_str() {
        "/version" => Answer::json(&serde_json::json!({"gitVersion": "v1.35.0"})),
        _ => Answer::status(
            403,
            "Forbidden",
            "customresourcedefinitions.apiextensions.k8s.io is forbidden: User \"system:serviceaccount:ci:inferstack\" cannot list resource \"customresourcedefinitions\"",
        ),
    });
    let kubeconfig = dir.path().join("kubeconfig");
    server.kubeconfig(&kubeconfig);
    let output = pull(&kubeconfig.display().to_string(), &dir.path().join("out"));
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains(
            "cannot read the CustomResourceDefinitions from the cluster of context recorded"
        ),
        "{}",
        stderr(&output)
    );
    assert!(
        stderr(&output).contains(
            "the server answered 403: customresourcedefinitions.apiextensions.k8s.io is forbidden"
        ),
        "{}",
        stderr(&output)
    );
}

#[test]
fn an_unknown_context_is_named_with_those_there_are() {
    let dir = tempfile::tempdir().unwrap();
    let server = ApiServer::start(|_| Answer::status(500, "", ""));
    let kubeconfig = dir.path().join("kubeconfig");
    server.kubeconfig(&kubeconfig);
    let output = run(&[
        "schemas",
        "pull",
        "--kubeconfig",
        &kubeconfig.display().to_string(),
        "--context",
        "prod",
        "-o",
        "x",
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        stderr(&output),
        "error: the kubeconfig has no context prod (it has: recorded, other)\n"
    );
    assert!(server.seen().is_empty());
}
