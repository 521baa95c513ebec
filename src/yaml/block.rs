//! A reader for block YAML, the style kubectl, Helm, Kustomize and inferstack write, straight
//! from lines to values without the event parser's tokens and events.
//!
//! It reads a strict subset and answers `None` for anything outside it, which the event parser
//! then reads: flow collections with content, anchors, aliases, tags, directives, `|+` and
//! indentation indicators, folding across empty or more indented lines, scalars over several
//! lines (plain or quoted), tabs, carriage returns, text outside printable ASCII, duplicate or
//! merge keys, keys with spaces or of 1,024 characters or more, and anything malformed.
//! So whatever it reads, it reads as the event parser does, with no problem to report; the
//! differential tests beside it and the `yaml_block` fuzz target hold it to that.

use serde_json::{Map, Value};

use super::{Document, scalar};

/// Deeper nesting is left to the event parser, which reports [`super::MAX_DEPTH`].
const MAX_NESTING: usize = 128;

/// Implicit keys are at most this long, as YAML 1.2 says (section 7.4.2) and the event parser
/// enforces; a longer one is left to it.
const MAX_KEY: usize = 1024;

/// The documents of `text`, or `None` when it is not plain block YAML.
pub fn read(text: &str) -> Option<Vec<Document>> {
    if !text
        .bytes()
        .all(|b| b == b'\n' || (b' '..=b'~').contains(&b))
    {
        return None;
    }
    let mut reader = Reader {
        lines: text.split('\n').collect(),
        at: 0,
        ends_with_newline: text.ends_with('\n'),
    };
    reader.stream()
}

struct Reader<'a> {
    lines: Vec<&'a str>,
    /// The next line to read.
    at: usize,
    ends_with_newline: bool,
}

/// How a line may start a mapping entry.
enum KeyLine<'a> {
    /// `key:` and what follows the colon (empty, or starting with a space).
    Key(String, &'a str),
    /// A scalar, not an entry.
    NotKey,
    /// Something this reader does not decide.
    Unsure,
}

impl<'a> Reader<'a> {
    fn stream(&mut self) -> Option<Vec<Document>> {
        let mut documents = Vec::new();
        loop {
            self.skip_blank();
            let Some(&line) = self.lines.get(self.at) else {
                return Some(documents);
            };
            let value = if line == "---" {
                self.at += 1;
                match self.peek() {
                    Some(_) => self.root()?,
                    None => Value::Null,
                }
            } else if is_marker(line) || line.starts_with('%') {
                return None;
            } else {
                self.root()?
            };
            documents.push(Document {
                index: documents.len(),
                value,
            });
            // After a document's node comes the end of the text or the next marker.
            self.skip_blank();
            if let Some(&line) = self.lines.get(self.at)
                && line != "---"
            {
                return None;
            }
        }
    }

    /// A document's node, which starts at the next content line.
    fn root(&mut self) -> Option<Value> {
        let (indent, _) = self.peek()?;
        self.node(indent, 0)
    }

    /// Skips lines that are empty, spaces or comments.
    fn skip_blank(&mut self) {
        while self.lines.get(self.at).is_some_and(|line| is_blank(line)) {
            self.at += 1;
        }
    }

    /// The indentation and content of the next content line, or `None` at the end of the text
    /// or of the document.
    fn peek(&mut self) -> Option<(usize, &'a str)> {
        self.skip_blank();
        let line = *self.lines.get(self.at)?;
        if is_marker(line) {
            return None;
        }
        let content = line.trim_start_matches(' ');
        Some((line.len() - content.len(), content))
    }

    /// The block mapping or sequence whose first line is the next content line, at `indent`.
    fn node(&mut self, indent: usize, depth: usize) -> Option<Value> {
        if depth >= MAX_NESTING {
            return None;
        }
        let (_, content) = self.peek()?;
        if is_item(content) {
            self.sequence(indent, depth)
        } else {
            self.at += 1;
            self.mapping(indent, content, depth)
        }
    }

