//! Multi-document YAML -> JSON values, the way Kubernetes reads manifests, with what a
//! validator needs and serde readers drop: each document's index, duplicate keys as problems
//! (not silently overwritten), and the line:column of any JSON Pointer.
//!
//! Positions cost nothing on the fast path: [`parse`] records none, and [`Positions::of`] re-reads
//! one document only when a finding needs a location.

mod block;
mod scalar;
mod windows;

pub use windows::{Scope, Window, Windows, windows};

use saphyr_parser::{Event, Marker, Parser, ScalarStyle, Span};
use serde_json::{Map, Value};

/// One document of a stream; `index` counts every document, empty ones included.
#[derive(Clone, Debug, PartialEq)]
pub struct Document {
    pub index: usize,
    pub value: Value,
}

/// What went wrong while reading a stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProblemKind {
    /// The text is not YAML; the rest of the stream cannot be read.
    Syntax,
    /// A mapping has the same key twice; the first value is kept.
    DuplicateKey,
    /// A mapping key that is itself a mapping or a sequence, which JSON (and so the API
    /// server, through sigs.k8s.io/yaml) cannot represent.
    ComplexKey,
}

/// What a mapping or sequence used as a key is read as (it is reported).
const COMPLEX_KEY: &str = "<complex key>";

/// A reading problem with its place: document, JSON Pointer, 1-based line and column.
#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    pub kind: ProblemKind,
    pub document: usize,
    pub pointer: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// A parsed stream: the documents read, and the problems found.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Stream {
    pub documents: Vec<Document>,
    pub problems: Vec<Problem>,
}

/// Deepest nesting of sequences and mappings read. Kubernetes objects nest a few dozen levels;
/// this bounds every recursive walk that follows (schemas, CEL, dropping the value).
pub const MAX_DEPTH: usize = 512;
/// Most nodes that aliases may expand to in one stream, as YAML libraries bound them against
/// "billion laughs" documents (a few hundred bytes that expand to gigabytes).
pub const MAX_ALIAS_NODES: usize = 1_000_000;

/// Reads every document of `text` (a large stream in parallel pieces: see [`windows`]).
pub fn parse(text: &str) -> Stream {
    let mut stream = Stream::default();
    for window in windows(text) {
        stream.documents.extend(window.stream.documents);
        stream.problems.extend(window.stream.problems);
    }
    stream
}

/// What the event parser says of a tab right after a mapping's `:`.
const TAB_SEPARATOR_ERROR: &str = "must be followed by a valid YAML whitespace";

/// Reads `text`, recording the positions of the documents in `record`. Plain block YAML is read
/// by [`block`], which records no positions; the rest, and positions, by the event parser.
fn read(text: &str, record: Vec<usize>) -> Builder {
    if record.is_empty()
        && let Some(documents) = block::read(text)
    {
        return Builder::of(documents);
    }
    read_events(text, record)
}

/// The documents of `text` as the block reader reads them, `None` where it leaves the text to
/// the event parser.
pub fn parse_block(text: &str) -> Option<Vec<Document>> {
    block::read(text)
}

/// How the block reader's reading of `text` differs from the event parser's (other documents,
/// values or key order, or a problem it did not report); `None` when they agree or it leaves
/// `text` alone. The property the differential tests and the `yaml_block` fuzz target check.
pub fn block_disagreement(text: &str) -> Option<String> {
    let documents = block::read(text)?;
    let events = read_events(text, Vec::new()).stream;
    let in_order = |documents: &[Document]| {
        let values: Vec<&Value> = documents.iter().map(|d| &d.value).collect();
        serde_json::to_string(&values).unwrap_or_default()
    };
    if !events.problems.is_empty() {
        Some(format!("the event parser found {:?}", events.problems))
    } else if documents != events.documents || in_order(&documents) != in_order(&events.documents) {
        Some(format!(
            "block reader {documents:?}, event parser {:?}",
            events.documents
        ))
    } else {
        None
    }
}

