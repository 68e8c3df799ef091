//! A JSON writer without a tree: values go straight into a byte buffer, in
//! the exact bytes `serde_json` writes for the same data, compact or pretty
//! (two-space indent, `"key": value`, `[]` and `{}` when empty). The caller
//! writes keys in the order the output contract fixes; text the guideline
//! holds arrives escaped already (see [`super::contract_text`]).

use std::io::Write;

/// Compact (one line, as the batch writes) or pretty (as `eval` prints).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// No whitespace at all, as `serde_json::to_writer`.
    Compact,
    /// As `serde_json::to_writer_pretty`.
    Pretty,
}

/// Writes one JSON document into `out`, appending.
pub(crate) struct JsonOut<'o> {
    pub(crate) out: &'o mut Vec<u8>,
    pretty: bool,
    depth: usize,
    /// Whether the innermost open container has no element yet.
    empty: bool,
}

impl<'o> JsonOut<'o> {
    pub(crate) fn new(out: &'o mut Vec<u8>, layout: Layout) -> Self {
        JsonOut {
            out,
            pretty: layout == Layout::Pretty,
            depth: 0,
            empty: true,
        }
    }

    pub(crate) fn open_object(&mut self) {
        self.open(b'{');
    }

    pub(crate) fn close_object(&mut self) {
        self.close(b'}');
    }

    pub(crate) fn open_array(&mut self) {
        self.open(b'[');
    }

    pub(crate) fn close_array(&mut self) {
        self.close(b']');
    }

    fn open(&mut self, bracket: u8) {
        self.out.push(bracket);
        self.depth += 1;
        self.empty = true;
    }

    fn close(&mut self, bracket: u8) {
        self.depth -= 1;
        if self.pretty && !self.empty {
            self.indent();
        }
        self.out.push(bracket);
        // The container itself is an element of its parent.
        self.empty = false;
    }

    fn indent(&mut self) {
        self.out.push(b'\n');
        for _ in 0..self.depth {
            self.out.extend_from_slice(b"  ");
        }
    }

    /// Starts the next element of an array.
    pub(crate) fn element(&mut self) {
        if !self.empty {
            self.out.push(b',');
        }
        if self.pretty {
            self.indent();
        }
        self.empty = false;
    }

    /// Starts the next member of an object. Keys are the contract's own
    /// words or names already escaped: written as they are.
    pub(crate) fn key(&mut self, key: &str) {
        self.element();
        self.out.push(b'"');
        self.out.extend_from_slice(key.as_bytes());
        self.out.extend_from_slice(if self.pretty { b"\": " } else { b"\":" });
    }

    /// A string whose content is escaped already.
    pub(crate) fn escaped(&mut self, content: &str) {
        self.out.push(b'"');
        self.out.extend_from_slice(content.as_bytes());
        self.out.push(b'"');
    }

    /// Any string, escaped here.
    pub(crate) fn string(&mut self, s: &str) {
        self.out.push(b'"');
        escape_into(self.out, s);
        self.out.push(b'"');
    }

    pub(crate) fn bool(&mut self, b: bool) {
        self.out.extend_from_slice(if b { b"true" } else { b"false" });
    }

    pub(crate) fn null(&mut self) {
        self.out.extend_from_slice(b"null");
    }

    pub(crate) fn uint(&mut self, n: u64) {
        let _ = write!(self.out, "{n}");
    }

    pub(crate) fn int(&mut self, n: i64) {
        // Writing into a Vec cannot fail.
        let _ = write!(self.out, "{n}");
    }

    /// A double as serde_json writes it (its own shortest form; `null` when
    /// not finite), by serde_json itself so that the bytes cannot drift.
    pub(crate) fn f64(&mut self, x: f64) {
        let _ = serde_json::to_writer(&mut *self.out, &x);
    }

