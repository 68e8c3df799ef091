//! The result rows: one per valid case, built column by column from the
//! evaluator's buffers (the brief record's content, plus each decided
//! action's dose), with the guideline's identity in the schema's metadata.
//!
//! A row costs little while the batch is read: each action's conclusion is
//! kept as a byte (its place in [`ConclusionCounts`]' table, which counts it
//! too), the `needs` lists as fact ids for the rows that have one, the doses
//! as numbers and unit codes. The Arrow columns are built when the batch is
//! finished, each in one pass over those codes, the texts copied from a
//! table of names: no string builder per cell, no branch per action.

use std::collections::HashMap;
use std::sync::Arc;

use arrow::array::{
    ArrayRef, BooleanBuilder, Date32Builder, DictionaryArray, Float64Array, Int8Array, ListArray, RecordBatch,
    StringArray, UInt64Builder,
};
use arrow::buffer::{BooleanBuffer, Buffer, NullBuffer, OffsetBuffer, ScalarBuffer};
use arrow::datatypes::{DataType, Field, FieldRef, Int8Type, Schema, SchemaRef};
use arrow::error::ArrowError;

use super::{SchemaError, META_GUIDELINE_HASH, META_GUIDELINE_ID, META_GUIDELINE_VERSION, ROW_COLUMN};
use crate::batch::ConclusionCounts;
use crate::eval::{DecidedDose, Evaluator, Truth};
use crate::facts::Case;
use crate::model::{ActionId, FactId, Guideline, Verdict};

/// One action's columns: its verdicts are read from the batch's table of
/// places when the batch is finished; its lists of needed facts are kept
/// for the rows that have one.
#[derive(Debug)]
struct ActionColumns {
    /// The action's place among the dosed actions, when a rule on it states a dose.
    dose: Option<usize>,
    /// The facts that would decide it, for the rows where it is undecided or withheld.
    needs: SparseLists,
}

/// Lists of fact ids for some rows of a batch (the others null).
#[derive(Debug)]
struct SparseLists {
    /// The rows (in the batch) that have a list, ascending.
    rows: Vec<usize>,
    /// Where each of those rows' ids end in `ids` (after a leading 0).
    ends: Vec<usize>,
    ids: Vec<u32>,
}

impl SparseLists {
    fn new() -> SparseLists {
        SparseLists {
            rows: Vec::new(),
            ends: vec![0],
            ids: Vec::new(),
        }
    }

    fn clear(&mut self) {
        self.rows.clear();
        self.ends.clear();
        self.ends.push(0);
        self.ids.clear();
    }

    fn push(&mut self, row: usize, ids: impl IntoIterator<Item = u32>) {
        self.rows.push(row);
        self.ids.extend(ids);
        self.ends.push(self.ids.len());
    }

    /// The list column of `n` rows, each id read as its name in `names`.
    fn finish(&mut self, n: usize, names: &[&str]) -> Result<ListArray, ArrowError> {
        // The rows ascend, so the ids are already the column's values in order.
        let ids = &self.ids;
        let values = text_column(ids.len(), |k| ids.get(k).map(|&id| id as usize), names)?;
        let last = self.ends.last().copied().unwrap_or(0);
        if i32::try_from(last).is_err() {
            return Err(ArrowError::OffsetOverflowError(last));
        }
        // A row without a list is null and empty: the end before it is
        // repeated up to the next row that has one.
        let mut ends: Vec<i32> = Vec::with_capacity(n + 1);
        ends.push(0);
        let mut words = vec![0u64; n.div_ceil(64)];
        let mut end = 0i32;
        for (&row, &e) in self.rows.iter().zip(self.ends.iter().skip(1)) {
            ends.resize(row + 1, end);
            end = e as i32;
            ends.push(end);
            if let Some(word) = words.get_mut(row / 64) {
                *word |= 1 << (row % 64);
            }
        }
        ends.resize(n + 1, end);
        let nulls = (self.rows.len() < n).then(|| NullBuffer::new(BooleanBuffer::new(Buffer::from_vec(words), 0, n)));
        self.clear();
        ListArray::try_new(
            item_field(),
            OffsetBuffer::new(ScalarBuffer::from(ends)),
            Arc::new(values),
            nulls,
        )
    }
}

