//! What a credential looks like, in one place: key names that only hold secrets, the shapes of
//! common keys and tokens, credentials inside URLs and image references, and command-line flags
//! that carry one. The stack scanner refuses them, `build` refuses them in `--repo-url`, and the
//! renderer masks them in every code frame, so no report ever prints one.

/// Key names (lower-cased, `_`/`-` removed) that only ever hold secrets.
const SECRET_KEYS: &[&str] = &[
    "akid",
    "aksecret",
    "accesskey",
    "accesskeyid",
    "accesskeysecret",
    "secretkey",
    "secretaccesskey",
    "sessiontoken",
    "securitytoken",
    "token",
    "apikey",
    "password",
    "passwd",
    "privatekey",
    "clientsecret",
    "hftoken",
    "awsaccesskeyid",
    "awssecretaccesskey",
    "ossaccesskeyid",
    "ossaccesskeysecret",
];

/// Endings of key names that hold secrets (`db_password`, `GITLAB_TOKEN`, `client-secret`).
const SECRET_KEY_ENDINGS: &[&str] = &[
    "secret",
    "password",
    "passwd",
    "token",
    "apikey",
    "privatekey",
    "accesskey",
];

/// URL query parameters that carry a credential (S3 and GCS presigned URLs, Azure SAS, OSS).
const CREDENTIAL_PARAMETERS: &[&str] = &[
    "access_key",
    "accesskeyid",
    "secret",
    "secret_key",
    "token",
    "password",
    "sig",
    "signature",
    "x-amz-signature",
    "x-amz-credential",
    "x-amz-security-token",
    "x-goog-signature",
    "x-goog-credential",
    "api_key",
    "apikey",
    "private_token",
    "access_token",
];

/// Command-line flags whose value is a credential.
pub const CREDENTIAL_FLAGS: [&str; 4] = ["--api-key", "--hf-token", "--token", "--password"];

/// Does a key of this name only ever hold a secret?
pub fn is_secret_key(name: &str) -> bool {
    let normalized: String = name
        .chars()
        .filter(|c| *c != '_' && *c != '-' && *c != '.')
        .flat_map(char::to_lowercase)
        .collect();
    SECRET_KEYS.contains(&normalized.as_str())
        || SECRET_KEY_ENDINGS
            .iter()
            .any(|ending| normalized.len() > ending.len() && normalized.ends_with(ending))
}

/// `--flag` or `--flag=value`.
pub fn is_flag(arg: &str, flag: &str) -> bool {
    arg.strip_prefix(flag)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('='))
}

/// Token prefixes, the fewest characters that follow one, and what it is.
const TOKEN_SHAPES: [(&[&str], usize, &str); 9] = [
    (&["LTAI"], 12, "an Alibaba Cloud AccessKey ID"),
    (&["AKIA", "ASIA"], 16, "an AWS access key ID"),
    (&["AIza"], 30, "a Google API key"),
    (&["hf_"], 30, "a Hugging Face token"),
    (
        &["ghp_", "gho_", "ghs_", "ghu_", "ghr_", "github_pat_"],
        30,
        "a GitHub token",
    ),
    (&["glpat-"], 20, "a GitLab token"),
    (
        &["xoxb-", "xoxp-", "xoxa-", "xoxr-", "xoxs-"],
        10,
        "a Slack token",
    ),
    (&["sk-"], 32, "an API key (sk-...)"),
    (&["npm_"], 30, "an npm token"),
];

/// What kind of credential `s` looks like, if any; recognised without a regex engine.
pub fn looks_like_secret(s: &str) -> Option<&'static str> {
    // Split once: this runs on every word of every code frame. No shape is shorter than 15.
    let words: Vec<&str> = s
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
        .filter(|w| w.len() >= 15)
        .collect();
    for (prefixes, min, kind) in TOKEN_SHAPES {
        let shaped = |w: &&str| {
            prefixes
                .iter()
                .any(|p| w.starts_with(p) && w.len() >= p.len() + min)
        };
        if words.iter().any(shaped) {
            return Some(kind);
        }
    }
    if s.contains("-----BEGIN") && s.contains("PRIVATE KEY") {
        return Some("a private key");
    }
    if is_jwt(s) {
        return Some("a JSON Web Token");
    }
    if userinfo_has_credential(s) {
        return Some("a URL or image reference with a credential in its user part");
    }
    if query_has_credential(s) {
        return Some("a URL with a credential in its query");
    }
    None
}