    /// A JSON value built elsewhere (the `--explain` trace), laid out at
    /// this depth.
    pub(crate) fn value(&mut self, v: &serde_json::Value) {
        if !self.pretty {
            let _ = serde_json::to_writer(&mut *self.out, v);
            return;
        }
        let start = self.out.len();
        let _ = serde_json::to_writer_pretty(&mut *self.out, v);
        // A string never holds a raw newline (it is escaped), so every
        // newline written is a line break of the layout: indent after it.
        let written = self.out.split_off(start);
        for &b in &written {
            self.out.push(b);
            if b == b'\n' {
                for _ in 0..self.depth {
                    self.out.extend_from_slice(b"  ");
                }
            }
        }
    }
}

/// Appends `s` escaped as serde_json escapes a string's content: `"`, `\`
/// and control characters (short forms where JSON has them, else `\u00xx`
/// in lower-case hex); everything else, non-ASCII included, as it is.
pub(crate) fn escape_into(out: &mut Vec<u8>, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let bytes = s.as_bytes();
    let mut from = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let short: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            0x08 => b"\\b",
            0x0c => b"\\f",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x00..=0x1f => b"",
            _ => continue,
        };
        out.extend_from_slice(&bytes[from..i]);
        from = i + 1;
        if short.is_empty() {
            out.extend_from_slice(b"\\u00");
            out.push(HEX[usize::from(b >> 4)]);
            out.push(HEX[usize::from(b & 0xf)]);
        } else {
            out.extend_from_slice(short);
        }
    }
    out.extend_from_slice(&bytes[from..]);
}

/// `s` escaped, as an owned string (for the per-guideline table).
pub(crate) fn escaped(s: &str) -> String {
    let mut out = Vec::with_capacity(s.len());
    escape_into(&mut out, s);
    // Escaping only inserts ASCII at character boundaries.
    String::from_utf8(out).unwrap_or_default()
}

/// Appends a number as a clinician reads it, the bytes of
/// [`super::fmt_num`], formatted once and trimmed in place.
pub(crate) fn push_num(out: &mut Vec<u8>, x: f64) {
    let r = if x.abs() >= 100.0 {
        x.round()
    } else {
        (x * 100.0).round() / 100.0
    };
    let start = out.len();
    let _ = write!(out, "{r:.2}");
    while out.len() > start && out.last() == Some(&b'0') {
        out.pop();
    }
    while out.len() > start && out.last() == Some(&b'.') {
        out.pop();
    }
    if &out[start..] == b"-0" {
        out.truncate(start);
        out.push(b'0');
    }
}

/// Appends a low–high range and its escaped unit, the bytes of
/// [`super::fmt_range`]: each bound formatted once, the range collapsed to
/// one number when both read the same.
pub(crate) fn push_range(out: &mut Vec<u8>, low: f64, high: f64, unit: &str) {
    let start = out.len();
    push_num(out, low);
    let low_end = out.len();
    out.extend_from_slice("–".as_bytes());
    let high_start = out.len();
    push_num(out, high);
    if out[start..low_end] == out[high_start..] {
        out.truncate(low_end);
    }
    out.push(b' ');
    out.extend_from_slice(unit.as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn num(x: f64) -> String {
        let mut out = Vec::new();
        push_num(&mut out, x);
        String::from_utf8(out).unwrap_or_default()
    }

    #[test]
    fn numbers_match_the_report_words() {
        for x in [
            3500.0,
            4.545454,
            18.0,
            0.5,
            -0.001,
            0.0,
            99.999,
            100.5,
            -250.4,
            1e300,
            f64::NAN,
            f64::INFINITY,
        ] {
            assert_eq!(num(x), super::super::fmt_num(x), "{x}");
        }
        for (lo, hi) in [(50.0, 60.0), (5.0, 5.001), (3500.0, 4200.0)] {
            let mut out = Vec::new();
            push_range(&mut out, lo, hi, "mg/kg/day");
            assert_eq!(
                String::from_utf8(out).unwrap_or_default(),
                super::super::fmt_range(lo, hi, "mg/kg/day")
            );
        }
    }

    #[test]
    fn escaping_matches_serde_json() {
        let all: String = (0u8..0x80).map(char::from).chain("é–×\u{2028}".chars()).collect();
        let want = serde_json::to_string(&all).unwrap_or_default();
        assert_eq!(format!("\"{}\"", escaped(&all)), want);
    }
}
