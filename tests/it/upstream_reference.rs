//! Self-test of `crate::support::upstream`: the seed manifests and the upstream Gateway API examples
//! validate against the real upstream schemas, and typical mistakes are caught, so a test that
//! relies on the validator cannot pass trivially.

use crate::support::upstream::{reference_dir, upstream, yaml_documents, yaml_files};
use serde_json::{Value, json};

/// The seed's objects; `None` (the test is skipped, loudly) where the seed is not beside the
/// reference set.
fn seed() -> Option<Vec<Value>> {
    let path = crate::support::reference::seed("manifests.yaml")?;
    Some(yaml_documents(&crate::support::cli::root().join(path)))
}

/// The seed object of the given apiVersion and kind, to be broken by a test.
fn seed_object(api_version: &str, kind: &str) -> Option<Value> {
    let object = seed()?
        .into_iter()
        .find(|o| o["apiVersion"] == api_version && o["kind"] == kind)
        .unwrap_or_else(|| panic!("no {api_version} {kind} in the seed"));
    Some(object)
}

/// Asserts that validation reports a problem at `pointer` (exactly that location).
#[track_caller]
fn assert_problem_at(object: &Value, pointer: &str) {
    let problems = upstream().validate(object);
    assert!(
        problems
            .iter()
            .any(|p| p.starts_with(&format!("{pointer}: "))),
        "expected a problem at {pointer}, got {problems:#?}"
    );
}

#[test]
fn seed_manifests_validate() {
    if !crate::support::reference::require() {
        return;
    }
    let Some(objects) = seed() else {
        return;
    };
    assert_eq!(objects.len(), 5, "the seed has five manifests");
    for object in &objects {
        let problems = upstream().validate(object);
        assert!(
            problems.is_empty(),
            "{} {}: {problems:#?}",
            object["kind"],
            object["metadata"]["name"]
        );
    }
}