/// Reads `text` with the event parser. go-yaml (and so the API server) takes a tab after a
/// mapping's `:` as the separating space (`k:\tv`); the event parser does not, so a stream it
/// refuses for that alone is read again with those tabs as spaces, byte for byte, so every
/// position stays right.
fn read_events(text: &str, record: Vec<usize>) -> Builder {
    let mut builder = Builder::new(record.clone());
    builder.run(text);
    let tab_refused = builder
        .stream
        .problems
        .iter()
        .any(|p| p.kind == ProblemKind::Syntax && p.message.contains(TAB_SEPARATOR_ERROR));
    if tab_refused && text.contains(":\t") {
        let mut again = Builder::new(record);
        again.run(&text.replace(":\t", ": "));
        if !again
            .stream
            .problems
            .iter()
            .any(|p| p.kind == ProblemKind::Syntax)
        {
            return again;
        }
    }
    builder
}

/// The positions of one document's nodes, for turning JSON Pointers into line:column.
#[derive(Debug, Default)]
pub struct Positions {
    /// (pointer, 1-based line, 1-based column), in document order.
    nodes: Vec<(String, usize, usize)>,
}

impl Positions {
    /// Re-reads `text` and records where each node of document `index` starts (for mapping
    /// members, where their key starts).
    pub fn of(text: &str, index: usize) -> Positions {
        Positions::of_documents(text, &[index])
            .pop()
            .map(|(_, p)| p)
            .unwrap_or_default()
    }

    /// The positions of several documents from one reading of `text`, so locating the findings
    /// of a file costs one pass however many documents have findings. Reading stops after the
    /// last document asked for.
    pub fn of_documents(text: &str, indices: &[usize]) -> Vec<(usize, Positions)> {
        let mut record = indices.to_vec();
        record.sort_unstable();
        record.dedup();
        let builder = read(text, record.clone());
        let mut all: Vec<(usize, Positions)> = record
            .into_iter()
            .map(|i| (i, Positions::default()))
            .collect();
        for (document, pointer, line, column) in builder.positions {
            if let Ok(i) = all.binary_search_by_key(&document, |(d, _)| *d) {
                all[i].1.nodes.push((pointer, line, column));
            }
        }
        all
    }

    /// The line and column of `pointer`, or of its deepest ancestor that exists (a missing
    /// required field is reported where its parent is).
    pub fn locate(&self, pointer: &str) -> Option<(usize, usize)> {
        let mut target = pointer;
        loop {
            if let Some((_, line, column)) = self.nodes.iter().find(|(p, _, _)| p == target) {
                return Some((*line, *column));
            }
            if target.is_empty() {
                return None;
            }
            target = target.rsplit_once('/').map_or("", |(parent, _)| parent);
        }
    }
}

/// How many nodes a value has, itself included.
fn node_count(value: &Value) -> usize {
    match value {
        Value::Array(items) => 1 + items.iter().map(node_count).sum::<usize>(),
        Value::Object(map) => 1 + map.values().map(node_count).sum::<usize>(),
        _ => 1,
    }
}

/// Escapes one JSON Pointer segment (RFC 6901).
pub fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

enum Frame {
    Sequence {
        items: Vec<Value>,
        anchor: usize,
        /// Where the node starts, for a problem about the node as a whole.
        start: Marker,
    },
    Mapping {
        map: Map<String, Value>,
        key: Option<(String, Marker)>,
        anchor: usize,
        /// Keys that came from a merge key (`<<`): an explicit key replaces them, not repeats.
        merged: Vec<String>,
        start: Marker,
    },
}

struct Builder {
    stream: Stream,
    frames: Vec<Frame>,
    /// (anchor id, value, how many nodes the value has).
    anchors: Vec<(usize, Value, usize)>,
    /// Nodes produced by expanding aliases so far in the stream.
    alias_nodes: usize,
    /// Set when a limit stops the reading.
    stopped: bool,
    document: Option<usize>,
    /// The documents whose positions are recorded, sorted; none when only parsing.
    record: Vec<usize>,
    /// (document, pointer, line, column).
    positions: Vec<(usize, String, usize, usize)>,
}

