//! Positions: byte offsets of the text against the (line, UTF-16 column)
//! pairs of the Language Server Protocol and the UTF-16 offsets of a browser
//! editor. Out-of-range positions clamp to the nearest valid one, so a client
//! a keystroke behind never makes a service fail.

/// A zero-based line and a column counted in UTF-16 code units, as LSP counts them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct LineCol {
    /// Zero-based line.
    pub line: u32,
    /// Zero-based column in UTF-16 code units.
    pub col: u32,
}

/// Line starts of one text.
#[derive(Clone, Debug)]
pub struct LineIndex {
    text: std::sync::Arc<str>,
    /// Byte offset of each line's start; the first is 0.
    starts: Vec<usize>,
}

impl LineIndex {
    /// Indexes `text`.
    pub fn new(text: &str) -> LineIndex {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        LineIndex {
            text: text.into(),
            starts,
        }
    }

    /// The line and UTF-16 column of a byte offset (clamped to the text and
    /// moved back to a character boundary).
    pub fn line_col(&self, offset: usize) -> LineCol {
        let offset = self.floor_char(offset.min(self.text.len()));
        let line = self.starts.partition_point(|&s| s <= offset).max(1) - 1;
        let start = self.starts[line];
        let col: usize = self.text[start..offset].chars().map(char::len_utf16).sum();
        LineCol {
            line: line as u32,
            col: col as u32,
        }
    }

    /// The byte offset of a line and UTF-16 column. A line past the end gives
    /// the end of the text; a column past the line's end gives the line's end;
    /// a column inside a surrogate pair gives the character's start.
    pub fn offset(&self, at: LineCol) -> usize {
        let Some(&start) = self.starts.get(at.line as usize) else {
            return self.text.len();
        };
        let end = self
            .starts
            .get(at.line as usize + 1)
            .map_or(self.text.len(), |&next| next - 1);
        let mut units = 0usize;
        for (i, c) in self.text[start..end].char_indices() {
            if units + c.len_utf16() > at.col as usize {
                return start + i;
            }
            units += c.len_utf16();
        }
        end
    }

    /// The UTF-16 offset (as JavaScript strings count) of a byte offset.
    pub fn utf16_offset(&self, offset: usize) -> usize {
        let offset = self.floor_char(offset.min(self.text.len()));
        self.text[..offset].chars().map(char::len_utf16).sum()
    }

    /// The byte offset of a UTF-16 offset (clamped, at a character's start).
    pub fn from_utf16_offset(&self, utf16: usize) -> usize {
        let mut units = 0usize;
        for (i, c) in self.text.char_indices() {
            if units + c.len_utf16() > utf16 {
                return i;
            }
            units += c.len_utf16();
        }
        self.text.len()
    }

    fn floor_char(&self, mut offset: usize) -> usize {
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        offset
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_and_wide_characters_round_trip() {
        let text = "ab\nµg 𝔸x\n\nend";
        let idx = LineIndex::new(text);
        for (offset, _) in text.char_indices().chain([(text.len(), ' ')]) {
            let lc = idx.line_col(offset);
            assert_eq!(idx.offset(lc), offset, "offset {offset} via {lc:?}");
            assert_eq!(idx.from_utf16_offset(idx.utf16_offset(offset)), offset);
        }
        // `𝔸` is two UTF-16 units: the `x` after it is at column 5 of line 1.
        let x = text.find('x').unwrap_or(0);
        assert_eq!(idx.line_col(x), LineCol { line: 1, col: 5 });
    }

    #[test]
    fn out_of_range_positions_clamp() {
        let idx = LineIndex::new("one\ntwo");
        assert_eq!(idx.offset(LineCol { line: 0, col: 99 }), 3);
        assert_eq!(idx.offset(LineCol { line: 9, col: 0 }), 7);
        assert_eq!(idx.line_col(99), LineCol { line: 1, col: 3 });
        // Inside a two-byte character: back to its start.
        let idx = LineIndex::new("µ");
        assert_eq!(idx.line_col(1), LineCol { line: 0, col: 0 });
    }
}
