//! IP addresses: `ip`, `isIP`, `ip.isCanonical`, `family` and the `is*` predicates.

use super::*;

pub(super) static IP_TYPE: Type = Type::new_unspecified_type("net.IP");

#[derive(Clone, Debug, PartialEq)]
pub(super) struct Ip(pub(super) IpAddr);

opaque_val!(Ip, IP_TYPE);

pub(super) fn ips(env: &mut Env) -> Result<(), DeclarationError> {
    add_overload!(env, fn ip: (CelString) -> Result<Ip>)?;
    add_overload!(env, fn is_ip: (CelString) -> CelBool, name = "isIP")?;
    add_overload!(env, fn is_canonical: (CelString) -> Result<CelBool>, name = "ip.isCanonical")?;
    add_overload!(env, fn ip_string: (Ip) -> CelString, name = "string")?;
    add_member_overload!(env, fn family: (Ip) -> CelInt)?;
    add_member_overload!(env, fn is_unspecified: (Ip) -> CelBool)?;
    add_member_overload!(env, fn is_loopback: (Ip) -> CelBool)?;
    add_member_overload!(env, fn is_link_local_multicast: (Ip) -> CelBool)?;
    add_member_overload!(env, fn is_link_local_unicast: (Ip) -> CelBool)?;
    add_member_overload!(env, fn is_global_unicast: (Ip) -> CelBool)?;
    Ok(())
}

/// Kubernetes' `parseIPAddr`: Go's `netip.ParseAddr` (no leading zeros in IPv4 octets, which
/// `std::net` rejects too; no zones, which `std::net` cannot parse), minus IPv4-mapped IPv6.
pub(super) fn parse_ip(text: &str) -> Result<IpAddr, String> {
    let addr: IpAddr = text
        .parse()
        .map_err(|e| format!("IP address {text:?} parse error: {e}"))?;
    match addr {
        IpAddr::V6(v6) if v6.to_ipv4_mapped().is_some() => {
            Err(format!("IPv4-mapped IPv6 address {text:?} is not allowed"))
        }
        _ => Ok(addr),
    }
}

pub(super) fn ip(text: &CelString<'_>) -> Result<Ip, ExecutionError> {
    parse_ip(text)
        .map(Ip)
        .map_err(|e| ExecutionError::function_error("ip", e))
}

pub(super) fn is_ip(text: &CelString<'_>) -> CelBool {
    parse_ip(text).is_ok().into()
}

/// Whether the text is the one form Go prints the address in (RFC 5952 for IPv6), as Rust does.
pub(super) fn is_canonical(text: &CelString<'_>) -> Result<CelBool, ExecutionError> {
    let addr = parse_ip(text).map_err(|e| ExecutionError::function_error("ip.isCanonical", e))?;
    Ok((addr.to_string() == text.inner()).into())
}

pub(super) fn ip_string(ip: &Ip) -> CelString<'static> {
    ip.0.to_string().into()
}

pub(super) fn family(ip: &Ip) -> CelInt {
    CelInt::from(if ip.0.is_ipv4() { 4 } else { 6 })
}

pub(super) fn is_unspecified(ip: &Ip) -> CelBool {
    ip.0.is_unspecified().into()
}

pub(super) fn is_loopback(ip: &Ip) -> CelBool {
    ip.0.is_loopback().into()
}

/// Go's `IsLinkLocalMulticast`: 224.0.0.0/24, or ff02::/16 whatever the flags nibble.
pub(super) fn is_link_local_multicast(ip: &Ip) -> CelBool {
    match ip.0 {
        IpAddr::V4(v4) => v4.octets()[..3] == [224, 0, 0],
        IpAddr::V6(v6) => v6.segments()[0] & 0xff0f == 0xff02,
    }
    .into()
}

/// 169.254.0.0/16 or fe80::/10.
pub(super) fn is_link_local_unicast(ip: &Ip) -> CelBool {
    is_link_local(ip.0).into()
}

pub(super) fn is_link_local(addr: IpAddr) -> bool {
    match addr {
        IpAddr::V4(v4) => v4.is_link_local(),
        IpAddr::V6(v6) => v6.segments()[0] & 0xffc0 == 0xfe80,
    }
}

/// Go's `IsGlobalUnicast`: any unicast address but the special ones; private ranges count.
pub(super) fn is_global_unicast(ip: &Ip) -> CelBool {
    let addr = ip.0;
    let special = match addr {
        IpAddr::V4(v4) => v4.is_broadcast(),
        IpAddr::V6(_) => false,
    };
    (!special
        && !addr.is_unspecified()
        && !addr.is_loopback()
        && !addr.is_multicast()
        && !is_link_local(addr))
    .into()
}
