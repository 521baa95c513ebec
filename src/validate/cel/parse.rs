//! Compiling a rule's source into the expression the evaluator runs.
//!
//! The `cel` crate has two parsers for one grammar: the antlr-generated one behind
//! `Env::compile`, and a hand-written Pratt parser (`cel::parser::PrattParser`, feature
//! `parser_pratt`). On the catalog's 317 distinct rules the Pratt parser takes 1.0 ms and antlr
//! 15.3 ms, and a process's first rule 10 µs against 0.9 ms (antlr builds its tables first);
//! both give the same expression but for the ids of map entries, which no evaluation reads (a
//! test below compares them on every rule of the catalog, the `cel_parsers` fuzz target on any
//! text). The antlr parser of the environment stays for what the Pratt parser cannot do alike:
//! it expands only the standard macros, not those the environment's extensions add; it reads a
//! few inputs differently ([`plain`]); and a rule that does not parse keeps the wording of
//! `Env::compile`'s errors.

use cel::parser::pratt_parser::{Lexer, TokenKind};
use cel::parser::{Expression, PrattParser};

use super::library;

/// The macros the environment's extensions add beyond the standard ones: `sortBy` of the
/// `lists` extension (`src/extensions/lists.rs` of cel 0.15.0). A rule naming one is parsed by
/// the environment, which expands it.
const EXTENSION_MACROS: &[&str] = &["sortBy"];

/// The expression of `source`, or why it does not compile.
pub fn compile(source: &str) -> Result<Expression, String> {
    if plain(source)
        && !EXTENSION_MACROS.iter().any(|name| source.contains(name))
        && let Ok(expression) = pratt(source)
    {
        return Ok(expression);
    }
    compile_by_environment(source)
}

/// The expression of `source` as the environment's antlr parser makes it: the reference the
/// Pratt parser is compared with (here, in `tests/it` and by the `cel_parsers` fuzz target).
pub fn compile_by_environment(source: &str) -> Result<Expression, String> {
    library::environment()
        .compile(source)
        .map(|program| program.expression().clone())
        .map_err(|error| error.to_string())
}

/// Whether `source` is in the subset where the two parsers were fuzzed to agree. Anything else
/// goes to antlr, whose lexer, as CEL's grammar says, refuses control characters (even in raw
/// strings) and line breaks in `'...'` and `"..."`, which the Pratt parser takes; and a chain of
/// unary operators (`!-6`), where antlr folds the minus into the literal and the Pratt parser
/// does not (`tests/fuzz/cel_parsers/`).
fn plain(source: &str) -> bool {
    let printable = |b: u8| b == b'\t' || b == b'\n' || b == b'\r' || (b' '..=b'~').contains(&b);
    if !source.bytes().all(printable) {
        return false;
    }
    let unary = |kind| matches!(kind, TokenKind::TokExclamation | TokenKind::TokMinus);
    let mut lexer = Lexer::new(source);
    let mut previous = TokenKind::TokEnd;
    loop {
        let token = lexer.lex();
        match token.kind {
            TokenKind::TokEnd | TokenKind::TokError => return true,
            TokenKind::TokWhitespace | TokenKind::TokComment => continue,
            kind if unary(kind) && unary(previous) => return false,
            TokenKind::TokString | TokenKind::TokBytes => {
                let text = source[token.start..token.end].trim_start_matches(['r', 'R', 'b', 'B']);
                let triple = text.starts_with("\"\"\"") || text.starts_with("'''");
                if !triple && text.contains(['\n', '\r']) {
                    return false;
                }
            }
            _ => {}
        }
        previous = token.kind;
    }
}

/// The Pratt parser set as `Env::parser` sets the antlr one: optional syntax on, as the
/// environment has optional values.
fn pratt(source: &str) -> Result<Expression, cel::ParseErrors> {
    PrattParser::new()
        .enable_optional_syntax(true)
        .parse(source)
}