/// The dose columns of one action that states a dose.
#[derive(Debug, Default)]
struct DoseColumns {
    low: Vec<f64>,
    high: Vec<f64>,
    /// Per row: whether `low` and `high` hold an amount.
    amount: Vec<bool>,
    /// Per row: 0 when no dose was chosen, else 1 + the unit's place in `Results::unit_texts`.
    unit: Vec<u32>,
}

/// A column of lists of names (actions, invariants) as ids into a table of
/// names, until the batch is finished.
#[derive(Debug)]
struct Lists {
    /// Where each row's ids end in `ids` (after a leading 0).
    ends: Vec<usize>,
    ids: Vec<u32>,
}

impl Lists {
    fn new() -> Lists {
        Lists {
            ends: vec![0],
            ids: Vec::new(),
        }
    }

    fn clear(&mut self) {
        self.ends.clear();
        self.ends.push(0);
        self.ids.clear();
    }

    fn push(&mut self, ids: impl IntoIterator<Item = u32>) {
        self.ids.extend(ids);
        self.ends.push(self.ids.len());
    }

    /// The list column (no list is null), each id read as its name in `names`.
    fn finish(&mut self, names: &[&str]) -> Result<ListArray, ArrowError> {
        let ids = &self.ids;
        let values = text_column(ids.len(), |k| ids.get(k).map(|&id| id as usize), names)?;
        let offsets = offsets(&self.ends)?;
        self.clear();
        ListArray::try_new(item_field(), offsets, Arc::new(values), None)
    }
}

/// Offsets of Arrow's 32-bit kind, refused (not wrapped) past 2^31.
fn offsets(ends: &[usize]) -> Result<OffsetBuffer<i32>, ArrowError> {
    // Ends ascend: when the last fits, all do, and the conversion is one
    // loop the compiler vectorises.
    let last = ends.last().copied().unwrap_or(0);
    if i32::try_from(last).is_err() {
        return Err(ArrowError::OffsetOverflowError(last));
    }
    let ends: Vec<i32> = ends.iter().map(|&e| e as i32).collect();
    Ok(OffsetBuffer::new(ScalarBuffer::from(ends)))
}

/// The validity of `present`, or none when every row is there (as a
/// builder leaves it).
fn nulls(present: &[bool]) -> Option<NullBuffer> {
    validity(present.len(), |i| present[i])
}

/// The validity of `n` rows, 64 at a time, or none when every row is there.
fn validity(n: usize, valid: impl Fn(usize) -> bool) -> Option<NullBuffer> {
    let bits = BooleanBuffer::collect_bool(n, valid);
    (bits.count_set_bits() < n).then(|| NullBuffer::new(bits))
}

/// A text column of `n` rows: row `i` the text `texts[k]` when
/// `code(i)` is `Some(k)`, null otherwise.
fn text_column(n: usize, code: impl Fn(usize) -> Option<usize>, texts: &[&str]) -> Result<StringArray, ArrowError> {
    let longest = texts.iter().map(|t| t.len()).max().unwrap_or(0);
    // No batch of these names can pass 2^31 bytes: the offsets are written
    // as Arrow's i32 straight away.
    let fits = n
        .checked_mul(longest)
        .and_then(|most| most.checked_add(32))
        .is_some_and(|most| i32::try_from(most).is_ok());
    match longest {
        _ if !fits => long_text_column(n, code, texts),
        0..=16 => blocks_text_column::<16>(n, code, texts),
        17..=32 => blocks_text_column::<32>(n, code, texts),
        _ => long_text_column(n, code, texts),
    }
}

