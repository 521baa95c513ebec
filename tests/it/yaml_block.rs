//! The block reader against the event parser, on every YAML file of the repository and of the
//! upstream reference set: whatever the block reader reads, it reads exactly as the event
//! parser does (same documents, same values, same key order, no problem left unreported), and
//! the YAML inferstack writes is always read by it (so `validate` of its output takes the fast
//! path). The `yaml_block` fuzz target holds the same property on any text.

use std::path::Path;

use crate::support::upstream::{reference_dir, yaml_files};
use inferstack::yaml::{block_disagreement, parse_block};

/// Whether `text` is read by the block reader; panics where the two readers differ.
fn read_alike(text: &str, name: &str) -> bool {
    if let Some(disagreement) = block_disagreement(text) {
        panic!("{name}: {disagreement}");
    }
    parse_block(text).is_some()
}

fn repository(dir: &str) -> Vec<std::path::PathBuf> {
    yaml_files(&Path::new(env!("CARGO_MANIFEST_DIR")).join(dir))
}

#[test]
fn what_inferstack_writes_is_read_by_the_block_reader_as_by_the_event_parser() {
    let golden = repository("golden");
    assert!(golden.len() > 20, "{} golden files", golden.len());
    for path in golden {
        let text = std::fs::read_to_string(&path).unwrap();
        let name = path.display().to_string();
        assert!(
            read_alike(&text, &name),
            "{name} is not read by the block reader"
        );
        // Each document cut after every line: collections and scalars ended anywhere.
        for (i, document) in text.split("---\n").enumerate() {
            let mut end = 0;
            for line in document.split_inclusive('\n') {
                end += line.len();
                read_alike(
                    &document[..end],
                    &format!("{name}, document {i} to byte {end}"),
                );
            }
        }
    }
}

#[test]
fn every_yaml_file_is_read_alike_or_left_to_the_event_parser() {
    let mut files = repository("tests");
    files.extend(repository("examples"));
    files.extend(yaml_files(&reference_dir()));
    let mut read = 0;
    for path in &files {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        read += usize::from(read_alike(&text, &path.display().to_string()));
    }
    // Most of them are plain block YAML; the rest use flow style, anchors or folded text.
    assert!(
        read * 2 > files.len(),
        "{read} of {} files read",
        files.len()
    );
}