/// Three base64url parts, the first a JSON header (`eyJ`).
fn is_jwt(s: &str) -> bool {
    s.split(|c: char| c.is_whitespace() || c == '"' || c == '\'')
        .any(|word| {
            let parts: Vec<&str> = word.split('.').collect();
            parts.len() == 3
                && parts[0].starts_with("eyJ")
                && word.len() >= 30
                && parts.iter().all(|p| {
                    !p.is_empty()
                        && p.bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
                })
        })
}

/// `scheme://user:password@host/...`, an image reference `user:password@registry/repo`, or a
/// token as the whole user part (`https://<40 hex>@github.com/org/repo.git`, how Git hosts
/// take personal access tokens): a user name of 20 or more token characters is no person's.
fn userinfo_has_credential(s: &str) -> bool {
    let rest = s.split_once("://").map_or(s, |(_, rest)| rest);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    authority.rsplit_once('@').is_some_and(|(userinfo, host)| {
        let token = userinfo.len() >= 20
            && userinfo
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
        !host.is_empty() && (userinfo.contains(':') || token)
    })
}

/// `...?access_key=...&...`: a credential as a query parameter with a value. A value already
/// masked (`*` only) is none: masking masked text must change nothing.
fn query_has_credential(s: &str) -> bool {
    let Some((_, query)) = s.split_once('?') else {
        return false;
    };
    query.split(['&', ';']).any(|pair| {
        pair.split_once('=').is_some_and(|(name, value)| {
            !value.is_empty()
                && !value.bytes().all(|b| b == b'*')
                && CREDENTIAL_PARAMETERS.contains(&name.to_lowercase().as_str())
        })
    })
}

/// `text` with every credential masked by `*`, byte for byte, so offsets into it stay valid:
/// values of secret-named keys (`key = ...`, `key: ...`), words shaped like a credential, and
/// values of credential flags. What a code frame shows goes through this.
pub fn redact(text: &str) -> String {
    fixed_point(text, redact_pass)
}

/// Most passes one text may take before it is masked whole: each pass only adds `*`, and a
/// real file settles in one or two.
const MAX_PASSES: usize = 8;

/// `pass` applied until it changes nothing, so that masking what inferstack printed changes
/// nothing either. A pass can find a shape an earlier one made (a key's value masked into
/// `user:****@host`); each adds only `*`, so the passes settle. A text still changing after
/// [`MAX_PASSES`] is masked whole but for its newlines, which every pass leaves as it is.
fn fixed_point(text: &str, pass: fn(&str) -> String) -> String {
    let mut current = pass(text);
    for _ in 0..MAX_PASSES {
        let next = pass(&current);
        if next == current {
            return current;
        }
        current = next;
    }
    current
        .bytes()
        .map(|b| if b == b'\n' { '\n' } else { '*' })
        .collect()
}

/// One masking pass of [`redact`].
fn redact_pass(text: &str) -> String {
    let mut ranges = Vec::new();
    let mut offset = 0;
    // Inside a PEM private key every line is secret, the base64 body as much as its markers.
    let mut in_private_key = false;
    for line in text.split_inclusive('\n') {
        let begins = line.contains("-----BEGIN") && line.contains("PRIVATE KEY");
        if in_private_key || begins {
            let body = line.trim_end_matches(['\n', '\r']);
            ranges.push(offset + body.len() - body.trim_start().len()..offset + body.len());
        } else {
            ranges.extend(
                secret_ranges(line)
                    .into_iter()
                    .map(|r| offset + r.start..offset + r.end),
            );
        }
        if begins {
            in_private_key = !line.contains("-----END");
        } else if in_private_key && line.contains("-----END") {
            in_private_key = false;
        }
        offset += line.len();
    }
    // A Secret's data line keeps its key visible, unless another pass masked part of the key
    // or its `: `: then the whole line is masked, as masking that masked text would mask it.
    for (value, line_start) in secret_document_values(text) {
        let key = line_start..value.start;
        let key_touched = ranges
            .iter()
            .any(|r| r.start < key.end && key.start < r.end);
        ranges.push(if key_touched {
            line_start..value.end
        } else {
            value
        });
    }
    masked(text, ranges)
}