    /// A block mapping at `indent` whose first entry is `first` (its line already consumed).
    fn mapping(&mut self, indent: usize, first: &'a str, depth: usize) -> Option<Value> {
        let mut map = Map::new();
        self.entry(first, indent, depth, &mut map)?;
        while let Some((at, content)) = self.peek() {
            if at < indent {
                break;
            }
            if at > indent || is_item(content) {
                return None;
            }
            self.at += 1;
            self.entry(content, indent, depth, &mut map)?;
        }
        Some(Value::Object(map))
    }

    fn entry(
        &mut self,
        text: &'a str,
        indent: usize,
        depth: usize,
        map: &mut Map<String, Value>,
    ) -> Option<()> {
        let KeyLine::Key(key, rest) = key_line(text) else {
            return None;
        };
        if map.contains_key(&key) {
            return None;
        }
        let value = match inline(rest) {
            Inline::Nothing => self.below(indent, depth, true)?,
            other => self.scalar(other, indent)?,
        };
        map.insert(key, value);
        Some(())
    }

    /// The value on the lines below a `key:` or a `-` with nothing after it, in a collection at
    /// `indent`: a more indented node; for a key, also a sequence at the key's own indentation
    /// (kubectl writes them so); else null.
    fn below(&mut self, indent: usize, depth: usize, key: bool) -> Option<Value> {
        match self.peek() {
            Some((at, _)) if at > indent => self.node(at, depth + 1),
            Some((at, content)) if key && at == indent && is_item(content) => {
                self.sequence(at, depth + 1)
            }
            _ => Some(Value::Null),
        }
    }

    /// A block sequence at `indent`, from its first item (the next content line).
    fn sequence(&mut self, indent: usize, depth: usize) -> Option<Value> {
        if depth >= MAX_NESTING {
            return None;
        }
        let mut items = Vec::new();
        while let Some((at, content)) = self.peek() {
            if at != indent || !is_item(content) {
                if at > indent {
                    return None;
                }
                break;
            }
            self.at += 1;
            let rest = &content[1..];
            let text = rest.trim_start_matches(' ');
            let column = indent + 1 + rest.len() - text.len();
            let item = match key_line(text) {
                KeyLine::Key(..) => self.mapping(column, text, depth + 1)?,
                KeyLine::Unsure => return None,
                KeyLine::NotKey => match inline(rest) {
                    Inline::Nothing => self.below(indent, depth, false)?,
                    other => self.scalar(other, indent)?,
                },
            };
            items.push(item);
        }
        Some(Value::Array(items))
    }

    /// The value of a scalar that starts on the line just read, in a collection at `parent`.
    fn scalar(&mut self, inline: Inline, parent: usize) -> Option<Value> {
        let value = match inline {
            Inline::Nothing | Inline::Unsure => return None,
            Inline::Value(value) => value,
            Inline::Block(header) => return self.block_scalar(parent, header),
        };
        // A more indented line after it would continue it, or be an error.
        match self.peek() {
            Some((at, _)) if at > parent => None,
            _ => Some(value),
        }
    }

