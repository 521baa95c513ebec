//! The Gateway's listeners: protocols, TLS and hostnames, checked where they are written with
//! the rules the Gateway API CRD (v1.6.1, `gateway.networking.k8s.io_gateways.yaml`) and
//! cert-manager's gateway-shim (v1.21.1, `pkg/controller/certificate-shim/sync.go`) apply to
//! the emitted Gateway.

use super::{choice, error};
use crate::diag::{Code, Diagnostic, Diagnostics, Label};
use crate::resolve::{Listener, ResolvedStack};
use crate::source::Spanned;
use crate::stack::keys::{ISSUER_KINDS, LISTENER_PROTOCOLS, TLS_MODES};

/// The port browsers and clients use for HTTPS.
const HTTPS_PORT: i64 = 443;

pub fn check(stack: &ResolvedStack, out: &mut Diagnostics) {
    let g = &stack.gateway;
    for l in &g.listeners {
        let at = format!("gateway.listeners.{}", l.name.value);
        let known = choice(
            out,
            &format!("{at}.protocol"),
            &l.protocol,
            LISTENER_PROTOCOLS,
            "is not a listener protocol inferstack emits",
        );
        if let Some(mode) = &l.tls_mode {
            choice(
                out,
                &format!("{at}.tls_mode"),
                mode,
                TLS_MODES,
                "is not a TLS mode",
            );
        }
        if let Some(host) = &l.hostname {
            hostname(out, &format!("{at}.hostname"), host);
        }
        if known {
            tls(out, &at, l);
        }
    }
    if let Some(issuer) = &g.issuer {
        choice(
            out,
            "gateway.issuer.kind",
            &issuer.kind,
            ISSUER_KINDS,
            "is not a cert-manager issuer kind",
        );
        let terminated: Vec<&Listener> = g.listeners.iter().filter(|l| terminates(l)).collect();
        for l in terminated.iter().filter(|l| l.hostname.is_none()) {
            out.push(
                error(
                    Code::ListenerTls,
                    l.name.span,
                    "no hostname",
                    format!(
                        "listener `{}` has no `hostname`, and cert-manager issues no certificate for it",
                        l.name.value
                    ),
                )
                .with_secondary(Label::new(issuer.name.span, "issuer set here"))
                .with_help("cert-manager's gateway-shim skips a listener without a hostname (\"the hostname cannot be empty\"), so its Secret never exists; add `hostname = \"llm.example.com\"` to the listener"),
            );
        }
        if terminated.is_empty() {
            out.push(
                Diagnostic::warning(
                    Code::ListenerTls,
                    Label::new(issuer.name.span, "nothing to issue"),
                    "`gateway.issuer` is set, but no listener terminates TLS".to_owned(),
                )
                .with_help("cert-manager issues certificates only for HTTPS and TLS listeners in Terminate mode with `tls` and a `hostname`"),
            );
        }
    }
    unique(g.listeners.as_slice(), out);
}

/// A listener whose certificate the Gateway presents: cert-manager's gateway-shim issues for
/// exactly these (HTTPS or TLS, mode Terminate, a certificate Secret named).
fn terminates(l: &Listener) -> bool {
    l.protocol.value != "HTTP"
        && l.tls_mode.as_ref().is_some_and(|m| m.value == "Terminate")
        && !l.tls.is_empty()
}

/// Gateway API's `Hostname`: a DNS name, optionally `*.`-prefixed, lower case, no IP.
pub fn is_gateway_hostname(host: &str) -> bool {
    let name = host.strip_prefix("*.").unwrap_or(host);
    host.len() <= 253
        && !name.is_empty()
        && name.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
        && name.parse::<std::net::Ipv4Addr>().is_err()
}

fn hostname(out: &mut Diagnostics, path: &str, host: &Spanned<String>) {
    if !is_gateway_hostname(&host.value) {
        out.push(
            error(
                Code::InvalidName,
                host.span,
                "not a hostname",
                format!("`{path}` = \"{}\" is not a Gateway API hostname", host.value),
            )
            .with_help("write a lower-case DNS name such as \"llm.example.com\", or a wildcard such as \"*.example.com\"; IP addresses are not hostnames"),
        );
    }
}

