//! Other projects' own validation tests, ported as data into `tests/upstream/` (one YAML file per
//! upstream test file, naming the repository, tag, commit and path it comes from): every case
//! must get upstream's verdict from `inferstack validate`, both with the embedded catalog alone
//! and with the reference set's CRDs and OpenAPI documents given as `--crds`/`--openapi`. Each
//! error upstream expects must be found in inferstack's messages for that object. Every case
//! that differs (a verdict inferstack does not give yet, with the upstream rule it lacks, or a
//! message it words otherwise) is listed in `tests/upstream/DIFFERENCES.yaml`, and the list must
//! hold exactly the differences there are.
//!
//! A case is `verdict: accept` or `reject`, with `errors` (upstream's expected texts, or Knative's
//! `{message, paths}`), the `object`, and for Knative the `features`, `defaults` and
//! `autoscaler` configuration its test context sets. Cases that are not one create of one object are in `not_ported` with why.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;

use crate::support::cli::{root, run};
use crate::support::reference;
use crate::support::upstream::yaml_files;
use serde_json::Value;

/// One ported upstream test file.
struct Suite {
    /// Its path under `tests/upstream`.
    name: String,
    source: Value,
    channel: Option<String>,
    cases: Vec<Value>,
    not_ported: usize,
}

fn suites() -> Vec<Suite> {
    let dir = root().join("tests/upstream");
    let mut suites = Vec::new();
    for file in yaml_files(&dir) {
        let name = file.strip_prefix(&dir).unwrap().display().to_string();
        if name == "DIFFERENCES.yaml"
            || name.contains("/fixtures/")
            || name.contains("/conformance/")
        {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        let stream = inferstack::yaml::parse(&text);
        assert!(stream.problems.is_empty(), "{name}: {:?}", stream.problems);
        let document = stream.documents.into_iter().next().unwrap().value;
        // kubeconform's cases are command lines, run by their own test.
        let Some(cases) = document
            .get("cases")
            .and_then(Value::as_array)
            .filter(|c| c.iter().all(|c| c.get("object").is_some()))
        else {
            continue;
        };
        suites.push(Suite {
            name,
            source: document["source"].clone(),
            channel: document
                .get("channel")
                .and_then(Value::as_str)
                .map(str::to_owned),
            cases: cases.clone(),
            not_ported: document
                .get("not_ported")
                .and_then(Value::as_array)
                .map_or(0, Vec::len),
        });
    }
    suites
}

/// What one run of `inferstack validate` found in one case's object.
#[derive(Default)]
struct Found {
    errors: Vec<String>,
}

/// A Knative ConfigMap for a case's `features`, `defaults` or `autoscaler`, as YAML.
fn configmap(name: &str, data: &Value) -> String {
    let data: serde_json::Map<String, Value> = data
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, v)| {
            let text = v.as_str().map_or_else(|| v.to_string(), str::to_owned);
            (k.clone(), Value::String(text))
        })
        .collect();
    let object = serde_json::json!({
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": name, "namespace": "knative-serving"},
        "data": data,
    });
    serde_json::to_string(&object).unwrap()
}

/// Kubernetes' field path of a JSON Pointer (`/spec/rules/0/matches` -> `spec.rules[0].matches`).
fn field_path(pointer: &str) -> String {
    let mut path = String::new();
    for segment in pointer.split('/').skip(1) {
        let segment = segment.replace("~1", "/").replace("~0", "~");
        if segment.parse::<usize>().is_ok() {
            let _ = write!(path, "[{segment}]");
        } else {
            if !path.is_empty() {
                path.push('.');
            }
            path.push_str(&segment);
        }
    }
    path
}