impl Builder {
    fn new(record: Vec<usize>) -> Builder {
        Builder {
            stream: Stream::default(),
            frames: Vec::new(),
            anchors: Vec::new(),
            alias_nodes: 0,
            stopped: false,
            document: None,
            record,
            positions: Vec::new(),
        }
    }

    /// The reading of a stream whose documents were read without events (so without problems).
    fn of(documents: Vec<Document>) -> Builder {
        let mut builder = Builder::new(Vec::new());
        builder.document = documents.len().checked_sub(1);
        builder.stream.documents = documents;
        builder
    }

    fn run(&mut self, text: &str) {
        let last = self.record.last().copied();
        for event in Parser::new_from_str(text) {
            if last.is_some_and(|last| self.document.is_some_and(|d| d > last)) {
                return;
            }
            if self.stopped {
                return;
            }
            match event {
                Ok((event, span)) => self.event(event, span),
                Err(error) => {
                    let mark = error.marker();
                    self.stream.problems.push(Problem {
                        kind: ProblemKind::Syntax,
                        document: self.document.map_or(0, |d| d),
                        pointer: String::new(),
                        line: mark.line(),
                        column: mark.col() + 1,
                        message: error.info().to_owned(),
                    });
                    return;
                }
            }
        }
    }

    fn recording(&self) -> bool {
        self.document
            .is_some_and(|d| self.record.binary_search(&d).is_ok())
    }

    /// The JSON Pointer of the node about to be completed at the top of the stack.
    fn pointer(&self) -> String {
        let mut pointer = String::new();
        for frame in &self.frames {
            pointer.push('/');
            match frame {
                Frame::Sequence { items, .. } => pointer.push_str(&items.len().to_string()),
                Frame::Mapping { key, .. } => {
                    pointer.push_str(&escape(key.as_ref().map_or("", |(k, _)| k.as_str())))
                }
            }
        }
        pointer
    }

    /// Records where a sequence item or the root starts; mapping members are recorded at their
    /// key instead, which is where a reader looks for them.
    fn mark_node(&mut self, start: Marker) {
        if self.recording() && !matches!(self.frames.last(), Some(Frame::Mapping { .. })) {
            let pointer = self.pointer();
            let document = self.document.unwrap_or(0);
            self.positions
                .push((document, pointer, start.line(), start.col() + 1));
        }
    }

    fn event(&mut self, event: Event<'_>, span: Span) {
        match event {
            Event::DocumentStart(_) => {
                self.document = Some(self.document.map_or(0, |d| d + 1));
                self.anchors.clear();
            }
            Event::Scalar(text, style, anchor, tag) => {
                self.mark_node(span.start);
                // Keys stay as written: `n:` is the key "n", not the boolean false.
                let is_key = matches!(self.frames.last(), Some(Frame::Mapping { key: None, .. }));
                // A core tag (`!!int "12"`) decides the type whatever the style, as in go-yaml.
                let tagged = tag
                    .as_ref()
                    .filter(|_| !is_key)
                    .and_then(|t| scalar::resolve_tagged(&t.suffix, &text));
                let keep_string = is_key
                    || style != ScalarStyle::Plain
                    || tag.as_ref().is_some_and(|t| t.suffix == "str");
                let value = match tagged {
                    Some(value) => value,
                    None if keep_string => Value::String(text.into_owned()),
                    None => scalar::resolve_plain(&text),
                };
                self.complete(value, anchor, span.start);
            }
            Event::SequenceStart(anchor, _) => {
                if self.too_deep(span.start) {
                    return;
                }
                self.mark_node(span.start);
                self.frames.push(Frame::Sequence {
                    items: Vec::new(),
                    anchor,
                    start: span.start,
                });
            }
            Event::MappingStart(anchor, _) => {
                if self.too_deep(span.start) {
                    return;
                }
                self.mark_node(span.start);
                self.frames.push(Frame::Mapping {
                    map: Map::new(),
                    key: None,
                    anchor,
                    merged: Vec::new(),
                    start: span.start,
                });
            }
            Event::SequenceEnd => {
                if let Some(Frame::Sequence {
                    items,
                    anchor,
                    start,
                }) = self.frames.pop()
                {
                    self.complete(Value::Array(items), anchor, start);
                }
            }
            Event::MappingEnd => {
                if let Some(Frame::Mapping {
                    map, anchor, start, ..
                }) = self.frames.pop()
                {
                    self.complete(Value::Object(map), anchor, start);
                }
            }
            Event::Alias(id) => {
                self.mark_node(span.start);
                let (value, nodes) = self
                    .anchors
                    .iter()
                    .rev()
                    .find(|(a, _, _)| *a == id)
                    .map_or((Value::Null, 1), |(_, v, n)| (v.clone(), *n));
                self.alias_nodes += nodes;
                if self.alias_nodes > MAX_ALIAS_NODES {
                    self.stop(
                        span.start,
                        format!("aliases expand to more than {MAX_ALIAS_NODES} nodes; a manifest that repeats itself this much is refused (\"billion laughs\")"),
                    );
                    return;
                }
                self.complete(value, 0, span.start);
            }
            Event::StreamStart | Event::StreamEnd | Event::DocumentEnd | Event::Nothing => {}
        }
    }

