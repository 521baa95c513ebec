//! Any text as the templates of a custom engine: each line of the input is one `engine.args`
//! item of an otherwise fixed stack (llama.cpp's server, as in `stacks/llamacpp.toml`). A stack
//! that compiles has a container whose rendered arguments stay within the byte bounds and
//! carry no credential the stack scan would refuse; one that does not has located errors.
#![no_main]

use inferstack::compile::compile_fleet;
use inferstack::diag::render::{Style, render_all};
use inferstack::engine::{MAX_ITEM_BYTES, MAX_TOTAL_BYTES};
use inferstack::source::SourceMap;
use inferstack::stack::layers::Fleet;
use libfuzzer_sys::fuzz_target;

const STACK: &str = r#"profile = "gateway-api"
[service]
name = "gemma-gguf"
namespace = "llm"
[model]
source = "pvc://model-weights/gguf/gemma-2-9b-it"
volume = "gemma-gguf-weights"
[engine]
kind = "custom"
image = "ghcr.io/ggml-org/llama.cpp:server-cuda-b6209"
command = ["/app/llama-server"]
health_path = "/health"
[resources]
gpus = 1
[gateway]
name = "inference-gateway"
namespace = "envoy-gateway-system"
class = "envoy-gateway"
provider = "envoy-gateway"
"#;

/// A TOML basic string: JSON's escapes are TOML's, except DEL, which TOML wants escaped too.
fn toml_string(text: &str) -> String {
    serde_json::to_string(text)
        .expect("a str always serializes")
        .replace('\u{7f}', "\\u007f")
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let args: Vec<String> = text.lines().map(toml_string).collect();
    let stack = STACK.replacen(
        "health_path",
        &format!("args = [{}]\nhealth_path", args.join(", ")),
        1,
    );
    let mut sources = SourceMap::default();
    let fleet = Fleet::from_parts(&mut sources, &stack);
    let compiled =
        compile_fleet(&sources, &fleet, None, None).expect("compile never fails on user input");
    let _ = render_all(&compiled.diagnostics, &sources, Style::Short);
    if compiled.diagnostics.has_errors() {
        return;
    }
    let service = compiled
        .objects
        .iter()
        .find(|o| o.id.kind == "Service" && o.id.api_version.starts_with("serving.knative.dev"))
        .expect("a stack that compiles has its Knative Service");
    let rendered = service
        .body
        .pointer("/spec/template/spec/containers/0/args")
        .and_then(|a| a.as_array())
        .cloned()
        .unwrap_or_default();
    let mut total = 0;
    for arg in &rendered {
        let arg = arg.as_str().expect("arguments are strings");
        assert!(
            arg.len() <= MAX_ITEM_BYTES,
            "an argument of {} bytes",
            arg.len()
        );
        assert!(
            inferstack::secrets::looks_like_secret(arg).is_none(),
            "a rendered credential reached the output: {arg:?}"
        );
        total += arg.len();
    }
    assert!(
        total <= MAX_TOTAL_BYTES,
        "arguments of {total} bytes in all"
    );
});