/// Runs `validate` over `objects` (one document each, after the ConfigMaps in `preamble`) and
/// returns each object's error messages, as `"<field path>: <message>"`.
fn validate(work: &Path, objects: &[&Value], preamble: &[String], extra: &[String]) -> Vec<Found> {
    let mut text = String::new();
    for config in preamble {
        text.push_str(config);
        text.push_str("\n---\n");
    }
    for object in objects {
        text.push_str(&serde_json::to_string(object).unwrap());
        text.push_str("\n---\n");
    }
    let file = work.join("cases.yaml");
    std::fs::write(&file, text).unwrap();
    let file = file.display().to_string();
    let mut args = vec!["validate", "--cross=off", "--format", "json", file.as_str()];
    args.extend(extra.iter().map(String::as_str));
    let output = run(&args);
    let report: Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&output.stderr)));
    let mut found: Vec<Found> = objects.iter().map(|_| Found::default()).collect();
    for finding in report["findings"].as_array().unwrap() {
        if finding["severity"] != "error" {
            continue;
        }
        let Some(document) = finding["document"].as_u64() else {
            continue;
        };
        let Some(index) = (document as usize).checked_sub(preamble.len()) else {
            panic!("a finding in a ConfigMap of the run: {finding}");
        };
        let message = finding["message"].as_str().unwrap_or_default();
        let pointer = finding["pointer"].as_str().unwrap_or_default();
        found[index]
            .errors
            .push(format!("{}: {message}", field_path(pointer)));
    }
    found
}

/// The texts a case expects among its errors.
fn expected_texts(case: &Value) -> Vec<String> {
    case.get("errors")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|e| e.get("level").and_then(Value::as_str) != Some("warning"))
        .filter_map(|e| match e {
            Value::String(text) => Some(text.clone()),
            Value::Object(field) => field.get("message")?.as_str().map(str::to_owned),
            _ => None,
        })
        .collect()
}

/// Whether `expected` is among `errors` as the upstream tests match (gateway-api's and the
/// Inference Extension's `celErrorStringMatches`): a case-insensitive substring, also with
/// `spec.`/`status.` left out and "longer" read as "more". A schema problem the API server
/// words `[Invalid value: V: ]FIELD in body WHAT` (kube-openapi repeats the field path in its
/// message) is found as an error at FIELD whose message has `WHAT` (and `V`): inferstack gives
/// the field once, as the finding's location.
fn matches(errors: &[String], expected: &str) -> bool {
    if let Some((before, what)) = expected.split_once(" in body ") {
        let (value, field) = match before.strip_prefix("Invalid value: ") {
            Some(rest) => match rest.rsplit_once(": ") {
                Some((value, field)) => (Some(value), field),
                None => (None, rest),
            },
            None => (None, before),
        };
        let found = errors.iter().any(|error| {
            error.starts_with(&format!("{field}: "))
                && error.contains(what)
                && value.is_none_or(|v| error.contains(&format!("Invalid value: {v}: ")))
        });
        if found {
            return true;
        }
    }
    let expected = expected.to_lowercase();
    let variants = [
        expected.clone(),
        expected.replace("spec.", "").replace("status.", ""),
        expected.replace("longer", "more"),
    ];
    errors.iter().any(|error| {
        let error = error.to_lowercase();
        let bare = error.replace("spec.", "").replace("status.", "");
        variants
            .iter()
            .any(|v| error.contains(v.as_str()) || bare.contains(v.as_str()))
    })
}

/// One difference from upstream: `(suite, case, what)`.
type Difference = (String, String, String);

