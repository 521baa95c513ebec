//! The manifest corpus checked against the real upstream schemas, so that each case means what
//! it says.
//!
//! Every `tests/manifests/invalid/*.yaml` holds one object with exactly one defect and starts with
//! `# expect: <reason> <json-pointer>`. Here:
//! - `schema-violation`: upstream rejects the object, and only at the expected pointer, or, for a
//!   missing required property, at its parent with a message naming the property;
//! - `invalid-name`, `rule-violation`: upstream accepts the object (it does not check name
//!   formats or annotation values), so the name or the annotation is the only defect;
//! - `rule-violation`: the Knative rules report exactly one violation, at the expected pointer;
//! - `duplicate-key`: the YAML is rejected for the duplicate; the two occurrences have different
//!   values, so keeping the first or the last one changes the value at the expected pointer, and
//!   the object is valid either way;
//! - `yaml-parse-error`: the YAML does not parse.
//!
//! Every `tests/manifests/valid/*.yaml` object passes upstream and the Knative rules.

use std::path::{Path, PathBuf};

use crate::support::upstream::{upstream, yaml_files};
use inferstack::validate::knative;
use serde_json::Value;
use serde_saphyr::options::DuplicateKeyPolicy;

const REASONS: [&str; 5] = [
    "schema-violation",
    "duplicate-key",
    "invalid-name",
    "rule-violation",
    "yaml-parse-error",
];

fn corpus(dir: &str) -> Vec<PathBuf> {
    let files = yaml_files(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/manifests")
            .join(dir),
    );
    assert!(!files.is_empty(), "no files in tests/manifests/{dir}");
    files
}

fn name(path: &Path) -> String {
    path.file_name().unwrap().to_string_lossy().into_owned()
}

/// The `(reason, pointer)` of a file's `# expect:` header; a pointer written `""` is empty.
fn expectation(path: &Path, text: &str) -> (String, String) {
    let header = text.lines().next().unwrap_or_default();
    let rest = header
        .strip_prefix("# expect: ")
        .unwrap_or_else(|| panic!("{}: the first line is not `# expect: …`", name(path)));
    let (reason, pointer) = rest
        .split_once(' ')
        .unwrap_or_else(|| panic!("{}: `# expect: <reason> <pointer>`", name(path)));
    assert!(
        REASONS.contains(&reason),
        "{}: unknown reason {reason}",
        name(path)
    );
    let pointer = if pointer == "\"\"" { "" } else { pointer };
    assert!(
        pointer.is_empty() || pointer.starts_with('/'),
        "{}: {pointer:?} is not a JSON pointer",
        name(path)
    );
    (reason.to_owned(), pointer.to_owned())
}

fn parse(text: &str, duplicate_keys: DuplicateKeyPolicy) -> Result<Vec<Value>, String> {
    let options = serde_saphyr::options! { duplicate_keys: duplicate_keys };
    serde_saphyr::from_multiple_with_options::<Value>(text, options)
        .map(|docs| docs.into_iter().filter(|d| !d.is_null()).collect())
        .map_err(|e| e.to_string())
}

/// The one object of a file that must parse.
fn object(text: &str, duplicate_keys: DuplicateKeyPolicy) -> Result<Value, String> {
    let mut documents = parse(text, duplicate_keys)?;
    if documents.len() != 1 {
        return Err(format!("{} objects, not one", documents.len()));
    }
    Ok(documents.remove(0))
}

/// `"<pointer>: <message>"` split at the pointer (pointers never contain `": "`).
fn split(problem: &str) -> (&str, &str) {
    problem.split_once(": ").unwrap_or((problem, ""))
}

/// The last reference token of a pointer, unescaped.
fn last_token(pointer: &str) -> String {
    let token = pointer.rsplit('/').next().unwrap_or_default();
    token.replace("~1", "/").replace("~0", "~")
}

