//! Two HTTPRoutes on one Gateway listener that match the same requests: Gateway API gives the
//! traffic to the oldest route (the HTTPRoute spec's conflict resolution, by creation time),
//! so the other model is never reached, and nothing in the cluster reports it.

use std::collections::HashMap;

use serde_json::Value;

use super::index::{Sink, problem, selected_listeners};
use crate::diag::Code;
use crate::k8s::Object;
use crate::k8s::gateway::hostname_intersection;
use crate::k8s::value::{array, text};

/// What a request must look like to take one match of a route: the path match and the header
/// matches, as canonical JSON, so equal matches compare equal whatever their key order.
type MatchKey = (String, String);

/// (gateway namespace, gateway name, listener) a route attaches to; for a parent outside the
/// set, the section it names (empty: every listener, `:PORT`: the listeners of a port).
type Listener = (String, String, String);

pub(super) fn no_two_match_alike(objects: &[Object], out: &mut Sink) {
    let gateways: HashMap<(&str, &str), &Object> = objects
        .iter()
        .filter(|o| o.id.group() == "gateway.networking.k8s.io" && o.id.kind == "Gateway")
        .map(|o| {
            (
                (
                    o.id.namespace.as_deref().unwrap_or_default(),
                    &o.id.name[..],
                ),
                o,
            )
        })
        .collect();
    let mut claimed: HashMap<(Listener, MatchKey), Hosts> = HashMap::new();
    for route in objects
        .iter()
        .filter(|o| o.id.group() == "gateway.networking.k8s.io" && o.id.kind == "HTTPRoute")
    {
        let hosts: Vec<Option<&str>> = match array(&route.body, "/spec/hostnames") {
            [] => vec![None],
            names => names.iter().filter_map(Value::as_str).map(Some).collect(),
        };
        let mut conflict = None;
        for (listener, listener_host) in attachments(route, &gateways) {
            // The requests a route takes on a listener with a hostname are those of both.
            let hosts: Vec<Option<&str>> = match listener_host {
                None => hosts.clone(),
                Some(bound) => hosts
                    .iter()
                    .filter_map(|host| hostname_intersection(*host, bound))
                    .map(Some)
                    .collect(),
            };
            for key in match_keys(route) {
                let taken = claimed.entry((listener.clone(), key)).or_default();
                for host in &hosts {
                    if conflict.is_none()
                        && let Some(other) = taken.holder(*host, route)
                    {
                        conflict = Some((other, listener.clone()));
                    }
                    taken.claim(*host, route);
                }
            }
        }
        if let Some((other, (namespace, gateway, section))) = conflict {
            let on = match section.as_str() {
                "" => format!("Gateway {namespace}/{gateway}"),
                section => format!("listener {section:?} of Gateway {namespace}/{gateway}"),
            };
            problem(
                out,
                Code::RouteConflict,
                route,
                "/spec/hostnames",
                format!(
                    "it matches the same requests as {} on {on}; the Gateway sends them all to the older route, so one model is never reached",
                    other.id
                ),
                "give each stack its own `service.hostname` (the default is NAME.NAMESPACE.DOMAIN), or attach them to different listeners",
            );
            out.also_at(other, "/spec/hostnames", "the other route is defined here");
        }
    }
}

/// The hosts already taken for one listener and match, indexed so a fleet of routes is checked
/// in linear time: routes without hostnames (every host), exact names, and `*.` wildcards.
#[derive(Default)]
struct Hosts<'a> {
    every: Option<&'a Object>,
    exact: HashMap<String, &'a Object>,
    /// `*.example.com` by `example.com`.
    wildcards: HashMap<String, &'a Object>,
}

impl<'a> Hosts<'a> {
    /// A route other than `route` that already takes requests for `host` (`None`: every host).
    fn holder(&self, host: Option<&str>, route: &Object) -> Option<&'a Object> {
        let other = |o: &&'a Object| o.id != route.id;
        if let Some(every) = self.every.filter(other) {
            return Some(every);
        }
        let Some(host) = host else {
            return self
                .exact
                .values()
                .chain(self.wildcards.values())
                .copied()
                .find(other);
        };
        if let Some(suffix) = host.strip_prefix("*.") {
            let under = format!(".{suffix}");
            return self
                .exact
                .iter()
                .filter(|(name, _)| name.ends_with(&under))
                .map(|(_, o)| *o)
                .chain(self.wildcards.get(suffix).copied())
                .find(other);
        }
        if let Some(exact) = self.exact.get(host).copied().filter(other) {
            return Some(exact);
        }
        // Every domain above the host, for a wildcard that covers it.
        host.match_indices('.')
            .filter_map(|(at, _)| self.wildcards.get(&host[at + 1..]).copied())
            .find(other)
    }

    fn claim(&mut self, host: Option<&str>, route: &'a Object) {
        match host {
            None => {
                self.every.get_or_insert(route);
            }
            Some(host) => match host.strip_prefix("*.") {
                Some(suffix) => {
                    self.wildcards.entry(suffix.to_owned()).or_insert(route);
                }
                None => {
                    self.exact.entry(host.to_owned()).or_insert(route);
                }
            },
        }
    }
}

