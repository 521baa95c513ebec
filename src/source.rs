//! Owns the text of every loaded stack file. `Span` is how every later stage points back
//! at the source; this is the only module that turns byte offsets into line:column.

use std::sync::Arc;

/// Index of a file in the [`SourceMap`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FileId(pub u32);

/// A byte range in one source file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    pub file: FileId,
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(file: FileId, range: std::ops::Range<usize>) -> Span {
        Span {
            file,
            start: range.start,
            end: range.end,
        }
    }

    /// An empty span at the start of a file, for values that have no text of their own.
    pub fn file_start(file: FileId) -> Span {
        Span {
            file,
            start: 0,
            end: 0,
        }
    }
}

/// A value together with where it was written (or, for defaults, the table it belongs to).
#[derive(Clone, Debug, PartialEq)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Span,
}

impl<T> Spanned<T> {
    pub fn new(value: T, span: Span) -> Spanned<T> {
        Spanned { value, span }
    }
}

/// One loaded file: the path as the user named it (used in messages) and its text.
#[derive(Debug)]
pub struct SourceFile {
    pub name: String,
    pub text: Arc<str>,
    /// Byte offset of each line's start, computed on first use, so locating any number of
    /// findings costs one scan of the file.
    line_starts: std::sync::OnceLock<Vec<usize>>,
}

impl SourceFile {
    /// The 0-based line a byte offset is on.
    pub fn line_index(&self, offset: usize) -> usize {
        self.line_starts()
            .partition_point(|&s| s <= offset)
            .saturating_sub(1)
    }

    /// Byte offset of the start of each line (0-based lines).
    pub fn line_starts(&self) -> &[usize] {
        self.line_starts.get_or_init(|| {
            std::iter::once(0)
                .chain(self.text.match_indices('\n').map(|(i, _)| i + 1))
                .collect()
        })
    }
}

/// Every source text of one run, addressed by [`FileId`].
#[derive(Debug, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

impl SourceMap {
    pub fn add(&mut self, name: impl Into<String>, text: impl Into<Arc<str>>) -> FileId {
        let id = FileId(u32::try_from(self.files.len()).unwrap_or(u32::MAX));
        self.files.push(SourceFile {
            name: name.into(),
            text: text.into(),
            line_starts: std::sync::OnceLock::new(),
        });
        id
    }

    pub fn file(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    pub fn files(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files
            .iter()
            .enumerate()
            .map(|(i, f)| (FileId(i as u32), f))
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, file: FileId, offset: usize) -> (usize, usize) {
        let source = self.file(file);
        let text = &source.text;
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let line = source.line_index(offset);
        let line_start = source.line_starts()[line];
        let col = text[line_start..offset].chars().count() + 1;
        (line + 1, col)
    }

    /// The byte offset of a 1-based line and column (in characters), clamped to the text, for
    /// positions that other parsers report as line:column.
    pub fn offset(&self, file: FileId, line: usize, column: usize) -> usize {
        let source = self.file(file);
        let text = &source.text;
        let starts = source.line_starts();
        let line_start = match line.checked_sub(1) {
            Some(i) if i < starts.len() => starts[i],
            Some(_) => text.len(),
            None => 0,
        };
        let rest = &text[line_start.min(text.len())..];
        let within = rest
            .char_indices()
            .take_while(|(_, c)| *c != '\n')
            .nth(column.saturating_sub(1))
            .map_or_else(|| rest.find('\n').unwrap_or(rest.len()), |(i, _)| i);
        line_start + within
    }

    /// `path:line:column` of the start of a span.
    pub fn location(&self, span: Span) -> String {
        let (line, col) = self.line_col(span.file, span.start);
        format!("{}:{line}:{col}", self.file(span.file).name)
    }
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_from_one_and_in_characters() {
        let mut map = SourceMap::default();
        let id = map.add("a.toml", "x = 1\né = \"y\"\n");
        assert_eq!(map.line_col(id, 0), (1, 1));
        assert_eq!(map.line_col(id, 6), (2, 1));
        let after_e = "x = 1\né".len();
        assert_eq!(map.line_col(id, after_e), (2, 2));
        assert_eq!(map.location(Span::new(id, 6..7)), "a.toml:2:1");
    }

    #[test]
    fn offsets_invert_line_col() {
        let mut map = SourceMap::default();
        let id = map.add("a.yaml", "a: 1\nbé: 2\n");
        for offset in [0, 3, 5, 6, 8, 10] {
            let (line, col) = map.line_col(id, offset);
            assert_eq!(map.offset(id, line, col), offset, "{offset}");
        }
        assert_eq!(map.offset(id, 99, 1), "a: 1\nbé: 2\n".len());
    }

    #[test]
    fn offsets_past_the_end_or_inside_a_character_do_not_panic() {
        let mut map = SourceMap::default();
        let id = map.add("a.toml", "é");
        assert_eq!(map.line_col(id, 1), (1, 1));
        assert_eq!(map.line_col(id, 99), (1, 2));
    }
}