/// [`text_column`] for names of at most `PAD` bytes, in batches whose
/// bytes fit Arrow's 32-bit offsets with a block to spare.
fn blocks_text_column<const PAD: usize>(
    n: usize,
    code: impl Fn(usize) -> Option<usize>,
    texts: &[&str],
) -> Result<StringArray, ArrowError> {
    // Each name is copied as a fixed block of PAD bytes (one move, not a
    // call to memcpy, and no branch on null: a null copies an empty block)
    // into a buffer sized for the longest name in every row plus a block,
    // and the next name starts where this one ends; the validity is
    // written a word of 64 rows at a time, in the same pass.
    let mut blocks: Vec<([u8; PAD], i32)> = Vec::with_capacity(texts.len());
    for t in texts {
        let mut block = [0u8; PAD];
        if let Some(head) = block.get_mut(..t.len()) {
            head.copy_from_slice(t.as_bytes());
        }
        blocks.push((block, t.len() as i32));
    }
    let empty = ([0u8; PAD], 0);
    let longest = texts.iter().map(|t| t.len()).max().unwrap_or(0);
    let mut bytes = vec![0u8; n * longest + PAD];
    let mut ends: Vec<i32> = Vec::with_capacity(n + 1);
    ends.push(0);
    let mut words: Vec<u64> = Vec::with_capacity(n.div_ceil(64));
    let (mut word, mut present) = (0u64, 0usize);
    let mut end = 0usize;
    for i in 0..n {
        let text = code(i).and_then(|k| blocks.get(k));
        let (block, len) = text.unwrap_or(&empty);
        // `end` is at most `i * longest`: the block fits.
        if let Some(to) = bytes.get_mut(end..end + PAD) {
            to.copy_from_slice(block);
        }
        end += *len as usize;
        ends.push(end as i32);
        word |= u64::from(text.is_some()) << (i % 64);
        present += usize::from(text.is_some());
        if i % 64 == 63 {
            words.push(word);
            word = 0;
        }
    }
    if !n.is_multiple_of(64) {
        words.push(word);
    }
    bytes.truncate(end);
    let nulls = (present < n).then(|| NullBuffer::new(BooleanBuffer::new(Buffer::from_vec(words), 0, n)));
    StringArray::try_new(OffsetBuffer::new(ScalarBuffer::from(ends)), bytes.into(), nulls)
}

/// [`text_column`] for names too long for its blocks, or batches too large
/// for its offsets (refused past 2^31 bytes, as Arrow's 32-bit offsets must be).
fn long_text_column(
    n: usize,
    code: impl Fn(usize) -> Option<usize>,
    texts: &[&str],
) -> Result<StringArray, ArrowError> {
    let text = |i: usize| code(i).and_then(|k| texts.get(k));
    let mut ends = Vec::with_capacity(n + 1);
    ends.push(0);
    let mut bytes: Vec<u8> = Vec::new();
    for i in 0..n {
        if let Some(t) = text(i) {
            bytes.extend_from_slice(t.as_bytes());
        }
        ends.push(bytes.len());
    }
    StringArray::try_new(offsets(&ends)?, bytes.into(), validity(n, |i| text(i).is_some()))
}

/// The type of a verdict column: a dictionary of the four verdicts' names,
/// a byte per row (what pandas reads as a categorical, Parquet stores
/// dictionary-encoded, and Arrow IPC writes once per file).
pub(super) fn verdict_type() -> DataType {
    DataType::Dictionary(Box::new(DataType::Int8), Box::new(DataType::Utf8))
}

/// A verdict column from the places of its rows (see
/// [`ConclusionCounts::place`]), `places` read every `stride` bytes from
/// `first`: the keys are the places of the verdicts less one, into
/// `verdicts` (the names in the order of [`Verdict::ALL`]); any other
/// conclusion is null.
fn verdict_column(places: &[u8], first: usize, stride: usize, verdicts: &ArrayRef) -> Result<ArrayRef, ArrowError> {
    // Two passes the compiler keeps branch-free: a place less one as the
    // key (a decided row's key is 0..=3, any other row's is outside), then,
    // 64 rows to a word, the validity from the keys and the nulls' keys set
    // to 0, which keeps every key within the values.
    let stride = stride.max(1);
    let mut keys: Vec<i8> = places
        .iter()
        .skip(first)
        .step_by(stride)
        .map(|&p| p.wrapping_sub(1) as i8)
        .collect();
    let mut words: Vec<u64> = Vec::with_capacity(keys.len().div_ceil(64));
    let mut valid = 0;
    for chunk in keys.chunks_mut(64) {
        let mut word = 0u64;
        for (j, k) in chunk.iter_mut().enumerate() {
            let decided = (*k as u8) < 4;
            word |= u64::from(decided) << j;
            *k &= -i8::from(decided);
        }
        valid += word.count_ones() as usize;
        words.push(word);
    }
    let n = keys.len();
    let nulls = (valid < n).then(|| NullBuffer::new(BooleanBuffer::new(Buffer::from_vec(words), 0, n)));
    let keys = Int8Array::new(ScalarBuffer::from(keys), nulls);
    Ok(Arc::new(DictionaryArray::<Int8Type>::try_new(
        keys,
        Arc::clone(verdicts),
    )?))
}

