//! README sections generated from the code: each lies between a start marker and an end
//! marker, and must equal what the code generates; `INFERSTACK_BLESS=1` rewrites it instead.

use std::fs;

use super::cli::root;

/// Checks (or, with `INFERSTACK_BLESS`, rewrites) the README text between `start` and `end`.
pub fn generated_section(start: &str, end: &str, generated: &str) {
    let path = root().join("README.md");
    let readme = fs::read_to_string(&path).unwrap();
    let from = readme.find(start).expect("the README has the start marker") + start.len();
    let to = readme.find(end).expect("the README has the end marker");
    if std::env::var_os("INFERSTACK_BLESS").is_some() {
        fs::write(
            &path,
            format!("{}{generated}{}", &readme[..from], &readme[to..]),
        )
        .unwrap();
        return;
    }
    assert_eq!(
        &readme[from..to],
        generated,
        "INFERSTACK_BLESS=1 rewrites it"
    );
}