/// `text` with the bytes of `ranges` replaced by `*`. Ranges cover whole UTF-8 sequences and
/// ASCII replaces them, so the bytes stay UTF-8 and every offset into the text stays valid.
fn masked(text: &str, ranges: impl IntoIterator<Item = std::ops::Range<usize>>) -> String {
    let mut out = text.as_bytes().to_vec();
    for range in ranges {
        out[range].fill(b'*');
    }
    String::from_utf8(out).unwrap_or_else(|_| "*".repeat(text.len()))
}

/// The values under `data:` and `stringData:` of every YAML document that is a `kind: Secret`,
/// found in the text itself: a duplicate key or a syntax error inside a Secret has no object to
/// mask from, and its code frame must not show the values either. Keys stay visible: each
/// range comes with where its line's text starts.
fn secret_document_values(text: &str) -> Vec<(std::ops::Range<usize>, usize)> {
    // The lines of each document, with their offsets; `---` lines separate documents.
    let mut documents: Vec<Vec<(usize, &str)>> = vec![Vec::new()];
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        // A document marker is `---` alone or before a space; `-----BEGIN …` is not one.
        if line.trim_end() == "---" || line.starts_with("--- ") {
            documents.push(Vec::new());
        } else if let Some(document) = documents.last_mut() {
            document.push((offset, line));
        }
        offset += line.len();
    }
    let mut ranges = Vec::new();
    for document in documents {
        let is_secret = document.iter().any(|(_, l)| {
            let l = l.trim_end();
            l == "kind: Secret" || l == "kind: \"Secret\""
        });
        if !is_secret {
            continue;
        }
        let mut in_data = false;
        for (offset, line) in document {
            let body = line.trim_end_matches(['\n', '\r']);
            let top_level = !body.starts_with([' ', '\t', '#']) && !body.trim().is_empty();
            if top_level {
                in_data = false;
                if let Some(rest) = ["data:", "stringData:"]
                    .iter()
                    .find_map(|key| body.strip_prefix(key))
                {
                    in_data = true;
                    let value = rest.trim();
                    if !value.is_empty() && !value.starts_with('#') {
                        let start = offset + body.len() - rest.len();
                        ranges.push((start..offset + body.len(), start));
                    }
                }
            } else if in_data && !body.trim().is_empty() {
                let indent = body.len() - body.trim_start().len();
                // `key: value` keeps its key; a block scalar's lines are values whole.
                let from = match body[indent..].find(": ") {
                    Some(at) if !body[indent..at + indent].contains(' ') => indent + at + 2,
                    _ => indent,
                };
                ranges.push((offset + from..offset + body.len(), offset + indent));
            }
        }
    }
    ranges
}

