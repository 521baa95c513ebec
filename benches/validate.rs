//! `cargo bench --bench validate`: objects per second for `inferstack validate` with the
//! embedded catalog, on one core, over 10,000 generated objects (the 13 kinds the gateway-api
//! profile emits, from golden/), with CEL on and off. Prints figures; asserts nothing about time.

use std::hint::black_box;
use std::time::{Duration, Instant};

use inferstack::source::SourceMap;
use inferstack::validate::knative::KnativeConfig;
use inferstack::validate::manifests::{FileOptions, check_files};
use inferstack::validate::objects::ObjectValidator;
use inferstack::validate::schemas::SchemaSet;
use inferstack::yaml;

const GOLDEN: &str = include_str!("../golden/qwen.gateway-api.yaml");
const OBJECTS: usize = 10_000;

/// 10,000 objects: the golden objects again and again, each with its own name.
fn stream() -> String {
    let templates: Vec<&str> = GOLDEN
        .split("---\n")
        .filter(|d| !d.trim().is_empty())
        .collect();
    let mut out = String::new();
    for i in 0..OBJECTS {
        let template = templates[i % templates.len()];
        out.push_str("---\n");
        out.push_str(&template.replacen("  name: ", &format!("  name: n{i}-"), 1));
    }
    out
}

fn best(rounds: u32, mut run: impl FnMut()) -> Duration {
    run();
    (0..rounds)
        .map(|_| {
            let start = Instant::now();
            run();
            start.elapsed()
        })
        .min()
        .unwrap_or_default()
}

fn report(label: &str, took: Duration) {
    println!(
        "{label:<44} {OBJECTS} objects in {took:>9.2?}  {:>9.0} objects/s",
        OBJECTS as f64 / took.as_secs_f64()
    );
}

/// The Knative flags the golden output carries (its config-features); the renamed copies in
/// the stream are no longer Knative's ConfigMaps.
fn golden_knative() -> KnativeConfig {
    let mut config = KnativeConfig::default();
    for document in yaml::parse(GOLDEN).documents {
        config.absorb(&document.value, "golden");
    }
    config
}

fn main() {
    let text = stream();
    let mut validator = ObjectValidator {
        served: None,
        schemas: SchemaSet::catalog(),
        skip_missing: false,
        knative: golden_knative(),
        kinds: Default::default(),
    };
    let values: Vec<_> = yaml::parse(&text)
        .documents
        .into_iter()
        .map(|d| d.value)
        .collect();
    assert_eq!(values.len(), OBJECTS);
    for value in &values {
        let (_, findings) = validator.check(value);
        assert!(findings.is_empty(), "{findings:?}");
    }
    let one_core = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();

    report(
        "parse YAML only",
        best(5, || {
            black_box(yaml::parse(&text));
        }),
    );
    report(
        "validate only (catalog + CEL, 1 core)",
        best(5, || {
            for value in &values {
                black_box(validator.check(value));
            }
        }),
    );
    let mut schemas = SchemaSet::catalog();
    schemas.skip_cel = true;
    let no_cel = ObjectValidator {
        served: None,
        schemas,
        skip_missing: false,
        knative: golden_knative(),
        kinds: Default::default(),
    };
    report(
        "validate only (catalog, CEL off, 1 core)",
        best(5, || {
            for value in &values {
                black_box(no_cel.check(value));
            }
        }),
    );
    let mut sources = SourceMap::default();
    let file = sources.add("objects.yaml", text.as_str());
    report(
        "parse + validate (catalog + CEL, 1 core)",
        best(5, || {
            one_core.install(|| {
                black_box(check_files(
                    &sources,
                    &[file],
                    &mut validator,
                    FileOptions { cross: None },
                ))
            });
        }),
    );
}