    /// Stops reading the stream with a problem at `at`.
    fn stop(&mut self, at: Marker, message: String) {
        self.stream.problems.push(Problem {
            kind: ProblemKind::Syntax,
            document: self.document.unwrap_or(0),
            pointer: String::new(),
            line: at.line(),
            column: at.col() + 1,
            message,
        });
        self.stopped = true;
        self.frames.clear();
    }

    /// Whether one more level of nesting passes [`MAX_DEPTH`] (then reading stops).
    fn too_deep(&mut self, at: Marker) -> bool {
        let deep = self.frames.len() >= MAX_DEPTH;
        if deep {
            self.stop(
                at,
                format!("nesting deeper than {MAX_DEPTH} levels is refused"),
            );
        }
        deep
    }

    /// A node is finished: store its anchor and put it where it belongs.
    fn complete(&mut self, value: Value, anchor: usize, start: Marker) {
        if anchor > 0 {
            self.anchors
                .push((anchor, value.clone(), node_count(&value)));
        }
        match self.frames.last_mut() {
            None => self.stream.documents.push(Document {
                index: self.document.unwrap_or(0),
                value,
            }),
            Some(Frame::Sequence { items, .. }) => items.push(value),
            Some(Frame::Mapping {
                key: key @ None, ..
            }) => {
                let complex = matches!(value, Value::Object(_) | Value::Array(_));
                let text = match value {
                    Value::String(s) => s,
                    // Serialising a nested key would nest its escapes level by level and grow
                    // exponentially (found by fuzzing); it is refused with a placeholder.
                    Value::Object(_) | Value::Array(_) => COMPLEX_KEY.to_owned(),
                    other => other.to_string(),
                };
                *key = Some((text, start));
                if complex {
                    let pointer = self.pointer();
                    self.stream.problems.push(Problem {
                        kind: ProblemKind::ComplexKey,
                        document: self.document.unwrap_or(0),
                        pointer,
                        line: start.line(),
                        column: start.col() + 1,
                        message: "a mapping key is a mapping or a sequence; Kubernetes objects are JSON, whose keys are strings".to_owned(),
                    });
                }
                if self.recording() {
                    let pointer = self.pointer();
                    let document = self.document.unwrap_or(0);
                    self.positions
                        .push((document, pointer, start.line(), start.col() + 1));
                }
            }
            Some(Frame::Mapping { .. }) => self.insert_member(value),
        }
    }

