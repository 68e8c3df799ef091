//! Reading a cohort: NDJSON (one case per line) or CSV (a header row of fact
//! names, one case per row), cut into chunks of records that carry their line
//! numbers. Reading never judges a case: a line that cannot even be read as
//! text becomes a broken record, so that it still gets its own output line.
//! Only a CSV header that names no fact stops the batch, before any record.

use std::io::{self, BufRead, Read};

use crate::diagnostics::did_you_mean;
use crate::facts::{CaseError, MAX_CASE_BYTES};
use crate::model::{FactId, Guideline};

/// Records per chunk: large enough that passing chunks between threads costs
/// nothing next to evaluating them, small enough to keep memory flat.
pub const CHUNK_RECORDS: usize = 512;

/// One input record, not yet validated.
#[derive(Clone, Debug)]
pub struct RawRecord {
    /// Line of the input where the record starts (1-based).
    pub line: u64,
    /// What was read.
    pub payload: Payload,
}

/// The content of a record.
#[derive(Clone, Debug)]
pub enum Payload {
    /// An NDJSON line.
    Json(String),
    /// A CSV row's cells.
    Cells(csv::ByteRecord),
    /// A record that could not be read as text.
    Broken(CaseError),
    /// A FHIR Bundle's bytes (one patient record per line).
    Bundle(Vec<u8>),
}

/// A run of consecutive records.
pub type Chunk = Vec<RawRecord>;

/// Where records come from.
pub trait RecordSource: Send {
    /// The next chunk, `None` at the end of the input.
    fn next_chunk(&mut self) -> io::Result<Option<Chunk>>;
    /// Reads the next chunk into `chunk`, replacing what it held; false at
    /// the end of the input. A batch hands each chunk back once it is
    /// written, so that a source may reuse its records' buffers.
    fn refill(&mut self, chunk: &mut Chunk) -> io::Result<bool> {
        match self.next_chunk()? {
            Some(next) => {
                *chunk = next;
                Ok(true)
            }
            None => {
                chunk.clear();
                Ok(false)
            }
        }
    }
    /// Bytes read so far (for progress).
    fn bytes_read(&self) -> u64;
}

fn broken(message: String, help: &str) -> Payload {
    Payload::Broken(CaseError {
        key: None,
        message,
        help: help.to_string(),
    })
}

/// How far past the limit an overlong line is read in search of its end.
/// Within it, the line becomes one error record and the batch goes on with the
/// next line; past it, the input has no line ends worth waiting for (`--cases
/// /dev/zero`, a binary file, a stream that never sends a newline): the line
/// still gets its error record, and then the batch stops. Sixteen times the
/// limit of a line is far past any case written by mistake on one line.
pub const MAX_SKIPPED_LINE_BYTES: usize = 16 * MAX_CASE_BYTES;

/// An input cut into lines, each kept up to one byte past the case limit so
/// that a huge line cannot exhaust memory, and read no further than
/// [`MAX_SKIPPED_LINE_BYTES`] so that a line without an end cannot hold the
/// batch forever. A `\r` before the newline is dropped. Both formats read
/// through it, so that every line of the input is exactly one record (or the
/// CSV header) whatever it holds.
struct Lines<R> {
    reader: R,
    line: u64,
    bytes: u64,
    buf: Vec<u8>,
    /// The last line read was cut at [`MAX_SKIPPED_LINE_BYTES`]: nothing more is read.
    endless: bool,
    /// The longest line kept (a case's limit; a Bundle's for `--input-format fhir`).
    limit: usize,
    /// How far an overlong line is read in search of its end.
    skip: usize,
}

impl<R: BufRead> Lines<R> {
    fn new(reader: R) -> Self {
        Lines {
            reader,
            line: 0,
            bytes: 0,
            buf: Vec::new(),
            endless: false,
            limit: MAX_CASE_BYTES,
            skip: MAX_SKIPPED_LINE_BYTES,
        }
    }

    /// Lines of up to `limit` bytes, an overlong one read up to `skip`
    /// bytes in search of its end.
    fn with_limit(reader: R, limit: usize, skip: usize) -> Self {
        Lines {
            limit,
            skip: skip.max(limit + 1),
            ..Lines::new(reader)
        }
    }