/// `expression` written without its node ids, to compare what two parsers made of one source.
pub fn without_ids(expression: &Expression) -> String {
    let text = format!("{expression:?}");
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    while let Some(at) = rest.find("id: ") {
        out.push_str(&rest[..at]);
        rest = rest[at + 4..].trim_start_matches(|c: char| c.is_ascii_digit());
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::validate::catalog::{FILES, definitions};
    use serde_json::Value;

    fn antlr(source: &str) -> Result<Expression, String> {
        compile_by_environment(source)
    }

    /// Every `rule` and `messageExpression` under `schema`.
    fn sources_in(schema: &Value, out: &mut Vec<String>) {
        match schema {
            Value::Object(map) => {
                if let Some(Value::Array(rules)) = map.get("x-kubernetes-validations") {
                    for rule in rules {
                        for key in ["rule", "messageExpression"] {
                            if let Some(Value::String(text)) = rule.get(key) {
                                out.push(text.clone());
                            }
                        }
                    }
                }
                map.values().for_each(|v| sources_in(v, out));
            }
            Value::Array(items) => items.iter().for_each(|v| sources_in(v, out)),
            _ => {}
        }
    }

    #[test]
    fn every_rule_of_the_catalog_compiles_alike_with_both_parsers() {
        let mut sources = Vec::new();
        for file in 0..FILES.len() {
            for (_, json) in definitions(file) {
                sources_in(&serde_json::from_str(json).unwrap(), &mut sources);
            }
        }
        sources.sort();
        sources.dedup();
        assert!(sources.len() > 300, "{} rules", sources.len());
        for source in &sources {
            let ours = compile(source).map(|e| without_ids(&e));
            let theirs = antlr(source).map(|e| without_ids(&e));
            assert_eq!(ours, theirs, "{source}");
        }
    }

    #[test]
    fn both_parsers_make_the_same_expression() {
        for source in [
            "self.all(x, x.name != '') && size(self) <= 16",
            "!has(self.a) || self.a.exists_one(p, p.port == 80)",
            "self.map(x, x * 2).filter(y, y > 1) == [2u, 4u]",
            "self.?optional.orValue('d') in ['a', b'x', r'\\n', \"\\u00e9\"]",
            "{'k': 1, 'l': [1.5, -2e3, 0x1F]}[self.key] >= 1 ? true : false",
            "self.matches('^[a-z]+$') && int(self.size()) % 2 == 0",
        ] {
            let ours = compile(source).unwrap_or_else(|e| panic!("{source}: {e}"));
            let theirs = antlr(source).unwrap();
            assert_eq!(without_ids(&ours), without_ids(&theirs), "{source}");
        }
    }

    #[test]
    fn extension_macros_are_expanded() {
        let source = "self.sortBy(e, e.priority) == self";
        assert_eq!(
            without_ids(&compile(source).unwrap()),
            without_ids(&antlr(source).unwrap())
        );
        // The Pratt parser alone leaves the call unexpanded.
        assert_ne!(
            without_ids(&pratt(source).unwrap()),
            without_ids(&antlr(source).unwrap())
        );
    }

    #[test]
    fn errors_are_worded_as_the_environment_words_them() {
        for source in ["self.a ==", "self.(", "1 +* 2", "'unterminated"] {
            assert_eq!(
                compile(source).unwrap_err(),
                antlr(source).unwrap_err(),
                "{source}"
            );
        }
    }

    #[test]
    fn what_the_pratt_parser_takes_and_antlr_refuses_is_refused() {
        for source in [
            "r\"\"\"a\u{0}\u{7}b\"\"\" == self",
            "self == 'one\nline'",
            "self == \"a\r\"",
            "f(!-06)",
        ] {
            assert!(!plain(source), "{source:?}");
            assert_eq!(
                compile(source).map(|e| without_ids(&e)),
                antlr(source).map(|e| without_ids(&e)),
                "{source:?}"
            );
        }
        assert!(plain("self == '''two\nlines''' &&\nself != ''"));
    }

    #[test]
    fn ids_are_left_out_whatever_their_width() {
        assert_eq!(
            without_ids(&pratt("a.b").unwrap()),
            without_ids(&antlr("a.b").unwrap())
        );
    }
}