/// Checks one invalid case; returns what is wrong with it, if anything.
fn check_invalid(path: &Path) -> Result<(), String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let (reason, expected) = expectation(path, &text);
    match reason.as_str() {
        "yaml-parse-error" => {
            if expected.is_empty() && parse(&text, DuplicateKeyPolicy::LastWins).is_err() {
                Ok(())
            } else {
                Err("expected broken YAML and the pointer \"\"".to_owned())
            }
        }
        "duplicate-key" => {
            let error = match parse(&text, DuplicateKeyPolicy::Error) {
                Ok(_) => return Err("parses despite a duplicate key".to_owned()),
                Err(e) => e,
            };
            if !error.to_lowercase().contains("duplicate") {
                return Err(format!("fails for another reason: {error}"));
            }
            // Each file gives the two occurrences different values, so the key is located by
            // where keeping the first or the last occurrence makes a difference.
            let first = object(&text, DuplicateKeyPolicy::FirstWins)?;
            let last = object(&text, DuplicateKeyPolicy::LastWins)?;
            match (first.pointer(&expected), last.pointer(&expected)) {
                (Some(a), Some(b)) if a != b => {}
                _ => return Err(format!("no duplicate with two values at {expected}")),
            }
            for object in [first, last] {
                let problems = upstream().validate(&object);
                if !problems.is_empty() {
                    return Err(format!(
                        "another defect besides the duplicate: {problems:#?}"
                    ));
                }
            }
            Ok(())
        }
        _ => {
            let object = object(&text, DuplicateKeyPolicy::Error)?;
            let problems = upstream().validate(&object);
            let violations = knative::check(&object, &Default::default());
            // Knative's webhook names a Knative object's bad name itself (`invalid-name`).
            let the_name = |v: &inferstack::validate::objects::Finding| {
                reason == "invalid-name"
                    && v.code == inferstack::diag::Code::InvalidName
                    && v.pointer == expected
            };
            if reason != "rule-violation" && !violations.iter().all(the_name) {
                return Err(format!("Knative rule violations too: {violations:#?}"));
            }
            match reason.as_str() {
                "schema-violation" => {
                    if problems.is_empty() {
                        return Err("upstream accepts it".to_owned());
                    }
                    let property = format!("{:?}", last_token(&expected));
                    let stray: Vec<&String> = problems
                        .iter()
                        .filter(|p| {
                            let (at, message) = split(p);
                            let parent = expected.starts_with(&format!("{at}/"))
                                && message.contains(&property);
                            at != expected && !parent
                        })
                        .collect();
                    if stray.is_empty() {
                        Ok(())
                    } else {
                        Err(format!("upstream problems elsewhere: {stray:#?}"))
                    }
                }
                "invalid-name" => {
                    if expected != "/metadata/name" {
                        return Err("invalid-name is at /metadata/name".to_owned());
                    }
                    let stray: Vec<&String> = problems
                        .iter()
                        .filter(|p| split(p).0 != "/metadata/name")
                        .collect();
                    if stray.is_empty() {
                        Ok(())
                    } else {
                        Err(format!("upstream problems besides the name: {stray:#?}"))
                    }
                }
                _ => {
                    if !problems.is_empty() {
                        return Err(format!("upstream problems: {problems:#?}"));
                    }
                    match violations.as_slice() {
                        [one] if one.pointer == expected => Ok(()),
                        _ => Err(format!(
                            "expected one violation at {expected}: {violations:#?}"
                        )),
                    }
                }
            }
        }
    }
}

#[test]
fn every_invalid_manifest_has_exactly_its_declared_defect() {
    if !crate::support::reference::require() {
        return;
    }
    let failures: Vec<String> = corpus("invalid")
        .iter()
        .filter_map(|path| {
            check_invalid(path)
                .err()
                .map(|e| format!("{}: {e}", name(path)))
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_invalid_corpus_covers_every_reason() {
    if !crate::support::reference::require() {
        return;
    }
    let files = corpus("invalid");
    assert!(files.len() >= 45, "only {} invalid manifests", files.len());
    for reason in REASONS {
        let count = files
            .iter()
            .filter(|p| {
                let text = std::fs::read_to_string(p).unwrap();
                expectation(p, &text).0 == reason
            })
            .count();
        assert!(count > 0, "no case for {reason}");
    }
}

#[test]
fn every_valid_manifest_passes_upstream_and_the_knative_rules() {
    if !crate::support::reference::require() {
        return;
    }
    for path in corpus("valid") {
        let text = std::fs::read_to_string(&path).unwrap();
        let object = object(&text, DuplicateKeyPolicy::Error)
            .unwrap_or_else(|e| panic!("{}: {e}", name(&path)));
        assert_eq!(
            upstream().validate(&object),
            Vec::<String>::new(),
            "{}",
            name(&path)
        );
        assert_eq!(
            knative::check(&object, &Default::default()),
            [],
            "{}",
            name(&path)
        );
    }
}
