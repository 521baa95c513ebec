//! A model's `config.json`, as Hugging Face `transformers` writes it: the architecture numbers
//! the rules need, read from a copy the stack points to (`model.config`).

use serde_json::Value;

use super::ModelFacts;
use super::models::Architecture;

/// The numbers of a `config.json`. `parameters` is computed for dense decoders; a
/// mixture-of-experts config (`num_experts`, `n_routed_experts`, `num_local_experts`) gives
/// none, since its expert matrices follow other keys.
pub fn parse(text: &str) -> Result<ModelFacts, String> {
    let config: Value = serde_json::from_str(text).map_err(|e| format!("it is not JSON: {e}"))?;
    let number = |key: &str| config.get(key).and_then(Value::as_u64).filter(|n| *n > 0);
    let (Some(layers), Some(heads)) = (number("num_hidden_layers"), number("num_attention_heads"))
    else {
        return Err("it has no num_hidden_layers and num_attention_heads".to_owned());
    };
    let kv_heads = number("num_key_value_heads").unwrap_or(heads);
    let hidden = number("hidden_size");
    let head_dim = number("head_dim")
        .or(hidden.map(|h| h / heads))
        .filter(|d| *d > 0);
    let moe = ["num_experts", "n_routed_experts", "num_local_experts"]
        .iter()
        .any(|k| {
            config
                .get(*k)
                .is_some_and(|v| v.as_u64().is_some_and(|n| n > 0))
        });
    let parameters = match (
        hidden,
        number("intermediate_size"),
        number("vocab_size"),
        head_dim,
    ) {
        (Some(hidden_size), Some(intermediate_size), Some(vocab_size), Some(head_dim)) if !moe => {
            let architecture = Architecture {
                name: "",
                hidden_size,
                intermediate_size,
                layers,
                attention_heads: heads,
                kv_heads,
                head_dim,
                vocab_size,
                context_length: 0,
                tied_embeddings: config
                    .get("tie_word_embeddings")
                    .and_then(Value::as_bool)
                    .unwrap_or(false),
                qkv_bias: config.get("model_type").and_then(Value::as_str) == Some("qwen2"),
                source: "",
            };
            architecture.checked_parameters().map(|p| p as f64)
        }
        _ => None,
    };
    Ok(ModelFacts {
        parameters,
        layers: Some(layers),
        attention_heads: Some(heads),
        kv_heads: Some(kv_heads),
        head_dim,
        context_length: number("max_position_embeddings"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::facts::models;

    /// Llama-3.1-8B's published config.json (as quoted in `facts::models`' source) gives the
    /// table's numbers.
    #[test]
    fn a_published_config_gives_the_table_numbers() {
        let text = r#"{"architectures":["LlamaForCausalLM"],"hidden_size":4096,
            "intermediate_size":14336,"max_position_embeddings":131072,"model_type":"llama",
            "num_attention_heads":32,"num_hidden_layers":32,"num_key_value_heads":8,
            "tie_word_embeddings":false,"torch_dtype":"bfloat16","vocab_size":128256}"#;
        let facts = parse(text).unwrap();
        let table = models::lookup("Llama-3.1-8B").unwrap();
        assert_eq!(facts.parameters, Some(table.parameters() as f64));
        assert_eq!(facts.head_dim, Some(128));
        assert_eq!(facts.kv_heads, Some(8));
        assert_eq!(facts.context_length, Some(131072));
    }

    #[test]
    fn what_is_not_a_model_config_says_why() {
        assert!(parse("not json").unwrap_err().contains("not JSON"));
        assert!(parse("{}").unwrap_err().contains("num_hidden_layers"));
        let moe = r#"{"num_hidden_layers":48,"num_attention_heads":32,"hidden_size":2048,
            "intermediate_size":6144,"vocab_size":151936,"num_experts":128}"#;
        assert_eq!(parse(moe).unwrap().parameters, None);
        let huge = r#"{"num_hidden_layers":18446744073709551615,"num_attention_heads":1,
            "hidden_size":18446744073709551615,"intermediate_size":1,"vocab_size":1}"#;
        assert_eq!(parse(huge).unwrap().parameters, None);
    }
}
