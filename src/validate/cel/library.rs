//! The CEL environment of the Kubernetes API server, so that `x-kubernetes-validations` rules
//! evaluate offline as they do in a cluster: the CEL standard library, cel-go's strings and lists
//! extensions, and the Kubernetes libraries (lists, sets, URLs, IPs, CIDRs and quantities) of
//! `k8s.io/apiserver/pkg/cel/library`, with their semantics (e.g. `isIP('01.2.3.4')` is false).
//!
//! Values of the Kubernetes types (`net.IP`, `net.CIDR`, `kubernetes.URL`,
//! `kubernetes.Quantity`) are opaque: only their functions and `==` apply to them.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, OnceLock};

use cel::common::types::{
    CelBool, CelInt, CelList, CelMap, CelMapKey, CelString, DYN_TYPE, LIST_TYPE, Type,
};
use cel::common::value::{CowVal, StaticVal, Val};
use cel::{DeclarationError, Env, ExecutionError, add_member_overload, add_overload, extensions};

use crate::quantity::Quantity;

/// The CEL environment the Kubernetes API server gives x-kubernetes-validations rules:
/// the standard library, cel-go's strings and lists extensions, and Kubernetes' own libraries.
pub fn environment() -> Arc<Env> {
    static ENV: OnceLock<Arc<Env>> = OnceLock::new();
    ENV.get_or_init(|| Arc::new(build().expect("each overload is declared once")))
        .clone()
}

/// Kubernetes' base environment, less what has no offline meaning or is not implemented yet:
/// quantity arithmetic, regex `find`/`findAll`, `format.*`, `authorizer`, `semver` and the
/// two-variable comprehensions.
fn build() -> Result<Env, DeclarationError> {
    let mut env = Env::stdlib();
    env.add_extension(extensions::strings)?;
    env.add_extension(extensions::lists)?;
    env.add_extension(lists)?;
    env.add_extension(sets)?;
    env.add_extension(urls)?;
    env.add_extension(ips)?;
    env.add_extension(cidrs)?;
    env.add_extension(quantities)?;
    for t in [&IP_TYPE, &CIDR_TYPE, &URL_TYPE, &QUANTITY_TYPE] {
        env.add_type(t.to_owned())?;
    }
    Ok(env)
}

// ---------------------------------------------------------------------------------------------
// Shared helpers

/// Implements `Val` for an opaque Kubernetes type: equality is the Rust type's, nothing else.
macro_rules! opaque_val {
    ($rust:ty, $cel:ident) => {
        impl Val for $rust {
            fn get_type(&self) -> &Type {
                &$cel
            }
            fn cel_type() -> &'static Type {
                &$cel
            }
            fn equals(&self, other: &dyn Val) -> bool {
                other.downcast_ref::<$rust>() == Some(self)
            }
            fn clone_as_boxed<'v>(&self) -> Box<dyn Val + 'v> {
                Box::new(self.clone())
            }
            fn as_any(&self) -> Option<&dyn std::any::Any> {
                Some(self)
            }
        }
        impl StaticVal for $rust {}
    };
}

/// The elements of a `list` argument.
fn elements<'b, 'v>(list: &'b (dyn Val + 'v)) -> Result<Vec<&'b (dyn Val + 'v)>, ExecutionError> {
    let iterable = list
        .as_iterable()
        .ok_or_else(|| ExecutionError::UnexpectedType {
            got: list.get_type().name().to_owned(),
            want: "list".to_owned(),
        })?;
    let mut items = iterable.iter();
    let mut all = Vec::new();
    while let Some(item) = items.next() {
        all.push(item);
    }
    Ok(all)
}

/// `args` as the `N` arguments the overload was declared with.
fn take<'b, 'v, const N: usize>(
    args: Vec<CowVal<'b, 'v>>,
) -> Result<[CowVal<'b, 'v>; N], ExecutionError> {
    args.try_into()
        .map_err(|args: Vec<_>| ExecutionError::invalid_argument_count(N, args.len()))
}

/// How `a` orders against `b`, failing for values that have no order (maps, IPs...).
fn compare(function: &str, a: &dyn Val, b: &dyn Val) -> Result<Ordering, ExecutionError> {
    a.as_comparer()
        .ok_or_else(|| {
            ExecutionError::function_error(
                function,
                format!("{} is not comparable", a.get_type().name()),
            )
        })?
        .compare(b)
}

fn owned<'b, 'v>(value: impl Val + 'v) -> Result<CowVal<'b, 'v>, ExecutionError> {
    Ok(CowVal::owned(value))
}

// ---------------------------------------------------------------------------------------------
// Kubernetes list library: `isSorted`, `sum`, `min`, `max`, `indexOf`, `lastIndexOf`.