#[test]
fn gateway_listener_with_unknown_field_is_rejected() {
    if !crate::support::reference::require() {
        return;
    }
    let Some(mut gateway) = seed_object("gateway.networking.k8s.io/v1", "Gateway") else {
        return;
    };
    gateway["spec"]["listeners"][1]["hostnme"] = json!("llm.example.com");
    assert_eq!(
        upstream().validate(&gateway),
        [r#"/spec/listeners/1/hostnme: unknown field "hostnme""#]
    );
}

#[test]
fn persistent_volume_with_wrong_type_or_unknown_field_is_rejected() {
    if !crate::support::reference::require() {
        return;
    }
    let Some(mut pv) = seed_object("v1", "PersistentVolume") else {
        return;
    };
    pv["spec"]["capacity"]["storage"] = json!(true);
    assert_problem_at(&pv, "/spec/capacity/storage");

    let Some(mut pv) = seed_object("v1", "PersistentVolume") else {
        return;
    };
    pv["spec"]["bogus"] = json!(1);
    assert_eq!(
        upstream().validate(&pv),
        [r#"/spec/bogus: unknown field "bogus""#]
    );
}

/// Gateway API's `spec.addresses[]` is a `oneOf` that relies on `type` defaulting to
/// `IPAddress`: only then is `value` checked as an IP (and does exactly one branch match).
#[test]
fn crd_defaults_apply_before_validation() {
    if !crate::support::reference::require() {
        return;
    }
    let Some(mut gateway) = seed_object("gateway.networking.k8s.io/v1", "Gateway") else {
        return;
    };
    gateway["spec"]["addresses"] = json!([{"value": "10.0.0.1"}]);
    assert_eq!(upstream().validate(&gateway), Vec::<String>::new());
    gateway["spec"]["addresses"] = json!([{"value": "gateway.example.com"}]);
    assert_problem_at(&gateway, "/spec/addresses/0");
    gateway["spec"]["addresses"] = json!([{"type": "Hostname", "value": "gateway.example.com"}]);
    assert_eq!(upstream().validate(&gateway), Vec::<String>::new());
}

#[test]
fn quantity_strings_are_parsed() {
    if !crate::support::reference::require() {
        return;
    }
    let Some(mut pv) = seed_object("v1", "PersistentVolume") else {
        return;
    };
    pv["spec"]["capacity"]["storage"] = json!("30 gigs");
    assert_problem_at(&pv, "/spec/capacity/storage");
    pv["spec"]["capacity"]["storage"] = json!(32212254720_u64);
    assert_eq!(upstream().validate(&pv), Vec::<String>::new());
}

/// Knative's Service CRD (v1.23) closes `spec.template.spec.containers[]`: only the pod
/// template's `metadata` and a few feature-flagged fields preserve unknown fields, so a typo in a
/// container is caught by the schema itself, not only by Knative's webhook.
#[test]
fn knative_service_container_typo_is_rejected() {
    if !crate::support::reference::require() {
        return;
    }
    let Some(mut service) = seed_object("serving.knative.dev/v1", "Service") else {
        return;
    };
    let container = service["spec"]["template"]["spec"]["containers"][0]
        .as_object_mut()
        .unwrap();
    let image = container.remove("image").unwrap();
    container.insert("imagee".to_owned(), image);
    assert_eq!(
        upstream().validate(&service),
        [r#"/spec/template/spec/containers/0/imagee: unknown field "imagee""#]
    );
}

#[test]
fn int_or_string_accepts_both_and_nothing_else() {
    if !crate::support::reference::require() {
        return;
    }
    let Some(mut service) = seed_object("serving.knative.dev/v1", "Service") else {
        return;
    };
    let port = "/spec/template/spec/containers/0/readinessProbe/tcpSocket/port";
    *service.pointer_mut(port).unwrap() = json!("http");
    assert_eq!(upstream().validate(&service), Vec::<String>::new());
    *service.pointer_mut(port).unwrap() = json!(true);
    assert_problem_at(&service, port);
}

#[test]
fn config_map_data_must_be_strings() {
    if !crate::support::reference::require() {
        return;
    }
    let Some(mut config_map) = seed_object("v1", "ConfigMap") else {
        return;
    };
    config_map["data"]["replicas"] = json!(3);
    assert_problem_at(&config_map, "/data/replicas");
}

#[test]
fn metadata_is_a_real_object_meta_with_a_name() {
    if !crate::support::reference::require() {
        return;
    }
    let Some(mut gateway) = seed_object("gateway.networking.k8s.io/v1", "Gateway") else {
        return;
    };
    gateway["metadata"]["labelz"] = json!({});
    assert_problem_at(&gateway, "/metadata/labelz");

    let Some(mut config_map) = seed_object("v1", "ConfigMap") else {
        return;
    };
    config_map["metadata"]
        .as_object_mut()
        .unwrap()
        .remove("name");
    assert_problem_at(&config_map, "/metadata/name");
}

#[test]
fn unknown_kind_has_no_schema() {
    if !crate::support::reference::require() {
        return;
    }
    let widget =
        json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}});
    assert_eq!(
        upstream().validate(&widget),
        ["no upstream schema for example.com/v1 Widget"]
    );
}

/// Every document of upstream's `examples/standard` is of a kind we have a schema for (Gateway
/// API or core), and all of them must validate: a failure here means the transform is wrong.
#[test]
fn gateway_api_standard_examples_validate() {
    if !crate::support::reference::require() {
        return;
    }
    let dir = reference_dir().join("examples/gateway-api/standard");
    let mut failures = Vec::new();
    let mut checked = 0;
    for file in yaml_files(&dir) {
        for object in yaml_documents(&file) {
            checked += 1;
            for problem in upstream().validate(&object) {
                failures.push(format!(
                    "{}: {} {}: {problem}",
                    file.display(),
                    object["kind"],
                    object["metadata"]["name"]
                ));
            }
        }
    }
    assert!(checked > 90, "only {checked} example documents found");
    assert!(failures.is_empty(), "{failures:#?}");
}

/// Validators are compiled lazily; this compiles all of them, so a schema the transform breaks
/// (or a pattern the regex engine rejects) fails here rather than in some later test.
#[test]
fn every_upstream_schema_compiles() {
    if !crate::support::reference::require() {
        return;
    }
    let kinds = upstream().kinds();
    assert!(kinds.len() > 100, "only {} kinds loaded", kinds.len());
    for (api_version, kind) in kinds {
        upstream().validate(&json!({"apiVersion": api_version, "kind": kind}));
    }
}
