//! Any two manifest streams, separated by a `#---` line, as the compiled side and the disk side
//! of `inferstack diff`. Comparing never panics; a side compared with itself has no change; a
//! change's unified diff names both files and holds only hunk, context, `+` and `-` lines.
#![no_main]

use inferstack::diff::{Ours, diff, identify};
use inferstack::k8s::{Object, Sharing};
use inferstack::source::{SourceMap, Span};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

/// The documents of a stream that parse, as JSON values.
fn documents(text: &str) -> Vec<Value> {
    inferstack::yaml::parse(text)
        .documents
        .into_iter()
        .map(|d| d.value)
        .filter(|v| !v.is_null())
        .collect()
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (ours, theirs) = text.split_once("\n#---\n").unwrap_or((text, ""));
    let file = SourceMap::default().add("fuzz.toml", "");
    let ours: Vec<Object> = documents(ours)
        .into_iter()
        .filter_map(|body| {
            Some(Object {
                id: identify(&body)?,
                body,
                origin: Span::file_start(file),
                origins: Vec::new(),
                sharing: Sharing::Owned,
            })
        })
        .collect();
    let theirs: Vec<(String, Value)> = documents(theirs)
        .into_iter()
        .enumerate()
        .map(|(i, v)| (format!("disk/{i}.yaml"), v))
        .collect();
    let Ok(changes) = diff(&Ours::of_tree(&ours, &[]), &theirs) else {
        return;
    };
    for change in &changes {
        let _ = change.replace();
        let mut lines = change.diff.lines();
        assert!(
            lines.next().is_some_and(|l| l.starts_with("--- ")),
            "{}",
            change.diff
        );
        assert!(
            lines.next().is_some_and(|l| l.starts_with("+++ ")),
            "{}",
            change.diff
        );
        for line in lines {
            assert!(
                line.starts_with("@@")
                    || line.starts_with([' ', '+', '-', '\\'])
                    || line.is_empty(),
                "a diff line {line:?}"
            );
        }
        let _ = inferstack::secrets::redact(&change.diff);
    }
    // Our side as the disk side, one object per identity as `compile` emits it (a resource
    // type is its group, not its version): nothing differs.
    let mut seen = std::collections::BTreeSet::new();
    let unique: Vec<Object> = ours
        .into_iter()
        .filter(|o| {
            seen.insert((
                o.id.group().to_owned(),
                o.id.kind.clone(),
                o.id.namespace.clone(),
                o.id.name.clone(),
            ))
        })
        .collect();
    let same: Vec<(String, Value)> = unique
        .iter()
        .enumerate()
        .map(|(i, o)| (format!("same/{i}.yaml"), o.body.clone()))
        .collect();
    let changes =
        diff(&Ours::of_tree(&unique, &[]), &same).expect("our own objects are comparable");
    assert!(
        changes.is_empty(),
        "{} change(s) against itself, the first {:?}",
        changes.len(),
        changes.first().map(|c| c.action)
    );
});