    /// Reads the next line into `buf` (cut at the limit) and returns its full
    /// length, without the line end; `None` at the end of the input. After a
    /// line that had no end within [`MAX_SKIPPED_LINE_BYTES`], an error of
    /// kind `InvalidData`.
    fn next_line(&mut self) -> io::Result<Option<usize>> {
        if self.endless {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "line {} has no line end within its first {} MiB ({} bytes); \
                     reading stopped there",
                    self.line,
                    self.skip / (1024 * 1024),
                    self.skip
                ),
            ));
        }
        self.buf.clear();
        let mut total = 0usize;
        let mut any = false;
        let mut last = None;
        loop {
            let available = match self.reader.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if available.is_empty() {
                break;
            }
            any = true;
            // Never past the skip bound, whether or not a line end follows.
            let available = &available[..available.len().min(self.skip - total)];
            let (part, done) = match available.iter().position(|&b| b == b'\n') {
                Some(i) => (&available[..i], Some(i + 1)),
                None => (available, None),
            };
            let room = (self.limit + 1).saturating_sub(self.buf.len());
            self.buf.extend_from_slice(&part[..part.len().min(room)]);
            total += part.len();
            last = part.last().copied().or(last);
            let used = done.unwrap_or(part.len());
            self.reader.consume(used);
            self.bytes += used as u64;
            if done.is_some() {
                break;
            }
            if total == self.skip {
                self.endless = true;
                break;
            }
        }
        if !any {
            return Ok(None);
        }
        self.line += 1;
        // The `\r` of a CRLF line end is not part of the case: a line is
        // measured alike with either line end. `buf` holds the `\r` only if it
        // holds the whole line (it keeps up to one byte past the limit).
        if last == Some(b'\r') {
            total -= 1;
            if self.buf.len() > total {
                self.buf.pop();
            }
        }
        Ok(Some(total))
    }

    /// The current line as a broken record when it is too long or blank;
    /// `example` says what a line should hold.
    fn refusal(&self, len: usize, example: &str) -> Option<Payload> {
        if len > self.limit {
            let size = if self.endless {
                format!("more than {len} bytes long (reading stopped there)")
            } else {
                format!("{len} bytes")
            };
            return Some(broken(
                if self.limit == MAX_CASE_BYTES {
                    format!("the case is {size}; a case is limited to {MAX_CASE_BYTES} bytes")
                } else {
                    format!("the record is {size}; a record is limited to {} bytes", self.limit)
                },
                "a case is one flat JSON object of facts",
            ));
        }
        self.buf.iter().all(u8::is_ascii_whitespace).then(|| {
            broken(
                "the line is empty; every line must be a case".to_string(),
                &format!("{example}; remove blank lines"),
            )
        })
    }
}

/// NDJSON: every line is a record, blank or not, so that output line `n`
/// always answers input line `n`.
pub struct NdjsonSource<R> {
    lines: Lines<R>,
}

impl<R: BufRead + Send> NdjsonSource<R> {
    /// Reads NDJSON from `reader`.
    pub fn new(reader: R) -> Self {
        NdjsonSource {
            lines: Lines::new(reader),
        }
    }
}

impl<R: BufRead + Send> RecordSource for NdjsonSource<R> {
    fn next_chunk(&mut self) -> io::Result<Option<Chunk>> {
        let mut chunk = Vec::with_capacity(CHUNK_RECORDS);
        Ok(self.refill(&mut chunk)?.then_some(chunk))
    }

    /// Each line is copied into the text the record at its place held
    /// before, so that a recycled chunk's strings are reused, not reallocated.
    fn refill(&mut self, chunk: &mut Chunk) -> io::Result<bool> {
        let mut n = 0;
        while n < CHUNK_RECORDS {
            let Some(len) = self.lines.next_line()? else { break };
            if n == chunk.len() {
                chunk.push(RawRecord {
                    line: 0,
                    payload: Payload::Json(String::new()),
                });
            }
            let record = &mut chunk[n];
            record.line = self.lines.line;
            match self
                .lines
                .refusal(len, "a case is a JSON object such as {\"wbc\": 120, \"als\": true}")
            {
                Some(refused) => record.payload = refused,
                None => match (std::str::from_utf8(&self.lines.buf), &mut record.payload) {
                    (Ok(text), Payload::Json(kept)) => {
                        kept.clear();
                        kept.push_str(text);
                    }
                    (Ok(text), other) => *other = Payload::Json(text.to_string()),
                    (Err(e), other) => {
                        *other = broken(
                            format!(
                                "the line is not UTF-8 text (invalid byte at column {})",
                                e.valid_up_to() + 1
                            ),
                            "save the cohort as UTF-8",
                        )
                    }
                },
            }
            n += 1;
            // The records read so far go out; the next call reports why reading stopped.
            if self.lines.endless {
                break;
            }
        }
        chunk.truncate(n);
        Ok(n > 0)
    }

    fn bytes_read(&self) -> u64 {
        self.lines.bytes
    }
}

/// Bundles per chunk: a Bundle is a whole patient record, so a chunk holds
/// few of them to keep memory flat.
pub const CHUNK_BUNDLES: usize = 8;

/// NDJSON of patient records (`--input-format fhir`): every line is one FHIR
/// Bundle, read by [`crate::fhir::read_record`] in the worker; a line may be
/// as long as a Bundle may be ([`crate::fhir::MAX_BUNDLE_BYTES`]).
pub struct BundleSource<R> {
    lines: Lines<R>,
}

