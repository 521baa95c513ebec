//! LeaderWorkerSet (`leaderworkerset.x-k8s.io/v1`, kubernetes-sigs/lws v0.10.0
//! `api/leaderworkerset/v1/leaderworkerset_types.go`), only the fields inferstack sets. One
//! replica is a group of `size` pods: a leader (index 0) and `size - 1` workers.

use k8s_openapi::api::core::v1::PodTemplateSpec;
use serde::Serialize;

use super::Resource;

pub const GROUP: &str = "leaderworkerset.x-k8s.io";
pub const API_VERSION: &str = "leaderworkerset.x-k8s.io/v1";
pub const KIND: &str = "LeaderWorkerSet";

pub type LeaderWorkerSet = Resource<LeaderWorkerSetSpec>;

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LeaderWorkerSetSpec {
    /// Groups; left out when an autoscaler owns the field through the `scale` subresource.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replicas: Option<i32>,
    pub leader_worker_template: LeaderWorkerTemplate,
    /// `LeaderCreated` (the CRD's default): workers start with their leader, not once it is
    /// ready; a server spread over the group is ready only when every pod has joined.
    pub startup_policy: &'static str,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LeaderWorkerTemplate {
    pub size: i32,
    /// `RecreateGroupOnPodRestart` (the default): one pod's restart recreates the whole group,
    /// since the server's collective communication cannot take a pod back.
    pub restart_policy: &'static str,
    pub leader_template: PodTemplateSpec,
    pub worker_template: PodTemplateSpec,
}
