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
    serve(dir, Recorded::reference_cluster())
}

/// `recorded` served, and a kubeconfig for it in `dir`.
fn serve(dir: &Path, recorded: Recorded) -> (ApiServer, String) {
    let server = ApiServer::start(move |request| recorded.answer(request));
    let kubeconfig = dir.join("kubeconfig");
    server.kubeconfig(&kubeconfig);
    (server, kubeconfig.display().to_string())
}

/// A kubeconfig in `dir` for a server nothing listens on (a port bound, then closed), and
/// that server's URL.
fn unreachable(dir: &Path) -> (String, String) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}");
    let kubeconfig = dir.join("kubeconfig");
    apiserver::kubeconfig(&kubeconfig, &url);
    (kubeconfig.display().to_string(), url)
}

/// A recorded cluster pulled into `dir/schemas`: the server, the kubeconfig and the directory.
fn pulled(dir: &Path) -> (ApiServer, String, std::path::PathBuf) {
    let (server, kubeconfig) = cluster(dir);
    let out = dir.join("schemas");
    let output = pull(&kubeconfig, &out);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    (server, kubeconfig, out)
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
    let (_server, kubeconfig, out) = pulled(dir.path());
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
    let (_server, _, out) = pulled(dir.path());
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
    let (kubeconfig, url) = unreachable(dir.path());
    let output = pull(&kubeconfig, &dir.path().join("out"));
    assert_eq!(output.status.code(), Some(2));
    let message = stderr(&output);
    assert!(message.contains(&format!("cannot read the server version (/version) from the cluster of context recorded ({url}/)")), "{message}");
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

/// `--cluster`: the stack's output against a cluster with every CRD it needs passes; against
/// one whose InferencePool CRD serves only v1alpha2 it is one `unserved-api-version` at the
/// pool's apiVersion, naming what the cluster serves.
#[test]
fn check_cluster_reports_a_crd_version_the_cluster_does_not_serve() {
    if !reference::require() {
        return;
    }
    let stack = "tests/stacks/valid-https.toml";
    let dir = tempfile::tempdir().unwrap();
    let (_server, kubeconfig) = cluster(dir.path());
    let complete = run(&["check", stack, "--cluster", "--kubeconfig", &kubeconfig]);
    assert_eq!(
        complete.status.code(),
        Some(0),
        "{}{}",
        stdout(&complete),
        stderr(&complete)
    );
    let old = Recorded::reference_cluster()
        .with_versions("inferencepools.inference.networking.k8s.io", &["v1alpha2"]);
    let (server, kubeconfig) = serve(dir.path(), old);
    let expected = format!(
        "the cluster of context recorded ({}/, Kubernetes v1.35.0) does not serve \
         inference.networking.k8s.io/v1 InferencePool: its CustomResourceDefinition of \
         InferencePool serves v1alpha2 only (install the CRD release with v1, or emit a version \
         it serves)",
        server.url
    );
    let (_, report) = crate::support::cli::json_report(&[
        "check",
        stack,
        "--cluster",
        "--kubeconfig",
        &kubeconfig,
    ]);
    let findings: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "error")
        .collect();
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert_eq!(findings[0]["reason"], "unserved-api-version");
    assert_eq!(findings[0]["pointer"], "/apiVersion");
    let message = findings[0]["message"].as_str().unwrap();
    assert!(
        message.contains(expected.split(": ").nth(1).unwrap()),
        "{message}"
    );
    let build = run(&[
        "--message-format",
        "short",
        "build",
        stack,
        "--check",
        "-o",
        "nowhere",
        "--cluster",
        "--kubeconfig",
        &kubeconfig,
    ]);
    assert_eq!(build.status.code(), Some(1), "{}", stderr(&build));
    assert!(
        stderr(&build).contains("unserved-api-version"),
        "{}",
        stderr(&build)
    );
    assert!(!stderr(&build).contains(TOKEN) && !stdout(&build).contains(TOKEN));
    assert!(!Path::new("nowhere").exists());
}