impl<R: BufRead + Send> BundleSource<R> {
    /// Reads one Bundle per line from `reader`.
    pub fn new(reader: R) -> Self {
        let limit = crate::fhir::MAX_BUNDLE_BYTES;
        BundleSource {
            lines: Lines::with_limit(reader, limit, 2 * limit),
        }
    }
}

impl<R: BufRead + Send> RecordSource for BundleSource<R> {
    fn next_chunk(&mut self) -> io::Result<Option<Chunk>> {
        let mut chunk = Vec::with_capacity(CHUNK_BUNDLES);
        while chunk.len() < CHUNK_BUNDLES {
            let Some(len) = self.lines.next_line()? else { break };
            let payload = match self.lines.refusal(
                len,
                "a line is one FHIR Bundle: {\"resourceType\": \"Bundle\", \"entry\": [...]}",
            ) {
                Some(refused) => refused,
                None => Payload::Bundle(std::mem::take(&mut self.lines.buf)),
            };
            chunk.push(RawRecord {
                line: self.lines.line,
                payload,
            });
            if self.lines.endless {
                break;
            }
        }
        Ok((!chunk.is_empty()).then_some(chunk))
    }

    fn bytes_read(&self) -> u64 {
        self.lines.bytes
    }
}

/// A CSV header that cannot be used: nothing is evaluated.
#[derive(Clone, Debug, PartialEq)]
pub struct HeaderError {
    /// What is wrong.
    pub message: String,
    /// What to do.
    pub help: String,
}

/// CSV: the header row names facts; each later line is a case. Lines are cut
/// before the CSV reader sees them, so a cell never spans lines: a stray
/// quote or a blank line breaks its own record only, and output record `n`
/// still answers input line `n + 1`. (No fact's value holds a line break.)
pub struct CsvSource<R: Read> {
    lines: Lines<io::BufReader<R>>,
    columns: Vec<FactId>,
}

impl<R: Read + Send> CsvSource<R> {
    /// Reads the header and maps each column to its fact; every column must
    /// name a fact, once. An empty input has no header and no records.
    pub fn new(g: &Guideline, reader: R) -> Result<Self, Result<HeaderError, io::Error>> {
        let mut lines = Lines::new(io::BufReader::with_capacity(1 << 16, reader));
        let columns = match lines.next_line().map_err(Err)? {
            None => Vec::new(),
            Some(len) if len > MAX_CASE_BYTES => {
                let more = if lines.endless { "more than " } else { "" };
                return Err(Ok(HeaderError {
                    message: format!("the CSV header is {more}{len} bytes; it is limited to {MAX_CASE_BYTES} bytes"),
                    help: "the header row names the facts, one per column".into(),
                }));
            }
            Some(_) => match cells(&lines.buf) {
                Ok(header) => columns_of(g, &header).map_err(Ok)?,
                Err(e) => {
                    return Err(Ok(HeaderError {
                        message: e.message,
                        help: e.help,
                    }))
                }
            },
        };
        Ok(CsvSource { lines, columns })
    }

    /// The fact of each column, in column order.
    pub fn columns(&self) -> &[FactId] {
        &self.columns
    }
}

