//! CEL rules (`x-kubernetes-validations`) evaluated offline, the way the API server does on
//! create. A [`RuleTree`] mirrors the schema nodes that carry rules; each rule is compiled once,
//! when it is first evaluated, and evaluated with `self` bound to the value at its node.
//!
//! Transition rules (those reading `oldSelf`) have no old object on create, so they are skipped,
//! as the API server skips them. A rule whose estimated cost on a value is over the API server's
//! per-call limit is reported and not run ([`estimated_cost`]); there is no runtime meter.

pub mod library;
pub mod parse;

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use cel::objects::{Key, Map as CelMap};
use cel::parser::Expression;
use cel::{Context, ExecutionError, Value as CelValue};
use serde_json::Value;

use crate::yaml::escape;

/// One rule as the CRD wrote it. Its programs are compiled on its first evaluation: a kind
/// like Gateway has dozens of rules, and an object reaches a few of them.
pub struct Rule {
    pub rule: String,
    message: Option<String>,
    message_expression: Option<String>,
    /// Where to report a rule that evaluates to false, relative to the rule's node (from
    /// `fieldPath`), as a JSON Pointer.
    field_pointer: String,
    /// `reason`: how the API server words a rule that evaluates to false.
    reason: Reason,
    programs: OnceLock<Programs>,
    /// The comprehension macros (`all`, `exists`, `map`, ...) of the rule: how many, and how
    /// deeply they nest (the exponent of its cost in the size of the value it runs on).
    comprehensions: Comprehensions,
}

/// A rule's `reason` (`FieldValueErrorReason`), the kind of `field.Error` a false rule becomes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Reason {
    #[default]
    Invalid,
    Forbidden,
    Required,
    Duplicate,
}

impl Reason {
    fn of(text: Option<&str>) -> Reason {
        match text {
            Some("FieldValueForbidden") => Reason::Forbidden,
            Some("FieldValueRequired") => Reason::Required,
            Some("FieldValueDuplicate") => Reason::Duplicate,
            _ => Reason::Invalid,
        }
    }

    /// `detail` as the API server's `field.Error` of this reason words it (`fieldErrorForReason`
    /// in `k8s.io/apiextensions-apiserver/pkg/apiserver/schema/cel/validation.go`); an invalid
    /// value is the plain detail, as inferstack prints every other schema problem.
    fn word(self, detail: String) -> String {
        match self {
            Reason::Invalid => detail,
            Reason::Forbidden => format!("Forbidden: {detail}"),
            Reason::Required => format!("Required value: {detail}"),
            Reason::Duplicate => format!("Duplicate value: {detail}"),
        }
    }
}

/// The most a rule may cost on one value, in the API server's units
/// (`PerCallLimit` of `k8s.io/apiserver/pkg/apis/cel/config.go`): a rule estimated above it is
/// reported and not run, instead of running for minutes.
pub const COST_BUDGET: u64 = 1_000_000;

/// The comprehension macros of CEL and its Kubernetes extensions.
const COMPREHENSIONS: [&str; 6] = [
    ".all(",
    ".exists(",
    ".exists_one(",
    ".map(",
    ".filter(",
    ".sortBy(",
];

/// The string functions whose result can be longer than their receiver by a factor of their
/// arguments' length (`replace` inserts its replacement at every match, `join` every item).
const GROWING: [&str; 2] = [".replace(", ".join("];

/// The comprehension macros of a rule's text, and its calls that grow strings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Comprehensions {
    count: u32,
    /// The most that are open inside one another at one point: `a.filter(..).all(..)` is 1,
    /// `a.all(x, b.exists(..))` is 2.
    depth: u32,
    /// Calls of [`GROWING`] functions whose growth is the value's (a `replace` with a literal
    /// replacement grows by that literal's length instead, counted in `literal_growth`).
    growing: u32,
    /// The product of the lengths of literal replacements (1 when there is none).
    literal_growth: u64,
}