/// `--cluster` reads the cluster's `config-features`: a flag it does not enable is reported
/// before Argo CD's sync meets Knative's webhook, and one it enables passes.
#[test]
fn validate_cluster_judges_by_the_clusters_knative_feature_flags() {
    if !reference::require() {
        return;
    }
    let manifest = "tests/manifests/knative/node-selector.yaml";
    let judged = |features: Value| {
        let dir = tempfile::tempdir().unwrap();
        let recorded = Recorded::reference_cluster().with_knative("config-features", features);
        let (_server, kubeconfig) = serve(dir.path(), recorded);
        let output = run(&[
            "--message-format",
            "short",
            "validate",
            manifest,
            "--cluster",
            "--kubeconfig",
            &kubeconfig,
        ]);
        (
            output.status.code(),
            format!("{}{}", stdout(&output), stderr(&output)),
        )
    };
    let (code, text) = judged(serde_json::json!({"kubernetes.podspec-affinity": "enabled"}));
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("knative-feature-disabled"), "{text}");
    assert!(
        text.contains("the feature flag kubernetes.podspec-nodeselector is Disabled"),
        "{text}"
    );
    let (code, text) = judged(serde_json::json!({"kubernetes.podspec-nodeselector": "enabled"}));
    assert_eq!(code, Some(0), "{text}");
}

/// The second run against an unchanged cluster reads the version, the CRDs' metadata and the
/// index, and nothing in full; a CRD whose resourceVersion moved is read again.
#[test]
fn a_second_cluster_run_reads_only_what_changed() {
    if !reference::require() {
        return;
    }
    use std::sync::{Arc, Mutex};
    let dir = tempfile::tempdir().unwrap();
    let recorded = Arc::new(Mutex::new(Recorded::reference_cluster()));
    let answering = Arc::clone(&recorded);
    let server = ApiServer::start(move |request| answering.lock().unwrap().answer(request));
    let kubeconfig = dir.path().join("kubeconfig");
    server.kubeconfig(&kubeconfig);
    let cache = dir.path().join("cache");
    let check = || {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_inferstack"))
            .args([
                "check",
                "tests/stacks/valid-https.toml",
                "--cluster",
                "--kubeconfig",
            ])
            .arg(&kubeconfig)
            .current_dir(crate::support::cli::root())
            .env("INFERSTACK_CACHE_DIR", &cache)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    };
    let read_in_full = |from: usize| {
        let seen = server.seen();
        let full_lists = seen[from..]
            .iter()
            .filter(|r| {
                r.path.contains("customresourcedefinitions")
                    && !r.accept.contains("PartialObjectMetadata")
            })
            .count();
        let documents = seen[from..]
            .iter()
            .filter(|r| r.path.starts_with("/openapi/v3/"))
            .count();
        (full_lists, documents, seen.len())
    };
    check();
    let (lists, documents, first) = read_in_full(0);
    let pages = Recorded::reference_cluster().crds.len().div_ceil(7);
    assert_eq!(lists, pages);
    // Only the group-versions the output uses: v1, apps/v1, rbac.authorization.k8s.io/v1.
    assert_eq!(documents, 3);
    check();
    assert_eq!(read_in_full(first).0, 0, "no CRD read in full");
    assert_eq!(read_in_full(first).1, 0, "no document read again");
    let (_, _, second) = read_in_full(0);
    {
        let mut cluster = recorded.lock().unwrap();
        *cluster = std::mem::take(&mut *cluster)
            .with_versions("gateways.gateway.networking.k8s.io", &["v1", "v1beta1"]);
    }
    check();
    assert_eq!(read_in_full(second).0, pages, "a changed CRD is read again");
}