/// The cells of one CSV line, or why it is not one row.
fn cells(line: &[u8]) -> Result<csv::ByteRecord, CaseError> {
    let refuse = |message: &str, help: &str| CaseError {
        key: None,
        message: message.to_string(),
        help: help.to_string(),
    };
    // Quotes come in pairs (an escaped quote is `""`); an odd count means a
    // quoted cell that does not end on its line.
    if line.iter().filter(|&&b| b == b'"').count() % 2 == 1 {
        return Err(refuse(
            "the line has a quote that is never closed",
            "close the quoted cell on the same line, or remove the quote",
        ));
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(line);
    let mut record = csv::ByteRecord::new();
    let first = reader.read_byte_record(&mut record);
    let more = reader.read_byte_record(&mut csv::ByteRecord::new());
    match (first, more) {
        (Ok(true), Ok(false)) => Ok(record),
        // A lone carriage return inside the line ends a CSV record.
        (Ok(true), _) => Err(refuse(
            "the line holds more than one row (a carriage return inside it?)",
            "give one row per line",
        )),
        _ => Err(refuse(
            "the line is not a CSV row",
            "give one row per line, cells separated by commas",
        )),
    }
}

fn columns_of(g: &Guideline, header: &csv::ByteRecord) -> Result<Vec<FactId>, HeaderError> {
    let mut columns: Vec<FactId> = Vec::with_capacity(header.len());
    for (i, cell) in header.iter().enumerate() {
        let Ok(name) = std::str::from_utf8(cell) else {
            return Err(HeaderError {
                message: format!("column {} of the CSV header is not UTF-8 text", i + 1),
                help: "save the cohort as UTF-8".into(),
            });
        };
        let name = name.trim_start_matches('\u{feff}').trim();
        let Some(id) = g.fact_id(name) else {
            let help = match did_you_mean(name, g.facts.iter().map(|f| f.name.as_str())) {
                Some(s) => format!("did you mean `{s}`? Every column must be a fact of the guideline"),
                None => format!(
                    "this guideline's facts are: {}",
                    g.facts.iter().map(|f| f.name.as_str()).collect::<Vec<_>>().join(", ")
                ),
            };
            let message = if name.is_empty() {
                format!("column {} of the CSV header is empty", i + 1)
            } else {
                format!(
                    "column {} of the CSV header, `{name}`, is not a fact of guideline `{}`",
                    i + 1,
                    g.meta.id
                )
            };
            return Err(HeaderError { message, help });
        };
        if columns.contains(&id) {
            return Err(HeaderError {
                message: format!("the CSV header names `{name}` twice (column {})", i + 1),
                help: "give each fact one column".into(),
            });
        }
        columns.push(id);
    }
    Ok(columns)
}

impl<R: Read + Send> RecordSource for CsvSource<R> {
    fn next_chunk(&mut self) -> io::Result<Option<Chunk>> {
        let mut chunk = Vec::with_capacity(CHUNK_RECORDS);
        while chunk.len() < CHUNK_RECORDS {
            let Some(len) = self.lines.next_line()? else { break };
            let payload = match self
                .lines
                .refusal(len, "a row gives one cell per header column, empty when unknown")
            {
                Some(refused) => refused,
                None => match cells(&self.lines.buf) {
                    Ok(record) => Payload::Cells(record),
                    Err(e) => Payload::Broken(e),
                },
            };
            chunk.push(RawRecord {
                line: self.lines.line,
                payload,
            });
            // The records read so far go out; the next call reports why reading stopped.
            if self.lines.endless {
                break;
            }
        }
        Ok((!chunk.is_empty()).then_some(chunk))
    }

    fn bytes_read(&self) -> u64 {
        self.lines.bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{BufReader, Cursor};

    fn ndjson(reader: impl Read + Send) -> NdjsonSource<BufReader<impl Read + Send>> {
        NdjsonSource::new(BufReader::new(reader))
    }

    /// A line with no end (`/dev/zero`) was read forever; now it is read up
    /// to the skip bound, gets its error record after the records before it,
    /// and the next read says why the batch stops.
    #[test]
    fn a_line_without_an_end_stops_the_input_after_its_record() {
        let input = Cursor::new(b"{\"als\": true}\n".to_vec()).chain(io::repeat(0));
        let mut source = ndjson(input);
        let chunk = source.next_chunk().unwrap().unwrap();
        assert_eq!(chunk.len(), 2);
        assert!(matches!(&chunk[0].payload, Payload::Json(j) if j == "{\"als\": true}"));
        let Payload::Broken(e) = &chunk[1].payload else {
            panic!("the endless line is an error record")
        };
        assert!(e.message.contains("more than"), "{}", e.message);
        assert_eq!(source.bytes_read(), 14 + MAX_SKIPPED_LINE_BYTES as u64);
        let stopped = source.next_chunk().unwrap_err();
        assert_eq!(stopped.kind(), io::ErrorKind::InvalidData);
        assert!(stopped.to_string().contains("line 2 has no line end"), "{stopped}");
    }

    /// Just inside the bound, an overlong line is one error record and the
    /// batch goes on; a line as long as the bound is the endless case.
    #[test]
    fn the_skip_bound_is_exact() {
        let mut inside = vec![b' '; MAX_SKIPPED_LINE_BYTES - 1];
        inside.extend_from_slice(b"\n{}\n");
        let chunk = ndjson(Cursor::new(inside)).next_chunk().unwrap().unwrap();
        assert_eq!(chunk.len(), 2);
        assert!(matches!(&chunk[0].payload, Payload::Broken(e) if !e.message.contains("more than")));
        assert!(matches!(&chunk[1].payload, Payload::Json(j) if j == "{}"));

        let mut at = vec![b' '; MAX_SKIPPED_LINE_BYTES];
        at.extend_from_slice(b"\n{}\n");
        let mut source = ndjson(Cursor::new(at));
        assert_eq!(source.next_chunk().unwrap().unwrap().len(), 1);
        assert!(source.next_chunk().is_err());
    }

    #[test]
    fn a_csv_header_without_an_end_is_refused() {
        let g = crate::bundled().unwrap();
        let refused = CsvSource::new(&g, io::repeat(b'a'));
        assert!(matches!(refused, Err(Ok(e)) if e.message.contains("more than")));
    }
}
