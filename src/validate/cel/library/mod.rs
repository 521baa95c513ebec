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

mod cidrs;
mod ips;
mod lists;
mod quantities;
mod sets;
mod urls;

// One file per library, after the helpers above (the `opaque_val!` macro among them); they
// share those and one another's types.
use self::{cidrs::*, ips::*, lists::*, quantities::*, sets::*, urls::*};

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
