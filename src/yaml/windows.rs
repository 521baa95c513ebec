//! A large stream read a window at a time, each window's pieces in parallel, so a caller that
//! is done with a window's values before asking for the next holds one window, not the stream.
//!
//! A stream is cut at its document markers: a line that starts with `---` and a space or line
//! break always starts a document (YAML 1.2's `c-forbidden`: no scalar may contain one), so
//! each piece reads alone exactly as in the whole, and the pieces are joined as one reading
//! would have numbered them. After a piece whose reading stopped (a syntax error, a limit),
//! nothing more is read, as one reading would never have reached it.

use rayon::prelude::*;

use super::{Builder, Positions, ProblemKind, Stream, read};

/// Streams smaller than twice this are read in one piece: splitting costs more than it saves.
const PIECE_BYTES: usize = 256 * 1024;

/// Pieces per window: work for both cores, and about 2 MiB of text, whose values are some
/// 20 MB.
const WINDOW_PIECES: usize = 8;

/// Where a window lies in its stream, to locate its documents again without re-reading what
/// comes before it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Scope {
    /// Byte range of the window in the text.
    start: usize,
    end: usize,
    /// Lines and documents of the stream before the window.
    lines_before: usize,
    documents_before: usize,
}

impl Scope {
    /// The window read again alone, its documents and problems numbered as in the whole
    /// stream: as it was read the first time.
    pub fn read(&self, text: &str) -> Stream {
        let window = text.get(self.start..self.end).unwrap_or_default();
        let mut stream = read(window, Vec::new()).stream;
        renumber(&mut stream, self.documents_before, self.lines_before);
        stream
    }

    /// The positions of `indices` (documents numbered in the whole stream, all in this window)
    /// from one reading of the window's text, with lines counted from the start of `text`.
    pub fn positions(&self, text: &str, indices: &[usize]) -> Vec<(usize, Positions)> {
        let local: Vec<usize> = indices
            .iter()
            .filter_map(|i| i.checked_sub(self.documents_before))
            .collect();
        let window = text.get(self.start..self.end).unwrap_or_default();
        Positions::of_documents(window, &local)
            .into_iter()
            .map(|(index, mut positions)| {
                for (_, line, _) in &mut positions.nodes {
                    *line += self.lines_before;
                }
                (index + self.documents_before, positions)
            })
            .collect()
    }
}

/// Documents and problems of one window, numbered (documents, lines) as in the whole stream.
#[derive(Debug)]
pub struct Window {
    pub stream: Stream,
    pub scope: Scope,
}

/// The windows of a stream, in order; see [`windows`].
pub struct Windows<'a> {
    text: &'a str,
    /// (start, end, lines before start) of each piece.
    pieces: Vec<(usize, usize, usize)>,
    next: usize,
    documents_before: usize,
    stopped: bool,
}

/// Reads `text` window by window: a small stream is one window of one piece.
pub fn windows(text: &str) -> Windows<'_> {
    Windows {
        text,
        pieces: pieces(text),
        next: 0,
        documents_before: 0,
        stopped: false,
    }
}

impl Iterator for Windows<'_> {
    type Item = Window;

    fn next(&mut self) -> Option<Window> {
        if self.stopped || self.next >= self.pieces.len() {
            return None;
        }
        let end = (self.next + WINDOW_PIECES).min(self.pieces.len());
        let batch = &self.pieces[self.next..end];
        self.next = end;
        let text = self.text;
        let read_one =
            |&(start, end, _): &(usize, usize, usize)| read(&text[start..end], Vec::new());
        let builders: Vec<Builder> = if batch.len() == 1 {
            batch.iter().map(read_one).collect()
        } else {
            batch.par_iter().map(read_one).collect()
        };
        let scope = Scope {
            start: batch[0].0,
            end: batch[batch.len() - 1].1,
            lines_before: batch[0].2,
            documents_before: self.documents_before,
        };
        let mut stream = Stream::default();
        for (&(_, _, lines_before), builder) in batch.iter().zip(builders) {
            let stopped = builder.stopped
                || builder
                    .stream
                    .problems
                    .iter()
                    .any(|p| p.kind == ProblemKind::Syntax);
            let seen = builder.document.map_or(0, |d| d + 1);
            let mut piece = builder.stream;
            renumber(&mut piece, self.documents_before, lines_before);
            stream.documents.extend(piece.documents);
            stream.problems.extend(piece.problems);
            if stopped {
                self.stopped = true;
                break;
            }
            self.documents_before += seen;
        }
        Some(Window { stream, scope })
    }
}