/// The listeners a route attaches to, with each one's hostname. A parentRef to a Gateway of
/// the set attaches to its listeners that its `sectionName` and `port` select (Gateway API's
/// ParentReference); one to a Gateway elsewhere, or to a ListenerSet, to what it names, with
/// an empty section for every listener.
fn attachments<'a>(
    route: &Object,
    gateways: &HashMap<(&str, &str), &'a Object>,
) -> Vec<(Listener, Option<&'a str>)> {
    let namespace = route.id.namespace.clone().unwrap_or_default();
    let mut out = Vec::new();
    for parent in array(&route.body, "/spec/parentRefs") {
        let parent_namespace = text(parent, "/namespace").map_or(namespace.clone(), str::to_owned);
        let name = text(parent, "/name").unwrap_or_default().to_owned();
        let section = text(parent, "/sectionName");
        let port = parent.get("port").and_then(Value::as_u64);
        let is_gateway = text(parent, "/kind").is_none_or(|k| k == "Gateway")
            && text(parent, "/group").is_none_or(|g| g == "gateway.networking.k8s.io");
        let gateway = gateways.get(&(parent_namespace.as_str(), name.as_str()));
        match gateway.filter(|_| is_gateway) {
            Some(gateway) => {
                for listener in selected_listeners(gateway, parent) {
                    let listener_name = text(listener, "/name").unwrap_or_default();
                    let key = (
                        parent_namespace.clone(),
                        name.clone(),
                        listener_name.to_owned(),
                    );
                    out.push((key, text(listener, "/hostname")));
                }
            }
            None => {
                let section = section.unwrap_or_default().to_owned();
                let section = match port {
                    Some(port) if section.is_empty() => format!(":{port}"),
                    _ => section,
                };
                out.push(((parent_namespace, name, section), None));
            }
        }
    }
    out
}

/// One key per match of every rule; a rule without matches matches every path (`/` prefix).
fn match_keys(route: &Object) -> Vec<MatchKey> {
    let mut keys = Vec::new();
    for rule in array(&route.body, "/spec/rules") {
        let matches = array(rule, "/matches");
        if matches.is_empty() {
            keys.push((
                "{\"type\":\"PathPrefix\",\"value\":\"/\"}".to_owned(),
                "[]".to_owned(),
            ));
        }
        for m in matches {
            let path = m.get("path").map_or_else(
                || "{\"type\":\"PathPrefix\",\"value\":\"/\"}".to_owned(),
                canonical,
            );
            let mut headers: Vec<String> = array(m, "/headers").iter().map(canonical).collect();
            headers.sort();
            keys.push((path, headers.join(",")));
        }
    }
    keys.sort();
    keys.dedup();
    keys
}

/// JSON with object keys sorted (serde_json's map keeps insertion order here).
fn canonical(value: &Value) -> String {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by_key(|(k, _)| *k);
            let inner: Vec<String> = entries
                .iter()
                .map(|(k, v)| format!("{}:{}", Value::String((*k).clone()), canonical(v)))
                .collect();
            format!("{{{}}}", inner.join(","))
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::k8s::ObjectRef;
    use crate::source::Span;

    fn route(name: &str) -> Object {
        let id = ObjectRef {
            api_version: "gateway.networking.k8s.io/v1".into(),
            kind: "HTTPRoute".into(),
            namespace: Some("llm".into()),
            name: name.into(),
        };
        let body = serde_json::json!({ "metadata": { "name": name } });
        Object::new(
            id,
            &body,
            Span::file_start(crate::source::FileId(0)),
            crate::k8s::Sharing::Owned,
        )
        .unwrap()
    }

    /// gateway-api v1.6.1 `conformance/tests/gateway-with-attached-routes.yaml`: a route whose
    /// only hostname is outside its listener's is not attached there at all.
    #[test]
    fn a_route_takes_the_hosts_it_shares_with_its_listener() {
        assert_eq!(hostname_intersection(None, "foo.com"), Some("foo.com"));
        assert_eq!(
            hostname_intersection(Some("foo.com"), "foo.com"),
            Some("foo.com")
        );
        assert_eq!(
            hostname_intersection(Some("a.foo.com"), "*.foo.com"),
            Some("a.foo.com")
        );
        assert_eq!(
            hostname_intersection(Some("*.foo.com"), "a.foo.com"),
            Some("a.foo.com")
        );
        assert_eq!(
            hostname_intersection(Some("not-accepted.test.com"), "foo.example.com"),
            None
        );
        assert_eq!(hostname_intersection(Some("foo.com"), "*.foo.com"), None);
    }

    #[test]
    fn hosts_overlap_as_gateway_api_matches_them() {
        let (a, b, c) = (route("a"), route("b"), route("c"));
        let mut hosts = Hosts::default();
        hosts.claim(Some("*.example.com"), &a);
        assert_eq!(
            hosts
                .holder(Some("qwen.example.com"), &b)
                .map(|o| &o.id.name[..]),
            Some("a")
        );
        assert!(hosts.holder(Some("example.com"), &b).is_none());
        hosts.claim(Some("qwen.llm.svc"), &b);
        assert!(hosts.holder(Some("llama.llm.svc"), &c).is_none());
        assert_eq!(
            hosts
                .holder(Some("qwen.llm.svc"), &c)
                .map(|o| &o.id.name[..]),
            Some("b")
        );
        assert!(hosts.holder(None, &c).is_some());
        assert!(
            hosts.holder(Some("qwen.llm.svc"), &b).is_none(),
            "a route never conflicts with itself"
        );
    }
}
