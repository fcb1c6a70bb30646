//! Parquet file helpers shared by the fetch log and the snapshot.

use crate::error::{IndexError, IoContext, Result};
use arrow::datatypes::SchemaRef;
use arrow::record_batch::RecordBatch;
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use std::fs::File;
use std::path::Path;

/// Row-group and page sizes chosen for target-scoped reads: small pages let the page index
/// skip to a target's rows; row groups stay large enough for good compression.
pub fn writer_properties(
    sorting_columns: Option<Vec<parquet::file::metadata::SortingColumn>>,
) -> WriterProperties {
    WriterProperties::builder()
        .set_compression(Compression::ZSTD(ZstdLevel::try_new(3).unwrap_or_default()))
        .set_statistics_enabled(EnabledStatistics::Page)
        .set_max_row_group_row_count(Some(128 * 1024))
        .set_data_page_row_count_limit(4096)
        .set_sorting_columns(sorting_columns)
        .build()
}

/// The layout of the link tables, tuned for target-scoped reads (a few pages of one key range):
/// LZ4 (decoding is several times faster than zstd's), pages of 2,048 rows, and no
/// dictionary but for `dictionary_columns` (enums): the dictionary of a URL column is a
/// megabyte every read of a row group must decode first. Only the key columns keep per-page
/// statistics, which is what locates a key range; the others keep per-chunk statistics.
pub fn link_table_properties<'a>(
    sorting_columns: Vec<parquet::file::metadata::SortingColumn>,
    key_columns: &[&str],
    dictionary_columns: impl Iterator<Item = &'a str>,
) -> WriterProperties {
    let mut builder = WriterProperties::builder()
        .set_compression(Compression::LZ4_RAW)
        .set_dictionary_enabled(false)
        .set_statistics_enabled(EnabledStatistics::Chunk)
        .set_max_row_group_row_count(Some(128 * 1024))
        .set_data_page_row_count_limit(2048)
        .set_sorting_columns(Some(sorting_columns));
    for key in key_columns {
        builder = builder.set_column_statistics_enabled((*key).into(), EnabledStatistics::Page);
    }
    for column in dictionary_columns {
        builder = builder.set_column_dictionary_enabled(column.into(), true);
    }
    builder.build()
}

fn parquet_err(path: &Path) -> impl Fn(parquet::errors::ParquetError) -> IndexError + '_ {
    move |source| IndexError::Parquet {
        path: path.to_path_buf(),
        source,
    }
}

/// Writes batches to a new file (the caller makes it visible atomically).
pub fn write(
    path: &Path,
    schema: SchemaRef,
    batches: &[RecordBatch],
    props: WriterProperties,
) -> Result<()> {
    write_stream(path, schema, batches.iter().cloned().map(Ok), props)
}

/// Writes batches as they are produced, so a table far larger than memory can be written:
/// only a few batches and the row group being encoded are held. The batches are produced on
/// a thread of their own while this one encodes, so making and encoding them overlap.
pub fn write_stream(
    path: &Path,
    schema: SchemaRef,
    batches: impl Iterator<Item = Result<RecordBatch>> + Send,
    props: WriterProperties,
) -> Result<()> {
    let file = File::create(path).at(path)?;
    let mut writer = ArrowWriter::try_new(file, schema, Some(props)).map_err(parquet_err(path))?;
    std::thread::scope(|scope| {
        let (made, to_encode) = std::sync::mpsc::sync_channel(2);
        scope.spawn(move || {
            for batch in batches {
                // A send fails once the encoder stopped on an error: stop making batches.
                if made.send(batch).is_err() {
                    break;
                }
            }
        });
        to_encode
            .into_iter()
            .try_for_each(|batch| writer.write(&batch?).map_err(parquet_err(path)))
    })?;
    writer.close().map_err(parquet_err(path))?;
    Ok(())
}

/// Reads a whole file.
pub fn read(path: &Path) -> Result<Vec<RecordBatch>> {
    let file = File::open(path).at(path)?;
    let reader = ParquetRecordBatchReaderBuilder::try_new(file)
        .map_err(parquet_err(path))?
        .with_batch_size(64 * 1024)
        .build()
        .map_err(parquet_err(path))?;
    reader.map(|b| b.map_err(IndexError::from)).collect()
}
