//! Diff stage (pure): compiled objects vs the objects read from a rendered directory ->
//! `Vec<Change>`, one per object added, removed or changed, in apply order.
//!
//! Objects are matched by API group, kind, namespace and name (not by version, so a changed
//! `apiVersion` of one group is a change, not a removal and an addition). They are compared
//! semantically, as JSON values; the diff shown is between the canonical YAML of both sides,
//! so formatting and key order on disk never show up. A change to a field the API server will
//! not update ([`immutable_fields`]) marks the object for replacement.

use std::collections::BTreeMap;

use serde_json::Value;
use similar::TextDiff;

mod immutable;

use crate::emit::layout::OutputTree;
use crate::emit::{apply_order, layout, to_yaml};
use crate::k8s::{Object, ObjectRef};
pub use immutable::immutable_fields;

/// Lines of context around each hunk, as `diff -u` and `kubectl diff` show.
const CONTEXT_LINES: usize = 3;

/// What happens to an object when the compiled output replaces what is on disk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Compiled, not on disk.
    Added,
    /// On disk, no longer compiled.
    Removed,
    /// On both sides, with different content.
    Changed,
}

impl Action {
    /// The word used in reports: `added`, `removed`, `changed`.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Added => "added",
            Action::Removed => "removed",
            Action::Changed => "changed",
        }
    }
}

/// One object that differs between the compiled output and the directory.
#[derive(Clone, Debug, PartialEq)]
pub struct Change {
    pub action: Action,
    /// The compiled identity, or the one on disk for a removed object.
    pub id: ObjectRef,
    /// The file under the directory (`/`-separated): where the object is on disk, or for an
    /// added object, where `build` would write it.
    pub path: String,
    /// JSON Pointers of the immutable fields that change; empty unless `action` is `Changed`.
    pub immutable_fields: Vec<String>,
    /// For each immutable field, the rule that forbids the change and where it comes from.
    pub why: Vec<String>,
    /// Changes the API server accepts only under a condition the directory cannot show (a
    /// claim grows only if its StorageClass allows expansion).
    pub conditions: Vec<String>,
    /// Unified diff of the canonical YAML, from the disk side to the compiled side; never
    /// coloured.
    pub diff: String,
}

impl Change {
    /// The object must be deleted and recreated: an immutable field changes.
    pub fn replace(&self) -> bool {
        !self.immutable_fields.is_empty()
    }
}

/// The matching key: the group, not the version, identifies a resource type.
type Key = (String, String, Option<String>, String);

fn key(id: &ObjectRef) -> Key {
    (
        id.group().to_owned(),
        id.kind.clone(),
        id.namespace.clone(),
        id.name.clone(),
    )
}

/// One object of the compiled side: its identity, the file `build` writes it to (relative to
/// the tree), and its body.
pub struct Ours<'a> {
    pub id: ObjectRef,
    pub path: String,
    pub body: &'a Value,
}

impl<'a> Ours<'a> {
    /// A tree's objects: the compiled ones at their layout paths, and the GitOps objects that
    /// deliver them at theirs (each has a name: they are inferstack's own).
    pub fn of_tree(objects: &'a [Object], gitops: &'a [(String, Value)]) -> Vec<Ours<'a>> {
        let compiled = objects.iter().map(|object| Ours {
            id: object.id.clone(),
            path: layout::path(object),
            body: &object.body,
        });
        let delivery = gitops.iter().filter_map(|(path, body)| {
            Some(Ours {
                id: identify(body)?,
                path: path.clone(),
                body,
            })
        });
        compiled.chain(delivery).collect()
    }
}

/// The identity of a manifest on disk; a name is required to match it with a compiled object.
pub fn identify(value: &Value) -> Option<ObjectRef> {
    ObjectRef::of_manifest(value).filter(|id| !id.name.is_empty())
}