/// Builders of the result columns, refilled batch after batch.
#[derive(Debug)]
pub(super) struct Results {
    schema: SchemaRef,
    row: UInt64Builder,
    applicable: BooleanBuilder,
    as_of: Option<Date32Builder>,
    actions: Vec<ActionColumns>,
    /// The actions that state a dose, and their columns, in action order.
    dosed: Vec<ActionId>,
    doses: Vec<DoseColumns>,
    conflicts: Lists,
    violations: Lists,
    /// The decided doses of the current row, one per dosed action (reused).
    row_doses: Vec<Option<DecidedDose>>,
    /// Per row of the batch, each action's conclusion as its
    /// [`ConclusionCounts::place`], row after row.
    places: Vec<u8>,
    /// Rows pushed since the batch began.
    rows: usize,
    /// Per rule, the place in `unit_texts` of each dose branch's unit,
    /// written once here rather than formatted again for every row.
    dose_units: Vec<Vec<u32>>,
    unit_texts: Vec<String>,
    /// The verdicts' names, in the order of [`Verdict::ALL`]: the values of
    /// every verdict column's dictionary, shared by all of them.
    verdicts: ArrayRef,
    /// Names by id: facts, actions, invariants.
    fact_names: Vec<String>,
    action_names: Vec<String>,
    invariant_names: Vec<String>,
}

/// Places of conclusions in [`ConclusionCounts`]' table.
const PLACE_SILENT: u8 = 0;
const PLACE_CONFLICT: u8 = 5;
/// Undecided, and after it withheld: the conclusions with facts to name.
const PLACE_UNDECIDED: u8 = 6;

fn is_decided(place: u8) -> bool {
    (1..=4).contains(&place)
}

fn item_field() -> FieldRef {
    Arc::new(Field::new("item", DataType::Utf8, true))
}

fn text_list() -> DataType {
    DataType::List(item_field())
}

fn has_dose(g: &Guideline, a: ActionId) -> bool {
    g.action(a).rules.iter().any(|r| g.rule(*r).dose.is_some())
}

fn names(names: &[String]) -> Vec<&str> {
    names.iter().map(String::as_str).collect()
}

