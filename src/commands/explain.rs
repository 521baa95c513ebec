//! `inferstack explain TOPIC`: what a profile emits and which API versions it targets, from
//! the same table the compiler uses, or what a diagnostic code means, from the rule catalogue
//! (`docs/rules.md`), as `rustc --explain` does; so neither answer can drift from the tool.

use clap::ValueEnum;

use crate::cli::{ExplainArgs, ProfileArg};
use crate::diag::{Code, Family};
use crate::k8s::gpus;
use crate::resolve::Profile;
use crate::rules::catalog;
use crate::rules::facts::models;

use super::Outcome;

/// What `explain rules` names; profiles and codes are the other topics.
const LIST: &str = "rules";

pub fn run(args: &ExplainArgs) -> anyhow::Result<Outcome> {
    let topic = args.topic.trim();
    let stdout = if topic == LIST {
        list()
    } else if let Ok(profile) = ProfileArg::from_str(topic, false) {
        explain(profile.profile())
    } else if let Some(code) = catalog::parse(topic) {
        explain_code(code)
    } else {
        let names = Code::ALL
            .iter()
            .map(|c| c.as_str())
            .chain(Profile::ALL.iter().map(|p| p.as_str()))
            .chain([LIST]);
        let closest = names
            .map(|n| (strsim::jaro_winkler(topic, n), n))
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .filter(|(score, _)| *score > 0.8)
            .map_or(String::new(), |(_, n)| format!("; did you mean `{n}`?"));
        anyhow::bail!(
            "`{topic}` is neither a profile nor a diagnostic code{closest} (`inferstack explain rules` lists the codes)"
        );
    };
    Ok(Outcome {
        stdout,
        ..Outcome::default()
    })
}

/// A code's family, summary and long explanation; for the notes about unknown models and GPUs,
/// the built-in tables themselves, with where each entry's numbers come from.
fn explain_code(code: Code) -> String {
    let explanation = catalog::explanation(code).unwrap_or_default();
    let mut out = format!(
        "{} ({})\n{}\n\n{explanation}\n",
        code.as_str(),
        code.family().title(),
        code.summary()
    );
    match code {
        Code::ModelFactsUnknown => {
            out.push_str(
                "\nThe built-in models (layers, attention/KV heads, head dim, context):\n",
            );
            for m in models::MODELS {
                let experts = m.experts.map_or(String::new(), |e| {
                    format!(
                        ", {} experts ({} per token: {:.1}B of {:.1}B parameters active)",
                        e.experts,
                        e.experts_per_token,
                        m.active_parameters() as f64 / 1e9,
                        m.parameters() as f64 / 1e9
                    )
                });
                out.push_str(&format!(
                    "  {:<16} {:>3} layers, {:>2}/{:<2} heads, head dim {}, {} tokens{experts}; {}\n",
                    m.name,
                    m.layers,
                    m.attention_heads,
                    m.kv_heads,
                    m.head_dim,
                    m.context_length,
                    m.source
                ));
            }
        }
        Code::GpuMemoryUnknown => {
            out.push_str("\nThe built-in GPUs (nvidia.com/gpu.product or amd.com/gpu.product-name, memory):\n");
            for g in gpus::GPUS {
                out.push_str(&format!(
                    "  {:<24} {:>6} MiB; {}\n",
                    g.product, g.memory_mib, g.source
                ));
            }
        }
        _ => {}
    }
    out
}

/// Every code by family, one line each.
fn list() -> String {
    let mut out = String::new();
    for family in Family::ALL {
        out.push_str(&format!("{}\n", family.title()));
        for code in Code::ALL.iter().filter(|c| c.family() == family) {
            out.push_str(&format!("  {:<32} {}\n", code.as_str(), code.summary()));
        }
    }
    out
}

fn explain(profile: Profile) -> String {
    let mut out = format!("profile {}\n", profile.as_str());
    out.push_str(&format!(
        "  default gateway class: {}\n",
        profile.default_gateway_class()
    ));
    out.push_str("  always: ConfigMap knative-serving/config-network (v1), Gateway (gateway.networking.k8s.io/v1),\n");
    out.push_str("          Service (serving.knative.dev/v1)\n");
    out.push_str(
        "  when needed: config-features (the flags the revision needs), config-defaults (a\n",
    );
    out.push_str("          request_timeout above 600 s), PersistentVolume and claim (oss://, s3://, gs://)\n");
    if profile == Profile::GatewayApi {
        out.push_str(
            "  config-gateway: net-gateway-api's external and local gateway, the emitted Gateway\n",
        );
    }
    match profile.inference_apis() {
        None => out.push_str(
            "  inference: the Service carries knative.aliyun.com/ai-gateway: inference (and the priority\n             annotation); ACK creates the InferencePool and InferenceObjective itself\n",
        ),
        Some(apis) => {
            out.push_str(&format!("  InferencePool: {} (targets Knative's queue-proxy port 8012)\n", apis.pool_api_version));
            out.push_str(&format!("  InferenceObjective: {} (priority from [inference] priority)\n", apis.objective_api_version));
            out.push_str("  HTTPRoute: gateway.networking.k8s.io/v1, from the [inference] listener to the pool\n");
            out.push_str(&format!("  endpoint picker: Deployment, Service, ServiceAccount, Role, RoleBinding <service>-epp\n                   image {}\n", apis.epp_image));
            let reads: Vec<String> = apis.epp_reads.iter().map(|(g, r)| format!("{g}: {}", r.join(", "))).collect();
            out.push_str(&format!("                   reads pods; {}\n", reads.join("; ")));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_explains_itself_and_the_list_names_them_all() {
        for code in Code::ALL {
            let text = explain_code(code);
            assert!(text.starts_with(code.as_str()), "{text}");
            assert!(text.contains(code.summary()));
        }
        assert!(explain_code(Code::ModelFactsUnknown).contains("Qwen3-8B"));
        assert!(explain_code(Code::GpuMemoryUnknown).contains("NVIDIA-A10G"));
        let listed = list();
        assert!(Code::ALL.iter().all(|c| listed.contains(c.as_str())));
    }

    #[test]
    fn every_profile_names_its_versions() {
        assert!(explain(Profile::Ack).contains("ai-gateway"));
        assert!(explain(Profile::AckExplicit).contains("inference.networking.x-k8s.io/v1alpha2"));
        let upstream = explain(Profile::GatewayApi);
        assert!(upstream.contains("InferencePool: inference.networking.k8s.io/v1"));
        assert!(upstream.contains("InferenceObjective: llm-d.ai/v1alpha2"));
        assert!(upstream.contains("config-gateway"));
        assert!(!explain(Profile::Ack).contains("config-gateway"));
    }
}