/// Every difference between upstream's verdicts and inferstack's, over every suite.
fn differences(suites: &[Suite]) -> Vec<Difference> {
    let work = tempfile::tempdir().unwrap();
    let mut out = Vec::new();
    for suite in suites {
        for (configuration, extra) in reference::configurations(suite.channel.as_deref()) {
            // Cases that set the same Knative configuration run together.
            let mut groups: BTreeMap<String, Vec<&Value>> = BTreeMap::new();
            for case in &suite.cases {
                let key = format!(
                    "{}|{}|{}",
                    case["features"], case["defaults"], case["autoscaler"]
                );
                groups.entry(key).or_default().push(case);
            }
            for cases in groups.values() {
                let first = cases[0];
                let mut preamble = Vec::new();
                if first.get("features").is_some_and(Value::is_object) {
                    preamble.push(configmap("config-features", &first["features"]));
                }
                if first.get("defaults").is_some_and(Value::is_object) {
                    preamble.push(configmap("config-defaults", &first["defaults"]));
                }
                if first.get("autoscaler").is_some_and(Value::is_object) {
                    preamble.push(configmap("config-autoscaler", &first["autoscaler"]));
                }
                let objects: Vec<&Value> = cases.iter().map(|c| &c["object"]).collect();
                let found = validate(work.path(), &objects, &preamble, &extra);
                for (case, found) in cases.iter().zip(found) {
                    let name = case["name"].as_str().unwrap().to_owned();
                    let want_reject = case["verdict"] == "reject";
                    let rejected = !found.errors.is_empty();
                    if want_reject != rejected {
                        out.push((
                            suite.name.clone(),
                            name.clone(),
                            format!(
                                "verdict ({configuration}): upstream {}, inferstack {}{}",
                                case["verdict"].as_str().unwrap(),
                                if rejected { "reject" } else { "accept" },
                                if rejected {
                                    format!(": {:?}", found.errors)
                                } else {
                                    String::new()
                                }
                            ),
                        ));
                        continue;
                    }
                    // The wording is the same with the catalog and with `--crds`; compared
                    // with the catalog, once per channel.
                    if !configuration.starts_with("catalog") {
                        continue;
                    }
                    for expected in expected_texts(case) {
                        if !matches(&found.errors, &expected) {
                            out.push((
                                suite.name.clone(),
                                name.clone(),
                                format!("wording: {expected:?} not found"),
                            ));
                        }
                    }
                }
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// The differences `tests/upstream/DIFFERENCES.yaml` lists.
fn listed() -> Vec<Difference> {
    let path = root().join("tests/upstream/DIFFERENCES.yaml");
    let Ok(text) = std::fs::read_to_string(&path) else {
        return Vec::new();
    };
    let stream = inferstack::yaml::parse(&text);
    let Some(document) = stream.documents.into_iter().next() else {
        return Vec::new();
    };
    let mut out: Vec<Difference> = document
        .value
        .get("differences")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|d| {
            let field = |k: &str| d[k].as_str().unwrap_or_default().to_owned();
            (field("suite"), field("case"), field("difference"))
        })
        .collect();
    out.sort();
    out
}

#[test]
fn every_ported_case_gets_upstreams_verdict() {
    if !reference::require() {
        return;
    }
    let suites = suites();
    assert!(suites.len() >= 4, "{} suites", suites.len());
    let found = differences(&suites);
    let listed = listed();
    let found_set: BTreeSet<&Difference> = found.iter().collect();
    let listed_set: BTreeSet<&Difference> = listed.iter().collect();
    let unlisted: Vec<&&Difference> = found_set.difference(&listed_set).collect();
    let stale: Vec<&&Difference> = listed_set.difference(&found_set).collect();
    let show = |items: &[&&Difference]| {
        items
            .iter()
            .map(|(s, c, d)| format!("- suite: {s}\n  case: {c}\n  difference: {d:?}"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    // A verdict that differs is a gap in inferstack, listed with the upstream rule it lacks so
    // that it is visible and cannot grow: a new one, or one fixed and still listed, fails.
    assert!(
        unlisted.is_empty() && stale.is_empty(),
        "differences from upstream not in tests/upstream/DIFFERENCES.yaml:\n{}\n\nlisted there \
         but gone:\n{}",
        show(&unlisted),
        show(&stale)
    );
}

/// The README's table of the ported suites, with their commits and counts.
#[test]
fn the_readme_lists_the_ported_suites() {
    let mut table = String::from(
        "\n| suite | upstream | commit | accept | reject | not ported |\n|---|---|---|---|---|---|\n",
    );
    for suite in suites() {
        let count = |verdict: &str| {
            suite
                .cases
                .iter()
                .filter(|c| c["verdict"] == verdict)
                .count()
        };
        let field = |k: &str| suite.source[k].as_str().unwrap_or_default().to_owned();
        let commit = field("commit");
        let _ = writeln!(
            table,
            "| [`{}`](tests/upstream/{}) | {} {} `{}` | `{}` | {} | {} | {} |",
            suite.name,
            suite.name,
            field("repository"),
            field("tag"),
            field("path"),
            &commit[..commit.len().min(12)],
            count("accept"),
            count("reject"),
            suite.not_ported
        );
    }
    table.push('\n');
    crate::support::readme::generated_section(
        "<!-- ported-suites:start -->",
        "<!-- ported-suites:end -->",
        &table,
    );
}

/// The suites' files name where they come from.
#[test]
fn every_suite_names_its_source() {
    for suite in suites() {
        for key in ["repository", "tag", "commit", "path"] {
            assert!(
                suite.source[key].as_str().is_some_and(|v| !v.is_empty()),
                "{}: source.{key}",
                suite.name
            );
        }
        let commit = suite.source["commit"].as_str().unwrap();
        assert!(
            commit.len() == 40 && commit.chars().all(|c| c.is_ascii_hexdigit()),
            "{}: {commit}",
            suite.name
        );
    }
}
