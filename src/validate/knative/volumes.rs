//! Volumes and volume mounts: `ValidateVolumes`, `validateVolume`,
//! `validatePersistentVolumeClaims` and `validateVolumeMounts` of
//! `pkg/apis/serving/k8s_validation.go` (knative/serving `knative-v1.23.0`).

use serde_json::Value;

use super::Admission;
use super::features::Feature;
use super::masks;
use crate::diag::Code;
use crate::k8s::names;

/// `reservedPaths`, compared after `path.Clean`.
const RESERVED_PATHS: [&str; 3] = ["/", "/dev", "/dev/log"];

/// The sources a volume may have; the gated ones need their flag `Enabled`.
const SOURCES: [(&str, Option<Feature>); 9] = [
    ("secret", None),
    ("configMap", None),
    ("projected", None),
    ("emptyDir", Some(Feature::EmptyDir)),
    (
        "persistentVolumeClaim",
        Some(Feature::PersistentVolumeClaim),
    ),
    ("hostPath", Some(Feature::HostPath)),
    ("csi", Some(Feature::Csi)),
    ("ephemeral", Some(Feature::Ephemeral)),
    ("image", Some(Feature::ImageVolumes)),
];

/// The volumes of a pod spec, by name, for the mount rules.
#[derive(Default)]
pub struct Declared {
    volumes: Vec<(String, Value)>,
}

impl Declared {
    fn get(&self, name: &str) -> Option<&Value> {
        self.volumes.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }
}

/// `ValidateVolumes`: every volume, unique and mounted by some container.
pub fn check(cx: &mut Admission, spec: &Value, base: &str) -> Declared {
    let mounted: Vec<&str> = ["initContainers", "containers"]
        .iter()
        .filter_map(|k| spec.get(*k)?.as_array())
        .flatten()
        .filter_map(|c| c.get("volumeMounts")?.as_array())
        .flatten()
        .filter_map(|m| m.get("name")?.as_str())
        .collect();
    let mut declared = Declared::default();
    let volumes = spec.get("volumes").and_then(Value::as_array);
    for (i, volume) in volumes.into_iter().flatten().enumerate() {
        let at = format!("{base}/volumes/{i}");
        let name = volume.get("name").and_then(Value::as_str).unwrap_or("");
        if declared.get(name).is_some() {
            cx.push(
                Code::KnativeVolume,
                format!("{at}/name"),
                format!("duplicate volume name {name:?}: give each volume its own name"),
            );
        }
        if !mounted.contains(&name) {
            cx.push(
                Code::KnativeVolume,
                format!("{at}/name"),
                format!(
                    "volume with name {name:?} not mounted: Knative refuses volumes no container \
                     mounts; add a volumeMount or remove the volume"
                ),
            );
        }
        volume_rules(cx, volume, &at, name);
        declared.volumes.push((name.to_owned(), volume.clone()));
    }
    declared
}

/// `validateVolume`: flags, masks, a DNS-1123 name, exactly one source, and its own rules.
fn volume_rules(cx: &mut Admission, volume: &Value, at: &str, name: &str) {
    masks::check(cx, volume, at, &masks::VOLUME);
    let present = |k: &str| volume.get(k).is_some_and(|v| !v.is_null());
    for (source, feature) in SOURCES {
        if let Some(feature) =
            feature.filter(|f| present(source) && !cx.config.features.enabled(*f))
        {
            let problem =
                format!("{source} volume support is disabled, but found {source} volume {name:?}");
            cx.feature_off(format!("{at}/{source}"), feature, problem, "");
        }
    }
    if let Some(claim) = volume
        .get("persistentVolumeClaim")
        .filter(|c| c.is_object())
    {
        let read_only = claim.get("readOnly").and_then(Value::as_bool) == Some(true);
        if !read_only && !cx.config.features.enabled(Feature::PersistentVolumeWrite) {
            let claim_name = claim.get("claimName").and_then(Value::as_str).unwrap_or("");
            let problem = format!(
                "Persistent volume write support is disabled, but found persistent volume claim \
                 {claim_name:?} that is not read-only"
            );
            cx.feature_off(
                format!("{at}/persistentVolumeClaim"),
                Feature::PersistentVolumeWrite,
                problem,
                ", or set `readOnly: true` on the claim (a model server only reads its weights)",
            );
        }
    }
    if name.is_empty() {
        cx.push(
            Code::KnativeVolume,
            format!("{at}/name"),
            "missing field(s): name of a volume".to_owned(),
        );
    } else if !names::is_dns_label(name) {
        cx.push(
            Code::KnativeVolume,
            format!("{at}/name"),
            format!("invalid value {name:?}: a volume name must be a DNS-1123 label"),
        );
    }
    let specified: Vec<&str> = SOURCES
        .iter()
        .map(|(s, _)| *s)
        .filter(|s| present(s))
        .collect();
    if specified.len() > 1 {
        cx.push(
            Code::KnativeVolume,
            at.to_owned(),
            format!(
                "expected exactly one, got both: {}; a volume has one source",
                specified.join(", ")
            ),
        );
    } else if specified.is_empty() && volume_has_no_other_source(volume) {
        let allowed: Vec<&str> = SOURCES
            .iter()
            .filter(|(_, f)| f.is_none_or(|f| cx.config.features.enabled(f)))
            .map(|(s, _)| *s)
            .collect();
        cx.push(
            Code::KnativeVolume,
            at.to_owned(),
            format!(
                "expected exactly one, got neither: {}; give the volume a source",
                allowed.join(", ")
            ),
        );
    }
    source_rules(cx, volume, at);
}

