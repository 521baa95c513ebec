//! A stand-in for a Kubernetes API server: plain HTTP on 127.0.0.1, one thread, answering
//! from recorded responses (`tests/cluster/README.md` says where each comes from), and keeping
//! every request it was sent so a test can see what inferstack asked and with which
//! credentials.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};

use super::cli::root;
use super::reference;

/// The bearer token the test kubeconfig carries: no output may ever contain it.
pub const TOKEN: &str = "sha256~Zq3rT0kenV4lu3NeverPrintMe9xW2";

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub authorization: Option<String>,
    pub accept: String,
    pub content_type: String,
    pub body: String,
}

/// What the server answers with.
pub struct Answer {
    pub status: u16,
    pub body: String,
}

impl Answer {
    pub fn json(value: &Value) -> Answer {
        Answer {
            status: 200,
            body: value.to_string(),
        }
    }

    /// A `Status` failure, as the API server sends for 404 and the like.
    pub fn status(code: u16, reason: &str, message: &str) -> Answer {
        Answer {
            status: code,
            body: json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                         "message": message, "reason": reason, "code": code})
            .to_string(),
        }
    }
}

/// The recorded cluster: what each path answers.
#[derive(Default)]
pub struct Recorded {
    pub version: Value,
    /// CRDs as the server lists them.
    pub crds: Vec<Value>,
    /// Group-version path (`api/v1`) -> its OpenAPI v3 document, as text.
    pub openapi: BTreeMap<String, String>,
    /// The largest page of a list, whatever `limit` asks (to make the client page).
    pub page: usize,
    /// ConfigMaps of `knative-serving` by name.
    pub knative: BTreeMap<String, Value>,
    /// Group-version -> `(resource, kind, namespaced)` of each kind it serves.
    pub discovery: BTreeMap<String, Vec<(String, String, bool)>>,
    /// Live objects by URL path.
    pub live: BTreeMap<String, Value>,
}

/// The CRD directories of the reference set a recorded cluster has installed: those
/// `reference::configurations` validates with (one channel of Gateway API, as a cluster has).
pub const INSTALLED_CRDS: &[&str] = &[
    "crds/gateway-api/standard",
    "crds/gateway-api-inference-extension",
    "crds/llm-d-router",
    "crds/knative-serving",
];

/// The OpenAPI v3 documents a recorded cluster serves.
pub const OPENAPI: &str = "openapi/kubernetes/v1.35";

impl Recorded {
    /// A v1.35 cluster with [`INSTALLED_CRDS`]; call `reference::require` first.
    pub fn reference_cluster() -> Recorded {
        let version = serde_json::from_str(
            &std::fs::read_to_string(root().join("tests/cluster/version.json")).unwrap(),
        )
        .unwrap();
        let mut crds = Vec::new();
        for dir in INSTALLED_CRDS {
            for file in files(&reference::path(dir), "yaml") {
                let text = std::fs::read_to_string(&file).unwrap();
                for document in serde_saphyr::from_multiple::<Value>(&text).unwrap() {
                    if document["kind"] == "CustomResourceDefinition" {
                        crds.push(as_listed(document, crds.len()));
                    }
                }
            }
        }
        let mut openapi = BTreeMap::new();
        for file in files(&reference::path(OPENAPI), "json") {
            let name = file.file_name().unwrap().to_string_lossy().into_owned();
            let path = name.trim_end_matches("_openapi.json").replace("__", "/");
            openapi.insert(path, std::fs::read_to_string(&file).unwrap());
        }
        let discovery = discovery(&openapi, &crds);
        Recorded {
            version,
            crds,
            openapi,
            page: 7,
            knative: BTreeMap::new(),
            discovery,
            live: BTreeMap::new(),
        }
    }

    /// The URL path of `object` on this cluster.
    pub fn path_of(&self, object: &Value) -> String {
        let api_version = object["apiVersion"].as_str().unwrap();
        let kind = object["kind"].as_str().unwrap();
        let (resource, _, namespaced) = self.discovery[api_version]
            .iter()
            .find(|(_, k, _)| k == kind)
            .unwrap_or_else(|| panic!("{api_version} {kind} is not served"));
        let base = if api_version.contains('/') {
            format!("/apis/{api_version}")
        } else {
            format!("/api/{api_version}")
        };
        let name = object["metadata"]["name"].as_str().unwrap();
        if *namespaced {
            let namespace = object["metadata"]["namespace"].as_str().unwrap();
            format!("{base}/namespaces/{namespace}/{resource}/{name}")
        } else {
            format!("{base}/{resource}/{name}")
        }
    }