impl Results {
    /// The builders for `g`'s results, after the kept columns `kept`.
    pub fn new(g: &Guideline, kept: &[FieldRef]) -> Result<Results, SchemaError> {
        let mut fields: Vec<FieldRef> = kept.to_vec();
        fields.push(Arc::new(Field::new(ROW_COLUMN, DataType::UInt64, false)));
        fields.push(Arc::new(Field::new("applicable", DataType::Boolean, true)));
        if g.reads_dates() {
            fields.push(Arc::new(Field::new("as_of", DataType::Date32, true)));
        }
        let mut actions = Vec::new();
        let mut dosed = Vec::new();
        for (i, action) in g.actions.iter().enumerate() {
            let name = &action.name;
            fields.push(Arc::new(Field::new(name, verdict_type(), true)));
            let id = ActionId(i as u32);
            let dose = has_dose(g, id).then(|| {
                dosed.push(id);
                dosed.len() - 1
            });
            if dose.is_some() {
                fields.push(Arc::new(Field::new(
                    format!("{name}_dose_low"),
                    DataType::Float64,
                    true,
                )));
                fields.push(Arc::new(Field::new(
                    format!("{name}_dose_high"),
                    DataType::Float64,
                    true,
                )));
                fields.push(Arc::new(Field::new(format!("{name}_dose_unit"), DataType::Utf8, true)));
            }
            fields.push(Arc::new(Field::new(format!("{name}_needs"), text_list(), true)));
            actions.push(ActionColumns {
                dose,
                needs: SparseLists::new(),
            });
        }
        fields.push(Arc::new(Field::new("conflicts", text_list(), false)));
        fields.push(Arc::new(Field::new("violations", text_list(), false)));
        // A kept id column must not shadow a result column, nor two result
        // columns one another (an action named `conflicts`).
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for (i, f) in fields.iter().enumerate() {
            if let Some(first) = seen.insert(f.name(), i) {
                let kept_one = first < kept.len();
                return Err(SchemaError::new(
                    Some(f.name()),
                    None,
                    format!("the results would have two columns named `{}`", f.name()),
                    if kept_one {
                        "keep the id column under another name (rename it in the cohort), or do not keep it"
                    } else {
                        "rename the action in the guideline: its result column takes this name"
                    },
                ));
            }
        }
        let metadata = HashMap::from([
            (META_GUIDELINE_ID.to_string(), g.meta.id.clone()),
            (META_GUIDELINE_VERSION.to_string(), g.meta.version.to_string()),
            (META_GUIDELINE_HASH.to_string(), g.hash.clone()),
        ]);
        let mut unit_texts: Vec<String> = Vec::new();
        let dose_units = g
            .rules
            .iter()
            .map(|r| {
                r.dose
                    .iter()
                    .flat_map(|d| d.branches.iter())
                    .map(|b| {
                        let unit = b.amount.result_unit.to_string();
                        let place = match unit_texts.iter().position(|u| *u == unit) {
                            Some(p) => p,
                            None => {
                                unit_texts.push(unit);
                                unit_texts.len() - 1
                            }
                        };
                        place as u32
                    })
                    .collect()
            })
            .collect();
        Ok(Results {
            schema: Arc::new(Schema::new_with_metadata(fields, metadata)),
            row: UInt64Builder::new(),
            applicable: BooleanBuilder::new(),
            as_of: g.reads_dates().then(Date32Builder::new),
            actions,
            doses: dosed.iter().map(|_| DoseColumns::default()).collect(),
            dosed,
            conflicts: Lists::new(),
            violations: Lists::new(),
            row_doses: Vec::new(),
            places: Vec::new(),
            rows: 0,
            dose_units,
            unit_texts,
            verdicts: Arc::new(StringArray::from_iter_values(Verdict::ALL.iter().map(|v| v.as_str()))),
            fact_names: g.facts.iter().map(|f| f.name.clone()).collect(),
            action_names: g.actions.iter().map(|a| a.name.clone()).collect(),
            invariant_names: g.invariants.iter().map(|i| i.id.clone()).collect(),
        })
    }

    pub fn schema(&self) -> SchemaRef {
        Arc::clone(&self.schema)
    }

    /// Forgets any rows of an unfinished batch.
    pub fn clear(&mut self) {
        // `finish` empties the builders; what it returns is dropped.
        self.row.finish();
        self.applicable.finish();
        if let Some(b) = &mut self.as_of {
            b.finish();
        }
        self.places.clear();
        self.rows = 0;
        for a in &mut self.actions {
            a.needs.clear();
        }
        for d in &mut self.doses {
            d.low.clear();
            d.high.clear();
            d.amount.clear();
            d.unit.clear();
        }
        self.conflicts.clear();
        self.violations.clear();
    }