/// A volume whose only source is one Knative never allows is the mask's finding already.
fn volume_has_no_other_source(volume: &Value) -> bool {
    volume
        .as_object()
        .is_some_and(|m| m.keys().all(|k| k == "name"))
}

/// The rules inside a source: items, projections, emptyDir medium, image volumes.
fn source_rules(cx: &mut Admission, volume: &Value, at: &str) {
    for source in ["secret", "configMap"] {
        items(cx, volume.get(source), &format!("{at}/{source}"));
    }
    if let Some(medium) = volume.pointer("/emptyDir/medium").and_then(Value::as_str)
        && !medium.is_empty()
        && medium != "Memory"
    {
        cx.push(
            Code::KnativeVolume,
            format!("{at}/emptyDir/medium"),
            format!("invalid value {medium:?}: an emptyDir medium is empty (disk) or Memory"),
        );
    }
    let sources = volume
        .pointer("/projected/sources")
        .and_then(Value::as_array);
    for (i, projection) in sources.into_iter().flatten().enumerate() {
        projected(cx, projection, &format!("{at}/projected/sources/{i}"));
    }
    if let Some(image) = volume.get("image").filter(|v| v.is_object()) {
        if image
            .get("reference")
            .and_then(Value::as_str)
            .is_none_or(str::is_empty)
        {
            cx.push(
                Code::KnativeVolume,
                format!("{at}/image/reference"),
                "missing field(s): reference of an image volume".to_owned(),
            );
        }
        if let Some(policy) = image.get("pullPolicy").and_then(Value::as_str)
            && !["IfNotPresent", "Always", "Never", ""].contains(&policy)
        {
            cx.push(
                Code::KnativeVolume,
                format!("{at}/image/pullPolicy"),
                format!("invalid value {policy:?}: pullPolicy is IfNotPresent, Always or Never"),
            );
        }
    }
}

/// `validateKeyToPath` for each item of a secret, config map or projection.
fn items(cx: &mut Admission, source: Option<&Value>, at: &str) {
    let items = source
        .and_then(|s| s.get("items"))
        .and_then(Value::as_array);
    for (i, item) in items.into_iter().flatten().enumerate() {
        for field in ["key", "path"] {
            if item
                .get(field)
                .and_then(Value::as_str)
                .is_none_or(str::is_empty)
            {
                cx.push(
                    Code::KnativeVolume,
                    format!("{at}/items/{i}/{field}"),
                    format!("missing field(s): {field} of a volume item"),
                );
            }
        }
    }
}

/// `validateProjectedVolumeSource` and the projection functions.
fn projected(cx: &mut Admission, projection: &Value, at: &str) {
    masks::check(cx, projection, at, &masks::VOLUME_PROJECTION);
    let kinds = ["secret", "configMap", "serviceAccountToken", "downwardAPI"];
    let set: Vec<&str> = kinds
        .into_iter()
        .filter(|k| projection.get(*k).is_some_and(|v| !v.is_null()))
        .collect();
    if set.len() > 1 {
        cx.push(
            Code::KnativeVolume,
            at.to_owned(),
            format!(
                "expected exactly one, got both: {}; one source per projection",
                set.join(", ")
            ),
        );
    }
    for kind in ["secret", "configMap"] {
        if let Some(source) = projection.get(kind).filter(|v| v.is_object()) {
            if source
                .get("name")
                .and_then(Value::as_str)
                .is_none_or(str::is_empty)
            {
                cx.push(
                    Code::KnativeVolume,
                    format!("{at}/{kind}/name"),
                    format!("missing field(s): name of the projected {kind}"),
                );
            }
            items(cx, Some(source), &format!("{at}/{kind}"));
        }
    }
    if let Some(token) = projection
        .get("serviceAccountToken")
        .filter(|v| v.is_object())
        && token
            .get("path")
            .and_then(Value::as_str)
            .is_none_or(str::is_empty)
    {
        cx.push(
            Code::KnativeVolume,
            format!("{at}/serviceAccountToken/path"),
            "missing field(s): path of the projected service account token".to_owned(),
        );
    }
    let files = projection
        .pointer("/downwardAPI/items")
        .and_then(Value::as_array);
    for (i, file) in files.into_iter().flatten().enumerate() {
        let here = format!("{at}/downwardAPI/items/{i}");
        let has = |k: &str| file.get(k).is_some_and(|v| !v.is_null());
        if has("fieldRef") == has("resourceFieldRef") {
            cx.push(
                Code::KnativeVolume,
                here.clone(),
                "a downwardAPI item needs exactly one of fieldRef and resourceFieldRef".to_owned(),
            );
        }
        if file
            .get("path")
            .and_then(Value::as_str)
            .is_none_or(str::is_empty)
        {
            cx.push(
                Code::KnativeVolume,
                format!("{here}/path"),
                "missing field(s): path of a downwardAPI item".to_owned(),
            );
        }
    }
}