impl Comprehensions {
    /// Reads them off the rule's text: each macro call is followed to its closing parenthesis,
    /// string literals skipped.
    fn of(rule: &str) -> Comprehensions {
        let bytes = rule.as_bytes();
        let (mut count, mut depth, mut growing, mut literal_growth) = (0, 0, 0, 1u64);
        // The parenthesis level at which each open macro call closes.
        let mut open: Vec<usize> = Vec::new();
        let mut level = 0usize;
        let mut quote: Option<u8> = None;
        let mut i = 0;
        while i < bytes.len() {
            let byte = bytes[i];
            match quote {
                Some(q) => {
                    if byte == b'\\' {
                        i += 1;
                    } else if byte == q {
                        quote = None;
                    }
                }
                None => match byte {
                    b'\'' | b'"' => quote = Some(byte),
                    b'(' => {
                        let opening = COMPREHENSIONS.iter().any(|m| rule[..=i].ends_with(m));
                        if GROWING.iter().any(|m| rule[..=i].ends_with(m)) {
                            match literal_replacement(&rule[i + 1..]) {
                                Some(len) if rule[..=i].ends_with(".replace(") => {
                                    literal_growth = literal_growth.saturating_mul(len.max(1));
                                }
                                _ => growing += 1,
                            }
                        }
                        level += 1;
                        if opening {
                            open.push(level);
                            count += 1;
                            depth = depth.max(open.len() as u32);
                        }
                    }
                    b')' => {
                        if open.last() == Some(&level) {
                            open.pop();
                        }
                        level = level.saturating_sub(1);
                    }
                    _ => {}
                },
            }
            i += 1;
        }
        Comprehensions {
            count,
            depth,
            growing,
            literal_growth,
        }
    }
}

/// The length of the second argument of a call whose arguments start `args`, when it is a
/// string literal: `'a', 'bc')` is `Some(2)`; `'a', self)` is `None`.
fn literal_replacement(args: &str) -> Option<u64> {
    let first = skip_literal(args.trim_start())?;
    let second = first.trim_start().strip_prefix(',')?.trim_start();
    let quote = second.chars().next().filter(|c| *c == '\'' || *c == '"')?;
    let body = &second[1..];
    let end = body.find(quote)?;
    body[end + 1..]
        .trim_start()
        .starts_with(')')
        .then_some(end as u64)
}

/// What follows a leading string literal, or `None` when the text does not start with one.
fn skip_literal(text: &str) -> Option<&str> {
    let quote = text.chars().next().filter(|c| *c == '\'' || *c == '"')?;
    let end = text[1..].find(quote)?;
    Some(&text[end + 2..])
}

/// An upper bound of a rule's cost on `value`, in the API server's units: the iterations of
/// its comprehensions, and the bytes its string functions may build.
/// - Each comprehension iterates over a list or map of the value, so no more than its longest
///   one; nested ones multiply, one after another add. (The whole value's size in place of the
///   longest collection would count every field of a list's entries as an iteration, and refuse
///   rules the API server runs: gateway-api's `TestGRPCRouteRule/many_matches_and_few_rules`.)
/// - Each `replace` or `join` may multiply the longest string by the longest string or list
///   (`self.s.replace('a', self.s)` on 10 KB is 100 MB, twice is a terabyte); the API server
///   charges a tenth per byte a string function traverses (`strCost` of k8s.io/apiserver
///   `pkg/cel/library/cost.go`), so `k` growing calls cost about `L^(k+1) / 10`.
fn estimated_cost(value: &CelValue, comprehensions: Comprehensions) -> u64 {
    let (longest_collection, longest_string) = longest(value);
    let iterations = if comprehensions.count == 0 {
        1
    } else {
        longest_collection
            .max(1)
            .saturating_pow(comprehensions.depth)
            .saturating_mul(u64::from(comprehensions.count))
    };
    if comprehensions.growing == 0 && comprehensions.literal_growth <= 1 {
        return iterations;
    }
    let factor = longest_string.max(longest_collection).max(1);
    let built = longest_string
        .max(1)
        .saturating_mul(factor.saturating_pow(comprehensions.growing))
        .saturating_mul(comprehensions.literal_growth);
    iterations.max(built / 10)
}

/// The length of the longest list or map, and of the longest string (in bytes), in `value`.
fn longest(value: &CelValue) -> (u64, u64) {
    let fold =
        |(collection, string): (u64, u64), (c, s): (u64, u64)| (collection.max(c), string.max(s));
    match value {
        CelValue::List(items) => items
            .iter()
            .map(longest)
            .fold((items.len() as u64, 0), fold),
        CelValue::Map(map) => map
            .map
            .values()
            .map(longest)
            .fold((map.map.len() as u64, 0), fold),
        CelValue::String(text) => (0, text.len() as u64),
        _ => (0, 0),
    }
}