    fn insert_member(&mut self, value: Value) {
        let pointer_if_duplicate = {
            let Some(Frame::Mapping {
                map, key, merged, ..
            }) = self.frames.last()
            else {
                return;
            };
            let name = key.as_ref().map_or("", |(k, _)| k.as_str());
            let repeated = map.contains_key(name) && !merged.iter().any(|m| m == name);
            (name != "<<" && repeated).then(|| self.pointer())
        };
        let Some(Frame::Mapping {
            map, key, merged, ..
        }) = self.frames.last_mut()
        else {
            return;
        };
        let Some((name, at)) = key.take() else {
            return;
        };
        if let Some(pointer) = pointer_if_duplicate {
            self.stream.problems.push(Problem {
                kind: ProblemKind::DuplicateKey,
                document: self.document.unwrap_or(0),
                pointer,
                line: at.line(),
                column: at.col() + 1,
                message: format!(
                    "the key {name:?} appears twice in one mapping; the first value is used"
                ),
            });
            return;
        }
        if name == "<<" {
            // YAML merge keys: members of the merged mapping(s) that are not set here.
            let sources = match value {
                Value::Array(items) => items,
                other => vec![other],
            };
            for source in sources {
                if let Value::Object(members) = source {
                    for (k, v) in members {
                        if !map.contains_key(&k) {
                            merged.push(k.clone());
                            map.insert(k, v);
                        }
                    }
                }
            }
            return;
        }
        // An explicit key wins over a merged one, wherever the merge key stands.
        merged.retain(|m| *m != name);
        map.insert(name, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mapping_used_as_a_key_is_refused_without_serialising_it() {
        // Each level of `{...}: x` as a key used to be serialised into the next one's, its
        // escapes doubling per level: 30 levels took gigabytes (found by fuzzing).
        let text = "a: ".to_owned() + &"{{".repeat(30) + "b: c" + &"}: x}".repeat(30) + "\n";
        let stream = parse(&text);
        assert!(
            stream
                .problems
                .iter()
                .any(|p| p.kind == ProblemKind::ComplexKey),
            "{:?}",
            stream.problems
        );
        let [only] = &parse("{[1, 2]: x}\n").problems[..] else {
            panic!("one problem expected");
        };
        assert_eq!(
            (only.kind, only.line, only.column),
            (ProblemKind::ComplexKey, 1, 2)
        );
    }
    use serde_json::json;

    #[test]
    fn reads_every_document_with_its_index() {
        let stream = parse("a: 1\n---\n---\nb: [x, 2]\n...\n");
        assert!(stream.problems.is_empty());
        let values: Vec<_> = stream
            .documents
            .iter()
            .map(|d| (d.index, d.value.clone()))
            .collect();
        assert_eq!(
            values,
            vec![
                (0, json!({"a": 1})),
                (1, json!(null)),
                (2, json!({"b": ["x", 2]}))
            ]
        );
    }

    #[test]
    fn duplicate_keys_are_problems_with_a_pointer() {
        let stream = parse("metadata:\n  name: a\n  name: b\n");
        assert_eq!(
            stream.documents[0].value,
            json!({"metadata": {"name": "a"}})
        );
        let problem = &stream.problems[0];
        assert_eq!(problem.kind, ProblemKind::DuplicateKey);
        assert_eq!(
            (problem.pointer.as_str(), problem.line, problem.column),
            ("/metadata/name", 3, 3)
        );
    }

    #[test]
    fn quoted_scalars_stay_strings_and_anchors_resolve() {
        let stream =
            parse("a: &x \"1\"\nb: *x\nc: on\nbase: &b {k: 1}\nd:\n  <<: *b\n  j: 2\nn: 3\n");
        assert_eq!(
            stream.documents[0].value,
            json!({"a": "1", "b": "1", "c": true, "base": {"k": 1}, "d": {"k": 1, "j": 2}, "n": 3})
        );
    }

    #[test]
    fn syntax_errors_are_located() {
        let stream = parse("a: 1\n---\nb: [1, 2\n");
        assert_eq!(stream.documents.len(), 1);
        let problem = &stream.problems[0];
        assert_eq!(problem.kind, ProblemKind::Syntax);
        assert_eq!(problem.document, 1);
        assert!(problem.line >= 3, "{problem:?}");
    }

    #[test]
    fn positions_locate_pointers_and_fall_back_to_the_parent() {
        let text = "x: 1\n---\nspec:\n  listeners:\n  - name: a\n    port: 80\n  - name: b\n";
        let positions = Positions::of(text, 1);
        assert_eq!(positions.locate("/spec/listeners/1/name"), Some((7, 5)));
        assert_eq!(positions.locate("/spec/listeners/0/port"), Some((6, 5)));
        assert_eq!(positions.locate("/spec/listeners/0/missing"), Some((5, 5)));
        assert_eq!(positions.locate("/spec"), Some((3, 1)));
    }

    #[test]
    fn junk_never_panics() {
        for text in [
            "{",
            "]",
            "a: b: c",
            "- a\nb: c",
            "&a *a",
            "*missing",
            "? [a]\n: b",
            "\u{0}",
            "%YAML 9.9\n---\n",
        ] {
            let _ = parse(text);
            let _ = Positions::of(text, 0).locate("/a");
        }
    }

    /// 9 levels of 9 aliases: 496 bytes that would expand to 387 million nodes.
    #[test]
    fn alias_bombs_stop_at_the_expansion_limit() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x]\n");
        for i in 1..9 {
            let refs = vec![format!("*a{}", i - 1); 9].join(", ");
            text.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
        }
        let stream = parse(&text);
        assert_eq!(stream.problems.len(), 1);
        assert!(
            stream.problems[0]
                .message
                .contains("aliases expand to more than")
        );
        // Ordinary anchors still work.
        let fine = parse("base: &b {x: 1}\nuse: *b\n");
        assert!(fine.problems.is_empty());
        assert_eq!(fine.documents[0].value["use"]["x"], 1);
    }