    /// Appends the row of the case last run by `evaluator`, and counts it.
    pub fn push(
        &mut self,
        row: u64,
        evaluator: &mut Evaluator,
        case: &Case,
        needs: &mut Vec<FactId>,
        counts: &mut ConclusionCounts,
    ) {
        let brief = evaluator.brief();
        self.row.append_value(row);
        let scope = brief.scope();
        self.applicable.append_option(match scope {
            Truth::True => Some(true),
            Truth::False => Some(false),
            Truth::Unknown => None,
        });
        if let Some(b) = &mut self.as_of {
            // Day numbers of accepted dates fit an i32 many times over.
            b.append_option(case.as_of().map(|d| d as i32));
        }
        // Each action's conclusion as its place in the counts' table: the
        // verdict columns are read from these places when the batch is
        // finished, so a row costs a byte per action here.
        let width = self.actions.len();
        let start = self.places.len();
        if scope == Truth::False {
            self.places.resize(start + width, PLACE_SILENT);
        } else {
            self.places
                .extend(brief.outcomes().map(|(_, c)| ConclusionCounts::place(c) as u8));
        }
        let places = self.places.get(start..).unwrap_or_default();
        let batch_row = self.rows;
        self.rows += 1;
        counts.add(scope, places, brief.violations().len());
        // Conflicts are rare: looked for (one scan the compiler vectorises)
        // before they are listed.
        if places.contains(&PLACE_CONFLICT) {
            self.conflicts.push(
                places
                    .iter()
                    .enumerate()
                    .filter(|(_, &p)| p == PLACE_CONFLICT)
                    .map(|(a, _)| a as u32),
            );
        } else {
            self.conflicts.push([]);
        }
        self.violations
            .push(brief.violations().iter().map(|v| v.invariant as u32));
        // The doses are worked out only when a decided action states one.
        let dosed = self
            .dosed
            .iter()
            .any(|a| places.get(a.index()).is_some_and(|&p| is_decided(p)));
        if dosed {
            evaluator.decided_doses(case, &self.dosed, &mut self.row_doses);
        } else {
            self.row_doses.clear();
        }
        for (k, columns) in self.doses.iter_mut().enumerate() {
            let dose = self.row_doses.get(k).and_then(Option::as_ref);
            let (low, high) = dose.and_then(|d| d.amount).unwrap_or((0.0, 0.0));
            columns.low.push(low);
            columns.high.push(high);
            columns.amount.push(dose.is_some_and(|d| d.amount.is_some()));
            let unit = dose.and_then(|d| self.dose_units.get(d.rule.index())?.get(d.branch?));
            columns.unit.push(unit.map_or(0, |u| u + 1));
        }
        for (a, (&place, columns)) in places.iter().zip(&mut self.actions).enumerate() {
            if place >= PLACE_UNDECIDED {
                evaluator.needs_into(case, ActionId(a as u32), needs);
                columns.needs.push(batch_row, needs.iter().map(|f| f.0));
            }
        }
    }

    /// The batch of the rows pushed since the last one, after the kept columns.
    pub fn finish(&mut self, kept: Vec<ArrayRef>) -> Result<RecordBatch, ArrowError> {
        let units = names(&self.unit_texts);
        let facts = names(&self.fact_names);
        let mut columns = kept;
        columns.push(Arc::new(self.row.finish()));
        columns.push(Arc::new(self.applicable.finish()));
        if let Some(b) = &mut self.as_of {
            columns.push(Arc::new(b.finish()));
        }
        let (n, width) = (self.rows, self.actions.len());
        let places = &self.places;
        for (a, action) in self.actions.iter_mut().enumerate() {
            columns.push(verdict_column(places, a, width, &self.verdicts)?);
            if let Some(d) = action.dose.and_then(|k| self.doses.get_mut(k)) {
                let amounts = nulls(&d.amount);
                columns.push(Arc::new(Float64Array::new(
                    std::mem::take(&mut d.low).into(),
                    amounts.clone(),
                )));
                columns.push(Arc::new(Float64Array::new(std::mem::take(&mut d.high).into(), amounts)));
                let codes = &d.unit;
                let unit = text_column(n, |i| codes.get(i).and_then(|&u| (u as usize).checked_sub(1)), &units)?;
                columns.push(Arc::new(unit));
                d.amount.clear();
                d.unit.clear();
            }
            columns.push(Arc::new(action.needs.finish(n, &facts)?));
        }
        self.places.clear();
        self.rows = 0;
        columns.push(Arc::new(self.conflicts.finish(&names(&self.action_names))?));
        columns.push(Arc::new(self.violations.finish(&names(&self.invariant_names))?));
        RecordBatch::try_new(self.schema(), columns)
    }
}

#[cfg(test)]
mod tests {
    use arrow::array::{Array, ListBuilder, StringBuilder};
    use proptest::prelude::*;