fn lists(env: &mut Env) -> Result<(), DeclarationError> {
    // By hand: the macros would downcast the receiver to a `CelList`, and these take any list.
    env.add_member_overload("isSorted", "list_is_sorted", LIST_TYPE, vec![], is_sorted)?;
    env.add_member_overload("sum", "list_sum", LIST_TYPE, vec![], sum)?;
    env.add_member_overload("min", "list_min", LIST_TYPE, vec![], min)?;
    env.add_member_overload("max", "list_max", LIST_TYPE, vec![], max)?;
    env.add_member_overload(
        "indexOf",
        "list_index_of",
        LIST_TYPE,
        vec![DYN_TYPE],
        index_of,
    )?;
    env.add_member_overload(
        "lastIndexOf",
        "list_last_index_of",
        LIST_TYPE,
        vec![DYN_TYPE],
        last_index_of,
    )
}

fn is_sorted<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let [list] = take(args)?;
    let items = elements(list.as_ref())?;
    for pair in items.windows(2) {
        if compare("isSorted", pair[0], pair[1])? == Ordering::Greater {
            return owned(CelBool::from(false));
        }
    }
    owned(CelBool::from(true))
}

/// The sum of numbers or durations; `0` for an empty list, whose element type is unknown here.
fn sum<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let [list] = take(args)?;
    let items = elements(list.as_ref())?;
    let Some((first, rest)) = items.split_first() else {
        return owned(CelInt::from(0));
    };
    let mut total = first.clone_as_boxed();
    for item in rest {
        let adder = total.as_adder().ok_or_else(|| {
            ExecutionError::function_error("sum", format!("cannot add {}", item.get_type().name()))
        })?;
        let next = adder.add(*item)?.into_owned();
        total = next;
    }
    Ok(CowVal::Owned(total))
}

fn min<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    extreme("min", args, Ordering::Less)
}

fn max<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    extreme("max", args, Ordering::Greater)
}

/// The first element that no other orders `wanted` of; an error on an empty list.
fn extreme<'b, 'v>(
    function: &str,
    args: Vec<CowVal<'b, 'v>>,
    wanted: Ordering,
) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let [list] = take(args)?;
    let items = elements(list.as_ref())?;
    let Some((&first, rest)) = items.split_first() else {
        return Err(ExecutionError::function_error(
            function,
            "the list is empty",
        ));
    };
    let mut best = first;
    for &item in rest {
        if compare(function, item, best)? == wanted {
            best = item;
        }
    }
    Ok(CowVal::Owned(best.clone_as_boxed()))
}

fn index_of<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let [list, needle] = take(args)?;
    let items = elements(list.as_ref())?;
    let found = items.iter().position(|item| item.equals(needle.as_ref()));
    owned(CelInt::from(found.map_or(-1, |i| i as i64)))
}

fn last_index_of<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let [list, needle] = take(args)?;
    let items = elements(list.as_ref())?;
    let found = items.iter().rposition(|item| item.equals(needle.as_ref()));
    owned(CelInt::from(found.map_or(-1, |i| i as i64)))
}

// ---------------------------------------------------------------------------------------------
// cel-go's sets extension: `sets.contains`, `sets.equivalent`, `sets.intersects`.

fn sets(env: &mut Env) -> Result<(), DeclarationError> {
    let lists = || vec![LIST_TYPE, LIST_TYPE];
    env.add_overload(
        "sets.contains",
        "list_sets_contains_list",
        lists(),
        sets_contains,
    )?;
    env.add_overload(
        "sets.equivalent",
        "list_sets_equivalent_list",
        lists(),
        sets_equivalent,
    )?;
    env.add_overload(
        "sets.intersects",
        "list_sets_intersects_list",
        lists(),
        sets_intersects,
    )
}

/// Whether every element of `b` equals some element of `a`, by CEL equality (`1 == 1.0`).
fn contains_all(a: &[&dyn Val], b: &[&dyn Val]) -> bool {
    b.iter().all(|y| a.iter().any(|x| x.equals(*y)))
}

/// Both lists of a `sets.*` call.
fn two_lists<'b, 'v, R>(
    args: Vec<CowVal<'b, 'v>>,
    f: impl FnOnce(&[&dyn Val], &[&dyn Val]) -> R,
) -> Result<R, ExecutionError> {
    let [a, b] = take(args)?;
    Ok(f(&elements(a.as_ref())?, &elements(b.as_ref())?))
}

fn sets_contains<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    owned(CelBool::from(two_lists(args, contains_all)?))
}

fn sets_equivalent<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let equivalent = two_lists(args, |a, b| contains_all(a, b) && contains_all(b, a))?;
    owned(CelBool::from(equivalent))
}

fn sets_intersects<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let intersects = two_lists(args, |a, b| {
        a.iter().any(|x| b.iter().any(|y| x.equals(*y)))
    })?;
    owned(CelBool::from(intersects))
}