    #[test]
    fn nesting_stops_at_the_depth_limit() {
        let stream = parse(&"- ".repeat(100_000));
        assert_eq!(stream.problems.len(), 1);
        assert!(
            stream.problems[0]
                .message
                .contains("nesting deeper than 512")
        );
        let mut deep = String::new();
        for i in 0..MAX_DEPTH - 1 {
            deep.push_str(&" ".repeat(i));
            deep.push_str("a:\n");
        }
        assert!(parse(&deep).problems.is_empty());
    }

    #[test]
    fn explicit_keys_override_merged_ones_in_any_order() {
        let stream =
            parse("base: &b {x: 1, y: 2}\nafter:\n  <<: *b\n  x: 3\nbefore:\n  x: 4\n  <<: *b\n");
        assert!(stream.problems.is_empty(), "{:?}", stream.problems);
        let value = &stream.documents[0].value;
        assert_eq!(value["after"], json!({"x": 3, "y": 2}));
        assert_eq!(value["before"], json!({"x": 4, "y": 2}));
        // Two explicit keys are still a duplicate.
        assert_eq!(parse("a: 1\na: 2\n").problems.len(), 1);
    }

    #[test]
    fn core_tags_decide_the_type() {
        let stream = parse(
            "i: !!int \"12\"\nf: !!float \"1.5\"\nb: !!bool \"true\"\ns: !!str 12\nn: !!null \"\"\n",
        );
        assert_eq!(
            stream.documents[0].value,
            json!({"i": 12, "f": 1.5, "b": true, "s": "12", "n": null})
        );
    }

    #[test]
    fn a_tab_after_a_colon_separates_like_a_space() {
        let stream = parse("a:\tx\nb: [1, 2]\n");
        assert!(stream.problems.is_empty(), "{:?}", stream.problems);
        assert_eq!(stream.documents[0].value, json!({"a": "x", "b": [1, 2]}));
        assert_eq!(Positions::of("a:\tx\nb: 1\n", 0).locate("/b"), Some((2, 1)));
        // Elsewhere a tab is still what the parser says it is.
        assert!(!parse("a: [1,\n\t2\n").problems.is_empty());
    }
}
