//! URLs: `url`, `isURL` and the getters, parsed as Go's `net/url` does.

use super::*;

pub(super) static URL_TYPE: Type = Type::new_unspecified_type("kubernetes.URL");

/// A URL as Go's `url.Parse` splits it; the fields are as written (still escaped).
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Url {
    scheme: String,
    /// Host and port, e.g. `example.com:80` or `[::1]:80`.
    host: String,
    path: String,
    query: String,
}

opaque_val!(Url, URL_TYPE);

pub(super) fn urls(env: &mut Env) -> Result<(), DeclarationError> {
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
pub(super) fn url(text: &CelString<'_>) -> Result<Url, ExecutionError> {
    let error = |e: String| ExecutionError::function_error("url", format!("URL parse error: {e}"));
    parse_url(text, true).map_err(error)?;
    let without_fragment = text.split_once('#').map_or(text.inner(), |(url, _)| url);
    parse_url(without_fragment, false).map_err(error)
}

pub(super) fn is_url(text: &CelString<'_>) -> CelBool {
    parse_url(text, true).is_ok().into()
}

pub(super) fn get_scheme(url: &Url) -> CelString<'static> {
    url.scheme.clone().into()
}

pub(super) fn get_host(url: &Url) -> CelString<'static> {
    url.host.clone().into()
}

pub(super) fn get_hostname(url: &Url) -> CelString<'static> {
    split_host_port(&url.host).0.to_owned().into()
}

pub(super) fn get_port(url: &Url) -> CelString<'static> {
    split_host_port(&url.host).1.to_owned().into()
}

/// Go's `URL.EscapedPath`: the path as written when that is a valid escaping, else re-escaped.
pub(super) fn get_escaped_path(url: &Url) -> CelString<'static> {
    if valid_encoded_path(&url.path) {
        url.path.clone().into()
    } else {
        let path = unescape(&url.path, false).unwrap_or_default();
        escape_path(&path).into()
    }
}

/// Go's `URL.Query`: each key with all its values, unescaped; malformed pairs are dropped.
pub(super) fn get_query(url: &Url) -> CelMap<'static> {
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
pub(super) fn parse_url(raw: &str, via_request: bool) -> Result<Url, String> {
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
pub(super) fn split_scheme(raw: &str) -> Result<(&str, &str), String> {
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
pub(super) fn parse_authority(authority: &str) -> Result<String, String> {
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
pub(super) fn split_host_port(host: &str) -> (&str, &str) {
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
pub(super) fn unescape(text: &str, query: bool) -> Result<String, String> {
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
pub(super) fn escapes_in_path(c: u8) -> bool {
    !(c.is_ascii_alphanumeric() || b"-_.~$&+,/:;=@".contains(&c))
}

/// Go's `validEncoded(path, encodePath)`.
pub(super) fn valid_encoded_path(path: &str) -> bool {
    path.bytes()
        .all(|c| b"!$&'()*+,;=:@[]%".contains(&c) || !escapes_in_path(c))
}

pub(super) fn escape_path(path: &str) -> String {
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