/// The objects `build -o -` writes for `stack`.
fn compiled(stack: &str) -> Vec<Value> {
    let output = run(&["build", stack, "-o", "-"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    serde_saphyr::from_multiple(&stdout(&output)).unwrap()
}

/// `diff --live`: a cluster running exactly the output (with the server's own fields and
/// defaults) compares clean; an object edited there is `changed`, one missing is `added`, with
/// `diff`'s report and exit codes; every request is a GET or a dry-run apply.
#[test]
fn diff_live_reports_changed_and_absent_objects_and_nothing_else() {
    if !reference::require() {
        return;
    }
    let stack = "tests/stacks/valid-https.toml";
    let mut recorded = Recorded::reference_cluster();
    let objects = compiled(stack);
    for object in &objects {
        recorded
            .live
            .insert(recorded.path_of(object), Recorded::applied(object));
    }
    let dir = tempfile::tempdir().unwrap();
    let deployment = objects
        .iter()
        .find(|o| o["kind"] == "Deployment")
        .unwrap()
        .clone();
    let role = objects
        .iter()
        .find(|o| o["kind"] == "Role")
        .unwrap()
        .clone();
    let (deployment_path, role_path) = (recorded.path_of(&deployment), recorded.path_of(&role));
    let mut drifted = recorded.live.clone();
    let (server, kubeconfig) = serve(dir.path(), recorded);
    let clean = run(&["diff", stack, "--live", "--kubeconfig", &kubeconfig]);
    assert_eq!(
        clean.status.code(),
        Some(0),
        "{}{}",
        stdout(&clean),
        stderr(&clean)
    );
    assert_eq!(
        stdout(&clean),
        format!("no differences with context recorded ({}/)\n", server.url)
    );
    let seen = server.seen();
    assert!(seen.iter().all(|r| r.method == "GET"
        || (r.method == "PATCH"
            && r.path.contains("dryRun=All")
            && r.content_type == "application/apply-patch+yaml")));
    assert_eq!(
        seen.iter().filter(|r| r.method == "PATCH").count(),
        objects.len()
    );

    // Someone scaled the Deployment by hand, and the Role was deleted.
    drifted.get_mut(&deployment_path).unwrap()["spec"]["replicas"] = serde_json::json!(5);
    drifted.remove(&role_path);
    let dir = tempfile::tempdir().unwrap();
    let mut recorded = Recorded::reference_cluster();
    recorded.live = drifted;
    let (server, kubeconfig) = serve(dir.path(), recorded);
    let (code, report) =
        crate::support::cli::json_report(&["diff", stack, "--live", "--kubeconfig", &kubeconfig]);
    assert_eq!(code, Some(1));
    assert_eq!(
        report["summary"],
        serde_json::json!({"added": 1, "removed": 0, "changed": 1, "replace": 0})
    );
    let changes = report["changes"].as_array().unwrap();
    let changed = changes.iter().find(|c| c["action"] == "changed").unwrap();
    assert_eq!(changed["object"]["kind"], "Deployment");
    let diff = changed["diff"].as_str().unwrap();
    assert!(diff.contains("-  replicas: 5\n"), "{diff}");
    assert!(
        !diff.contains("revisionHistoryLimit") && !diff.contains("uid"),
        "{diff}"
    );
    let added = changes.iter().find(|c| c["action"] == "added").unwrap();
    assert_eq!(added["object"]["kind"], "Role");
    let text = run(&["diff", stack, "--live", "--kubeconfig", &kubeconfig]);
    assert_eq!(text.status.code(), Some(1));
    let cluster = format!("context recorded ({}/)", server.url);
    assert!(
        stdout(&text).contains(&format!("absent from {cluster}\n--- /dev/null\n")),
        "{}",
        stdout(&text)
    );
    assert!(
        stdout(&text).contains(&format!("(apps/v1) on {cluster}\n")),
        "{}",
        stdout(&text)
    );
    assert!(
        stdout(&text).ends_with(&format!(
            "1 added, 0 removed, 1 changed (0 to replace) compared with context recorded ({}/)\n",
            server.url
        )),
        "{}",
        stdout(&text)
    );
    for output in [&clean, &text] {
        assert!(!stdout(output).contains(TOKEN) && !stderr(output).contains(TOKEN));
    }
}

/// A dry-run apply the cluster refuses (its validation or a webhook) is exit 2 with its answer.
#[test]
fn diff_live_names_an_object_the_cluster_refuses() {
    if !reference::require() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let recorded = Recorded::reference_cluster();
    let server = ApiServer::start(move |request| {
        if request.method == "PATCH"
            && request.path.contains("/services/")
            && request.path.starts_with("/api/v1/")
        {
            return Answer::status(
                422,
                "Invalid",
                "Service \"qwen-epp\" is invalid: spec.ports[0].port: Invalid value: 0",
            );
        }
        recorded.answer(request)
    });
    let kubeconfig = dir.path().join("kubeconfig");
    server.kubeconfig(&kubeconfig);
    let output = run(&[
        "diff",
        "tests/stacks/valid-https.toml",
        "--live",
        "--kubeconfig",
        &kubeconfig.display().to_string(),
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("refuses Service"),
        "{}",
        stderr(&output)
    );
    assert!(
        stderr(&output).contains("(a dry-run apply answered 422): Service \"qwen-epp\" is invalid"),
        "{}",
        stderr(&output)
    );
}

/// `--print-rbac` names each emitted kind by the resource its CRD or OpenAPI document gives
/// (`gateways`, not a guessed plural), with the verbs `diff --live` uses.
#[test]
fn print_rbac_grants_what_diff_live_does_on_the_emitted_kinds() {
    let output = run(&["diff", "tests/stacks/valid-https.toml", "--print-rbac"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let role: Value = serde_saphyr::from_str(&stdout(&output)).unwrap();
    assert_eq!(role["kind"], "ClusterRole");
    let rules = role["rules"].as_array().unwrap();
    let of = |group: &str| rules.iter().find(|r| r["apiGroups"][0] == group).unwrap();
    assert_eq!(
        of("gateway.networking.k8s.io")["resources"],
        serde_json::json!(["gateways", "httproutes"])
    );
    assert_eq!(
        of("inference.networking.k8s.io")["resources"],
        serde_json::json!(["inferencepools"])
    );
    assert_eq!(
        of("llm-d.ai")["resources"],
        serde_json::json!(["inferenceobjectives"])
    );
    assert_eq!(
        of("")["resources"],
        serde_json::json!([
            "configmaps",
            "namespaces",
            "persistentvolumeclaims",
            "persistentvolumes",
            "serviceaccounts",
            "services"
        ])
    );
    for rule in rules {
        assert_eq!(
            rule["verbs"],
            serde_json::json!(["get", "list", "patch", "create"])
        );
    }
}

/// A kubeconfig whose user is an exec plugin (as EKS, GKE and OIDC logins are): its token is
/// what the requests carry, and it appears in no output.
#[test]
fn an_exec_plugin_supplies_the_token() {
    if !reference::require() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let recorded = Recorded::reference_cluster();
    let server = ApiServer::start(move |request| recorded.answer(request));
    let plugin = dir.path().join("credential-plugin");
    // client.authentication.k8s.io/v1 ExecCredential, as kubernetes.io/docs/reference/
    // access-authn-authz/authentication/#client-go-credential-plugins describes it.
    std::fs::write(
        &plugin,
        format!(
            "#!/bin/sh\necho '{{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\",\"status\":{{\"token\":\"{TOKEN}\"}}}}'\n"
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&plugin, std::fs::Permissions::from_mode(0o755)).unwrap();
    let kubeconfig = dir.path().join("kubeconfig");
    std::fs::write(
        &kubeconfig,
        format!(
            "apiVersion: v1\nkind: Config\ncurrent-context: sso\n\
             clusters:\n- name: c\n  cluster:\n    server: {}\n\
             contexts:\n- name: sso\n  context:\n    cluster: c\n    user: sso\n\
             users:\n- name: sso\n  user:\n    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      \
             command: {}\n      interactiveMode: Never\n",
            server.url,
            plugin.display()
        ),
    )
    .unwrap();
    let out = dir.path().join("schemas");
    let output = pull(&kubeconfig.display().to_string(), &out);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        server
            .seen()
            .iter()
            .all(|r| r.authorization.as_deref() == Some(&*format!("Bearer {TOKEN}")))
    );
    assert!(tree(&out).iter().all(|(_, text)| !text.contains(TOKEN)));
    assert!(!stdout(&output).contains(TOKEN) && !stderr(&output).contains(TOKEN));
}

/// A CRD among the inputs is served once they are applied: its objects are not
/// `unserved-api-version` (their schema is still missing, as offline: `--crds` gives it).
#[test]
fn validate_cluster_counts_the_crds_the_inputs_install() {
    if !reference::require() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (_server, kubeconfig) = cluster(dir.path());
    let file = "tests/cluster/crd-and-its-object.yaml";
    let output = run(&[
        "--message-format",
        "short",
        "validate",
        file,
        "--cluster",
        "--kubeconfig",
        &kubeconfig,
    ]);
    let text = format!("{}{}", stdout(&output), stderr(&output));
    assert!(!text.contains("unserved-api-version"), "{text}");
    let with_schema = run(&[
        "validate",
        file,
        "--crds",
        file,
        "--cluster",
        "--kubeconfig",
        &kubeconfig,
    ]);
    assert_eq!(
        with_schema.status.code(),
        Some(0),
        "{}",
        stdout(&with_schema)
    );
}

/// A server that accepts the connection and never answers: `--request-timeout` ends the run
/// with exit 2, naming the cluster, instead of waiting for it.
#[test]
fn a_cluster_that_never_answers_is_named_after_the_request_timeout() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let held: Vec<_> = listener.incoming().flatten().collect();
        drop(held);
    });
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = dir.path().join("kubeconfig");
    apiserver::kubeconfig(&kubeconfig, &url);
    let output = run(&[
        "schemas",
        "pull",
        "--kubeconfig",
        &kubeconfig.display().to_string(),
        "--request-timeout",
        "1",
        "-o",
        &dir.path().join("out").display().to_string(),
    ]);
    assert_eq!(output.status.code(), Some(2));
    let message = stderr(&output);
    assert!(
        message.starts_with(&format!(
            "error: cannot read the server version (/version) from the cluster of context recorded ({url}/): "
        )),
        "{message}"
    );
    assert!(!message.contains(TOKEN));
}

/// A stack with errors is reported (exit 1) without asking the cluster, which may not even be
/// reachable; the flags that choose a cluster without `--cluster` are refused, not ignored.
#[test]
fn stack_errors_come_first_and_cluster_flags_need_cluster() {
    let dir = tempfile::tempdir().unwrap();
    let (kubeconfig, _) = unreachable(dir.path());
    let invalid = "tests/stacks/invalid-70b-on-l4.toml";
    let output = run(&["check", invalid, "--cluster", "--kubeconfig", &kubeconfig]);
    assert_eq!(
        output.status.code(),
        Some(1),
        "{}{}",
        stdout(&output),
        stderr(&output)
    );
    for flags in [
        ["--kubeconfig", kubeconfig.as_str()],
        ["--request-timeout", "5"],
    ] {
        let mut args = vec!["check", "tests/stacks/valid-minimal.toml"];
        args.extend(flags);
        let output = run(&args);
        assert_eq!(output.status.code(), Some(2));
        assert!(
            stderr(&output).contains("pass --cluster to check against it"),
            "{}",
            stderr(&output)
        );
    }
}