/// A rule's compiled programs.
struct Programs {
    state: RuleState,
    message_expression: Option<Expression>,
}

/// Whether a rule can be evaluated.
pub enum RuleState {
    Compiled(Expression),
    /// Reads `oldSelf`: only meaningful on update, skipped on create.
    Transition,
    /// Does not compile.
    Broken(String),
}

/// The rules of one schema node and of the nodes below it that have any.
/// Rules are shared, so a `$ref` target's tree is built once and reused wherever it is referred to.
#[derive(Clone, Default)]
pub struct RuleTree {
    rules: Vec<Arc<Rule>>,
    properties: Vec<(String, RuleTree)>,
    items: Option<Box<RuleTree>>,
    additional: Option<Box<RuleTree>>,
}

/// A rule that failed on an object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CelViolation {
    pub pointer: String,
    pub message: String,
    /// The rule could not be evaluated (it does not compile, or calls a function the
    /// environment lacks), rather than evaluating to false.
    pub broken: bool,
}

/// How many rules a schema has, and how many can run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Coverage {
    pub found: usize,
    pub compiled: usize,
    pub transition: usize,
    /// `(rule, why)` for each rule that cannot run.
    pub broken: Vec<(String, String)>,
}

impl RuleTree {
    /// The rules of `schema` (a structural schema, or a catalog schema with `#/$defs` refs);
    /// `None` when it has none, so kinds without rules pay nothing.
    pub fn from_schema(schema: &Value) -> Option<RuleTree> {
        let tree = build(schema, schema, 0, &mut Memo::default());
        (!tree.is_empty()).then_some(tree)
    }

    fn is_empty(&self) -> bool {
        self.rules.is_empty()
            && self.properties.is_empty()
            && self.items.is_none()
            && self.additional.is_none()
    }

    /// Evaluates every rule against `object` (the whole object; the tree's root is its root).
    pub fn evaluate(&self, object: &Value) -> Vec<CelViolation> {
        let env = library::environment();
        let root = Context::with_env(env);
        let mut out = Vec::new();
        // Converted once: each rule node takes its value from here instead of converting again.
        let converted = to_cel(object);
        self.walk(object, &converted, String::new(), &root, &mut out);
        out
    }

    fn walk(
        &self,
        value: &Value,
        converted: &CelValue,
        pointer: String,
        root: &Context<'_, '_>,
        out: &mut Vec<CelViolation>,
    ) {
        if value.is_null() {
            return;
        }
        for rule in &self.rules {
            if let Some(violation) = rule.check(converted, &pointer, root) {
                out.push(violation);
            }
        }
        match (value, converted) {
            (Value::Object(fields), CelValue::Map(map)) => {
                let child = |name: &str| map.map.get(&Key::from(name));
                for (name, tree) in &self.properties {
                    if let (Some(field), Some(cel)) = (fields.get(name), child(name)) {
                        tree.walk(field, cel, format!("{pointer}/{}", escape(name)), root, out);
                    }
                }
                if let Some(tree) = &self.additional {
                    for (name, field) in fields {
                        if let Some(cel) = child(name) {
                            tree.walk(field, cel, format!("{pointer}/{}", escape(name)), root, out);
                        }
                    }
                }
            }
            (Value::Array(items), CelValue::List(list)) => {
                if let Some(tree) = &self.items {
                    for (i, (item, cel)) in items.iter().zip(list.iter()).enumerate() {
                        tree.walk(item, cel, format!("{pointer}/{i}"), root, out);
                    }
                }
            }
            _ => {}
        }
    }

    /// Counts the rules of the tree.
    pub fn coverage(&self) -> Coverage {
        let mut coverage = Coverage::default();
        self.count(&mut coverage);
        coverage
    }