/// Byte ranges of one line to mask.
fn secret_ranges(line: &str) -> Vec<std::ops::Range<usize>> {
    let mut ranges = Vec::new();
    let body = line.trim_end_matches(['\n', '\r']);
    // `key = value` (TOML) or `key: value` (YAML), also inside inline tables and flow maps:
    // the value of a secret-named key, up to the next `,` or closing bracket.
    for (at, _) in body.match_indices(['=', ':']) {
        let before = body[..at].trim_end().trim_end_matches(['"', '\'']);
        let key_start = before
            .char_indices()
            .rev()
            .find(|(_, c)| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')))
            .map_or(0, |(i, c)| i + c.len_utf8());
        let key = &before[key_start..];
        if key.is_empty() || !is_secret_key(key) {
            continue;
        }
        let rest = &body[at + 1..];
        let value_start = at + 1 + (rest.len() - rest.trim_start().len());
        let value_end = body[value_start..]
            .find([',', '}', ']'])
            .map_or(body.len(), |i| value_start + i);
        if value_start < value_end {
            ranges.push(value_start..value_end);
        }
    }
    ranges.extend(word_ranges(body));
    ranges
}

/// Every quoted string's contents and every comment, as `*`, byte for byte (newlines kept):
/// the frame of a credential finding keeps its keys and layout and shows no value at all. A
/// string still open at the end of a line stays open (TOML's multi-line strings), so what
/// follows is masked too, erring on the side of hiding.
pub fn mask_literals(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut quote: Option<char> = None;
    let mut escaped = false;
    let mut comment = false;
    let hide = |out: &mut String, c: char| {
        for _ in 0..c.len_utf8() {
            out.push('*');
        }
    };
    for c in text.chars() {
        if c == '\n' {
            comment = false;
            escaped = false;
            out.push(c);
            continue;
        }
        match quote {
            Some(open) if !escaped && c == open => {
                quote = None;
                out.push(c);
            }
            Some(open) => {
                escaped = open == '"' && !escaped && c == '\\';
                hide(&mut out, c);
            }
            None if comment => hide(&mut out, c),
            None if c == '"' || c == '\'' => {
                quote = Some(c);
                out.push(c);
            }
            None if c == '#' => {
                comment = true;
                out.push(c);
            }
            None => out.push(c),
        }
    }
    out
}

/// `text` with every word shaped like a credential masked (a token, a URL with a credential, a
/// credential flag's value), the secret-named-key rule left out: for a message, a report or a
/// diff line, where `password: Required value` is prose, not a value. Offsets stay valid.
pub fn mask_words(text: &str) -> String {
    if text.len() < 15 {
        return text.to_owned();
    }
    fixed_point(text, mask_words_pass)
}

/// One masking pass of [`mask_words`].
fn mask_words_pass(text: &str) -> String {
    let mut ranges = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches(['\n', '\r']);
        ranges.extend(
            word_ranges(body)
                .into_iter()
                .map(|r| offset + r.start..offset + r.end),
        );
        offset += line.len();
    }
    masked(text, ranges)
}

