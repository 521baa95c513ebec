//! A PersistentVolume binds one claim (`spec.claimRef` is a single reference; see the
//! PersistentVolume API in ../shared/reference/openapi). Two claims that would bind the same
//! volume leave one Pending forever: typically the same bucket path built for two namespaces or
//! two environments, whose cluster-wide volume comes out once.

use std::collections::HashMap;

use serde_json::Value;

use super::index::{ObjectIndex, Sink, problem, selected_volume};
use crate::diag::Code;
use crate::k8s::Object;
use crate::k8s::value::text;

pub(super) fn each_volume_claimed_once(cx: &ObjectIndex<'_>, objects: &[Object], out: &mut Sink) {
    let mut first_claim: HashMap<&str, &Object> = HashMap::new();
    for claim in objects
        .iter()
        .filter(|o| o.id.group().is_empty() && o.id.kind == "PersistentVolumeClaim")
    {
        let (volume, pointer) = match text(&claim.body, "/spec/volumeName") {
            Some(name) => (Some(name), "/spec/volumeName"),
            None => (
                claim
                    .body
                    .pointer("/spec/selector/matchLabels")
                    .and_then(Value::as_object)
                    .and_then(|selector| selected_volume(cx, selector))
                    .map(|v| v.id.name.as_str()),
                "/spec/selector",
            ),
        };
        let Some(volume) = volume else {
            continue;
        };
        let Some(first) = first_claim.get(volume) else {
            first_claim.insert(volume, claim);
            continue;
        };
        problem(
            out,
            Code::VolumeClaimedTwice,
            claim,
            pointer,
            format!(
                "PersistentVolume {volume} would also be bound by {}; a volume binds one claim, so one of them stays Pending",
                first.id
            ),
            "give each namespace or environment its own volume (`model.volume` names it; `--env` builds suffix it with the environment), or let the stacks of one namespace share one claim",
        );
        out.also_at(first, pointer, "the other claim is defined here");
    }
}