// ---------------------------------------------------------------------------------------------
// URLs: `url`, `isURL` and the getters, parsed as Go's `net/url` does.

static URL_TYPE: Type = Type::new_unspecified_type("kubernetes.URL");

/// A URL as Go's `url.Parse` splits it; the fields are as written (still escaped).
#[derive(Clone, Debug, PartialEq)]
struct Url {
    scheme: String,
    /// Host and port, e.g. `example.com:80` or `[::1]:80`.
    host: String,
    path: String,
    query: String,
}

opaque_val!(Url, URL_TYPE);

fn urls(env: &mut Env) -> Result<(), DeclarationError> {
    add_overload!(env, fn url: (CelString) -> Result<Url>)?;
    add_overload!(env, fn is_url: (CelString) -> CelBool, name = "isURL")?;
    add_member_overload!(env, fn get_scheme: (Url) -> CelString)?;
    add_member_overload!(env, fn get_host: (Url) -> CelString)?;
    add_member_overload!(env, fn get_hostname: (Url) -> CelString)?;
    add_member_overload!(env, fn get_port: (Url) -> CelString)?;
    add_member_overload!(env, fn get_escaped_path: (Url) -> CelString)?;
    add_member_overload!(env, fn get_query: (Url) -> CelMap)?;
    Ok(())
}

/// Kubernetes accepts what Go's `url.ParseRequestURI` does (an absolute URI or an absolute
/// path), then reads the parts with `url.Parse`, which also drops the fragment.
fn url(text: &CelString<'_>) -> Result<Url, ExecutionError> {
    let error = |e: String| ExecutionError::function_error("url", format!("URL parse error: {e}"));
    parse_url(text, true).map_err(error)?;
    let without_fragment = text.split_once('#').map_or(text.inner(), |(url, _)| url);
    parse_url(without_fragment, false).map_err(error)
}

fn is_url(text: &CelString<'_>) -> CelBool {
    parse_url(text, true).is_ok().into()
}

fn get_scheme(url: &Url) -> CelString<'static> {
    url.scheme.clone().into()
}

fn get_host(url: &Url) -> CelString<'static> {
    url.host.clone().into()
}

fn get_hostname(url: &Url) -> CelString<'static> {
    split_host_port(&url.host).0.to_owned().into()
}

fn get_port(url: &Url) -> CelString<'static> {
    split_host_port(&url.host).1.to_owned().into()
}

/// Go's `URL.EscapedPath`: the path as written when that is a valid escaping, else re-escaped.
fn get_escaped_path(url: &Url) -> CelString<'static> {
    if valid_encoded_path(&url.path) {
        url.path.clone().into()
    } else {
        let path = unescape(&url.path, false).unwrap_or_default();
        escape_path(&path).into()
    }
}

/// Go's `URL.Query`: each key with all its values, unescaped; malformed pairs are dropped.
fn get_query(url: &Url) -> CelMap<'static> {
    let mut query: HashMap<String, Vec<String>> = HashMap::new();
    for pair in url
        .query
        .split('&')
        .filter(|p| !p.is_empty() && !p.contains(';'))
    {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        if let (Ok(key), Ok(value)) = (unescape(key, true), unescape(value, true)) {
            query.entry(key).or_default().push(value);
        }
    }
    let entries = query.into_iter().map(|(key, values)| {
        let values: Vec<Box<dyn Val>> = values
            .into_iter()
            .map(|v| Box::new(CelString::from(v)) as Box<dyn Val>)
            .collect();
        (
            CelMapKey::from(key),
            Box::new(CelList::from(values)) as Box<dyn Val>,
        )
    });
    CelMap::from(entries.collect::<HashMap<_, _>>())
}

/// Go's `url.parse`: `via_request` is `ParseRequestURI`, which needs a scheme or a leading `/`
/// and reads `//` as a path rather than an authority when there is no scheme.
fn parse_url(raw: &str, via_request: bool) -> Result<Url, String> {
    if raw.bytes().any(|b| b < 0x20 || b == 0x7f) {
        return Err("invalid control character in URL".to_owned());
    }
    if raw.is_empty() && via_request {
        return Err("empty url".to_owned());
    }
    let mut url = Url {
        scheme: String::new(),
        host: String::new(),
        path: String::new(),
        query: String::new(),
    };
    if raw == "*" {
        url.path = raw.to_owned(); // as in `OPTIONS * HTTP/1.1`
        return Ok(url);
    }
    let (scheme, rest) = split_scheme(raw)?;
    let (rest, query) = match rest.split_once('?') {
        Some((rest, query)) => (rest, query),
        None => (rest, ""),
    };
    url.scheme = scheme.to_ascii_lowercase();
    url.query = query.to_owned();
    if !rest.starts_with('/') {
        if !scheme.is_empty() {
            return Ok(url); // opaque, as in `mailto:someone`
        }
        if via_request {
            return Err("invalid URI for request".to_owned());
        }
        if rest
            .split('/')
            .next()
            .is_some_and(|segment| segment.contains(':'))
        {
            return Err("first path segment in URL cannot contain colon".to_owned());
        }
    }
    let mut path = rest;
    if (!scheme.is_empty() || !via_request && !rest.starts_with("///")) && rest.starts_with("//") {
        let authority = &rest[2..];
        let end = authority.find('/').unwrap_or(authority.len());
        url.host = parse_authority(&authority[..end])?;
        path = &authority[end..];
    }
    unescape(path, false)?;
    url.path = path.to_owned();
    Ok(url)
}