/// What the Gateway CRD's CEL rules and cert-manager require of TLS on one listener.
fn tls(out: &mut Diagnostics, at: &str, l: &Listener) {
    let protocol = l.protocol.value.as_str();
    let mode = l.tls_mode.as_ref().map(|m| m.value.as_str());
    let first_secret = l.tls.first().map_or(l.span, |s| s.span);
    if protocol == "HTTP" {
        if !l.tls.is_empty() || l.tls_mode.is_some() {
            out.push(
                error(
                    Code::ListenerTls,
                    first_secret,
                    "TLS on HTTP",
                    format!("`{at}` is an HTTP listener with TLS settings"),
                )
                .with_secondary(Label::new(l.protocol.span, "protocol HTTP"))
                .with_help("the Gateway API refuses `tls` on HTTP listeners (\"tls must not be specified for protocols ['HTTP', 'TCP', 'UDP']\"); leave `protocol` out, HTTPS is the default with `tls`"),
            );
        } else if l.port.as_ref().is_some_and(|p| p.value == HTTPS_PORT) {
            out.push(
                Diagnostic::warning(
                    Code::ListenerTls,
                    Label::new(l.span, "plain HTTP on 443"),
                    format!("`{at}` serves plain HTTP on port 443, where clients speak HTTPS"),
                )
                .with_help("name the certificate's Secret: `{ port = 443, tls = \"llm-tls\" }` (with `gateway.issuer`, cert-manager creates it)"),
            );
        }
        return;
    }
    if protocol == "HTTPS" && mode == Some("Passthrough") {
        out.push(
            error(
                Code::ListenerTls,
                l.tls_mode.as_ref().map_or(l.span, |m| m.span),
                "Passthrough on HTTPS",
                format!("`{at}` is HTTPS with `tls_mode` Passthrough"),
            )
            .with_help("the Gateway API allows only Terminate on HTTPS (\"tls mode must be Terminate for protocol HTTPS\"); use `protocol = \"TLS\"` for passthrough, which takes TLSRoutes, not the inference HTTPRoute"),
        );
        return;
    }
    if mode == Some("Terminate") && l.tls.is_empty() {
        out.push(
            error(
                Code::ListenerTls,
                l.span,
                "no certificate",
                format!("`{at}` terminates TLS but names no certificate Secret"),
            )
            .with_help("add `tls = \"SECRET\"`, a kubernetes.io/tls Secret in the Gateway's namespace (\"certificateRefs or options must be specified when mode is Terminate\"); with `gateway.issuer`, cert-manager creates it under that name"),
        );
    }
    if mode == Some("Passthrough") && !l.tls.is_empty() {
        out.push(
            Diagnostic::warning(
                Code::ListenerTls,
                Label::new(first_secret, "not used"),
                format!("`{at}` passes TLS through, so its `tls` Secrets are never presented"),
            )
            .with_help("the backend terminates TLS in Passthrough mode: remove `tls`"),
        );
    }
}

/// Listeners on one port must differ in hostname and share a protocol: the Gateway API CRD
/// refuses two with the same port, protocol and hostname, and its spec marks different
/// protocols on one port `ProtocolConflict`.
fn unique(listeners: &[Listener], out: &mut Diagnostics) {
    for (i, l) in listeners.iter().enumerate() {
        let Some(port) = &l.port else { continue };
        let clash = listeners[..i].iter().find(|other| {
            other.port.as_ref().is_some_and(|p| p.value == port.value)
                && (other.protocol.value != l.protocol.value
                    || other.hostname.as_ref().map(|h| &h.value)
                        == l.hostname.as_ref().map(|h| &h.value))
        });
        let Some(other) = clash else { continue };
        let (label, why) = if other.protocol.value != l.protocol.value {
            (
                "other protocol",
                format!(
                    "{} and {} on one port conflict (the listener's ProtocolConflict condition)",
                    other.protocol.value, l.protocol.value
                ),
            )
        } else {
            (
                "same hostname",
                "the Gateway API refuses two listeners with the same port, protocol and hostname"
                    .to_owned(),
            )
        };
        out.push(
            error(
                Code::DuplicatePort,
                port.span,
                label,
                format!(
                    "listeners `{}` and `{}` both use port {}: {why}",
                    other.name.value, l.name.value, port.value
                ),
            )
            .with_secondary(Label::new(
                other.port.as_ref().map_or(other.span, |p| p.span),
                "first used here",
            ))
            .with_help(
                "give each listener its own port, or, for one protocol, each its own `hostname`",
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gateway_hostnames() {
        for ok in ["llm.acme.dev", "*.acme.dev", "a", "x-1.y"] {
            assert!(is_gateway_hostname(ok), "{ok}");
        }
        for bad in [
            "",
            "*.",
            "LLM.acme.dev",
            "a..b",
            "-a.b",
            "10.0.0.1",
            "a_b.c",
            "*",
        ] {
            assert!(!is_gateway_hostname(bad), "{bad}");
        }
    }
}