    /// A block scalar whose header was on the line just read: literal (`|`, `|-`), or folded
    /// (`>`, `>-`) when its lines are all at one indentation with no empty line between them
    /// (then folding joins them with spaces; the other folding rules are the event parser's).
    fn block_scalar(&mut self, parent: usize, header: Header) -> Option<Value> {
        let first = *self.lines.get(self.at)?;
        let indent = first.len() - first.trim_start_matches(' ').len();
        if indent <= parent || indent == first.len() {
            return None;
        }
        let mut text = String::new();
        let mut pending_breaks = 0;
        while let Some(&line) = self.lines.get(self.at) {
            let spaces = line.len() - line.trim_start_matches(' ').len();
            let last = self.at + 1 == self.lines.len() && !self.ends_with_newline;
            if spaces == line.len() {
                // An empty line, unless it has spaces past the indentation (then it is content,
                // which is left to the event parser).
                if spaces > indent {
                    return None;
                }
                if last {
                    // Spaces ending a text with no line break are left to the event parser.
                    if spaces > 0 {
                        return None;
                    }
                    break;
                }
                pending_breaks += 1;
            } else if spaces >= indent {
                // Left to the event parser: a last line with no line break (its chomping), and
                // folding across empty or more indented lines.
                if last || (header.folded && (pending_breaks > 0 || spaces > indent)) {
                    return None;
                }
                for _ in 0..pending_breaks {
                    text.push('\n');
                }
                pending_breaks = 0;
                if !text.is_empty() {
                    text.push(if header.folded { ' ' } else { '\n' });
                }
                text.push_str(&line[indent..]);
            } else {
                break;
            }
            self.at += 1;
        }
        // The empty lines that ended it belong to no one; the next content line decides.
        if !header.strip {
            text.push('\n');
        }
        Some(Value::String(text))
    }
}

/// A block scalar's header: `|`, `|-`, `>` or `>-`.
#[derive(Clone, Copy)]
struct Header {
    folded: bool,
    strip: bool,
}

/// What follows a `key:` or a `-` on its line.
enum Inline {
    /// Nothing but spaces or a comment: the value is on the next lines, or null.
    Nothing,
    Value(Value),
    /// A block scalar's header.
    Block(Header),
    Unsure,
}

/// Reads `rest`, which is empty or starts with a space.
fn inline(rest: &str) -> Inline {
    let text = rest.trim_start_matches(' ');
    if text.is_empty() || text.starts_with('#') {
        return Inline::Nothing;
    }
    match text.as_bytes()[0] {
        b'|' | b'>' => {
            let (folded, strip) = match text.trim_end_matches(' ') {
                "|" => (false, false),
                "|-" => (false, true),
                ">" => (true, false),
                ">-" => (true, true),
                _ => return Inline::Unsure,
            };
            Inline::Block(Header { folded, strip })
        }
        b'"' => quoted(double_quoted(text)),
        b'\'' => quoted(single_quoted(text)),
        b'[' | b'{' => match before_comment(text) {
            Some("[]") => Inline::Value(Value::Array(Vec::new())),
            Some("{}") => Inline::Value(Value::Object(Map::new())),
            _ => Inline::Unsure,
        },
        _ => match plain(text) {
            Some(plain) => Inline::Value(scalar::resolve_plain(plain)),
            None => Inline::Unsure,
        },
    }
}

fn quoted(read: Option<(String, &str)>) -> Inline {
    match read {
        Some((value, rest)) if ends_line(rest) => Inline::Value(Value::String(value)),
        _ => Inline::Unsure,
    }
}

/// Whether `rest`, what follows a token, is nothing, spaces, or spaces and a comment.
fn ends_line(rest: &str) -> bool {
    let text = rest.trim_start_matches(' ');
    text.is_empty() || (text.starts_with('#') && text.len() < rest.len())
}

/// `text` without a trailing comment and spaces, when nothing else follows.
fn before_comment(text: &str) -> Option<&str> {
    let end = text.find(" #").unwrap_or(text.len());
    let (token, rest) = text.split_at(end);
    let token = token.trim_end_matches(' ');
    (ends_line(rest) && !token.contains(' ')).then_some(token)
}