/// Splits `scheme:rest`; no scheme when the text does not start like one.
fn split_scheme(raw: &str) -> Result<(&str, &str), String> {
    for (i, c) in raw.char_indices() {
        match c {
            'a'..='z' | 'A'..='Z' => {}
            '0'..='9' | '+' | '-' | '.' if i > 0 => {}
            ':' if i == 0 => return Err("missing protocol scheme".to_owned()),
            ':' => return Ok((&raw[..i], &raw[i + 1..])),
            _ => break,
        }
    }
    Ok(("", raw))
}

/// Checks `userinfo@host:port` and returns `host:port`.
fn parse_authority(authority: &str) -> Result<String, String> {
    let host = match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let valid = |c: char| c.is_ascii_alphanumeric() || "-._:~!$&'()*+,;=%@".contains(c);
            if !userinfo.chars().all(valid) {
                return Err("invalid userinfo".to_owned());
            }
            unescape(userinfo, false)?;
            host
        }
        None => authority,
    };
    let port = if host.starts_with('[') {
        let close = host.rfind(']').ok_or("missing ']' in host")?;
        &host[close + 1..]
    } else {
        host.rfind(':').map_or("", |colon| &host[colon..])
    };
    if !(port.is_empty() || port.starts_with(':') && port[1..].bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(format!("invalid port {port:?} after host"));
    }
    let allowed =
        |b: u8| b >= 0x80 || b.is_ascii_alphanumeric() || b"-_.~!$&'()*+,;=:[]<>\"%".contains(&b);
    if !host.bytes().all(allowed) {
        return Err(format!("invalid character in host name {host:?}"));
    }
    unescape(host, false)?;
    Ok(host.to_owned())
}

/// Go's `splitHostPort`: (hostname without IPv6 brackets, port).
fn split_host_port(host: &str) -> (&str, &str) {
    let (mut name, mut port) = (host, "");
    if let Some(colon) = host.rfind(':')
        && host[colon + 1..].bytes().all(|b| b.is_ascii_digit())
    {
        (name, port) = (&host[..colon], &host[colon + 1..]);
    }
    let name = name
        .strip_prefix('[')
        .and_then(|n| n.strip_suffix(']'))
        .unwrap_or(name);
    (name, port)
}

/// Decodes `%XX` escapes (and `+` as a space in a query), failing on a malformed escape.
fn unescape(text: &str, query: bool) -> Result<String, String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = text
                    .get(i + 1..i + 3)
                    .filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit()));
                let hex = hex.ok_or_else(|| format!("invalid URL escape {:?}", &text[i..]))?;
                out.push(u8::from_str_radix(hex, 16).expect("two hex digits"));
                i += 3;
                continue;
            }
            b'+' if query => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

/// Whether Go's `shouldEscape(c, encodePath)` holds: `c` may not appear as is in a path.
fn escapes_in_path(c: u8) -> bool {
    !(c.is_ascii_alphanumeric() || b"-_.~$&+,/:;=@".contains(&c))
}

/// Go's `validEncoded(path, encodePath)`.
fn valid_encoded_path(path: &str) -> bool {
    path.bytes()
        .all(|c| b"!$&'()*+,;=:@[]%".contains(&c) || !escapes_in_path(c))
}