/// `validateVolumeMounts`: a matching volume, an absolute, unique, unreserved path, and the
/// read-only rules of claims and mount propagation.
pub fn mounts(cx: &mut Admission, container: &Value, at: &str, declared: &Declared) {
    let mounts = container.get("volumeMounts").and_then(Value::as_array);
    let mut seen: Vec<String> = Vec::new();
    for (i, mount) in mounts.into_iter().flatten().enumerate() {
        let here = format!("{at}/volumeMounts/{i}");
        masks::check(cx, mount, &here, &masks::VOLUME_MOUNT);
        let name = mount.get("name").and_then(Value::as_str).unwrap_or("");
        let volume = declared.get(name);
        if volume.is_none() {
            cx.push(
                Code::KnativeVolume,
                format!("{here}/name"),
                format!("volumeMount has no matching volume: no volume is named {name:?}"),
            );
        }
        let path = mount.get("mountPath").and_then(Value::as_str).unwrap_or("");
        let clean = clean(path);
        let at_path = format!("{here}/mountPath");
        if path.is_empty() {
            cx.push(
                Code::KnativeVolume,
                at_path,
                "missing field(s): mountPath".to_owned(),
            );
        } else if RESERVED_PATHS.contains(&clean.as_str()) {
            cx.push(
                Code::KnativeReserved,
                at_path,
                format!("mountPath {clean:?} is a reserved path (/, /dev and /dev/log are); mount elsewhere"),
            );
        } else if !path.starts_with('/') {
            cx.push(
                Code::KnativeVolume,
                at_path,
                format!("invalid value {path:?}: mountPath must be an absolute path"),
            );
        } else if seen.contains(&clean) {
            cx.push(
                Code::KnativeVolume,
                at_path,
                format!("invalid value: {path:?} must be unique: another mount of this container uses it"),
            );
        }
        seen.push(clean);
        let read_only = mount.get("readOnly").and_then(Value::as_bool) == Some(true);
        let claim_read_only = volume
            .and_then(|v| v.pointer("/persistentVolumeClaim/readOnly"))
            .and_then(Value::as_bool)
            == Some(true);
        if claim_read_only && !read_only {
            cx.push(
                Code::KnativeVolume,
                format!("{here}/readOnly"),
                "volume is readOnly but volume mount is not: set `readOnly: true` on the mount too"
                    .to_owned(),
            );
        }
        if let Some(propagation) = mount.get("mountPropagation").and_then(Value::as_str)
            && cx.config.features.allows(Feature::MountPropagation)
            && !["None", "HostToContainer"].contains(&propagation)
        {
            cx.push(
                Code::KnativeVolume,
                format!("{here}/mountPropagation"),
                format!("invalid value {propagation:?}: mount propagation should be set to None or HostToContainer"),
            );
        }
    }
}

/// Go's `path.Clean` for absolute and relative slash paths.
fn clean(path: &str) -> String {
    let absolute = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|p| *p != "..") {
                    parts.pop();
                } else if !absolute {
                    parts.push("..");
                }
            }
            p => parts.push(p),
        }
    }
    let joined = parts.join("/");
    match (absolute, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".to_owned(),
        (false, false) => joined,
    }
}

#[cfg(test)]
mod tests {
    use super::clean;

    #[test]
    fn clean_matches_go_path_clean() {
        for (path, want) in [
            ("/", "/"),
            ("/dev/", "/dev"),
            ("//dev/./log", "/dev/log"),
            ("/models/../dev", "/dev"),
            ("/..", "/"),
            ("a/../..", ".."),
            ("", "."),
            ("models/", "models"),
        ] {
            assert_eq!(clean(path), want, "{path}");
        }
    }
}
