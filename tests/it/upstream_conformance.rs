//! gateway-api's conformance manifests (`tests/upstream/gateway-api/conformance`, copied byte
//! for byte; `INDEX.yaml` says how they are judged): the suite creates every object and requires
//! the API server to accept it, so `validate --cross=off` accepts each file under every
//! configuration its channel runs with, and a plain `validate` reports, beyond that, exactly the
//! contradictions among objects that `INDEX.yaml` lists.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::support::cli::{root, run};
use crate::support::reference;
use serde_json::Value;
use sha2::{Digest, Sha256};

fn dir() -> PathBuf {
    root().join("tests/upstream/gateway-api/conformance")
}

fn index() -> Value {
    let text = std::fs::read_to_string(dir().join("INDEX.yaml")).unwrap();
    let stream = inferstack::yaml::parse(&text);
    assert!(stream.problems.is_empty(), "{:?}", stream.problems);
    stream.documents.into_iter().next().unwrap().value
}

/// Every manifest SOURCES.tsv lists, with its digest checked: `(path, upstream path)`.
fn manifests() -> Vec<String> {
    let text = std::fs::read_to_string(dir().join("SOURCES.tsv")).unwrap();
    let mut paths = Vec::new();
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let [path, _upstream, sha256] = line.split('\t').collect::<Vec<_>>()[..] else {
            panic!("SOURCES.tsv: {line}");
        };
        let bytes = std::fs::read(dir().join(path)).unwrap();
        assert_eq!(
            format!("{:x}", Sha256::digest(&bytes)),
            sha256,
            "{path} is not the upstream file"
        );
        paths.push(path.to_owned());
    }
    paths
}

/// The objects of one file as the suite creates them (`prepareResources` in
/// `conformance/utils/kubernetes/apply.go`).
fn prepared(path: &str, substitutions: &Value) -> Vec<Value> {
    let text = std::fs::read_to_string(dir().join(path)).unwrap();
    let stream = inferstack::yaml::parse(&text);
    assert!(stream.problems.is_empty(), "{path}: {:?}", stream.problems);
    let text_of = |key: &str| Value::String(substitutions[key].as_str().unwrap().to_owned());
    let mut objects = Vec::new();
    for mut object in stream.documents.into_iter().map(|d| d.value) {
        if object.as_object().is_none_or(serde_json::Map::is_empty) {
            continue;
        }
        match object["kind"].as_str() {
            Some("GatewayClass") => {
                object["spec"]["controllerName"] = text_of("controller_name");
            }
            Some("Gateway") => {
                object["spec"]["gatewayClassName"] = text_of("gateway_class_name");
                let spec = object["spec"].as_object_mut().unwrap();
                if let Some(Value::Array(addresses)) = spec.get("addresses")
                    && !addresses.is_empty()
                {
                    // The special addresses, then the (empty) address pools.
                    let kept: Vec<Value> = addresses
                        .iter()
                        .filter(|a| a["type"] == "test/fake-invalid-type")
                        .cloned()
                        .collect();
                    if kept.is_empty() {
                        spec.remove("addresses");
                    } else {
                        spec.insert("addresses".to_owned(), Value::Array(kept));
                    }
                }
            }
            _ => {}
        }
        objects.push(object);
    }
    objects
}

/// Writes each file's prepared objects under `work`, at its own path.
fn write_prepared(work: &Path, paths: &[String], substitutions: &Value) -> Vec<String> {
    let mut written = Vec::new();
    for path in paths {
        let file = work.join(path);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        let text: Vec<String> = prepared(path, substitutions)
            .iter()
            .map(|o| serde_json::to_string(o).unwrap())
            .collect();
        std::fs::write(&file, text.join("\n---\n")).unwrap();
        written.push(file.display().to_string());
    }
    written
}

/// The errors of a JSON report: `(source file, code, object, message)`.
fn errors(report: &Value) -> Vec<(String, String, String, String)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "error")
        .map(|f| {
            let field = |k: &str| f[k].as_str().unwrap_or_default().to_owned();
            let object = &f["object"];
            let object = format!(
                "{} {}/{}",
                object["kind"].as_str().unwrap_or_default(),
                object["namespace"].as_str().unwrap_or_default(),
                object["name"].as_str().unwrap_or_default()
            );
            (field("source"), field("reason"), object, field("message"))
        })
        .collect()
}

fn validate(args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.extend(["--format", "json"]);
    let output = run(&all);
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&output.stderr)))
}

fn experimental(index: &Value) -> BTreeSet<String> {
    index["experimental"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["path"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn every_conformance_manifest_is_accepted() {
    if !reference::require() {
        return;
    }
    let index = index();
    let paths = manifests();
    assert!(paths.len() >= 150, "{} manifests", paths.len());
    let experimental = experimental(&index);
    let work = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    for channel in ["standard", "experimental"] {
        let judged: Vec<String> = paths
            .iter()
            .filter(|p| channel == "experimental" || !experimental.contains(*p))
            .cloned()
            .collect();
        let files = write_prepared(&work.path().join(channel), &judged, &index["substitutions"]);
        for (configuration, extra) in reference::configurations(Some(channel)) {
            let mut args: Vec<&str> = vec!["validate", "--cross=off"];
            args.extend(files.iter().map(String::as_str));
            args.extend(extra.iter().map(String::as_str));
            let report = validate(&args);
            for (source, code, _, message) in errors(&report) {
                failures.push(format!(
                    "{configuration} ({channel}): {source}: {code}: {message}"
                ));
            }
            // Every file was read: each holds at least one object.
            let objects = report["summary"]["objects"].as_u64().unwrap_or_default();
            assert!(
                objects as usize >= files.len(),
                "{configuration}: {}",
                report["summary"]
            );
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn validate_reports_only_the_listed_contradictions() {
    let index = index();
    let paths = manifests();
    let experimental_files = experimental(&index);
    let work = tempfile::tempdir().unwrap();
    let files = write_prepared(work.path(), &paths, &index["substitutions"]);
    let prefix = format!("{}/", work.path().display());
    let mut found = BTreeSet::new();
    for (path, file) in paths.iter().zip(&files) {
        let channel = if experimental_files.contains(path) {
            "experimental"
        } else {
            "standard"
        };
        // One file at a time: the suite applies each test's manifests on their own.
        let report = validate(&["validate", "--gateway-api-channel", channel, file]);
        for (source, code, object, _) in errors(&report) {
            let source = source.strip_prefix(&prefix).unwrap_or(&source).to_owned();
            found.insert((source, code, object));
        }
    }
    let listed: BTreeSet<(String, String, String)> = index["cross"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let field = |k: &str| c[k].as_str().unwrap().to_owned();
            (field("path"), field("code"), field("object"))
        })
        .collect();
    let show = |set: &BTreeSet<(String, String, String)>, other: &BTreeSet<_>| {
        set.difference(other)
            .map(|(p, c, o)| format!("- path: {p}\n  code: {c}\n  object: {o}"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert!(
        found == listed,
        "reported but not in INDEX.yaml's cross:\n{}\n\nlisted but not reported:\n{}",
        show(&found, &listed),
        show(&listed, &found)
    );
}
