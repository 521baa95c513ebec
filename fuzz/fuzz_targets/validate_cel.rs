//! Any bytes as a manifest stream, validated as `inferstack validate` does it: the embedded
//! catalog with CEL, Knative's admission rules, the cross-object rules, and every finding
//! located and rendered: as code frames, and in every report format, where JSON and SARIF
//! parse as JSON and no format carries a control character it must not
//! (`report::stray_control`).
#![no_main]

use std::sync::{Mutex, OnceLock};

use inferstack::diag::render::{Color, Style, render_all};
use inferstack::report::{Format, Report};
use inferstack::source::SourceMap;
use inferstack::validate::manifests::{FileOptions, check_files};
use inferstack::validate::objects::ObjectValidator;
use inferstack::validate::schemas::SchemaSet;
use libfuzzer_sys::fuzz_target;

/// One validator for the whole run: compiling the catalog's schemas is done once.
fn validator() -> &'static Mutex<ObjectValidator> {
    static VALIDATOR: OnceLock<Mutex<ObjectValidator>> = OnceLock::new();
    VALIDATOR.get_or_init(|| {
        Mutex::new(ObjectValidator {
            served: None,
            schemas: SchemaSet::catalog(),
            skip_missing: false,
            knative: Default::default(),
            kinds: Default::default(),
        })
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut sources = SourceMap::default();
    let id = sources.add("fuzz.yaml", text);
    let mut validator = validator().lock().unwrap_or_else(|e| e.into_inner());
    // Each input starts from Knative's defaults, whatever ConfigMaps the last one carried.
    validator.knative = Default::default();
    let checked = check_files(
        &sources,
        &[id],
        &mut validator,
        FileOptions {
            cross: Some(inferstack::rules::cross::World::Closed),
        },
    );
    let _ = render_all(&checked.diagnostics, &sources, Style::Short);
    // Code frames go through miette's text wrapping, which costs most of a run: one input in
    // four is enough to keep the frame window and masking under the fuzzer.
    if data.len() % 4 == 0 {
        let _ = render_all(&checked.diagnostics, &sources, Style::Human(Color::Never));
    }
    let report = Report {
        sources: &sources,
        results: &checked.results,
        diagnostics: &checked.diagnostics,
        tool_version: "0.0.0",
        skipped_files: &[],
        by_kind: true,
    };
    for format in [
        Format::Json,
        Format::Sarif,
        Format::Github,
        Format::Junit,
        Format::Tap,
    ] {
        let text = report.render(format, Style::Short);
        if let Some(c) = inferstack::report::stray_control(format, &text) {
            panic!("{format:?} report carries control character {:?}", c);
        }
        if matches!(format, Format::Json | Format::Sarif) {
            serde_json::from_str::<serde_json::Value>(&text).expect("the report is JSON");
        }
    }
});
