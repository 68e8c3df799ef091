//! The result rows: one per valid case, built column by column from the
//! evaluator's buffers (the brief record's content, plus each decided
//! action's dose), with the guideline's identity in the schema's metadata.

use std::collections::HashMap;
use std::sync::Arc;

use arrow::array::{
    ArrayRef, BooleanBuilder, Date32Builder, Float64Builder, ListBuilder, RecordBatch, StringBuilder, UInt64Builder,
};
use arrow::datatypes::{DataType, Field, FieldRef, Schema, SchemaRef};

use super::{SchemaError, META_GUIDELINE_HASH, META_GUIDELINE_ID, META_GUIDELINE_VERSION};
use crate::eval::{Conclusion, DoseResult, Evaluator, Truth};
use crate::facts::Case;
use crate::model::{ActionId, FactId, Guideline};

/// The columns of one action.
#[derive(Debug)]
struct ActionColumns {
    verdict: StringBuilder,
    /// `(low, high, unit)` when a rule on the action states a dose.
    dose: Option<(Float64Builder, Float64Builder, StringBuilder)>,
    needs: ListBuilder<StringBuilder>,
}

/// Builders of the result columns, refilled batch after batch.
#[derive(Debug)]
pub(super) struct Results {
    schema: SchemaRef,
    row: UInt64Builder,
    applicable: BooleanBuilder,
    as_of: Option<Date32Builder>,
    actions: Vec<ActionColumns>,
    conflicts: ListBuilder<StringBuilder>,
    violations: ListBuilder<StringBuilder>,
    /// Per action, the decided dose of the current row (reused).
    doses: Vec<Option<DoseResult>>,
    /// Per action, the current row's conclusion (reused).
    conclusions: Vec<Conclusion>,
    /// Per rule, the unit of each dose branch's result, written once here
    /// rather than formatted again for every row.
    dose_units: Vec<Vec<String>>,
}

fn text_list() -> DataType {
    DataType::List(Arc::new(Field::new("item", DataType::Utf8, true)))
}

fn has_dose(g: &Guideline, a: ActionId) -> bool {
    g.action(a).rules.iter().any(|r| g.rule(*r).dose.is_some())
}

impl Results {
    /// The builders for `g`'s results, after the kept columns `kept`.
    pub fn new(g: &Guideline, kept: &[FieldRef]) -> Result<Results, SchemaError> {
        let mut fields: Vec<FieldRef> = kept.to_vec();
        fields.push(Arc::new(Field::new("row", DataType::UInt64, false)));
        fields.push(Arc::new(Field::new("applicable", DataType::Boolean, true)));
        if g.reads_dates() {
            fields.push(Arc::new(Field::new("as_of", DataType::Date32, true)));
        }
        let mut actions = Vec::new();
        for (i, action) in g.actions.iter().enumerate() {
            let name = &action.name;
            fields.push(Arc::new(Field::new(name, DataType::Utf8, true)));
            let dose = has_dose(g, ActionId(i as u32));
            if dose {
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
                verdict: StringBuilder::new(),
                dose: dose.then(|| (Float64Builder::new(), Float64Builder::new(), StringBuilder::new())),
                needs: ListBuilder::new(StringBuilder::new()),
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
        Ok(Results {
            schema: Arc::new(Schema::new_with_metadata(fields, metadata)),
            row: UInt64Builder::new(),
            applicable: BooleanBuilder::new(),
            as_of: g.reads_dates().then(Date32Builder::new),
            actions,
            conflicts: ListBuilder::new(StringBuilder::new()),
            violations: ListBuilder::new(StringBuilder::new()),
            doses: Vec::new(),
            conclusions: Vec::new(),
            dose_units: g
                .rules
                .iter()
                .map(|r| {
                    r.dose
                        .iter()
                        .flat_map(|d| d.branches.iter().map(|b| b.amount.result_unit.to_string()))
                        .collect()
                })
                .collect(),
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
        for a in &mut self.actions {
            a.verdict.finish();
            if let Some((low, high, unit)) = &mut a.dose {
                low.finish();
                high.finish();
                unit.finish();
            }
            a.needs.finish();
        }
        self.conflicts.finish();
        self.violations.finish();
    }

    /// Appends the row of the case last run by `evaluator`.
    pub fn push(&mut self, g: &Guideline, row: u64, evaluator: &mut Evaluator, case: &Case, needs: &mut Vec<FactId>) {
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
        let conclusions = &mut self.conclusions;
        conclusions.clear();
        if scope == Truth::False {
            conclusions.resize(self.actions.len(), Conclusion::Silent);
        } else {
            conclusions.extend(brief.outcomes().map(|(_, c)| c));
        }
        for (a, c) in conclusions.iter().enumerate() {
            if c == &Conclusion::Conflict {
                self.conflicts.values().append_value(&g.actions[a].name);
            }
        }
        self.conflicts.append(true);
        for v in brief.violations() {
            self.violations.values().append_value(&g.invariants[v.invariant].id);
        }
        self.violations.append(true);
        // The doses are worked out only when a decided action states one.
        let dosed = conclusions
            .iter()
            .zip(&self.actions)
            .any(|(c, cols)| matches!(c, Conclusion::Decided(_)) && cols.dose.is_some());
        if dosed {
            evaluator.decided_doses(case, &mut self.doses);
        } else {
            self.doses.clear();
        }
        let doses = &self.doses;
        for (a, (c, cols)) in conclusions.iter().zip(&mut self.actions).enumerate() {
            match c {
                Conclusion::Decided(v) => cols.verdict.append_value(v.as_str()),
                _ => cols.verdict.append_null(),
            }
            if let Some((low, high, unit)) = &mut cols.dose {
                let dose = doses.get(a).and_then(Option::as_ref);
                let amount = dose.and_then(|d| d.amount);
                low.append_option(amount.map(|(l, _)| l));
                high.append_option(amount.map(|(_, h)| h));
                let chosen = dose.and_then(|d| self.dose_units.get(d.rule.index())?.get(d.branch?));
                unit.append_option(chosen);
            }
            if matches!(c, Conclusion::Undecided | Conclusion::Withheld(_)) {
                evaluator.needs_into(case, ActionId(a as u32), needs);
                for f in needs.iter() {
                    cols.needs.values().append_value(&g.fact(*f).name);
                }
                cols.needs.append(true);
            } else {
                cols.needs.append_null();
            }
        }
    }

    /// The batch of the rows pushed since the last one, after the kept columns.
    pub fn finish(&mut self, kept: Vec<ArrayRef>) -> Result<RecordBatch, arrow::error::ArrowError> {
        let mut columns = kept;
        columns.push(Arc::new(self.row.finish()));
        columns.push(Arc::new(self.applicable.finish()));
        if let Some(b) = &mut self.as_of {
            columns.push(Arc::new(b.finish()));
        }
        for a in &mut self.actions {
            columns.push(Arc::new(a.verdict.finish()));
            if let Some((low, high, unit)) = &mut a.dose {
                columns.push(Arc::new(low.finish()));
                columns.push(Arc::new(high.finish()));
                columns.push(Arc::new(unit.finish()));
            }
            columns.push(Arc::new(a.needs.finish()));
        }
        columns.push(Arc::new(self.conflicts.finish()));
        columns.push(Arc::new(self.violations.finish()));
        RecordBatch::try_new(self.schema(), columns)
    }
}
