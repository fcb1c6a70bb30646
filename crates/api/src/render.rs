//! Arrow rows → JSON values, typed by the column catalogue, shared by every protocol.

use anchorage_core::catalogue::ColType;
use anchorage_core::time;
use arrow::array::{Array, ArrayRef, AsArray};
use arrow::datatypes::{Float64Type, Int64Type, TimestampMicrosecondType};
use arrow::record_batch::RecordBatch;
use serde_json::{Map, Value};

/// How a protocol writes date-times.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateStyle {
    /// `2024-02-10T14:20:00Z` (Ahrefs v3).
    Iso,
    /// `2024-02-10 14:20:00 +00:00` (DataForSEO).
    DataForSeo,
    /// `2024-02-10` (Ahrefs v2 dates).
    Date,
}

/// One cell as JSON; `array` must be [`canonical`] for `ty`.
pub fn cell(array: &ArrayRef, row: usize, ty: ColType, dates: DateStyle) -> Value {
    if array.is_null(row) {
        return Value::Null;
    }
    if ty.is_list() {
        let list = array.as_list::<i32>().value(row);
        return Value::Array(
            (0..list.len())
                .map(|i| cell(&list, i, ty.element(), dates))
                .collect(),
        );
    }
    match ty {
        ColType::Int => Value::from(array.as_primitive::<Int64Type>().value(row)),
        ColType::Float => float(array.as_primitive::<Float64Type>().value(row)),
        ColType::Bool => Value::Bool(array.as_boolean().value(row)),
        ColType::DateTime => {
            let t = array.as_primitive::<TimestampMicrosecondType>().value(row);
            Value::String(match dates {
                DateStyle::Iso => time::iso(t),
                DateStyle::DataForSeo => time::dataforseo(t),
                DateStyle::Date => time::iso_date(t),
            })
        }
        _ => Value::String(array.as_string::<i32>().value(row).to_string()),
    }
}

/// A float that always serialises as a JSON float (`30.0`, never `30`).
pub fn float(f: f64) -> Value {
    serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)
}

/// The column in the representation [`cell`] reads (the engine may hand out string views,
/// other integer widths…); a column that cannot be cast becomes nulls rather than a panic.
pub fn canonical(array: &ArrayRef, ty: ColType) -> ArrayRef {
    let target = ty.arrow_type();
    if array.data_type() == &target {
        return array.clone();
    }
    arrow::compute::cast(array, &target).unwrap_or_else(|e| {
        tracing::error!(error = %e, from = %array.data_type(), to = %target, "cannot render column");
        arrow::array::new_null_array(&target, array.len())
    })
}

/// Rows of `batches` as JSON objects, keys in column order.
pub fn rows(
    batches: &[RecordBatch],
    columns: &[(&str, ColType)],
    dates: DateStyle,
) -> Vec<Map<String, Value>> {
    let mut out = Vec::new();
    for batch in batches {
        let arrays: Vec<ArrayRef> = columns
            .iter()
            .enumerate()
            .map(|(i, (_, ty))| canonical(batch.column(i), *ty))
            .collect();
        for row in 0..batch.num_rows() {
            let mut obj = Map::with_capacity(columns.len());
            for ((name, ty), array) in columns.iter().zip(&arrays) {
                obj.insert(name.to_string(), cell(array, row, *ty, dates));
            }
            out.push(obj);
        }
    }
    out
}