    /// `object` as the cluster holds it after an apply: with the fields the server writes and
    /// the defaults it fills in.
    pub fn applied(object: &Value) -> Value {
        let mut live = object.clone();
        let metadata = live["metadata"].as_object_mut().unwrap();
        metadata.insert("uid".into(), json!("9a1f0c1e-5d2b-4c37-9a0e-3f1b2c4d5e6f"));
        metadata.insert("resourceVersion".into(), json!("31337"));
        metadata.insert("generation".into(), json!(2));
        metadata.insert("creationTimestamp".into(), json!("2026-11-30T09:14:02Z"));
        metadata.insert(
            "managedFields".into(),
            json!([{"manager": "argocd-controller", "operation": "Apply", "fieldsType": "FieldsV1", "fieldsV1": {}}]),
        );
        // Defaults the API server fills in (apps/v1 Deployment: revisionHistoryLimit 10,
        // progressDeadlineSeconds 600; k8s.io/kubernetes pkg/apis/apps/v1/defaults.go).
        if object["kind"] == "Deployment" {
            let spec = live["spec"].as_object_mut().unwrap();
            spec.entry("revisionHistoryLimit").or_insert(json!(10));
            spec.entry("progressDeadlineSeconds").or_insert(json!(600));
        }
        live["status"] = json!({"observedGeneration": 2});
        live
    }

    /// Adds ConfigMap `knative-serving/NAME` with `data`, as the server would return it.
    pub fn with_knative(mut self, name: &str, data: Value) -> Recorded {
        let configmap = json!({"kind": "ConfigMap", "apiVersion": "v1",
            "metadata": {"name": name, "namespace": "knative-serving", "uid": "1d2c", "resourceVersion": "77",
                         "creationTimestamp": "2026-11-30T09:14:02Z"},
            "data": data});
        self.knative.insert(name.to_owned(), configmap);
        self
    }

    /// The CRD `name` with only `versions` (say the v1 InferencePool CRD as an older release
    /// had it, serving only v1alpha2).
    pub fn with_versions(mut self, name: &str, versions: &[&str]) -> Recorded {
        let crd = self
            .crds
            .iter_mut()
            .find(|crd| crd["metadata"]["name"] == name)
            .unwrap();
        let template = crd["spec"]["versions"][0].clone();
        crd["spec"]["versions"] = versions
            .iter()
            .map(|v| {
                let mut version = template.clone();
                version["name"] = json!(v);
                version
            })
            .collect();
        crd["metadata"]["resourceVersion"] = json!("9001");
        self
    }

    /// The answer to a request: GETs, and server-side applies with `dryRun=All` (anything
    /// else is refused, so a test sees a write as a failure).
    pub fn answer(&self, request: &Seen) -> Answer {
        let path = request.path.as_str();
        let (route, query) = path.split_once('?').unwrap_or((path, ""));
        if request.method == "PATCH" {
            return self.dry_run_apply(route, query, request);
        }
        if request.method != "GET" {
            return Answer::status(405, "MethodNotAllowed", "the recorded cluster only reads");
        }
        if let Some(object) = self.live.get(route) {
            return Answer::json(object);
        }
        let group_version = route
            .strip_prefix("/apis/")
            .or_else(|| route.strip_prefix("/api/"));
        if let Some(resources) = group_version.and_then(|gv| self.discovery.get(gv)) {
            let listed: Vec<Value> = resources
                .iter()
                .flat_map(|(resource, kind, namespaced)| {
                    [
                        json!({"name": resource, "singularName": "", "namespaced": namespaced, "kind": kind,
                               "verbs": ["create", "delete", "get", "list", "patch", "update", "watch"]}),
                        json!({"name": format!("{resource}/status"), "singularName": "", "namespaced": namespaced,
                               "kind": kind, "verbs": ["get", "patch", "update"]}),
                    ]
                })
                .collect();
            return Answer::json(&json!({"kind": "APIResourceList", "apiVersion": "v1",
                                         "groupVersion": group_version, "resources": listed}));
        }
        let query: BTreeMap<&str, &str> = query
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .collect();
        match route {
            "/version" => Answer::json(&self.version),
            "/apis/apiextensions.k8s.io/v1/customresourcedefinitions" => self.crd_page(
                &query,
                request.accept.contains("as=PartialObjectMetadataList"),
            ),
            "/openapi/v3" => Answer::json(&self.openapi_index()),
            _ if route.starts_with("/api/v1/namespaces/knative-serving/configmaps/") => {
                let name = route.rsplit('/').next().unwrap();
                match self.knative.get(name) {
                    Some(configmap) => Answer::json(configmap),
                    None => {
                        Answer::status(404, "NotFound", &format!("configmaps \"{name}\" not found"))
                    }
                }
            }
            _ => match route.strip_prefix("/openapi/v3/") {
                Some(group_version) if self.openapi.contains_key(group_version) => Answer {
                    status: 200,
                    body: self.openapi[group_version].clone(),
                },
                _ => Answer::status(
                    404,
                    "NotFound",
                    "the server could not find the requested resource",
                ),
            },
        }
    }

