//! The patient summary at the top of the clinician's report: each given fact
//! by its description, with its unit, and each derived notion with its value
//! and the given values that made it so.

use std::fmt::Write;

use super::english::humanize;
use super::text::Painter;
use super::why::Why;
use super::words::fact_short;
use super::words::{capitalize, definition_label, definition_unit, fact_noun, fact_value, quantity, yes_no};
use crate::eval::Val;
use crate::model::{DefId, Expr, ExprKind, FactId, FactKind, Type};

/// Writes the PATIENT section.
pub(super) fn summary(out: &mut String, why: &Why, p: &Painter, record: Option<&crate::fhir::Record>) {
    let g = why.guideline();
    let _ = writeln!(out, "\n{}", p.bold("PATIENT"));
    if let Some(r) = record {
        // Each fact with where it came from, and the record's unknowns with why.
        super::record::facts(out, g, r, p);
        derived_section(out, why, p);
        return;
    }
    let given: Vec<String> = (0..g.facts.len())
        .map(|i| FactId(i as u32))
        .filter_map(|f| {
            let v = why.case().get(f)?;
            Some(format!("{}: {}", capitalize(&fact_noun(g, f)), fact_value(g, f, v)))
        })
        .collect();
    let _ = writeln!(out, "  {}", p.dim("given"));
    if given.is_empty() {
        let _ = writeln!(out, "    no facts were given");
    }
    for line in given {
        let _ = writeln!(out, "    {line}");
    }
    derived_section(out, why, p);
}

fn derived_section(out: &mut String, why: &Why, p: &Painter) {
    let g = why.guideline();
    if g.definitions.is_empty() {
        return;
    }
    let _ = writeln!(out, "  {}", p.dim("derived"));
    for d in (0..g.definitions.len()).map(|i| DefId(i as u32)) {
        let _ = writeln!(out, "    {}", derived(why, d));
    }
}

/// "Hyperleukocytosis: yes (white blood cell count 150 × 10^9/L > 100)".
pub(super) fn derived(why: &Why, d: DefId) -> String {
    let g = why.guideline();
    let def = &g.definitions[d.index()];
    let value = match why.definition(d) {
        Val::Unknown => "unknown".to_string(),
        Val::Bool(b) => yes_no(b).to_string(),
        Val::Num(x) => quantity(x, definition_unit(g, d)),
        Val::Enum(i) => enum_value(why, d, i),
    };
    let reasons = if matches!(why.definition(d), Val::Num(_) | Val::Enum(_)) {
        // A quantity is computed from every fact it uses.
        inputs(why, &def.body)
    } else {
        why.reason_texts(&def.body)
    };
    let label = capitalize(&definition_label(g, d));
    if reasons.is_empty() {
        format!("{label}: {value}")
    } else {
        format!("{label}: {value} ({})", reasons.join("; "))
    }
}

/// An enum-valued definition's value by the name its fact declares.
fn enum_value(why: &Why, d: DefId, i: u8) -> String {
    let g = why.guideline();
    if let Type::Enum(f) = &g.definitions[d.index()].ty {
        if let FactKind::Enum { values } = &g.fact(*f).kind {
            if let Some(v) = values.get(i as usize) {
                return humanize(v);
            }
        }
    }
    format!("value {i}")
}

/// "height 182 cm; weight 70 kg": the facts a quantity is computed from.
fn inputs(why: &Why, e: &Expr) -> Vec<String> {
    let mut facts = Vec::new();
    let mut seen_defs = vec![false; why.guideline().definitions.len()];
    collect_facts(why, e, &mut facts, &mut seen_defs);
    let g = why.guideline();
    facts
        .into_iter()
        .map(|f| match why.case().get(f) {
            Some(v) => format!("{} {}", fact_short(g, f), fact_value(g, f, v)),
            None => format!("{} not recorded", fact_short(g, f)),
        })
        .collect()
}

/// The facts under `e`, in the order met, looking through definitions once
/// each (shared definitions must not be walked once per path).
fn collect_facts(why: &Why, e: &Expr, out: &mut Vec<FactId>, seen: &mut [bool]) {
    use ExprKind::*;
    match &e.kind {
        Fact(f) if !out.contains(f) => out.push(*f),
        Def(d) if !seen[d.index()] => {
            seen[d.index()] = true;
            collect_facts(why, &why.guideline().definitions[d.index()].body, out, seen);
        }
        Not(x) | Neg(x) | Sqrt(x) | EnumIn(x, _) | Known(x, _) => collect_facts(why, x, out, seen),
        And(a, b) | Or(a, b) | Compare(_, a, b) | Arith(_, a, b) => {
            collect_facts(why, a, out, seen);
            collect_facts(why, b, out, seen);
        }
        AtLeast(_, items) => items.iter().for_each(|i| collect_facts(why, i, out, seen)),
        _ => {}
    }
}
