//! CIDRs: `cidr`, `isCIDR`, `containsIP`, `containsCIDR`, `ip`, `masked`, `prefixLength`.

use super::*;

pub(super) static CIDR_TYPE: Type = Type::new_unspecified_type("net.CIDR");

/// A Go `netip.Prefix`: the address as written, and the prefix length.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Cidr {
    addr: IpAddr,
    bits: u32,
}

opaque_val!(Cidr, CIDR_TYPE);

pub(super) fn cidrs(env: &mut Env) -> Result<(), DeclarationError> {
    add_overload!(env, fn cidr: (CelString) -> Result<Cidr>)?;
    add_overload!(env, fn is_cidr: (CelString) -> CelBool, name = "isCIDR")?;
    add_overload!(env, fn cidr_string: (Cidr) -> CelString, name = "string")?;
    add_member_overload!(env, fn contains_ip: (Cidr, Ip) -> CelBool, name = "containsIP")?;
    add_member_overload!(env, fn contains_ip_string: (Cidr, CelString) -> Result<CelBool>,
        name = "containsIP")?;
    add_member_overload!(env, fn contains_cidr: (Cidr, Cidr) -> CelBool, name = "containsCIDR")?;
    add_member_overload!(env, fn contains_cidr_string: (Cidr, CelString) -> Result<CelBool>,
        name = "containsCIDR")?;
    add_member_overload!(env, fn cidr_ip: (Cidr) -> Ip, name = "ip")?;
    add_member_overload!(env, fn masked: (Cidr) -> Cidr)?;
    add_member_overload!(env, fn prefix_length: (Cidr) -> CelInt)?;
    Ok(())
}

/// The address as an integer, and its width in bits.
pub(super) fn as_bits(addr: IpAddr) -> (u128, u32) {
    match addr {
        IpAddr::V4(v4) => (u32::from(v4).into(), 32),
        IpAddr::V6(v6) => (v6.into(), 128),
    }
}

/// Go's `netip.ParsePrefix` (prefix length in plain decimal), minus IPv4-mapped IPv6.
pub(super) fn parse_cidr(text: &str) -> Result<Cidr, String> {
    let (addr, bits) = text
        .split_once('/')
        .ok_or_else(|| format!("no '/' in {text:?}"))?;
    let addr = parse_ip(addr)?;
    // Go rejects a sign and leading zeros, which `parse` would accept.
    let decimal =
        bits.bytes().all(|c| c.is_ascii_digit()) && (bits == "0" || !bits.starts_with('0'));
    let bits = bits
        .parse()
        .ok()
        .filter(|&b| decimal && b <= as_bits(addr).1)
        .ok_or_else(|| format!("bad prefix length {bits:?} in {text:?}"))?;
    Ok(Cidr { addr, bits })
}

pub(super) fn cidr(text: &CelString<'_>) -> Result<Cidr, ExecutionError> {
    parse_cidr(text).map_err(|e| ExecutionError::function_error("cidr", e))
}

pub(super) fn is_cidr(text: &CelString<'_>) -> CelBool {
    parse_cidr(text).is_ok().into()
}

pub(super) fn cidr_string(cidr: &Cidr) -> CelString<'static> {
    format!("{}/{}", cidr.addr, cidr.bits).into()
}

/// Whether the first `bits` bits of `a` and `b`, of one family, are equal.
pub(super) fn same_prefix(a: IpAddr, b: IpAddr, bits: u32) -> bool {
    let ((a, width), (b, other)) = (as_bits(a), as_bits(b));
    width == other && (bits == 0 || (a ^ b) >> (width - bits) == 0)
}

pub(super) fn contains_ip(cidr: &Cidr, ip: &Ip) -> CelBool {
    same_prefix(cidr.addr, ip.0, cidr.bits).into()
}

pub(super) fn contains_ip_string(
    cidr: &Cidr,
    text: &CelString<'_>,
) -> Result<CelBool, ExecutionError> {
    Ok(contains_ip(cidr, &ip(text)?))
}

/// Go: `Overlaps(other) && Bits() <= other.Bits()`.
pub(super) fn contains_cidr(cidr: &Cidr, other: &Cidr) -> CelBool {
    (cidr.bits <= other.bits && same_prefix(cidr.addr, other.addr, cidr.bits)).into()
}

pub(super) fn contains_cidr_string(
    cidr: &Cidr,
    text: &CelString<'_>,
) -> Result<CelBool, ExecutionError> {
    let other = parse_cidr(text).map_err(|e| ExecutionError::function_error("containsCIDR", e))?;
    Ok(contains_cidr(cidr, &other))
}

pub(super) fn cidr_ip(cidr: &Cidr) -> Ip {
    Ip(cidr.addr)
}

/// The network address: the host bits cleared.
pub(super) fn masked(cidr: &Cidr) -> Cidr {
    let (value, width) = as_bits(cidr.addr);
    let host = width - cidr.bits;
    let network = if host >= 128 {
        0
    } else {
        (value >> host) << host
    };
    let addr = match cidr.addr {
        IpAddr::V4(_) => IpAddr::V4((network as u32).into()),
        IpAddr::V6(_) => IpAddr::V6(network.into()),
    };
    Cidr {
        addr,
        bits: cidr.bits,
    }
}

pub(super) fn prefix_length(cidr: &Cidr) -> CelInt {
    CelInt::from(i64::from(cidr.bits))
}