fn escape_path(path: &str) -> String {
    path.bytes()
        .map(|c| {
            if escapes_in_path(c) {
                format!("%{c:02X}")
            } else {
                char::from(c).to_string()
            }
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// IP addresses: `ip`, `isIP`, `ip.isCanonical`, `family` and the `is*` predicates.

static IP_TYPE: Type = Type::new_unspecified_type("net.IP");

#[derive(Clone, Debug, PartialEq)]
struct Ip(IpAddr);

opaque_val!(Ip, IP_TYPE);

fn ips(env: &mut Env) -> Result<(), DeclarationError> {
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
fn parse_ip(text: &str) -> Result<IpAddr, String> {
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

fn ip(text: &CelString<'_>) -> Result<Ip, ExecutionError> {
    parse_ip(text)
        .map(Ip)
        .map_err(|e| ExecutionError::function_error("ip", e))
}

fn is_ip(text: &CelString<'_>) -> CelBool {
    parse_ip(text).is_ok().into()
}

/// Whether the text is the one form Go prints the address in (RFC 5952 for IPv6), as Rust does.
fn is_canonical(text: &CelString<'_>) -> Result<CelBool, ExecutionError> {
    let addr = parse_ip(text).map_err(|e| ExecutionError::function_error("ip.isCanonical", e))?;
    Ok((addr.to_string() == text.inner()).into())
}

fn ip_string(ip: &Ip) -> CelString<'static> {
    ip.0.to_string().into()
}

fn family(ip: &Ip) -> CelInt {
    CelInt::from(if ip.0.is_ipv4() { 4 } else { 6 })
}

fn is_unspecified(ip: &Ip) -> CelBool {
    ip.0.is_unspecified().into()
}

fn is_loopback(ip: &Ip) -> CelBool {
    ip.0.is_loopback().into()
}

/// Go's `IsLinkLocalMulticast`: 224.0.0.0/24, or ff02::/16 whatever the flags nibble.
fn is_link_local_multicast(ip: &Ip) -> CelBool {
    match ip.0 {
        IpAddr::V4(v4) => v4.octets()[..3] == [224, 0, 0],
        IpAddr::V6(v6) => v6.segments()[0] & 0xff0f == 0xff02,
    }
    .into()
}

/// 169.254.0.0/16 or fe80::/10.
fn is_link_local_unicast(ip: &Ip) -> CelBool {
    is_link_local(ip.0).into()
}

fn is_link_local(addr: IpAddr) -> bool {
    match addr {
        IpAddr::V4(v4) => v4.is_link_local(),
        IpAddr::V6(v6) => v6.segments()[0] & 0xffc0 == 0xfe80,
    }
}

/// Go's `IsGlobalUnicast`: any unicast address but the special ones; private ranges count.
fn is_global_unicast(ip: &Ip) -> CelBool {
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

// ---------------------------------------------------------------------------------------------
// CIDRs: `cidr`, `isCIDR`, `containsIP`, `containsCIDR`, `ip`, `masked`, `prefixLength`.

static CIDR_TYPE: Type = Type::new_unspecified_type("net.CIDR");

/// A Go `netip.Prefix`: the address as written, and the prefix length.
#[derive(Clone, Debug, PartialEq)]
struct Cidr {
    addr: IpAddr,
    bits: u32,
}

opaque_val!(Cidr, CIDR_TYPE);

fn cidrs(env: &mut Env) -> Result<(), DeclarationError> {
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
fn as_bits(addr: IpAddr) -> (u128, u32) {
    match addr {
        IpAddr::V4(v4) => (u32::from(v4).into(), 32),
        IpAddr::V6(v6) => (v6.into(), 128),
    }
}

/// Go's `netip.ParsePrefix` (prefix length in plain decimal), minus IPv4-mapped IPv6.
fn parse_cidr(text: &str) -> Result<Cidr, String> {
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

fn cidr(text: &CelString<'_>) -> Result<Cidr, ExecutionError> {
    parse_cidr(text).map_err(|e| ExecutionError::function_error("cidr", e))
}

fn is_cidr(text: &CelString<'_>) -> CelBool {
    parse_cidr(text).is_ok().into()
}

fn cidr_string(cidr: &Cidr) -> CelString<'static> {
    format!("{}/{}", cidr.addr, cidr.bits).into()
}

/// Whether the first `bits` bits of `a` and `b`, of one family, are equal.
fn same_prefix(a: IpAddr, b: IpAddr, bits: u32) -> bool {
    let ((a, width), (b, other)) = (as_bits(a), as_bits(b));
    width == other && (bits == 0 || (a ^ b) >> (width - bits) == 0)
}

fn contains_ip(cidr: &Cidr, ip: &Ip) -> CelBool {
    same_prefix(cidr.addr, ip.0, cidr.bits).into()
}

fn contains_ip_string(cidr: &Cidr, text: &CelString<'_>) -> Result<CelBool, ExecutionError> {
    Ok(contains_ip(cidr, &ip(text)?))
}

/// Go: `Overlaps(other) && Bits() <= other.Bits()`.
fn contains_cidr(cidr: &Cidr, other: &Cidr) -> CelBool {
    (cidr.bits <= other.bits && same_prefix(cidr.addr, other.addr, cidr.bits)).into()
}

fn contains_cidr_string(cidr: &Cidr, text: &CelString<'_>) -> Result<CelBool, ExecutionError> {
    let other = parse_cidr(text).map_err(|e| ExecutionError::function_error("containsCIDR", e))?;
    Ok(contains_cidr(cidr, &other))
}

fn cidr_ip(cidr: &Cidr) -> Ip {
    Ip(cidr.addr)
}

/// The network address: the host bits cleared.
fn masked(cidr: &Cidr) -> Cidr {
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

fn prefix_length(cidr: &Cidr) -> CelInt {
    CelInt::from(i64::from(cidr.bits))
}

// ---------------------------------------------------------------------------------------------
// Quantities: `quantity`, `isQuantity` and the comparisons.

static QUANTITY_TYPE: Type = Type::new_unspecified_type("kubernetes.Quantity");

#[derive(Clone, Debug, PartialEq)]
struct K8sQuantity(Quantity);

opaque_val!(K8sQuantity, QUANTITY_TYPE);

fn quantities(env: &mut Env) -> Result<(), DeclarationError> {
    add_overload!(env, fn quantity: (CelString) -> Result<K8sQuantity>)?;
    add_overload!(env, fn is_quantity: (CelString) -> CelBool)?;
    add_member_overload!(env, fn compare_to: (K8sQuantity, K8sQuantity) -> CelInt)?;
    add_member_overload!(env, fn is_greater_than: (K8sQuantity, K8sQuantity) -> CelBool)?;
    add_member_overload!(env, fn is_less_than: (K8sQuantity, K8sQuantity) -> CelBool)?;
    add_member_overload!(env, fn sign: (K8sQuantity) -> CelInt)?;
    Ok(())
}

fn quantity(text: &CelString<'_>) -> Result<K8sQuantity, ExecutionError> {
    Quantity::parse(text).map(K8sQuantity).ok_or_else(|| {
        ExecutionError::function_error("quantity", format!("{:?} is not a quantity", text.inner()))
    })
}

fn is_quantity(text: &CelString<'_>) -> CelBool {
    Quantity::parse(text).is_some().into()
}

fn ordering(ordering: Ordering) -> CelInt {
    CelInt::from(ordering as i64)
}

fn compare_to(a: &K8sQuantity, b: &K8sQuantity) -> CelInt {
    ordering(a.0.cmp(&b.0))
}

fn is_greater_than(a: &K8sQuantity, b: &K8sQuantity) -> CelBool {
    (a.0 > b.0).into()
}

fn is_less_than(a: &K8sQuantity, b: &K8sQuantity) -> CelBool {
    (a.0 < b.0).into()
}

fn sign(q: &K8sQuantity) -> CelInt {
    ordering(q.0.cmp(&Quantity::parse("0").expect("0 is a quantity")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use cel::{Context, Value};

    fn eval(expression: &str) -> Result<Value, ExecutionError> {
        let env = environment();
        let program = env
            .compile(expression)
            .unwrap_or_else(|e| panic!("{expression}: {e}"));
        program.execute(&Context::with_env(env))
    }

    /// Each expression evaluates to `true`.
    fn holds(expressions: &[&str]) {
        for expression in expressions {
            assert_eq!(eval(expression), Ok(Value::Bool(true)), "{expression}");
        }
    }

    /// Each expression is an evaluation error.
    fn fails(expressions: &[&str]) {
        for expression in expressions {
            assert!(
                eval(expression).is_err(),
                "{expression}: {:?}",
                eval(expression)
            );
        }
    }

    #[test]
    fn has_the_standard_library_and_the_strings_extension() {
        holds(&[
            "'a/b'.split('/')[0] == 'a'",
            "'abc'.startsWith('a') && 'abc'.endsWith('c') && 'abc'.contains('b')",
            "'abc'.matches('^a.c$') && size('abc') == 3",
            "duration('1m') > duration('59s')",
            "[1, 2].all(x, x > 0) && [1, 2].exists(x, x == 2) && [1, 2].exists_one(x, x == 2)",
            "[1, 2, 3].filter(x, x > 1) == [2, 3] && has({'a': 1}.a)",
            "'Hello'.lowerAscii() == 'hello' && ['a', 'b'].join('-') == 'a-b'",
            "[3, 1].sort() == [1, 3]",
        ]);
    }

    #[test]
    fn kubernetes_lists() {
        holds(&[
            "[1, 2, 3].isSorted() && ['a', 'b', 'b'].isSorted() && [].isSorted()",
            "![2.0, 1.0].isSorted()",
            "[1, 3].sum() == 4 && [1.0, 3.0].sum() == 4.0 && [].sum() == 0",
            "[duration('1m'), duration('1s')].sum() == duration('61s')",
            "[3, 1, 2].min() == 1 && [3, 1, 2].max() == 3 && ['b', 'a'].min() == 'a'",
            "[1, 2, 1].indexOf(1) == 0 && [1, 2, 1].lastIndexOf(1) == 2",
            "[1, 2].indexOf(3) == -1 && [1, 2].lastIndexOf(3) == -1",
            "'abcb'.indexOf('b') == 1",
        ]);
        fails(&[
            "[].min()",
            "[].max()",
            "[{}, {}].isSorted()",
            "[1, 'a'].sum()",
        ]);
    }

    #[test]
    fn sets() {
        holds(&[
            "sets.contains([1, 2, 3], [3, 1]) && sets.contains([1], []) && !sets.contains([1], [2])",
            "sets.contains([1], [1.0])",
            "sets.equivalent([1, 2], [2, 1, 1]) && !sets.equivalent([1], [1, 2])",
            "sets.intersects([1, 2], [2, 3]) && !sets.intersects([1], [2]) && !sets.intersects([], [])",
        ]);
    }

    #[test]
    fn urls() {
        holds(&[
            "isURL('https://user:pass@example.com:80/path?query=val#fragment')",
            "isURL('/absolute-path') && isURL('mailto:someone@example.com') && isURL('*')",
            "!isURL('https://a:b:c/') && !isURL('../relative-path') && !isURL('') && !isURL('/%zz')",
            "url('/path').getScheme() == '' && url('https://example.com/').getScheme() == 'https'",
            "url('https://example.com:80/').getHost() == 'example.com:80'",
            "url('https://[::1]:80/').getHost() == '[::1]:80' && url('/path').getHost() == ''",
            "url('https://[::1]:80/').getHostname() == '::1'",
            "url('https://127.0.0.1:80/').getHostname() == '127.0.0.1'",
            "url('https://example.com:80/').getPort() == '80' && url('https://example.com/').getPort() == ''",
            "url('https://example.com/path with spaces/').getEscapedPath() == '/path%20with%20spaces/'",
            "url('https://example.com').getEscapedPath() == '' && url('/a%2Fb').getEscapedPath() == '/a%2Fb'",
            "url('https://example.com/path?k1=a&k2=b&k2=c').getQuery() == {'k1': ['a'], 'k2': ['b', 'c']}",
            "url('https://example.com/p?key with spaces=value+x').getQuery() == {'key with spaces': ['value x']}",
            "url('https://example.com/path?').getQuery() == {} && url('https://example.com/#a?b').getQuery() == {}",
            "url('/a') == url('/a') && url('/a') != url('/b')",
        ]);
        fails(&["url('../relative-path')", "url('https://a:b:c/')"]);
    }

    #[test]
    fn ips() {
        holds(&[
            "isIP('1.2.3.4') && isIP('::1') && isIP('2001:db8::abcd')",
            "!isIP('01.2.3.4') && !isIP('127.0.0.256') && !isIP(':::1')",
            "!isIP('::ffff:1.2.3.4') && !isIP('fe80::1%eth0') && !isIP('') && !isIP('example.com')",
            "ip('127.0.0.1').family() == 4 && ip('::1').family() == 6",
            "ip('0.0.0.0').isUnspecified() && ip('::').isUnspecified() && !ip('::1').isUnspecified()",
            "ip('127.0.0.1').isLoopback() && ip('::1').isLoopback() && !ip('192.168.0.1').isLoopback()",
            "ip('224.0.0.1').isLinkLocalMulticast() && !ip('224.0.1.1').isLinkLocalMulticast()",
            "ip('ff02::1').isLinkLocalMulticast() && !ip('fd00::1').isLinkLocalMulticast()",
            "ip('169.254.169.254').isLinkLocalUnicast() && ip('fe80::1').isLinkLocalUnicast()",
            "!ip('192.168.0.1').isLinkLocalUnicast() && !ip('fd80::1').isLinkLocalUnicast()",
            "ip('192.168.0.1').isGlobalUnicast() && ip('2001:db8::abcd').isGlobalUnicast()",
            "!ip('255.255.255.255').isGlobalUnicast() && !ip('ff00::1').isGlobalUnicast()",
            "ip.isCanonical('127.0.0.1') && ip.isCanonical('2001:db8::abcd')",
            "!ip.isCanonical('2001:DB8::ABCD') && !ip.isCanonical('2001:db8::0:0:0:abcd')",
            "string(ip('2001:DB8::1')) == '2001:db8::1' && ip('::1') == ip('0::1')",
            "ip('1.2.3.4') != ip('1.2.3.5')",
        ]);
        fails(&[
            "ip('01.2.3.4')",
            "ip('::ffff:1.2.3.4')",
            "ip.isCanonical('x')",
        ]);
    }

    #[test]
    fn cidrs() {
        holds(&[
            "isCIDR('192.168.0.0/16') && isCIDR('::1/128') && isCIDR('0.0.0.0/0')",
            "!isCIDR('192.168.0.0/33') && !isCIDR('::1/129') && !isCIDR('1.2.3.4')",
            "!isCIDR('1.2.3.0/024') && !isCIDR('1.2.3.0/') && !isCIDR('1.2.3.0/+8') && !isCIDR('01.2.3.0/8')",
            "cidr('192.168.0.0/24').containsIP(ip('192.168.0.1'))",
            "!cidr('192.168.0.0/24').containsIP(ip('192.168.1.1'))",
            "cidr('192.168.0.0/24').containsIP('192.168.0.1') && !cidr('::/0').containsIP('1.2.3.4')",
            "cidr('0.0.0.0/0').containsIP('1.2.3.4') && cidr('::/0').containsIP('2001:db8::1')",
            "cidr('192.168.0.0/16').containsCIDR(cidr('192.168.10.0/24'))",
            "!cidr('192.168.1.0/24').containsCIDR('192.168.2.0/24')",
            "!cidr('192.168.0.0/24').containsCIDR('192.168.0.0/16')",
            "cidr('192.168.0.1/24').ip() == ip('192.168.0.1') && cidr('::1/128').ip().family() == 6",
            "cidr('192.168.0.1/24').masked() == cidr('192.168.0.0/24')",
            "cidr('192.168.0.1/24') != cidr('192.168.0.1/24').masked()",
            "cidr('2001:db8::1/0').masked() == cidr('::/0') && cidr('1.2.3.4/0').masked() == cidr('0.0.0.0/0')",
            "cidr('192.168.0.0/16').prefixLength() == 16 && cidr('::1/128').prefixLength() == 128",
            "string(cidr('2001:DB8::/32')) == '2001:db8::/32'",
        ]);
        fails(&[
            "cidr('192.168.0.0/33')",
            "cidr('x')",
            "cidr('10.0.0.0/8').containsIP('x')",
        ]);
    }

    #[test]
    fn quantities() {
        holds(&[
            "isQuantity('1Gi') && isQuantity('500m') && !isQuantity('1GiB') && !isQuantity('')",
            "quantity('1Gi').isGreaterThan(quantity('1G')) && quantity('1G').isLessThan(quantity('1Gi'))",
            "!quantity('1Gi').isGreaterThan(quantity('1024Mi')) && quantity('1Gi') == quantity('1024Mi')",
            "quantity('1k').compareTo(quantity('1000')) == 0 && quantity('1').compareTo(quantity('2')) == -1",
            "quantity('-1').sign() == -1 && quantity('0m').sign() == 0 && quantity('2').sign() == 1",
        ]);
        fails(&["quantity('1GiB')"]);
    }

    /// Every rule and message expression of the reference CRDs compiles in this environment.
    /// Skipped by name without the reference set, as the integration tests are
    /// (`tests/it/support/reference.rs`).
    #[test]
    fn every_reference_crd_rule_compiles() {
        use std::io::Write;
        let reference = std::env::var("INFERSTACK_REFERENCE")
            .unwrap_or_else(|_| "../shared/reference".to_owned());
        let crds = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join(reference)
            .join("crds");
        if !crds.is_dir() {
            let why = "every_reference_crd_rule_compiles needs the upstream reference set at ../shared/reference or $INFERSTACK_REFERENCE";
            assert!(
                std::env::var_os("INFERSTACK_REQUIRE_REFERENCE").is_none(),
                "{why}"
            );
            let _ = writeln!(std::io::stderr(), "SKIPPED {why}");
            return;
        }
        let mut sources = Vec::new();
        for entry in walkdir::WalkDir::new(crds).sort_by_file_name() {
            let entry = entry.unwrap();
            if entry.path().extension().is_some_and(|e| e == "yaml") {
                let text = std::fs::read_to_string(entry.path()).unwrap();
                for document in crate::yaml::parse(&text).documents {
                    collect_rules(&document.value, &mut sources);
                }
            }
        }
        assert!(sources.len() >= 500, "only {} rules found", sources.len());
        let env = environment();
        let broken: Vec<String> = sources
            .iter()
            .filter_map(|source| env.compile(source).err().map(|e| format!("{source}: {e}")))
            .collect();
        assert!(broken.is_empty(), "{}", broken.join("\n"));
    }

    fn collect_rules(value: &serde_json::Value, sources: &mut Vec<String>) {
        match value {
            serde_json::Value::Object(map) => {
                if let Some(serde_json::Value::Array(rules)) = map.get("x-kubernetes-validations") {
                    for rule in rules {
                        for key in ["rule", "messageExpression"] {
                            if let Some(source) = rule.get(key).and_then(|s| s.as_str()) {
                                sources.push(source.to_owned());
                            }
                        }
                    }
                }
                map.values().for_each(|v| collect_rules(v, sources));
            }
            serde_json::Value::Array(items) => items.iter().for_each(|v| collect_rules(v, sources)),
            _ => {}
        }
    }
}
