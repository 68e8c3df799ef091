//! Cohort files: Parquet and Arrow IPC (file `.arrow`, stream `.arrows`)
//! read as a stream of record batches, so that memory is bounded by the
//! batch size and not the file; results written the same ways. Parquet is
//! read with the compressions Spark and pyarrow write by default (snappy, or
//! none); another is refused by name before anything is read.

use std::fs::File;
use std::io::{BufReader, Write};
use std::path::Path;

use arrow::array::RecordBatch;
use arrow::datatypes::{DataType, SchemaRef};
use arrow::error::ArrowError;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, Encoding};
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use parquet::schema::types::ColumnPath;

use super::ROW_COLUMN;

/// Rows per record batch read: large enough that per-batch work vanishes,
/// small enough that a batch's columns and results stay a few megabytes.
pub const BATCH_ROWS: usize = 8192;

/// A columnar file format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnarFormat {
    /// Apache Parquet.
    Parquet,
    /// Arrow IPC, file format (`.arrow`, `.feather`).
    ArrowFile,
    /// Arrow IPC, stream format (`.arrows`).
    ArrowStream,
}

impl ColumnarFormat {
    /// The format a file name's extension says, if a columnar one.
    pub fn from_path(path: &Path) -> Option<ColumnarFormat> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "parquet" | "pq" => Some(ColumnarFormat::Parquet),
            "arrow" | "feather" | "ipc" => Some(ColumnarFormat::ArrowFile),
            "arrows" => Some(ColumnarFormat::ArrowStream),
            _ => None,
        }
    }
}

/// Why a cohort file cannot be read or a result file written.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// The file could not be opened or read.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// Not a valid file of its format.
    #[error("{0}")]
    Arrow(#[from] ArrowError),
    /// Not a valid Parquet file.
    #[error("{0}")]
    Parquet(#[from] parquet::errors::ParquetError),
    /// A Parquet column compressed with a codec this build does not read.
    #[error(
        "column `{column}` is compressed with {codec}; guidelang reads Parquet compressed with snappy or not at all"
    )]
    Codec {
        /// The column's path.
        column: String,
        /// The codec's name.
        codec: String,
    },
}

/// Record batches read from a cohort file, one at a time.
pub struct CohortReader {
    schema: SchemaRef,
    batches: Box<dyn Iterator<Item = Result<RecordBatch, ArrowError>> + Send>,
    rows: Option<u64>,
}

impl std::fmt::Debug for CohortReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CohortReader")
            .field("schema", &self.schema)
            .finish_non_exhaustive()
    }
}

impl CohortReader {
    /// Opens `path` as `format`.
    pub fn open(path: &Path, format: ColumnarFormat) -> Result<CohortReader, FileError> {
        let file = File::open(path)?;
        match format {
            ColumnarFormat::Parquet => {
                let builder = ParquetRecordBatchReaderBuilder::try_new(file)?;
                let metadata = builder.metadata().clone();
                for group in metadata.row_groups() {
                    for column in group.columns() {
                        match column.compression() {
                            Compression::UNCOMPRESSED | Compression::SNAPPY => {}
                            other => {
                                return Err(FileError::Codec {
                                    column: column.column_path().string(),
                                    codec: other.to_string(),
                                })
                            }
                        }
                    }
                }
                let rows = metadata.file_metadata().num_rows();
                // The file's schema with its metadata (the batches' schema
                // carries the fields only): a results file names its guideline.
                let schema = builder.schema().clone();
                let reader = builder.with_batch_size(BATCH_ROWS).build()?;
                Ok(CohortReader {
                    schema,
                    batches: Box::new(reader),
                    rows: u64::try_from(rows).ok(),
                })
            }
            ColumnarFormat::ArrowFile => {
                let reader = arrow::ipc::reader::FileReader::try_new(BufReader::new(file), None)?;
                Ok(CohortReader {
                    schema: reader.schema(),
                    batches: Box::new(reader),
                    rows: None,
                })
            }
            ColumnarFormat::ArrowStream => {
                let reader = arrow::ipc::reader::StreamReader::try_new(BufReader::new(file), None)?;
                Ok(CohortReader {
                    schema: reader.schema(),
                    batches: Box::new(reader),
                    rows: None,
                })
            }
        }
    }

    /// The cohort's schema.
    pub fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }

    /// The number of rows, when the file says (Parquet).
    pub fn rows(&self) -> Option<u64> {
        self.rows
    }
}