/// Numbers the documents and problems of a part of a stream read alone as in the whole stream,
/// where `documents` documents and `lines` lines come before the part.
fn renumber(stream: &mut Stream, documents: usize, lines: usize) {
    for document in &mut stream.documents {
        document.index += documents;
    }
    for problem in &mut stream.problems {
        problem.document += documents;
        problem.line += lines;
    }
}

/// Whether `text` may hold an alias (`*name` where a node can start). Over-approximate: a `*`
/// in a plain string after a space counts too, which only costs the parallel reading.
fn may_use_aliases(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.iter().enumerate().any(|(i, &b)| {
        b == b'*'
            && (i == 0 || matches!(bytes[i - 1], b' ' | b'\t' | b'\n' | b'[' | b'{' | b','))
            && bytes
                .get(i + 1)
                .is_some_and(|next| !next.is_ascii_whitespace() && *next != b'*')
    })
}

/// Where to cut `text`: (start, end, lines before start) of pieces of at least [`PIECE_BYTES`],
/// each but the first starting at a document marker. Read in one piece: a stream with
/// directives (`%YAML`, `%TAG`, which bind to the next document), and one that may use
/// aliases, so that [`super::MAX_ALIAS_NODES`] keeps bounding the whole stream, not each piece.
fn pieces(text: &str) -> Vec<(usize, usize, usize)> {
    if text.len() < 2 * PIECE_BYTES
        || text.starts_with('%')
        || text.contains("\n%")
        || may_use_aliases(text)
    {
        return vec![(0, text.len(), 0)];
    }
    let mut pieces = Vec::new();
    let (mut start, mut lines_before, mut lines) = (0, 0, 0);
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let at_marker = line.starts_with("---") && line[3..].starts_with([' ', '\t', '\n', '\r'])
            || line == "---";
        if at_marker && offset - start >= PIECE_BYTES {
            pieces.push((start, offset, lines_before));
            start = offset;
            lines_before = lines;
        }
        offset += line.len();
        lines += 1;
    }
    pieces.push((start, text.len(), lines_before));
    pieces
}

#[cfg(test)]
mod tests {
    use super::super::{parse, read_events};
    use super::*;

    /// A stream large enough to be read in pieces: the golden gateway-api stream, repeated,
    /// with a block scalar holding an indented `---` line, which is not a marker.
    fn large_stream() -> String {
        let golden = include_str!("../../golden/qwen.gateway-api.yaml");
        let mut text = String::from("# a header comment\n");
        for i in 0..60 {
            text.push_str(&golden.replace("qwen", &format!("qwen-{i}")));
            text.push_str("---\nkind: Note\ntext: |\n  ---\n  not a marker\n");
        }
        text
    }

    #[test]
    fn a_stream_read_in_pieces_is_read_as_in_one() {
        let text = large_stream();
        assert!(pieces(&text).len() > 1, "the test stream is not cut");
        let whole = read_events(&text, Vec::new()).stream;
        assert_eq!(parse(&text), whole);
        // A syntax error in a later piece: the same problem at the same line, nothing after it.
        let broken = format!("{text}---\nkey: [unclosed\n---\nafter: 1\n{text}");
        let whole = read_events(&broken, Vec::new()).stream;
        let pieces_read = parse(&broken);
        assert_eq!(pieces_read, whole);
        assert!(
            pieces_read
                .problems
                .iter()
                .any(|p| p.kind == ProblemKind::Syntax)
        );
        // Directives bind to the next document, and the alias budget is the stream's: such
        // streams are read whole.
        assert_eq!(pieces(&format!("%YAML 1.2\n{text}")).len(), 1);
        assert_eq!(pieces(&format!("a: &x [1]\nb: *x\n{text}")).len(), 1);
        assert!(!may_use_aliases(
            "hosts: [\"*.example.com\"]\nsize: 2 * 3\n"
        ));
        assert!(may_use_aliases("- *anchor\n"));
    }

    #[test]
    fn a_stream_read_in_windows_locates_its_documents_as_one_reading() {
        let text = large_stream().repeat(4);
        let windows: Vec<Window> = windows(&text).collect();
        assert!(windows.len() > 1, "the test stream is one window");
        let last = windows.last().expect("a window");
        let document = last.stream.documents.last().expect("a document").index;
        let [(index, positions)] = &last.scope.positions(&text, &[document])[..] else {
            panic!("one document asked for");
        };
        assert_eq!(*index, document);
        let whole = Positions::of(&text, document);
        assert_eq!(positions.nodes, whole.nodes);
        assert!(
            positions
                .locate("/text")
                .is_some_and(|(line, _)| line > 10_000)
        );
    }
}