    fn count(&self, coverage: &mut Coverage) {
        for rule in &self.rules {
            coverage.found += 1;
            match rule.state() {
                RuleState::Compiled(_) => coverage.compiled += 1,
                RuleState::Transition => coverage.transition += 1,
                RuleState::Broken(why) => coverage.broken.push((rule.rule.clone(), why.clone())),
            }
        }
        let children = self
            .properties
            .iter()
            .map(|(_, t)| t)
            .chain(self.items.as_deref())
            .chain(self.additional.as_deref());
        for child in children {
            child.count(coverage);
        }
    }
}

impl Rule {
    /// Whether the rule compiles, and whether it reads `oldSelf`.
    pub fn state(&self) -> &RuleState {
        &self.programs().state
    }

    fn programs(&self) -> &Programs {
        self.programs.get_or_init(|| {
            let state = match parse::compile(&self.rule) {
                Err(error) => RuleState::Broken(error),
                Ok(expression) if expression.references().has_variable("oldSelf") => {
                    RuleState::Transition
                }
                Ok(expression) => RuleState::Compiled(expression),
            };
            let message_expression = self
                .message_expression
                .as_deref()
                .and_then(|m| parse::compile(m).ok());
            Programs {
                state,
                message_expression,
            }
        })
    }

    fn check(
        &self,
        bound: &CelValue,
        pointer: &str,
        root: &Context<'_, '_>,
    ) -> Option<CelViolation> {
        let program = match self.state() {
            RuleState::Compiled(program) => program,
            RuleState::Transition => return None,
            RuleState::Broken(why) => {
                return Some(CelViolation {
                    pointer: pointer.to_owned(),
                    message: format!("the rule `{}` cannot be evaluated: {why}", self.rule),
                    broken: true,
                });
            }
        };
        let cost = estimated_cost(bound, self.comprehensions);
        if cost > COST_BUDGET {
            return Some(CelViolation {
                pointer: pointer.to_owned(),
                message: format!(
                    "the rule `{}` would cost about {cost} on this value, over the budget of {COST_BUDGET} the API server allows a rule; it is not evaluated",
                    self.rule
                ),
                broken: true,
            });
        }
        let mut scope = root.new_inner_scope();
        scope.add_variable_from_value("self", bound.clone());
        // As `validation.go` of k8s.io/apiextensions-apiserver words each outcome: a false rule
        // at its `fieldPath` with its message, an evaluation error at the rule's node with the
        // error and the rule's message (`ruleErrorString`).
        let (at, message) = match CelValue::resolve(program, &scope) {
            Ok(CelValue::Bool(true)) => return None,
            Ok(CelValue::Bool(false)) => (
                format!("{pointer}{}", self.field_pointer),
                self.reason.word(self.message(&scope)),
            ),
            Ok(other) => (
                pointer.to_owned(),
                format!(
                    "the rule returned {other:?}, not a boolean: {}",
                    self.error_string()
                ),
            ),
            // A function this environment lacks is our gap, not the object's fault.
            Err(ExecutionError::UndeclaredReference(name)) if name.as_str() != "self" => {
                let message = format!(
                    "the rule `{}` uses `{name}`, which inferstack's CEL environment does not have",
                    self.rule
                );
                return Some(CelViolation {
                    pointer: pointer.to_owned(),
                    message,
                    broken: true,
                });
            }
            Err(error) if error.to_string().starts_with("no such overload") => (
                pointer.to_owned(),
                format!(
                    "'{error}': call arguments did not match a supported operator, function or macro signature for rule: {}",
                    self.error_string()
                ),
            ),
            // The API server reports any other evaluation error as a failed rule.
            Err(error) => (
                pointer.to_owned(),
                format!("{error} evaluating rule: {}", self.error_string()),
            ),
        };
        Some(CelViolation {
            pointer: at,
            message,
            broken: false,
        })
    }

    /// The rule's `message`, or else the rule itself (`ruleErrorString`).
    fn error_string(&self) -> &str {
        match self.message.as_deref().map(str::trim) {
            Some(message) if !message.is_empty() => message,
            _ => self.rule.trim(),
        }
    }

    /// `messageExpression` when it yields a non-empty string on one line, else `message`, else
    /// `failed rule: RULE` (`ruleMessageOrDefault`).
    fn message(&self, scope: &Context<'_, '_>) -> String {
        if let Some(program) = &self.programs().message_expression
            && let Ok(CelValue::String(text)) = CelValue::resolve(program, scope)
            && !text.trim().is_empty()
            && !text.contains('\n')
        {
            return text.trim().to_owned();
        }
        match self.message.as_deref().map(str::trim) {
            Some(message) if !message.is_empty() => message.to_owned(),
            _ => format!("failed rule: {}", self.rule.trim()),
        }
    }
}

