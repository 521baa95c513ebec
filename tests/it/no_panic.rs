//! Bad input never panics: arbitrary bytes, and every example stack with values replaced by
//! values of every type, go through the whole pipeline (parse, resolve, validate, lower, merge,
//! emit).

use inferstack::compile::compile;
use inferstack::emit::stream;
use inferstack::source::SourceMap;
use proptest::prelude::*;

const QWEN: &str = include_str!("../../stacks/qwen.toml");
/// Every example: each source, engine and scheduling key appears in at least one.
const STACKS: [&str; 9] = [
    QWEN,
    include_str!("../../stacks/deepseek.toml"),
    include_str!("../../stacks/llama-s3.toml"),
    include_str!("../../stacks/llama-70b.toml"),
    include_str!("../../stacks/qwen-hub.toml"),
    include_str!("../../stacks/mistral-pvc.toml"),
    include_str!("../../stacks/sglang.toml"),
    include_str!("../../stacks/llamacpp.toml"),
    include_str!("../../stacks/cpu-only.toml"),
];

fn compile_text(text: &str) {
    let mut sources = SourceMap::default();
    let id = sources.add("fuzz.toml", text);
    let compiled = compile(&sources, &[id], None).expect("compile never fails on user input");
    let rendered = inferstack::diag::render::render_all(
        &compiled.diagnostics,
        &sources,
        inferstack::diag::render::Style::Human(inferstack::diag::render::Color::Never),
    );
    if compiled.diagnostics.has_errors() {
        assert!(!rendered.is_empty());
    } else {
        stream(&compiled.objects).expect("valid stacks always emit");
    }
}

fn replacement() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<i64>().prop_map(|n| n.to_string()),
        any::<f64>().prop_map(|f| format!("{f:?}").replace("inf", "1e999")),
        "[a-zA-Z0-9 ./:_-]{0,20}".prop_map(|s| format!("{s:?}")),
        Just("true".to_owned()),
        Just("[]".to_owned()),
        Just("{}".to_owned()),
        Just("[1, \"a\", {}]".to_owned()),
        Just("{ request = \"x\", limit = 3 }".to_owned()),
        Just("[{ key = 1, operator = [] }]".to_owned()),
        Just("\"{{ model.path }}{% for i in range(99999) %}x{% endfor %}\"".to_owned()),
        Just("\"s3://a/b\"".to_owned()),
        Just("\"hf://a/b@\"".to_owned()),
        Just("\"pvc://c\"".to_owned()),
        Just("\"-1s\"".to_owned()),
        Just("1979-05-27T07:32:00Z".to_owned()),
        Just("\"\"".to_owned()),
        Just("\"on\"".to_owned()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,400}") {
        compile_text(&text);
    }

    /// Masking keeps every byte offset, so code frames stay aligned, and never panics.
    #[test]
    fn redaction_keeps_the_length_of_any_text(text in "\\PC{0,300}") {
        let redacted = inferstack::secrets::redact(&text);
        prop_assert_eq!(redacted.len(), text.len());
    }

    /// The frame of a credential finding shows no value: whatever is between quotes, and any
    /// comment, is masked, with every byte offset kept.
    #[test]
    fn literal_masking_leaves_no_quoted_value(key in "[a-z_]{1,12}", value in "[A-Za-z0-9/+=]{8,40}") {
        let text = format!("{key} = {{ a = \"{value}\", b = '{value}' }} # {value}\n");
        let masked = inferstack::secrets::mask_literals(&text);
        prop_assert_eq!(masked.len(), text.len());
        let head = format!("{key} = {{ a = \"");
        prop_assert!(masked.starts_with(&head));
        prop_assert!(!masked.contains(&value), "{}", masked);
        prop_assert_eq!(inferstack::secrets::mask_literals(&masked), masked.clone());
    }

    #[test]
    fn any_value_in_any_key_never_panics(stack in 0usize..9, line in 0usize..60, value in replacement()) {
        let mut lines: Vec<String> = STACKS[stack].lines().map(str::to_owned).collect();
        let index = line % lines.len();
        if let Some((key, _)) = lines[index].split_once(" = ") {
            lines[index] = format!("{key} = {value}");
        }
        compile_text(&lines.join("\n"));
    }

    #[test]
    fn truncated_stacks_never_panic(cut in 0usize..1200) {
        let cut = cut.min(QWEN.len());
        let cut = (0..=cut).rev().find(|i| QWEN.is_char_boundary(*i)).unwrap_or(0);
        compile_text(&QWEN[..cut]);
    }
}
