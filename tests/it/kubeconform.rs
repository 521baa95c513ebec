//! kubeconform's own acceptance tests (`acceptance.bats` at v0.7.0, ported as data into
//! `tests/upstream/kubeconform/cases.yaml`): every case that applies to a validator with embedded
//! schemas runs its inferstack equivalent, with its fixture, and must exit as the data says
//! (the README beside the data says why where that differs from kubeconform); the cases that do
//! not apply say why. And every JUnit report validates against the JUnit XSD that kubeconform's
//! acceptance test uses (`tests/upstream/junit/junit.xsd`), checked with xmllint.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::support::cli::root;
use serde_json::Value;

fn dir() -> PathBuf {
    root().join("tests/upstream/kubeconform")
}

fn cases() -> Vec<Value> {
    let text = std::fs::read_to_string(dir().join("cases.yaml")).unwrap();
    let stream = inferstack::yaml::parse(&text);
    assert!(stream.problems.is_empty(), "{:?}", stream.problems);
    stream.documents[0].value["cases"]
        .as_array()
        .unwrap()
        .clone()
}

/// Runs `inferstack ARGS` in `cwd` with `stdin` (a file, or nothing), returning the exit code
/// and stdout.
fn run(cwd: &Path, args: &[&str], stdin: Option<&Path>) -> (Option<i32>, String) {
    let input = match stdin {
        Some(path) => Stdio::from(std::fs::File::open(path).unwrap()),
        None => Stdio::null(),
    };
    let output = Command::new(env!("CARGO_BIN_EXE_inferstack"))
        .args(args)
        .current_dir(cwd)
        .env_remove("NO_COLOR")
        .stdin(input)
        .output()
        .expect("inferstack runs");
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )
}

#[test]
fn kubeconform_acceptance_cases_exit_as_documented() {
    let cases = cases();
    assert!(cases.len() >= 60, "{} cases", cases.len());
    // The fixture directory as the cases see it, with the stand-ins for fixtures the upstream
    // snapshot lacks.
    let work = tempfile::tempdir().unwrap();
    copy_tree(&dir(), work.path());
    for case in &cases {
        if let Some(stand_in) = case.get("stand_in").filter(|s| s.is_object()) {
            let of = std::fs::read_to_string(dir().join(stand_in["of"].as_str().unwrap())).unwrap();
            let copies = stand_in["copies"].as_u64().unwrap() as usize;
            let text = format!("---\n{}\n", of.trim_end()).repeat(copies);
            std::fs::write(work.path().join(stand_in["as"].as_str().unwrap()), text).unwrap();
        }
    }
    let mut applied = 0;
    let mut failures = Vec::new();
    for case in &cases {
        let name = case["name"].as_str().unwrap();
        if case["applies"] != true {
            assert!(
                case["why"].as_str().is_some_and(|w| !w.is_empty()),
                "{name}: a case that does not apply says why"
            );
            continue;
        }
        let Some(mapping) = case.get("inferstack").filter(|m| m.is_object()) else {
            // An applicable case whose fixture is not in the snapshot says so in its note.
            assert!(
                case["note"].is_string(),
                "{name}: no inferstack mapping and no note"
            );
            continue;
        };
        let args: Vec<&str> = mapping["args"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(Value::as_str)
            .collect();
        let stdin = mapping["stdin"].as_str().map(|p| {
            let path = Path::new(p);
            if path.is_absolute() {
                path.to_owned()
            } else {
                work.path().join(path)
            }
        });
        let (code, _) = run(work.path(), &args, stdin.as_deref());
        let want = mapping["status"].as_i64().map(|s| s as i32);
        if code != want {
            failures.push(format!(
                "{name} (acceptance.bats:{}): {args:?} exited {code:?}, want {want:?}",
                case["line"]
            ));
        }
        applied += 1;
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(applied >= 40, "{applied} cases applied");
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_tree(&path, &target);
        } else {
            std::fs::copy(&path, &target).unwrap();
        }
    }
}

/// `xml` validates against the JUnit XSD, by xmllint; `None` when xmllint is not installed.
fn xsd_verdict(xml: &str) -> Option<Result<(), String>> {
    let xsd = root().join("tests/upstream/junit/junit.xsd");
    let mut child = Command::new("xmllint")
        .args(["--noout", "--schema"])
        .arg(&xsd)
        .arg("-")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .ok()?;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(xml.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    Some(if output.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&output.stderr).into_owned())
    })
}

/// Reports of valid, invalid, skipped and unparsable inputs, and of warnings beside errors in
/// one object, each validate against the XSD.
#[test]
fn junit_reports_validate_against_the_junit_xsd() {
    let inputs: Vec<Vec<&str>> = vec![
        vec!["tests/upstream/kubeconform/fixtures/valid.yaml"],
        vec!["tests/manifests/sets/list.yaml"],
        vec!["tests/manifests/sets/partial", "--skip", "Pod"],
        vec!["tests/upstream/kubeconform/fixtures/invalid.yaml"],
        vec!["tests/manifests/invalid"],
        vec!["tests/manifests/knative"],
        vec!["tests/upstream/kubeconform/fixtures/duplicate_property.yaml"],
        vec!["tests/manifests/sets/contradictions.yaml", "--skip-missing"],
    ];
    let mut checked = 0;
    for input in inputs {
        let mut args = vec!["validate", "--format", "junit"];
        args.extend(&input);
        let (_, xml) = run(root(), &args, None);
        assert!(xml.starts_with("<?xml"), "{input:?}: {xml}");
        match xsd_verdict(&xml) {
            Some(Ok(())) => checked += 1,
            Some(Err(why)) => panic!("{input:?}: the JUnit report fails the XSD: {why}\n{xml}"),
            None => {
                let why = "junit_reports_validate_against_the_junit_xsd needs xmllint \
                           (Debian's libxml2-utils)";
                assert!(
                    std::env::var_os(crate::support::reference::REQUIRE_ENV).is_none(),
                    "{why}"
                );
                let _ = writeln!(std::io::stderr(), "SKIPPED {why}");
                return;
            }
        }
    }
    assert_eq!(checked, 8);
}