    /// A server-side apply: refused unless `dryRun=All` and an apply patch; the answer is the
    /// live object (or none) with the patch merged in, as the cluster would hold it.
    fn dry_run_apply(&self, route: &str, query: &str, request: &Seen) -> Answer {
        if !query.split('&').any(|p| p == "dryRun=All")
            || request.content_type != "application/apply-patch+yaml"
        {
            return Answer::status(
                403,
                "Forbidden",
                "the recorded cluster only dry-runs applies",
            );
        }
        let patch: Value = serde_json::from_str(&request.body).unwrap();
        let mut result = self.live.get(route).cloned().unwrap_or_else(|| json!({}));
        merge(&mut result, &patch);
        Answer::json(&Recorded::applied(&result))
    }

    /// One page of the CRD list: `limit` or [`Recorded::page`] items, whichever is fewer, from
    /// the offset the `continue` token holds; `metadata_only` as a `PartialObjectMetadataList`.
    fn crd_page(&self, query: &BTreeMap<&str, &str>, metadata_only: bool) -> Answer {
        let limit: usize = query
            .get("limit")
            .and_then(|l| l.parse().ok())
            .unwrap_or(usize::MAX);
        let start: usize = query
            .get("continue")
            .and_then(|token| token.strip_prefix("offset%3D"))
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        let end = (start + limit.min(self.page)).min(self.crds.len());
        let mut metadata = json!({"resourceVersion": "48213"});
        if end < self.crds.len() {
            // An opaque token to the client; `=` makes it need encoding in the query.
            metadata["continue"] = json!(format!("offset={end}"));
        }
        let page = &self.crds[start..end];
        if metadata_only {
            let items: Vec<Value> = page
                .iter()
                .map(|crd| json!({"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": crd["metadata"]}))
                .collect();
            return Answer::json(
                &json!({"kind": "PartialObjectMetadataList", "apiVersion": "meta.k8s.io/v1",
                                         "metadata": metadata, "items": items}),
            );
        }
        Answer::json(&json!({
            "kind": "CustomResourceDefinitionList",
            "apiVersion": "apiextensions.k8s.io/v1",
            "metadata": metadata,
            "items": page,
        }))
    }

    /// `/openapi/v3`: every document, the discovery documents beside them, and the CRD groups.
    fn openapi_index(&self) -> Value {
        let mut paths = serde_json::Map::new();
        let mut entry = |path: &str| {
            let url = format!("/openapi/v3/{path}?hash={:016X}", path.len() * 7919);
            paths.insert(path.to_owned(), json!({"serverRelativeURL": url}));
        };
        for path in [
            "api",
            "apis",
            "apis/apps",
            ".well-known/openid-configuration",
            "version",
        ] {
            entry(path);
        }
        for path in self.openapi.keys() {
            entry(path);
        }
        for crd in &self.crds {
            for version in crd["spec"]["versions"].as_array().unwrap() {
                entry(&format!(
                    "apis/{}/{}",
                    crd["spec"]["group"].as_str().unwrap(),
                    version["name"].as_str().unwrap()
                ));
            }
        }
        json!({"paths": paths})
    }
}

/// `patch` merged into `target`: objects field by field, everything else replaced (enough of
/// server-side apply for fields one manager owns).
fn merge(target: &mut Value, patch: &Value) {
    match (target, patch) {
        (Value::Object(target), Value::Object(patch)) => {
            for (key, value) in patch {
                merge(target.entry(key.clone()).or_insert(Value::Null), value);
            }
        }
        (target, patch) => *target = patch.clone(),
    }
}

/// Every group-version's kinds: the built-in ones from their OpenAPI documents (the path of
/// each kind's `get`), the CRDs' from their names and scope.
fn discovery(
    openapi: &BTreeMap<String, String>,
    crds: &[Value],
) -> BTreeMap<String, Vec<(String, String, bool)>> {
    let mut discovery: BTreeMap<String, Vec<(String, String, bool)>> = BTreeMap::new();
    for (path, text) in openapi {
        let group_version = path
            .trim_start_matches("apis/")
            .trim_start_matches("api/")
            .to_owned();
        let document: Value = serde_json::from_str(text).unwrap();
        for (url, operations) in document["paths"].as_object().unwrap() {
            let get = &operations["get"];
            let Some(rest) = url.strip_suffix("/{name}") else {
                continue;
            };
            if get["x-kubernetes-action"] != "get" {
                continue;
            }
            let resource = rest.rsplit('/').next().unwrap().to_owned();
            let kind = get["x-kubernetes-group-version-kind"]["kind"]
                .as_str()
                .unwrap()
                .to_owned();
            let entry = (resource, kind, url.contains("{namespace}"));
            let resources = discovery.entry(group_version.clone()).or_default();
            if !resources.contains(&entry) {
                resources.push(entry);
            }
        }
    }
    for crd in crds {
        for version in crd["spec"]["versions"].as_array().unwrap() {
            let group_version = format!(
                "{}/{}",
                crd["spec"]["group"].as_str().unwrap(),
                version["name"].as_str().unwrap()
            );
            discovery.entry(group_version).or_default().push((
                crd["spec"]["names"]["plural"].as_str().unwrap().to_owned(),
                crd["spec"]["names"]["kind"].as_str().unwrap().to_owned(),
                crd["spec"]["scope"] == "Namespaced",
            ));
        }
    }
    discovery
}