/// A plain scalar that fills the rest of its line, or `None` for one this reader leaves alone
/// (an indicator first, a `: ` or a trailing `:` that would make it a key).
fn plain(text: &str) -> Option<&str> {
    let first = text.as_bytes()[0];
    let second = text.as_bytes().get(1).copied().unwrap_or(b' ');
    let indicator = matches!(
        first,
        b'[' | b']'
            | b'{'
            | b'}'
            | b','
            | b'#'
            | b'&'
            | b'*'
            | b'!'
            | b'|'
            | b'>'
            | b'\''
            | b'"'
            | b'%'
            | b'@'
            | b'`'
            | b'?'
            | b':'
    ) || (first == b'-' && second == b' ');
    if indicator {
        return None;
    }
    let end = text.find(" #").unwrap_or(text.len());
    let value = text[..end].trim_end_matches(' ');
    (!value.contains(": ") && !value.ends_with(':')).then_some(value)
}

/// How `text`, a line's content, starts a mapping entry.
fn key_line(text: &str) -> KeyLine<'_> {
    let (key, rest) = match text.as_bytes().first() {
        Some(b'"') => match double_quoted(text) {
            Some(read) => read,
            None => return KeyLine::Unsure,
        },
        Some(b'\'') => match single_quoted(text) {
            Some(read) => read,
            None => return KeyLine::Unsure,
        },
        _ => {
            let colon = text
                .find(": ")
                .or_else(|| text.ends_with(':').then(|| text.len() - 1));
            let Some(colon) = colon else {
                return KeyLine::NotKey;
            };
            let key = &text[..colon];
            let safe = key.bytes().enumerate().all(|(i, b)| {
                b.is_ascii_alphanumeric() || b == b'_' || (i > 0 && matches!(b, b'.' | b'/' | b'-'))
            });
            if key.is_empty() || !safe {
                return KeyLine::Unsure;
            }
            (key.to_owned(), &text[colon..])
        }
    };
    // YAML bounds an implicit key to 1024 characters; the event parser refuses longer ones.
    let written = text.len() - rest.len();
    match rest.strip_prefix(':') {
        Some(_) if written >= MAX_KEY => KeyLine::Unsure,
        Some(after) if after.is_empty() || after.starts_with(' ') => KeyLine::Key(key, after),
        _ if ends_line(rest) => KeyLine::NotKey,
        _ => KeyLine::Unsure,
    }
}

/// A double-quoted scalar on one line: its value and what follows the closing quote.
fn double_quoted(text: &str) -> Option<(String, &str)> {
    let mut value = String::new();
    let mut chars = text[1..].char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Some((value, &text[i + 2..])),
            '\\' => {
                let (_, escape) = chars.next()?;
                match escape {
                    '"' | '\\' | '/' => value.push(escape),
                    'n' => value.push('\n'),
                    't' => value.push('\t'),
                    'r' => value.push('\r'),
                    '0' => value.push('\0'),
                    'x' | 'u' => {
                        let digits = if escape == 'x' { 2 } else { 4 };
                        let mut code = 0;
                        for _ in 0..digits {
                            code = code * 16 + chars.next()?.1.to_digit(16)?;
                        }
                        value.push(char::from_u32(code)?);
                    }
                    _ => return None,
                }
            }
            _ => value.push(c),
        }
    }
    None
}

/// A single-quoted scalar on one line: its value and what follows the closing quote.
fn single_quoted(text: &str) -> Option<(String, &str)> {
    let mut value = String::new();
    let body = &text[1..];
    let mut start = 0;
    loop {
        let quote = start + body[start..].find('\'')?;
        value.push_str(&body[start..quote]);
        if body[quote + 1..].starts_with('\'') {
            value.push('\'');
            start = quote + 2;
        } else {
            return Some((value, &body[quote + 1..]));
        }
    }
}

fn is_blank(line: &str) -> bool {
    let content = line.trim_start_matches(' ');
    content.is_empty() || content.starts_with('#')
}

/// A line that starts or ends a document, or would be taken for one.
fn is_marker(line: &str) -> bool {
    line.starts_with("---") || line.starts_with("...")
}

