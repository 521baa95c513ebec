//! Volumes agree: a claim binds the volume it means, a volume's handle is its name, a Knative
//! Service mounts the path its model server reads.

use serde_json::Value;

use super::index::{ObjectIndex, Sink, problem, selected_volume};
use crate::diag::Code;
use crate::k8s::Object;
use crate::k8s::value::{array, text};

pub(super) fn claim_binds_volume(cx: &ObjectIndex<'_>, claim: &Object, out: &mut Sink) {
    let Some(selector) = claim
        .body
        .pointer("/spec/selector/matchLabels")
        .and_then(Value::as_object)
    else {
        return;
    };
    let Some(volume) = selected_volume(cx, selector) else {
        if !cx.absent_is_finding() {
            return;
        }
        problem(
            out,
            Code::ClaimVolumeMismatch,
            claim,
            "/spec/selector",
            "no PersistentVolume among the objects checked carries the selected labels".to_owned(),
            "label the PersistentVolume with the claim's selector",
        );
        return;
    };
    let class = |o: &Object| {
        text(&o.body, "/spec/storageClassName")
            .unwrap_or_default()
            .to_owned()
    };
    if class(claim) != class(volume) {
        problem(
            out,
            Code::ClaimVolumeMismatch,
            claim,
            "/spec/storageClassName",
            format!(
                "the claim asks for storage class {:?}, the volume {} has {:?}",
                class(claim),
                volume.id.name,
                class(volume)
            ),
            "a claim binds only a volume of its storage class",
        );
    }
    let (asked, offered) = (
        array(&claim.body, "/spec/accessModes"),
        array(&volume.body, "/spec/accessModes"),
    );
    if !asked.iter().all(|m| offered.contains(m)) {
        problem(
            out,
            Code::ClaimVolumeMismatch,
            claim,
            "/spec/accessModes",
            format!(
                "the volume {} does not offer every access mode the claim asks for",
                volume.id.name
            ),
            "give the volume the claim's access modes (ReadWriteMany for a model shared by replicas)",
        );
    }
    let size = |o: &Object, pointer: &str| {
        text(&o.body, pointer).and_then(crate::quantity::Quantity::parse)
    };
    if let (Some(asked), Some(capacity)) = (
        size(claim, "/spec/resources/requests/storage"),
        size(volume, "/spec/capacity/storage"),
    ) && asked > capacity
    {
        problem(
            out,
            Code::ClaimVolumeMismatch,
            claim,
            "/spec/resources/requests/storage",
            format!(
                "the claim asks for more than the volume {}'s capacity",
                volume.id.name
            ),
            "request at most the volume's capacity",
        );
    }
}

pub(super) fn volume_handle_is_name(volume: &Object, out: &mut Sink) {
    if text(&volume.body, "/spec/csi/driver") != Some(crate::model_source::oss::OSS_DRIVER) {
        return;
    }
    let handle = text(&volume.body, "/spec/csi/volumeHandle").unwrap_or_default();
    if handle != volume.id.name {
        problem(
            out,
            Code::VolumeHandleMismatch,
            volume,
            "/spec/csi/volumeHandle",
            format!(
                "volumeHandle {handle:?} differs from the volume name {:?}",
                volume.id.name
            ),
            "the OSS CSI driver requires the volumeHandle to equal the PersistentVolume's name",
        );
    }
}

pub(super) fn model_path_is_mounted(service: &Object, out: &mut Sink) {
    let containers = array(&service.body, "/spec/template/spec/containers");
    for (c, container) in containers.iter().enumerate() {
        let args: Vec<&str> = container
            .get("args")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let command: Vec<&str> = container
            .get("command")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        // `vllm serve MODEL` takes the model first; older servers take `--model MODEL`.
        let positional = (command.last() == Some(&"serve"))
            .then(|| args.first().copied().filter(|a| !a.starts_with('-')))
            .flatten();
        let flagged = args.windows(2).find(|w| w[0] == "--model").map(|w| w[1]);
        let Some(model) = positional.or(flagged).map(|m| m.trim_end_matches('/')) else {
            continue;
        };
        let mounts: Vec<&str> = container
            .get("volumeMounts")
            .and_then(Value::as_array)
            .map(|m| m.iter().filter_map(|m| text(m, "/mountPath")).collect())
            .unwrap_or_default();
        let mounted = mounts.iter().any(|m| {
            model == m.trim_end_matches('/')
                || model.starts_with(&format!("{}/", m.trim_end_matches('/')))
        });
        if !mounted && model.starts_with('/') {
            problem(
                out,
                Code::MountPathMismatch,
                service,
                &format!("/spec/template/spec/containers/{c}/args"),
                format!(
                    "the model path {model} is not under any volume mount ({})",
                    mounts.join(", ")
                ),
                "mount the model volume at the directory the server loads the model from",
            );
        }
    }
}