/// A CRD as the server lists it: no `apiVersion`/`kind`, and the fields the server writes.
fn as_listed(mut crd: Value, n: usize) -> Value {
    let fields = crd.as_object_mut().unwrap();
    fields.remove("apiVersion");
    fields.remove("kind");
    let metadata = fields["metadata"].as_object_mut().unwrap();
    metadata.insert(
        "uid".into(),
        json!(format!("6f1c2a4e-0000-4000-8000-{n:012}")),
    );
    metadata.insert("resourceVersion".into(), json!(format!("{}", 1000 + n)));
    metadata.insert("generation".into(), json!(1));
    metadata.insert("creationTimestamp".into(), json!("2026-11-30T09:14:02Z"));
    metadata.insert(
        "managedFields".into(),
        json!([{"manager": "kubectl", "operation": "Apply", "apiVersion": "apiextensions.k8s.io/v1",
                "time": "2026-11-30T09:14:02Z", "fieldsType": "FieldsV1", "fieldsV1": {"f:spec": {}}}]),
    );
    let names = fields["spec"]["names"].clone();
    fields.insert(
        "status".into(),
        json!({"acceptedNames": names, "storedVersions": ["v1"],
               "conditions": [{"type": "Established", "status": "True",
                               "lastTransitionTime": "2026-11-30T09:14:02Z"}]}),
    );
    crd
}

fn files(dir: &str, extension: &str) -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(root().join(dir))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == extension))
        .collect();
    files.sort();
    files
}

/// A running server: its address and every request it has seen.
pub struct ApiServer {
    pub url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl ApiServer {
    /// Serves `answer` until the test process ends.
    pub fn start(answer: impl Fn(&Seen) -> Answer + Send + 'static) -> ApiServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&seen);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                if let Some(request) = read_request(&stream) {
                    log.lock().unwrap().push(request.clone());
                    let reply = answer(&request);
                    let _ = respond(stream, &reply);
                }
            }
        });
        ApiServer { url, seen }
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    /// A kubeconfig for this server at `path`: see [`kubeconfig`].
    pub fn kubeconfig(&self, path: &std::path::Path) {
        kubeconfig(path, &self.url);
    }
}

/// A kubeconfig for the server at `url`, with [`TOKEN`], contexts `recorded` (the current
/// one) and `other`, at `path`.
pub fn kubeconfig(path: &std::path::Path, url: &str) {
    let text = format!(
        "apiVersion: v1\nkind: Config\ncurrent-context: recorded\n\
             clusters:\n- name: recorded\n  cluster:\n    server: {}\n\
             contexts:\n- name: recorded\n  context:\n    cluster: recorded\n    user: ci\n\
             - name: other\n  context:\n    cluster: recorded\n    user: ci\n\
             users:\n- name: ci\n  user:\n    token: {TOKEN}\n",
        url
    );
    std::fs::write(path, text).unwrap();
}

fn read_request(stream: &TcpStream) -> Option<Seen> {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let (method, path) = (parts.next()?.to_owned(), parts.next()?.to_owned());
    let (mut authorization, mut accept, mut content_type, mut length) =
        (None, String::new(), String::new(), 0);
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).ok()?;
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        let (name, value) = header.split_once(':')?;
        match name.to_ascii_lowercase().as_str() {
            "authorization" => authorization = Some(value.trim().to_owned()),
            "accept" => accept = value.trim().to_owned(),
            "content-type" => content_type = value.trim().to_owned(),
            "content-length" => length = value.trim().parse().ok()?,
            _ => {}
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some(Seen {
        method,
        path,
        authorization,
        accept,
        content_type,
        body: String::from_utf8_lossy(&body).into_owned(),
    })
}

fn respond(mut stream: TcpStream, answer: &Answer) -> std::io::Result<()> {
    write!(
        stream,
        "HTTP/1.1 {} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{}",
        answer.status,
        answer.body.len(),
        answer.body
    )?;
    stream.flush()
}