fn is_item(content: &str) -> bool {
    content == "-" || content.starts_with("- ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Asserts that `text` is read here, exactly as the event parser reads it.
    fn read_alike(text: &str) {
        assert!(
            read(text).is_some(),
            "not read by the block reader: {text:?}"
        );
        assert_eq!(super::super::block_disagreement(text), None, "{text:?}");
    }

    /// Asserts that `text` is left to the event parser.
    fn left_alone(text: &str) {
        assert!(read(text).is_none(), "read by the block reader: {text:?}");
    }

    #[test]
    fn reads_block_yaml_as_the_event_parser_does() {
        for text in [
            "",
            "# only a comment\n",
            "a: 1\n",
            "a: 1",
            "---\na: 1\n",
            "a: 1\n---\n",
            "---\n",
            "---\n---\nb: x\n",
            "a: 1\n---\n# nothing\n---\nb: 2\n",
            "  a: 1\n  b: 2\n",
            "a:\n  b:\n    c: d\n  e: f\ng: h\n",
            "list:\n- a\n- b\nnext: 1\n",
            "list:\n  - a\n  -   b\n",
            "- a: 1\n  b: 2\n- c: 3\n",
            "- a:\n  - x\n  b: 1\n",
            "-\n  a: 1\n-\n- x\n",
            "- # note\n  a: 1\n",
            "a: # note\n  b: 1\n",
            "a:\n# between\n  b: 1\n",
            "a: yes\nb: 08\nc: 0x1F\nd: ~\ne: 1.5\nf: -3\ng: 30Gi\nh: null\ni:\n",
            "a: 'it''s'\nb: \"q \\\" \\\\ \\n \\t \\u00e9 \\x41\"\nc: ''\nd: \"\"\n",
            "\"quoted key\": 1\n'single': 2\n",
            "a: b # comment\nc: d#not\ne: http://x:80/p\n",
            "args:\n- --model\n- --port=8000\n- -v\n",
            "a: []\nb: {}\nc: [] # empty\n",
            "cmd: echo [x] {y}, z\n",
            "a: |\n  line 1\n\n  line 2\n    indented\nb: |-\n  stripped\n\n\nc: 1\n",
            "a: |\n  # not a comment\n  x\n# a comment\nb: 2\n",
            "- |\n  item\n- |-\n  item\n",
            "a: |\n  x\n\n",
            "a: >-\n  one line\nb: >\n  folded\n  into one\n",
            "app.kubernetes.io/name: x\nnetworking.knative.dev/visibility: cluster-local\n",
            "a: 1   \nb:   \n",
        ] {
            read_alike(text);
        }
    }

    #[test]
    fn leaves_everything_else_to_the_event_parser() {
        for text in [
            "a: [1, 2]\n",
            "a: {b: 1}\n",
            "a: &x 1\nb: *x\n",
            "a: !!str 1\n",
            "%YAML 1.2\n---\na: 1\n",
            "a: >\n  folded\n\n  after an empty line\n",
            "a: >\n  folded\n    more indented\n",
            "a: |+\n  kept\n",
            "a: |2\n  x\n",
            "a: plain\n  continued\n",
            "a: \"open\n  close\"\n",
            "a:\tb\n",
            "a: 1\r\n",
            "a: é\n",
            "a: 1\na: 2\n",
            "<<: {a: 1}\n",
            "a b: 1\n",
            "a : 1\n",
            "a: b: c\n",
            "a: - b\n",
            "- - a\n",
            "? a\n: b\n",
            "a: 1\n...\n",
            "--- a: 1\n",
            "hello\n",
            "a:\n  text\n",
            "a:\n    b: 1\n  c: 2\n",
            "a:\n  - x\n  b: 1\n",
            "a: |\n  x",
            "a: |\n\n  x\n",
            "a: |\n  x\n   \n",
            "a: \"\\q\"\n",
            // Found by fuzzing: the event parser keeps a break for spaces ending the text.
            "a: |\n  x\n  ",
            &format!("\"{}\": 1\n", "k".repeat(1100)),
        ] {
            left_alone(text);
        }
    }
}
