//! A columnar cohort as NDJSON cases, for the batch pipeline's records
//! (`eval --cases cohort.parquet` without a columnar output): each row
//! becomes the JSON object its cells make (a null cell left out), so that
//! its output line, valid or not, is the one an NDJSON cohort holding the
//! same values gets, and the batch's threads, counts and summary apply.

use std::io;

use arrow::array::RecordBatch;

use super::cells::Binding;
use super::files::CohortReader;
use crate::batch::input::{Chunk, Payload, RawRecord, CHUNK_RECORDS};
use crate::batch::RecordSource;
use crate::facts::AS_OF_KEY;
use crate::model::FactKind;

/// Rows of a columnar cohort as NDJSON records (see the module's documentation).
pub struct JsonRows {
    reader: CohortReader,
    /// Each fact read, its name and its column.
    facts: Vec<(String, Binding)>,
    as_of: Option<Binding>,
    /// The batch being read and the next row in it.
    batch: Option<(RecordBatch, usize)>,
    /// The 1-based number of the next row.
    next_row: u64,
}

impl std::fmt::Debug for JsonRows {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JsonRows")
            .field("next_row", &self.next_row)
            .finish_non_exhaustive()
    }
}

impl JsonRows {
    pub(super) fn new(reader: CohortReader, facts: Vec<(String, Binding)>, as_of: Option<Binding>) -> JsonRows {
        JsonRows {
            reader,
            facts,
            as_of,
            batch: None,
            next_row: 1,
        }
    }

    /// Appends the records of `batch` from row `start` to `chunk` until it is full.
    fn take(&mut self, batch: &RecordBatch, start: usize, chunk: &mut Chunk) -> io::Result<usize> {
        let facts = self
            .facts
            .iter()
            .map(|(name, b)| Ok((name.as_str(), b.cells(batch)?)))
            .collect::<Result<Vec<_>, arrow::error::ArrowError>>()
            .map_err(io::Error::other)?;
        let as_of = self
            .as_of
            .as_ref()
            .map(|b| b.cells(batch))
            .transpose()
            .map_err(io::Error::other)?;
        let mut i = start;
        while i < batch.num_rows() && chunk.len() < CHUNK_RECORDS {
            let mut object = serde_json::Map::new();
            let mut broken = None;
            for (name, cells) in &facts {
                match cells.json(name, cells.kind(), i) {
                    Ok(Some(v)) => {
                        object.insert((*name).to_string(), v);
                    }
                    Ok(None) => {}
                    Err(e) => {
                        broken.get_or_insert(e);
                    }
                }
            }
            if let Some(cells) = &as_of {
                match cells.json(AS_OF_KEY, &FactKind::Date, i) {
                    Ok(Some(v)) => {
                        object.insert(AS_OF_KEY.to_string(), v);
                    }
                    Ok(None) => {}
                    Err(e) => {
                        broken.get_or_insert(e);
                    }
                }
            }
            let payload = match broken {
                Some(e) => Payload::Broken(e),
                None => Payload::Json(serde_json::Value::Object(object).to_string()),
            };
            chunk.push(RawRecord {
                line: self.next_row,
                payload,
            });
            self.next_row += 1;
            i += 1;
        }
        Ok(i)
    }
}

impl RecordSource for JsonRows {
    fn next_chunk(&mut self) -> io::Result<Option<Chunk>> {
        let mut chunk = Chunk::new();
        while chunk.len() < CHUNK_RECORDS {
            let (batch, start) = match self.batch.take() {
                Some(b) => b,
                None => match self.reader.next() {
                    Some(b) => (b.map_err(io::Error::other)?, 0),
                    None => break,
                },
            };
            let end = self.take(&batch, start, &mut chunk)?;
            if end < batch.num_rows() {
                self.batch = Some((batch, end));
            }
        }
        Ok((!chunk.is_empty()).then_some(chunk))
    }

    fn bytes_read(&self) -> u64 {
        // Rows, not bytes: a columnar file is not read in input order of bytes.
        self.next_row - 1
    }
}
