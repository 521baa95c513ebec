//! A model's `config.json`, as Hugging Face `transformers` writes it: the architecture numbers
//! the rules need, read from a copy the stack points to (`model.config`).

use serde_json::Value;

use super::ModelFacts;
use super::models::{Architecture, Experts};

/// The numbers of a `config.json`. `parameters` is computed for dense decoders and for the
/// mixture-of-experts layouts whose every layer is the same set of experts: Mixtral
/// (`model_type` `mixtral`: `num_local_experts` experts of `intermediate_size`) and Qwen3-MoE
/// (`qwen3_moe`: `num_experts` of `moe_intermediate_size`, `decoder_sparse_step` 1, no
/// `mlp_only_layers`). Other mixture-of-experts configs (shared experts, dense first layers,
/// latent attention: `n_routed_experts`, `qwen2_moe`, `gpt_oss`) give none.
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
    let experts = match config.get("model_type").and_then(Value::as_str) {
        Some("mixtral") => number("num_local_experts").zip(number("intermediate_size")),
        Some("qwen3_moe")
            if config.get("decoder_sparse_step").and_then(Value::as_u64) == Some(1)
                && config
                    .get("mlp_only_layers")
                    .and_then(Value::as_array)
                    .is_none_or(Vec::is_empty) =>
        {
            number("num_experts").zip(number("moe_intermediate_size"))
        }
        _ => None,
    }
    .map(|(experts, intermediate_size)| Experts {
        experts,
        experts_per_token: number("num_experts_per_tok").unwrap_or(1),
        intermediate_size,
    });
    let parameters = match (
        hidden,
        number("intermediate_size"),
        number("vocab_size"),
        head_dim,
    ) {
        (Some(hidden_size), Some(intermediate_size), Some(vocab_size), Some(head_dim))
            if !moe || experts.is_some() =>
        {
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
                experts,
                source: "",
            };
            architecture.checked_parameters().map(|p| {
                (
                    p as f64,
                    architecture.embedding_parameters() as f64,
                    architecture.lora_width(),
                )
            })
        }
        _ => None,
    };
    Ok(ModelFacts {
        parameters: parameters.map(|(p, _, _)| p),
        embedding_parameters: parameters.map(|(_, e, _)| e),
        lora_width: parameters.map(|(_, _, w)| w),
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

    /// Mixtral's and Qwen3-MoE's configs count every expert, as the table's entries do.
    #[test]
    fn mixture_of_experts_configs_count_every_expert() {
        let mixtral = r#"{"model_type":"mixtral","hidden_size":4096,"intermediate_size":14336,
            "num_hidden_layers":32,"num_attention_heads":32,"num_key_value_heads":8,
            "vocab_size":32000,"max_position_embeddings":32768,"num_local_experts":8,
            "num_experts_per_tok":2,"tie_word_embeddings":false}"#;
        let table = models::lookup("Mixtral-8x7B-v0.1").unwrap();
        assert_eq!(
            parse(mixtral).unwrap().parameters,
            Some(table.parameters() as f64)
        );
        let qwen3 = r#"{"model_type":"qwen3_moe","hidden_size":2048,"intermediate_size":6144,
            "moe_intermediate_size":768,"num_hidden_layers":48,"num_attention_heads":32,
            "num_key_value_heads":4,"head_dim":128,"vocab_size":151936,"num_experts":128,
            "num_experts_per_tok":8,"decoder_sparse_step":1,"mlp_only_layers":[]}"#;
        let table = models::lookup("Qwen3-30B-A3B").unwrap();
        assert_eq!(
            parse(qwen3).unwrap().parameters,
            Some(table.parameters() as f64)
        );
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