/// Depth limit for schemas nested without `$ref`s (a structural schema is a tree).
const MAX_DEPTH: usize = 64;

/// The trees built for each `$ref` target, so a target referred to from many places (or from
/// itself) is walked once: a schema whose properties point back at their parent would otherwise
/// be re-walked exponentially.
#[derive(Default)]
struct Memo {
    built: HashMap<String, RuleTree>,
    /// Targets being built: a reference back to one of them is a cycle, cut there.
    active: Vec<String>,
}

fn build(schema: &Value, root: &Value, depth: usize, memo: &mut Memo) -> RuleTree {
    if depth > MAX_DEPTH {
        return RuleTree::default();
    }
    let Some(reference) = schema.get("$ref").and_then(Value::as_str) else {
        return build_node(schema, root, depth, memo);
    };
    if let Some(tree) = memo.built.get(reference) {
        return tree.clone();
    }
    if memo.active.iter().any(|r| r == reference) {
        return RuleTree::default();
    }
    memo.active.push(reference.to_owned());
    let tree = build_node(resolve_ref(schema, root), root, depth, memo);
    memo.active.pop();
    memo.built.insert(reference.to_owned(), tree.clone());
    tree
}

fn build_node(node: &Value, root: &Value, depth: usize, memo: &mut Memo) -> RuleTree {
    let mut tree = RuleTree::default();
    if let Some(rules) = node
        .get("x-kubernetes-validations")
        .and_then(Value::as_array)
    {
        tree.rules = rules.iter().filter_map(read_rule).map(Arc::new).collect();
    }
    if let Some(Value::Object(properties)) = node.get("properties") {
        for (name, child) in properties {
            let sub = build(child, root, depth + 1, memo);
            if !sub.is_empty() {
                tree.properties.push((name.clone(), sub));
            }
        }
    }
    for key in ["items", "additionalProperties"] {
        let sub = node
            .get(key)
            .filter(|v| v.is_object())
            .map(|child| build(child, root, depth + 1, memo))
            .filter(|t| !t.is_empty())
            .map(Box::new);
        if key == "items" {
            tree.items = sub;
        } else {
            tree.additional = sub;
        }
    }
    // Catalog schemas wrap nodes in allOf; their rules belong to the same node.
    for branch in node
        .get("allOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let sub = build(branch, root, depth + 1, memo);
        tree.rules.extend(sub.rules);
        tree.properties.extend(sub.properties);
        tree.items = tree.items.or(sub.items);
        tree.additional = tree.additional.or(sub.additional);
    }
    tree
}

/// Follows a local `$ref` (`#/$defs/...` or `#/components/schemas/...`).
fn resolve_ref<'a>(schema: &'a Value, root: &'a Value) -> &'a Value {
    schema
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix('#'))
        .and_then(|pointer| root.pointer(pointer))
        .unwrap_or(schema)
}

fn read_rule(rule: &Value) -> Option<Rule> {
    let text = rule.get("rule")?.as_str()?.to_owned();
    let string = |key: &str| rule.get(key).and_then(Value::as_str).map(str::to_owned);
    Some(Rule {
        message: string("message"),
        message_expression: string("messageExpression"),
        field_pointer: string("fieldPath")
            .map(|p| field_path_pointer(&p))
            .unwrap_or_default(),
        reason: Reason::of(rule.get("reason").and_then(Value::as_str)),
        comprehensions: Comprehensions::of(&text),
        rule: text,
        programs: OnceLock::new(),
    })
}

/// Kubernetes `fieldPath` (`.spec.ports`, `.metadata['a.b']`, `.items[0]`) as a JSON Pointer.
fn field_path_pointer(path: &str) -> String {
    let mut pointer = String::new();
    let mut rest = path;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('.') {
            let end = after.find(['.', '[']).unwrap_or(after.len());
            pointer.push('/');
            pointer.push_str(&escape(&after[..end]));
            rest = &after[end..];
        } else if let Some(after) = rest.strip_prefix('[') {
            let end = after.find(']').unwrap_or(after.len());
            let key = after[..end].trim_matches(['\'', '"']);
            pointer.push('/');
            pointer.push_str(&escape(key));
            rest = after.get(end + 1..).unwrap_or("");
        } else {
            break;
        }
    }
    pointer
}