impl Iterator for CohortReader {
    type Item = Result<RecordBatch, ArrowError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.batches.next()
    }
}

/// Rows per row group of a Parquet results file: eight reader batches,
/// a few megabytes of results in memory at most.
pub const RESULT_GROUP_ROWS: usize = 8 * BATCH_ROWS;

/// Writes result batches to a Parquet or Arrow IPC file.
pub enum ResultWriter<W: Write + Send> {
    /// Parquet, snappy-compressed, the guideline's identity also in the
    /// file's key-value metadata (for readers that ignore the Arrow schema).
    Parquet(ArrowWriter<W>),
    /// Arrow IPC file.
    ArrowFile(arrow::ipc::writer::FileWriter<W>),
    /// Arrow IPC stream.
    ArrowStream(arrow::ipc::writer::StreamWriter<W>),
}

impl<W: Write + Send> std::fmt::Debug for ResultWriter<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ResultWriter")
    }
}

impl<W: Write + Send> ResultWriter<W> {
    /// A writer of results of `schema` to `out` as `format`.
    pub fn new(out: W, format: ColumnarFormat, schema: &SchemaRef) -> Result<ResultWriter<W>, FileError> {
        Ok(match format {
            ColumnarFormat::Parquet => {
                let metadata = schema
                    .metadata()
                    .iter()
                    .map(|(k, v)| parquet::file::metadata::KeyValue::new(k.clone(), v.clone()))
                    .collect();
                // Row groups of a bounded number of rows: the writer holds a
                // whole group before writing it (arrow-rs's default is a
                // million rows), so this is what keeps memory flat.
                // Statistics per column chunk, not per page, and only for the
                // kept id columns and `row` (they come first): a reader skips
                // row groups of 65,536 rows by them. The result columns take
                // a few names each, so their minimum and maximum would skip
                // nothing, and working them out for every cell cost 7 % of
                // the run (per page, a tenth). No
                // dictionary where values seldom repeat: the row numbers
                // (every one new, so ascending deltas instead, a few bits
                // each) and the dose amounts (a dose by weight takes as many
                // values as there are weights): hashing each value into a
                // dictionary that never pays off cost a fifth of the run.
                let row = ColumnPath::from(ROW_COLUMN);
                let mut props = WriterProperties::builder()
                    .set_compression(Compression::SNAPPY)
                    .set_statistics_enabled(EnabledStatistics::None)
                    .set_max_row_group_row_count(Some(RESULT_GROUP_ROWS))
                    .set_key_value_metadata(Some(metadata))
                    .set_column_dictionary_enabled(row.clone(), false)
                    .set_column_encoding(row, Encoding::DELTA_BINARY_PACKED);
                let mut kept_or_row = true;
                for f in schema.fields() {
                    let path = ColumnPath::from(f.name().as_str());
                    if kept_or_row {
                        props = props.set_column_statistics_enabled(path.clone(), EnabledStatistics::Chunk);
                    }
                    kept_or_row &= f.name() != ROW_COLUMN;
                    if *f.data_type() == DataType::Float64 {
                        props = props.set_column_dictionary_enabled(path, false);
                    }
                }
                let props = props.build();
                ResultWriter::Parquet(ArrowWriter::try_new(out, schema.clone(), Some(props))?)
            }
            ColumnarFormat::ArrowFile => ResultWriter::ArrowFile(arrow::ipc::writer::FileWriter::try_new(out, schema)?),
            ColumnarFormat::ArrowStream => {
                ResultWriter::ArrowStream(arrow::ipc::writer::StreamWriter::try_new(out, schema)?)
            }
        })
    }

    /// Writes a batch of results.
    pub fn write(&mut self, batch: &RecordBatch) -> Result<(), FileError> {
        match self {
            ResultWriter::Parquet(w) => w.write(batch)?,
            ResultWriter::ArrowFile(w) => w.write(batch)?,
            ResultWriter::ArrowStream(w) => w.write(batch)?,
        }
        Ok(())
    }

    /// Ends the file (its footer) and returns the output.
    pub fn finish(self) -> Result<W, FileError> {
        Ok(match self {
            ResultWriter::Parquet(w) => w.into_inner()?,
            ResultWriter::ArrowFile(mut w) => {
                w.finish()?;
                w.into_inner()?
            }
            ResultWriter::ArrowStream(mut w) => {
                w.finish()?;
                w.into_inner()?
            }
        })
    }
}