/// Compares `ours` (compiled) with `theirs` (`(file under the directory, document)` as read
/// from disk; null documents are ignored). Errors are for a disk side that cannot be compared:
/// a document that is not a Kubernetes object, or one object in two documents.
pub fn diff(ours: &[Ours<'_>], theirs: &[(String, Value)]) -> anyhow::Result<Vec<Change>> {
    let mut disk: BTreeMap<Key, (ObjectRef, &str, &Value)> = BTreeMap::new();
    for (path, value) in theirs {
        if value.is_null() {
            continue;
        }
        let Some(id) = identify(value) else {
            anyhow::bail!(
                "{path}: a document is not a Kubernetes object (it needs string apiVersion, kind and metadata.name)"
            );
        };
        if let Some((_, first, _)) = disk.get(&key(&id)) {
            anyhow::bail!("{id} is defined twice on disk: in {first} and in {path}");
        }
        disk.insert(key(&id), (id, path.as_str(), value));
    }

    let mut changes = Vec::new();
    for object in ours {
        let Some((_, path, value)) = disk.remove(&key(&object.id)) else {
            changes.push(Change {
                action: Action::Added,
                id: object.id.clone(),
                diff: unified(
                    "",
                    &to_yaml(object.body)?,
                    "/dev/null",
                    &format!("b/{}", object.path),
                ),
                path: object.path.clone(),
                immutable_fields: Vec::new(),
                why: Vec::new(),
                conditions: Vec::new(),
            });
            continue;
        };
        if value == object.body {
            continue;
        }
        let old = to_yaml(value)?;
        let new = to_yaml(object.body)?;
        let verdict = immutable::check(&object.id, value, object.body);
        changes.push(Change {
            action: Action::Changed,
            id: object.id.clone(),
            path: path.to_owned(),
            immutable_fields: verdict.forced.iter().map(|f| f.pointer.clone()).collect(),
            why: verdict.forced.iter().map(|f| f.why.clone()).collect(),
            conditions: verdict.conditions,
            diff: unified(&old, &new, &format!("a/{path}"), &format!("b/{path}")),
        });
    }
    for (id, path, value) in disk.into_values() {
        changes.push(Change {
            action: Action::Removed,
            id,
            path: path.to_owned(),
            immutable_fields: Vec::new(),
            why: Vec::new(),
            conditions: Vec::new(),
            diff: unified(&to_yaml(value)?, "", &format!("a/{path}"), "/dev/null"),
        });
    }
    changes.sort_by(|a, b| {
        apply_order(&a.id)
            .cmp(&apply_order(&b.id))
            .then_with(|| a.path.cmp(&b.path))
    });
    Ok(changes)
}

/// The kustomization files of the tree `build` writes, compared as files with what is in `dir`:
/// Argo CD and Flux render the tree through them, so an `images:` override or a resource
/// added by hand there changes what the cluster gets as surely as an object does. Each
/// differing file is a change of a `Kustomization` named by its path.
pub fn kustomizations(tree: &OutputTree, dir: &std::path::Path) -> Vec<Change> {
    let mut changes = Vec::new();
    for (path, content) in tree {
        if !path.ends_with(layout::KUSTOMIZATION) {
            continue;
        }
        let new = String::from_utf8_lossy(content).into_owned();
        let (action, old) = match crate::output::read_own(dir, path) {
            crate::output::OnDisk::File(bytes) if bytes == *content => continue,
            crate::output::OnDisk::File(bytes) => (
                Action::Changed,
                String::from_utf8_lossy(&bytes).into_owned(),
            ),
            crate::output::OnDisk::Absent => (Action::Added, String::new()),
            crate::output::OnDisk::Refused(why) => (Action::Changed, format!("# {why}\n")),
        };
        let old_name = if action == Action::Added {
            "/dev/null".to_owned()
        } else {
            format!("a/{path}")
        };
        changes.push(Change {
            action,
            id: ObjectRef {
                api_version: "kustomize.config.k8s.io/v1beta1".to_owned(),
                kind: "Kustomization".to_owned(),
                namespace: None,
                name: path.clone(),
            },
            diff: unified(&old, &new, &old_name, &format!("b/{path}")),
            path: path.clone(),
            immutable_fields: Vec::new(),
            why: Vec::new(),
            conditions: Vec::new(),
        });
    }
    changes
}

/// The unified diff of two texts, credentials masked as in a code frame (a rendered
/// `--hf-token=hf_...` in a file on either side must not reach a CI log or a JSON report).
fn unified(old: &str, new: &str, old_name: &str, new_name: &str) -> String {
    let diff = TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(CONTEXT_LINES)
        .header(&quoted(old_name), &quoted(new_name))
        .to_string();
    mask_contents(&diff)
}

/// A file name for a diff header, quoted as git quotes one (`"b/a\nb.yaml"`) when it holds a
/// control character, a `"` or a `\`: a name from a manifest's `metadata.name` may hold a
/// newline, which unquoted would end the header and start a line that is no diff line.
fn quoted(name: &str) -> std::borrow::Cow<'_, str> {
    if !name
        .chars()
        .any(|c| c.is_control() || c == '"' || c == '\\')
    {
        return name.into();
    }
    let mut out = String::from("\"");
    for c in name.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => {
                let mut bytes = [0; 4];
                for b in c.encode_utf8(&mut bytes).bytes() {
                    out.push_str(&format!("\\{b:03o}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out.into()
}

/// Masks the diff's lines' contents as one text (a private key spans lines), never their
/// markers: a masked `+` (a key's line masked whole) would leave no diff a reader or a tool
/// can read, and the hunk headers hold only numbers. Masking keeps every newline, so the
/// masked contents come back line by line.
fn mask_contents(diff: &str) -> String {
    let lines: Vec<&str> = diff.split_inclusive('\n').collect();
    let marker = |line: &str| -> usize {
        if line.starts_with("--- ") || line.starts_with("+++ ") {
            4
        } else if line.starts_with("@@") {
            line.trim_end_matches('\n').len()
        } else {
            line.chars().next().map_or(0, char::len_utf8)
        }
    };
    let contents: String = lines.iter().map(|l| &l[marker(l)..]).collect();
    let masked = crate::secrets::redact(&contents);
    let mut out = String::with_capacity(diff.len());
    for (line, content) in lines.iter().zip(masked.split_inclusive('\n')) {
        out.push_str(&line[..marker(line)]);
        out.push_str(content);
    }
    out
}

/// `pointer` is `root` or inside it (segment-wise: `/spec/resourcesX` is not under
/// `/spec/resources`).
pub(crate) fn under(pointer: &str, root: &str) -> bool {
    pointer
        .strip_prefix(root)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// Collects the pointers where `old` and `new` differ: mappings member by member, lists of the
/// same length item by item, anything else as a whole.
pub(crate) fn differing(
    old: Option<&Value>,
    new: Option<&Value>,
    at: String,
    out: &mut Vec<String>,
) {
    match (old, new) {
        (Some(a), Some(b)) if a == b => {}
        (Some(Value::Object(a)), Some(Value::Object(b))) => {
            let keys = a.keys().chain(b.keys().filter(|k| !a.contains_key(*k)));
            for k in keys {
                let here = format!("{at}/{}", crate::yaml::escape(k));
                differing(a.get(k), b.get(k), here, out);
            }
        }
        (Some(Value::Array(a)), Some(Value::Array(b))) if a.len() == b.len() => {
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                differing(Some(x), Some(y), format!("{at}/{i}"), out);
            }
        }
        (None, None) => {}
        _ => out.push(at),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masking_keeps_every_diff_marker() {
        let old = "a: 1\n";
        let new = "a: 1\n-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----\n";
        let diff = unified(old, new, "a", "b");
        for line in diff.lines().skip(2) {
            assert!(line.starts_with(['@', ' ', '+', '-']), "{line:?} in {diff}");
        }
        assert!(diff.contains("+****"), "{diff}");
        assert!(!diff.contains("MIIEowIBAAKCAQEA"), "{diff}");
    }
    use crate::k8s::Sharing;
    use crate::source::{FileId, Span};
    use serde_json::json;

    fn object(body: Value) -> Object {
        let id = identify(&body).unwrap();
        Object {
            id,
            body,
            origin: Span::file_start(FileId(0)),
            origins: Vec::new(),
            sharing: Sharing::Owned,
        }
    }

    fn pv(capacity: &str) -> Value {
        json!({"apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": "m"},
               "spec": {"capacity": {"storage": capacity}, "storageClassName": "oss"}})
    }

    fn pvc(request: &str, class: &str) -> Value {
        json!({"apiVersion": "v1", "kind": "PersistentVolumeClaim",
               "metadata": {"name": "m", "namespace": "default"},
               "spec": {"resources": {"requests": {"storage": request}}, "storageClassName": class}})
    }

    fn config(value: &str) -> Value {
        json!({"apiVersion": "v1", "kind": "ConfigMap",
               "metadata": {"name": "c", "namespace": "default"}, "data": {"k": value}})
    }

    /// `diff` of compiled objects, at their layout paths.
    fn compared(ours: &[Object], theirs: &[(String, Value)]) -> anyhow::Result<Vec<Change>> {
        diff(&Ours::of_tree(ours, &[]), theirs)
    }

    fn disk(values: &[Value]) -> Vec<(String, Value)> {
        values
            .iter()
            .enumerate()
            .map(|(i, v)| (format!("f{i}.yaml"), v.clone()))
            .collect()
    }

    #[test]
    fn equal_objects_give_no_change_whatever_the_key_order() {
        let ours = [object(config("a"))];
        let theirs = json!({"data": {"k": "a"}, "metadata": {"namespace": "default", "name": "c"},
                            "kind": "ConfigMap", "apiVersion": "v1"});
        assert_eq!(compared(&ours, &disk(&[theirs, Value::Null])).unwrap(), []);
    }

    #[test]
    fn a_changed_value_gives_a_unified_diff_of_the_canonical_yaml() {
        let changes = compared(&[object(config("b"))], &disk(&[config("a")])).unwrap();
        assert_eq!(changes.len(), 1);
        let change = &changes[0];
        assert_eq!(change.action, Action::Changed);
        assert_eq!(change.path, "f0.yaml");
        assert!(!change.replace());
        assert_eq!(
            change.diff,
            "--- a/f0.yaml\n+++ b/f0.yaml\n@@ -4,4 +4,4 @@\n   name: c\n   namespace: default\n data:\n-  k: a\n+  k: b\n"
        );
    }

    #[test]
    fn added_and_removed_objects_are_sorted_in_apply_order() {
        let ours = [object(pvc("1Gi", "oss")), object(config("a"))];
        let changes = compared(&ours, &disk(&[pv("1Gi")])).unwrap();
        let summary: Vec<_> = changes
            .iter()
            .map(|c| (c.action, c.id.kind.as_str(), c.path.as_str()))
            .collect();
        assert_eq!(
            summary,
            [
                (Action::Added, "ConfigMap", "default/configmap-c.yaml"),
                (Action::Removed, "PersistentVolume", "f0.yaml"),
                (
                    Action::Added,
                    "PersistentVolumeClaim",
                    "default/persistentvolumeclaim-m.yaml"
                ),
            ]
        );
        assert!(
            changes[0]
                .diff
                .starts_with("--- /dev/null\n+++ b/default/configmap-c.yaml\n")
        );
        assert!(changes[1].diff.contains("\n-kind: PersistentVolume\n"));
    }

    #[test]
    fn objects_match_by_group_not_version() {
        let old = json!({"apiVersion": "inference.networking.x-k8s.io/v1alpha2", "kind": "InferencePool",
                         "metadata": {"name": "p", "namespace": "n"}, "spec": {"selector": {"app": "a"}}});
        let mut new = old.clone();
        new["apiVersion"] = json!("inference.networking.x-k8s.io/v1");
        let changes = compared(&[object(new)], &disk(&[old])).unwrap();
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].action, Action::Changed);
        assert!(!changes[0].replace());
    }

    #[test]
    fn core_and_knative_services_of_one_name_are_different_objects() {
        let knative = json!({"apiVersion": "serving.knative.dev/v1", "kind": "Service",
                             "metadata": {"name": "s", "namespace": "n"}});
        let core = json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s", "namespace": "n"}});
        let changes = compared(&[object(knative)], &disk(&[core])).unwrap();
        let actions: Vec<_> = changes.iter().map(|c| c.action).collect();
        assert_eq!(actions, [Action::Removed, Action::Added]);
    }

    #[test]
    fn a_persistent_volume_capacity_changes_in_place() {
        let changes = compared(&[object(pv("40Gi"))], &disk(&[pv("30Gi")])).unwrap();
        assert_eq!(changes[0].action, Action::Changed);
        assert!(!changes[0].replace(), "{:?}", changes[0].why);
    }

    #[test]
    fn a_claim_may_grow_but_not_change_class() {
        let grow = compared(&[object(pvc("40Gi", "oss"))], &disk(&[pvc("30Gi", "oss")])).unwrap();
        assert_eq!(grow[0].action, Action::Changed);
        assert!(!grow[0].replace());
        let class = compared(&[object(pvc("40Gi", "nas"))], &disk(&[pvc("30Gi", "oss")])).unwrap();
        assert_eq!(class[0].immutable_fields, ["/spec/storageClassName"]);
    }

    #[test]
    fn selectors_and_cluster_ips_are_immutable() {
        let deployment = |app: &str, replicas: u32| {
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d", "namespace": "n"},
                   "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": app}}}})
        };
        let id = identify(&deployment("a", 1)).unwrap();
        assert_eq!(
            immutable_fields(&id, &deployment("a", 1), &deployment("b", 1)),
            ["/spec/selector/matchLabels/app"]
        );
        assert_eq!(
            immutable_fields(&id, &deployment("a", 1), &deployment("a", 2)),
            Vec::<String>::new()
        );

        let service = |ip: Option<&str>| {
            let mut s = json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s", "namespace": "n"},
                               "spec": {"ports": [{"port": 80}]}});
            if let Some(ip) = ip {
                s["spec"]["clusterIP"] = json!(ip);
            }
            s
        };
        let id = identify(&service(None)).unwrap();
        assert_eq!(
            immutable_fields(&id, &service(Some("10.0.0.1")), &service(None)),
            ["/spec/clusterIP"]
        );

        let pool = |app: &str| {
            json!({"apiVersion": "inference.networking.k8s.io/v1", "kind": "InferencePool",
                   "metadata": {"name": "p", "namespace": "n"},
                   "spec": {"selector": {"matchLabels": {"app": app}}, "targetPorts": [{"number": 8000}]}})
        };
        let id = identify(&pool("a")).unwrap();
        assert_eq!(
            immutable_fields(&id, &pool("a"), &pool("b")),
            ["/spec/selector/matchLabels/app"]
        );
    }

    #[test]
    fn other_kinds_have_no_immutable_fields() {
        let id = identify(&config("a")).unwrap();
        assert!(immutable_fields(&id, &config("a"), &config("b")).is_empty());
    }

    #[test]
    fn differences_are_the_deepest_values_that_differ() {
        let mut out = Vec::new();
        let old = json!({"a": {"b": 1, "c": [1, 2]}, "d/e": 1, "gone": 1});
        let new = json!({"a": {"b": 2, "c": [1, 2, 3]}, "d/e": 2, "new": 1});
        differing(Some(&old), Some(&new), String::new(), &mut out);
        assert_eq!(out, ["/a/b", "/a/c", "/d~1e", "/gone", "/new"]);
        assert!(under("/spec/resources/requests", "/spec/resources"));
        assert!(!under("/spec/resourcesX", "/spec/resources"));
    }

    #[test]
    fn a_disk_side_that_cannot_be_compared_is_an_error() {
        let error = compared(&[], &disk(&[json!({"kind": "ConfigMap"})])).unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("f0.yaml: a document is not a Kubernetes object")
        );
        let error = compared(&[], &disk(&[config("a"), config("b")])).unwrap_err();
        assert_eq!(
            error.to_string(),
            "ConfigMap default/c is defined twice on disk: in f0.yaml and in f1.yaml"
        );
    }

    #[test]
    fn header_names_with_control_characters_are_quoted_as_git_quotes_them() {
        assert_eq!(quoted("b/llm/service-a.yaml"), "b/llm/service-a.yaml");
        assert_eq!(quoted("b/a\nb.yaml"), "\"b/a\\nb.yaml\"");
        assert_eq!(quoted("a/x\"y\\z\u{1}"), "\"a/x\\\"y\\\\z\\001\"");
    }
}