    use super::*;

    /// Names within 16 bytes, within 32, and past both block sizes (the
    /// other path).
    const NAMES: [&str; 6] = [
        "recommend",
        "",
        "contraindicated",
        "a_fact_name_of_more_than_thirty_two_bytes",
        "é",
        "white_cell_count_at_diagnosis",
    ];

    /// The names up to `longest` bytes: 16 and 32 take the two block
    /// sizes, anything longer the path without blocks.
    fn texts(longest: usize) -> Vec<&'static str> {
        NAMES.iter().copied().filter(|t| t.len() <= longest).collect()
    }

    proptest! {
        /// A text column built from codes is the one arrow's own builder
        /// makes from the same texts: offsets, bytes and nulls, across
        /// whole and partial words of 64 rows, on both paths.
        #[test]
        fn text_columns_are_the_builders(
            codes in proptest::collection::vec(proptest::option::of(0usize..7), 0..300),
            longest in prop_oneof![Just(16usize), Just(32), Just(64)],
        ) {
            let texts = texts(longest);
            let column = text_column(codes.len(), |i| codes[i], &texts).unwrap();
            let mut want = StringBuilder::new();
            for code in &codes {
                want.append_option(code.and_then(|k| texts.get(k)));
            }
            prop_assert_eq!(column, want.finish());
        }

        /// A verdict column holds each decided row's verdict, by name, and
        /// a null for every other conclusion, across words of 64 rows; read
        /// from places of several actions, row after row, it takes only its own.
        #[test]
        fn verdict_columns_name_the_decided_verdicts(
            places in proptest::collection::vec(0u8..8, 0..600),
            (stride, first) in (1usize..5).prop_flat_map(|w| (Just(w), 0..w)),
        ) {
            let verdicts: ArrayRef = Arc::new(StringArray::from_iter_values(Verdict::ALL.iter().map(|v| v.as_str())));
            let own: Vec<u8> = places.iter().skip(first).step_by(stride).copied().collect();
            let column = verdict_column(&places, first, stride, &verdicts).unwrap();
            let column = column.as_any().downcast_ref::<DictionaryArray<Int8Type>>().unwrap();
            prop_assert_eq!(column.data_type(), &verdict_type());
            prop_assert_eq!(column.len(), own.len());
            let names = column.values().as_any().downcast_ref::<StringArray>().unwrap();
            for (i, &place) in own.iter().enumerate() {
                let want = match place {
                    1..=4 => Some(Verdict::ALL[usize::from(place) - 1].as_str()),
                    _ => None,
                };
                let got = (!column.is_null(i)).then(|| names.value(column.keys().value(i) as usize));
                prop_assert_eq!(got, want, "row {} of place {}", i, place);
            }
        }

        /// The `needs` lists of some rows are the lists a list builder makes
        /// with a null for every other row.
        #[test]
        fn sparse_lists_are_the_builders(rows in proptest::collection::vec(proptest::option::of(proptest::collection::vec(0u32..5, 0..4)), 0..200)) {
            let names = NAMES;
            let mut sparse = SparseLists::new();
            let mut want = ListBuilder::new(StringBuilder::new());
            for (i, row) in rows.iter().enumerate() {
                match row {
                    Some(ids) => {
                        sparse.push(i, ids.iter().copied());
                        for &id in ids {
                            want.values().append_value(names[id as usize]);
                        }
                        want.append(true);
                    }
                    None => want.append_null(),
                }
            }
            let got = sparse.finish(rows.len(), &names).unwrap();
            prop_assert_eq!(got, want.finish());
            // Finished means empty: the next batch starts afresh.
            prop_assert_eq!(sparse.finish(0, &names).unwrap().len(), 0);
        }
    }

    /// Offsets past 2^31 are refused, not wrapped.
    #[test]
    fn offsets_past_two_to_the_31_are_refused() {
        assert!(offsets(&[0, 5, i32::MAX as usize]).is_ok());
        assert!(matches!(
            offsets(&[0, i32::MAX as usize + 1]),
            Err(ArrowError::OffsetOverflowError(_))
        ));
    }
}
