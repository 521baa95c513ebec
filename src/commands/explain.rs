//! `inferstack explain PROFILE`: what a profile emits and which API versions it targets, from
//! the same table the compiler uses, so the answer cannot drift from the output.

use crate::cli::ExplainArgs;
use crate::resolve::Profile;

use super::Outcome;

pub fn run(args: &ExplainArgs) -> Outcome {
    let profile = args.profile.profile();
    Outcome {
        stdout: explain(profile),
        ..Outcome::default()
    }
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