/// Words CEL reserves; Kubernetes exposes fields with these names as `__word__`
/// (a parentRef's `namespace` is `p.__namespace__` in Gateway API rules).
const CEL_RESERVED: [&str; 21] = [
    "true",
    "false",
    "null",
    "in",
    "as",
    "break",
    "const",
    "continue",
    "else",
    "for",
    "function",
    "if",
    "import",
    "let",
    "loop",
    "package",
    "namespace",
    "return",
    "var",
    "void",
    "while",
];

/// JSON as CEL sees it: objects are maps with string keys, integers are `int`, and a field
/// named by a reserved word is also reachable under its escaped name.
fn to_cel(value: &Value) -> CelValue {
    match value {
        Value::Null => CelValue::Null,
        Value::Bool(b) => CelValue::Bool(*b),
        Value::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => CelValue::Int(i),
            (None, Some(u)) => CelValue::UInt(u),
            _ => CelValue::Float(n.as_f64().unwrap_or_default()),
        },
        Value::String(s) => CelValue::String(Arc::new(s.clone())),
        Value::Array(items) => CelValue::List(Arc::new(items.iter().map(to_cel).collect())),
        Value::Object(fields) => {
            let mut map: HashMap<Key, CelValue> = HashMap::with_capacity(fields.len());
            for (k, v) in fields {
                let converted = to_cel(v);
                if CEL_RESERVED.contains(&k.as_str()) {
                    map.insert(Key::from(format!("__{k}__")), converted.clone());
                }
                map.insert(Key::from(k.as_str()), converted);
            }
            CelValue::Map(CelMap { map: Arc::new(map) })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn tree(schema: Value) -> RuleTree {
        RuleTree::from_schema(&schema).expect("rules")
    }

    #[test]
    fn rules_run_at_their_node_with_self_bound_there() {
        let schema = json!({"properties": {"spec": {"properties": {"ports": {
            "type": "array",
            "items": {"type": "integer"},
            "x-kubernetes-validations": [{"rule": "self.all(p, self.exists_one(q, p == q))", "message": "ports must be unique"}]
        }}}}});
        let rules = tree(schema);
        assert!(
            rules
                .evaluate(&json!({"spec": {"ports": [80, 81]}}))
                .is_empty()
        );
        assert_eq!(
            rules.evaluate(&json!({"spec": {"ports": [80, 80]}})),
            vec![CelViolation {
                pointer: "/spec/ports".into(),
                message: "ports must be unique".into(),
                broken: false
            }]
        );
        assert!(
            rules.evaluate(&json!({"spec": {}})).is_empty(),
            "absent fields are not checked"
        );
    }

    #[test]
    fn items_field_paths_and_message_expressions() {
        let schema = json!({"properties": {"items": {"type": "array", "items": {
            "x-kubernetes-validations": [
                {"rule": "self.a < self.b", "messageExpression": "'a must be below ' + string(self.b)", "fieldPath": ".a"}
            ]
        }}}});
        let found = tree(schema).evaluate(&json!({"items": [{"a": 1, "b": 2}, {"a": 3, "b": 2}]}));
        assert_eq!(
            found,
            vec![CelViolation {
                pointer: "/items/1/a".into(),
                message: "a must be below 2".into(),
                broken: false
            }]
        );
    }

    #[test]
    fn transition_rules_are_skipped_and_counted() {
        let schema = json!({"x-kubernetes-validations": [
            {"rule": "self == oldSelf", "message": "immutable"},
            {"rule": "self.x > 0"},
            {"rule": "self.x >"}
        ]});
        let rules = tree(schema);
        let coverage = rules.coverage();
        assert_eq!(
            (
                coverage.found,
                coverage.compiled,
                coverage.transition,
                coverage.broken.len()
            ),
            (3, 1, 1, 1)
        );
        let found = rules.evaluate(&json!({"x": 0}));
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(found[0].message, "failed rule: self.x > 0");
        assert!(found[1].broken);
    }

    #[test]
    fn reserved_field_names_are_escaped_like_kubernetes() {
        let schema = json!({"x-kubernetes-validations": [{"rule": "self.__namespace__ == 'a'", "message": "m"}]});
        assert!(
            tree(schema.clone())
                .evaluate(&json!({"namespace": "a"}))
                .is_empty()
        );
        assert_eq!(tree(schema).evaluate(&json!({"namespace": "b"})).len(), 1);
    }

    #[test]
    fn field_paths_become_pointers() {
        assert_eq!(field_path_pointer(".spec.ports"), "/spec/ports");
        assert_eq!(field_path_pointer(".metadata['a.b/c']"), "/metadata/a.b~1c");
        assert_eq!(field_path_pointer(".items[0].name"), "/items/0/name");
    }

    /// Two properties pointing back at their parent: built once per target, cut at the cycle,
    /// where walking every path would take 2^64 steps.
    #[test]
    fn self_referring_schemas_are_built_once() {
        let tree = tree(json!({
            "$defs": {
                "spec": {
                    "type": "object",
                    "x-kubernetes-validations": [{"rule": "true"}],
                    "properties": {
                        "a": {"$ref": "#/$defs/spec"},
                        "b": {"$ref": "#/$defs/spec"}
                    }
                }
            },
            "type": "object",
            "properties": {"spec": {"$ref": "#/$defs/spec"}}
        }));
        assert_eq!(tree.coverage().found, 1);
    }

    #[test]
    fn comprehensions_are_counted_by_nesting() {
        let of = Comprehensions::of;
        assert_eq!(
            of("self.x > 0"),
            Comprehensions {
                count: 0,
                depth: 0,
                growing: 0,
                literal_growth: 1
            }
        );
        assert_eq!(
            of("self.a.filter(r, r.b).all(r, has(r.c))"),
            Comprehensions {
                count: 2,
                depth: 1,
                growing: 0,
                literal_growth: 1
            }
        );
        assert_eq!(
            of("self.all(x, self.exists(y, x == y.map(z, z)))"),
            Comprehensions {
                count: 3,
                depth: 3,
                growing: 0,
                literal_growth: 1
            }
        );
        assert_eq!(
            of("self.all(x, x != ').all(') && self.exists(y, y)"),
            Comprehensions {
                count: 2,
                depth: 1,
                growing: 0,
                literal_growth: 1
            }
        );
        let grown = of("self.s.replace('a', self.s).replace('b', 'cd').join(',')");
        assert_eq!((grown.growing, grown.literal_growth), (2, 2));
    }

    /// A rule that builds a string by a factor of the value's own length is estimated and not
    /// run: on 10 KB this rule would allocate about a terabyte (issue 23).
    #[test]
    fn strings_grown_by_replace_count_against_the_budget() {
        let tree = tree(json!({
            "type": "object",
            "properties": {"s": {
                "type": "string",
                "x-kubernetes-validations": [
                    {"rule": "self.replace('a', self).replace('a', self).size() > 0"},
                    {"rule": "self.replace('a', 'b') != ''"}
                ]
            }}
        }));
        let found = tree.evaluate(&json!({ "s": "a".repeat(10_000) }));
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].broken && found[0].message.contains("over the budget"));
        assert!(tree.evaluate(&json!({ "s": "abc" })).is_empty());
    }

    /// Nested comprehensions over a large list are estimated, reported and not run: evaluated,
    /// this rule would take a billion steps.
    #[test]
    fn rules_over_the_cost_budget_are_reported_not_run() {
        let tree = tree(json!({
            "type": "object",
            "properties": {"list": {
                "type": "array",
                "x-kubernetes-validations": [
                    {"rule": "self.all(x, self.all(y, self.all(z, x + y + z >= 0)))"},
                    {"rule": "self.all(x, x >= 0)"}
                ]
            }}
        }));
        let big: Vec<i64> = (0..1000).collect();
        let found = tree.evaluate(&json!({ "list": big }));
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].broken && found[0].message.contains("over the budget of 1000000"));
        // A small list is evaluated as usual.
        assert!(tree.evaluate(&json!({ "list": [1, 2, 3] })).is_empty());
    }
}
