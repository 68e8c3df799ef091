//! Proving a category's levels exclusive (no complete patient in scope is at
//! two levels) and exhaustive (every one is at some level), by SAT over the
//! same encoding lint uses. A witness is kept only when the real evaluator
//! confirms it; a question the solver leaves open (budget, or a comparison
//! outside the exact fragment) is a warning "not proved", never a pass.
//!
//! The checker asks this of every category: `risk is high` is lowered to the
//! level's condition, which is sound only because at most one level holds.

use super::domain::Domain;
use super::encode::{Encoder, Tv};
use super::sat::Budget;
use crate::diagnostics::{Problem, Span};
use crate::eval::{Truth, Values};
use crate::facts::Case;
use crate::model::{Category, Expr, Guideline};

/// The proof allowance of one file's categories, in [`Budget`] units.
pub const CHECK_UNITS: u64 = Budget::DEFAULT_UNITS / 10;

/// The errors (overlap, gap, each with a witness patient) and warnings (not
/// proved) of every category of `g`, with `g`'s source attached.
pub fn prove_categories(g: &Guideline) -> Vec<Problem> {
    if g.categories.is_empty() {
        return Vec::new();
    }
    // One allowance for the whole file, a tenth of a lint run's: every
    // `check` and every load pays for it, so a hostile file must stop soon
    // (and is then "not proved", never passed).
    let budget = Budget::new(CHECK_UNITS);
    let mut out = Vec::new();
    for c in &g.categories {
        prove(g, c, &budget, &mut out);
    }
    out.into_iter().map(|p| p.with_source(&g.source)).collect()
}

fn prove(g: &Guideline, c: &Category, budget: &Budget, out: &mut Vec<Problem>) {
    // The written conditions; an `otherwise` level is exclusive and
    // exhaustive by construction and needs no question.
    let written: Vec<(&str, &Expr)> = c
        .levels
        .iter()
        .filter_map(|l| l.when.as_ref().map(|w| (l.name.as_str(), w)))
        .collect();
    let has_otherwise = written.len() < c.levels.len();
    let exprs: Vec<&Expr> = g.scope.iter().chain(written.iter().map(|(_, e)| *e)).collect();
    let dom = Domain::new(g, exprs.iter().copied());
    let mut enc = Encoder::new(g, &dom, budget);
    let scope = enc.optional(g.scope.as_ref());
    let tvs: Vec<Tv> = written.iter().map(|(_, e)| enc.condition(e)).collect();
    let mut assume = enc.complete();
    assume.push(scope.t);
    let head = first_line(g, c.span);

    for i in 0..written.len() {
        for j in i + 1..written.len() {
            let mut a = assume.clone();
            a.extend([tvs[i].t, tvs[j].t]);
            let question = format!(
                "that levels `{}` and `{}` of `{}` never hold together",
                written[i].0, written[j].0, c.name
            );
            match enc.sat.solve(&a) {
                Ok(None) => {}
                Ok(Some(model)) => {
                    let case = enc.decode(&model, true);
                    let values = Values::new(g, &case);
                    let confirmed = in_scope(g, &values)
                        && values.truth(written[i].1) == Truth::True
                        && values.truth(written[j].1) == Truth::True;
                    if confirmed {
                        out.push(
                            Problem::error(
                                "guidelang::check::category_overlap",
                                format!(
                                    "a patient can be at two levels of `{}`: `{}` and `{}`",
                                    c.name, written[i].0, written[j].0
                                ),
                            )
                            .with_label(written[i].1.span, format!("`{}` holds", written[i].0))
                            .with_label(written[j].1.span, format!("`{}` holds too", written[j].0))
                            .with_help(format!(
                                "for example {}; make the conditions exclusive (e.g. add `and not ...` to one)",
                                witness(g, &case, &exprs)
                            )),
                        );
                    } else {
                        out.push(not_proved(head, &question, "a comparison of computed quantities"));
                    }
                }
                Err(_) => out.push(not_proved(head, &question, "the analysis budget ran out")),
            }
        }
    }

    if has_otherwise {
        return;
    }
    let mut a = assume;
    a.extend(tvs.iter().map(|tv| tv.f));
    let question = format!("that every patient is at some level of `{}`", c.name);
    match enc.sat.solve(&a) {
        Ok(None) => {}
        Ok(Some(model)) => {
            let case = enc.decode(&model, true);
            let values = Values::new(g, &case);
            let confirmed = in_scope(g, &values) && written.iter().all(|(_, e)| values.truth(e) == Truth::False);
            if confirmed {
                out.push(
                    Problem::error(
                        "guidelang::check::category_gap",
                        format!("a patient can be at no level of `{}`", c.name),
                    )
                    .with_label(head, "no level holds for some patients")
                    .with_help(format!(
                        "for example {}; add a level for them, or end with `LEVEL otherwise`",
                        witness(g, &case, &exprs)
                    )),
                );
            } else {
                out.push(not_proved(head, &question, "a comparison of computed quantities"));
            }
        }
        Err(_) => out.push(not_proved(head, &question, "the analysis budget ran out")),
    }
}

fn in_scope(g: &Guideline, values: &Values) -> bool {
    g.scope.as_ref().is_none_or(|s| values.truth(s) == Truth::True)
}

fn not_proved(at: Span, question: &str, why: &str) -> Problem {
    Problem::warning(
        "guidelang::check::category_not_proved",
        format!("could not prove {question} ({why})"),
    )
    .with_label(at, "not proved")
    .with_help("`is` on this category may then be wrong for some patients; simplify the conditions, or end with `LEVEL otherwise`")
}

/// The witness as a case, limited to the facts the conditions read.
fn witness(g: &Guideline, case: &Case, exprs: &[&Expr]) -> String {
    let mut read: Vec<String> = exprs
        .iter()
        .flat_map(|e| g.facts_read(e))
        .map(|f| g.fact(f).name.clone())
        .collect();
    read.sort();
    read.dedup();
    let mut json = super::lint::witness_json(g, case);
    if let serde_json::Value::Object(map) = &mut json {
        map.retain(|k, _| read.contains(k));
    }
    json.to_string()
}

/// The first line of an item, where its keyword and name are.
fn first_line(g: &Guideline, span: Span) -> Span {
    let text = g.source.slice(span);
    let len = text.find('\n').unwrap_or(text.len());
    Span::new(span.start, span.start + text[..len].trim_end().len())
}