/// Byte ranges of the credential-shaped words of one line (no line break in `body`).
fn word_ranges(body: &str) -> Vec<std::ops::Range<usize>> {
    let mut ranges = Vec::new();
    // Words: runs between spaces, quotes, commas and brackets.
    let separators =
        |c: char| c.is_whitespace() || matches!(c, '"' | '\'' | ',' | '[' | ']' | '{' | '}');
    let mut start = None;
    for (i, c) in body
        .char_indices()
        .chain(std::iter::once((body.len(), ' ')))
    {
        match (start, separators(c)) {
            (None, false) => start = Some(i),
            (Some(s), true) => {
                let word = &body[s..i];
                if looks_like_secret(word).is_some() {
                    ranges.push(s..i);
                } else if let Some(flag) = CREDENTIAL_FLAGS.iter().find(|f| is_flag(word, f))
                    && word.len() > flag.len() + 1
                {
                    ranges.push(s + flag.len() + 1..i);
                }
                start = None;
            }
            _ => {}
        }
    }
    ranges
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_key_shapes() {
        for secret in [
            "LTAI5tExampleExample12",
            "AKIAIOSFODNN7EXAMPLE",
            "hf_abcdefghijklmnopqrstuvwxyzABCDEF",
            "http://user:pw@oss-cn-hangzhou.aliyuncs.com",
            "-----BEGIN RSA PRIVATE KEY-----",
            "sk-proj-abcdefghijklmnopqrstuvwxyz0123456789",
            "ghs_abcdefghijklmnopqrstuvwxyz0123456789",
            "glpat-abcdefghijklmnopqrst",
            "xoxb-1234567890-abcdef",
            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlLXZhbHVl",
            "deploy:hunter2@ghcr.io/acme/vllm:v1",
            "https://bucket.s3.amazonaws.com/m?X-Amz-Signature=abc&x=1",
            "http://oss-cn-hangzhou.aliyuncs.com/?access_key=abc",
            "https://0123456789abcdef0123456789abcdef01234567@github.com/acme/stacks.git",
            "https://gitlab.example.com/acme/stacks.git?private_token=abc",
        ] {
            assert!(looks_like_secret(secret).is_some(), "{secret}");
        }
    }

    #[test]
    fn ordinary_values_pass() {
        for ok in [
            "oss-secret",
            "http://oss-cn-hangzhou-internal.aliyuncs.com",
            "oss://qwen-models/models/Qwen1.5-4B-Chat",
            "ac2-registry.cn-hangzhou.cr.aliyuncs.com/ac2/vllm:0.4.1-ubuntu22.04",
            "registry.example.com:5000/vllm@sha256:abcdef",
            "--trust-remote-code",
            "LTAI",
            "hf://Qwen/Qwen2.5-7B-Instruct@a09a35458c702b33eeacc393d103063234e8bc28",
            "https://example.com/?page=2",
            "ssh://git@github.com/acme/stacks.git",
            "git@github.com:acme/stacks.git",
        ] {
            assert_eq!(looks_like_secret(ok), None, "{ok}");
        }
    }

    #[test]
    fn secret_key_names() {
        for name in [
            "akSecret",
            "password",
            "DB_PASSWORD",
            "gitlab-token",
            "client_secret",
        ] {
            assert!(is_secret_key(name), "{name}");
        }
        for name in [
            "credentials",
            "max_tokens",
            "secret_env",
            "image_pull_secrets",
            "tokenizer",
        ] {
            assert!(!is_secret_key(name), "{name}");
        }
    }

    #[test]
    fn credential_flags_match_with_or_without_a_value() {
        assert!(is_flag("--api-key", "--api-key"));
        assert!(is_flag("--api-key=x", "--api-key"));
        assert!(!is_flag("--api-key-file", "--api-key"));
    }

    #[test]
    fn a_secret_document_shows_no_value_whatever_its_keys() {
        let text = "kind: ConfigMap\ndata:\n  config.json: visible\n---\napiVersion: v1\nkind: Secret\nstringData:\n  config.json: hidden-one\n  config.json: hidden-two\n  cert: |\n    hidden-three\ndata: {x: aGlkZGVu}\nmetadata:\n  name: s\n";
        let masked = redact(text);
        assert_eq!(masked.len(), text.len());
        assert!(masked.contains("config.json: visible"), "{masked}");
        for hidden in ["hidden-one", "hidden-two", "hidden-three", "aGlkZGVu"] {
            assert!(!masked.contains(hidden), "{masked}");
        }
        assert!(
            masked.contains("  config.json: *") && masked.contains("name: s"),
            "{masked}"
        );
    }

    #[test]
    fn messages_mask_credential_words_but_not_prose() {
        let message = "label value \"hf_abcdefghijklmnopqrstuvwxyzABCDEF\" is not valid at /data/password: Required value";
        let masked = mask_words(message);
        assert!(!masked.contains("hf_abc"), "{masked}");
        assert!(
            masked.ends_with("/data/password: Required value"),
            "{masked}"
        );
        let url = "https://admin:pw@host/x";
        assert_eq!(
            mask_words(&format!("key \"{url}\" is bad")),
            format!("key \"{}\" is bad", "*".repeat(url.len()))
        );
    }

    #[test]
    fn a_private_key_is_masked_whole() {
        let text = "a: 1\nkey: |\n  -----BEGIN PRIVATE KEY-----\n  MIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n  -----END PRIVATE KEY-----\nb: 2\n";
        let masked = redact(text);
        assert_eq!(masked.len(), text.len());
        assert!(!masked.contains("MIIE"), "{masked}");
        assert!(!masked.contains("END PRIVATE"), "{masked}");
        assert!(
            masked.starts_with("a: 1\n") && masked.ends_with("b: 2\n"),
            "{masked}"
        );
    }

    #[test]
    fn redaction_keeps_offsets_and_hides_only_secrets() {
        let text = "name = \"qwen\"\nakSecret = \"hunter2hunter2\"\nurl = \"http://u:pw@h/x\"\n  password: p4ss\nargs = [\"--api-key=abc\"]\nétat = \"ok\"\ncredentials = { akId = \"id1\", mode = \"x\" }\n";
        let redacted = redact(text);
        assert_eq!(redacted.len(), text.len());
        for gone in ["hunter2", "u:pw", "p4ss", "abc", "id1"] {
            assert!(!redacted.contains(gone), "{gone}: {redacted}");
        }
        for kept in [
            "name = \"qwen\"",
            "akSecret = ",
            "password: ",
            "--api-key=",
            "état = \"ok\"",
            "mode = \"x\"",
        ] {
            assert!(redacted.contains(kept), "{kept}: {redacted}");
        }
    }
}
