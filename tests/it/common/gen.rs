//! Test data derived from a guideline's own declarations, so the same
//! strategies serve any guideline: cases (complete, partial, and a partial case
//! paired with a completion of it), and whole random guidelines printed to
//! source text (see [`random`](super::random)).
//!
//! Values are drawn uniformly from each fact's declared range, with extra
//! weight on the constants the guideline compares the fact against and the
//! values just beside them, where an off-by-one in a rule or in the evaluator
//! would show.

use guidelang::facts::{self, Case};
use guidelang::model::{Claim, Expr, ExprKind, FactKind, Guideline};
use proptest::prelude::*;
use proptest::test_runner::Config;
use serde_json::{json, Map, Value as Json};

/// The environment variable that sets the number of cases of every property
/// (for a long soak); unset, each property runs its own modest default.
pub const CASES_VAR: &str = "GUIDELANG_PROPTEST_CASES";

/// A proptest configuration with `default_cases` cases, or the count in
/// [`CASES_VAR`] when it is set (for a long soak). Failures are persisted in
/// `tests/proptest-regressions/<file>.txt` (proptest's default for a crate
/// root `tests/it/main.rs`) and replayed first on every run; a failure found is also kept as a named regression
/// test where it teaches something.
pub fn config(default_cases: u32) -> Config {
    let cases = std::env::var(CASES_VAR)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default_cases);
    Config::with_cases(cases)
}

/// One fact's domain with the constants worth hitting.
#[derive(Clone, Debug)]
pub struct FactSpace {
    /// The fact's name in cases.
    pub name: String,
    /// Its declared type and range.
    pub kind: FactKind,
    /// Constants the guideline compares it against (unfiltered, may repeat).
    pub constants: Vec<f64>,
    /// Also draw huge magnitudes, where arithmetic overflows to infinity.
    pub extremes: bool,
}

/// The space of cases of one guideline.
#[derive(Clone, Debug)]
pub struct CaseSpace {
    /// One entry per declared fact, in declaration order.
    pub facts: Vec<FactSpace>,
}

impl CaseSpace {
    /// The case space of `g`, with the constants of every checked expression
    /// (definitions, scope, rules, warnings, doses, notes, invariants).
    pub fn of(g: &Guideline) -> CaseSpace {
        let mut constants = vec![Vec::new(); g.facts.len()];
        let mut exprs: Vec<&Expr> = Vec::new();
        exprs.extend(g.definitions.iter().map(|d| &d.body));
        exprs.extend(g.scope.iter());
        for r in &g.rules {
            exprs.extend(r.when.iter());
            exprs.extend(r.warnings.iter().filter_map(|w| w.when.as_ref()));
            for b in r.dose.iter().flat_map(|d| &d.branches) {
                exprs.extend(b.when.iter());
                exprs.extend(b.amount.by.iter().map(|by| &by.expr));
            }
        }
        exprs.extend(g.notes.iter().filter_map(|n| n.when.as_ref()));
        for inv in &g.invariants {
            match &inv.claim {
                Claim::Never { when, .. } | Claim::AlwaysDecide { when, .. } => exprs.push(when),
            }
        }
        for e in exprs {
            collect_constants(g, e, &mut constants);
        }
        CaseSpace {
            facts: g
                .facts
                .iter()
                .zip(constants)
                .map(|(f, constants)| FactSpace {
                    name: f.name.clone(),
                    kind: f.kind.clone(),
                    constants,
                    extremes: false,
                })
                .collect(),
        }
    }

    /// Adds a constant worth hitting for a fact (e.g. a threshold from a spec
    /// that the guideline file might have got wrong).
    pub fn with_constant(mut self, fact: &str, k: f64) -> CaseSpace {
        if let Some(f) = self.facts.iter_mut().find(|f| f.name == fact) {
            f.constants.push(k);
        }
        self
    }

    /// Also draws huge values (±1e200) where the declared range allows them, so
    /// that products overflow and must come out unknown, never infinite.
    pub fn with_extremes(mut self) -> CaseSpace {
        self.facts.iter_mut().for_each(|f| f.extremes = true);
        self
    }

    /// Every fact known.
    pub fn complete(&self) -> BoxedStrategy<Json> {
        let names = self.names();
        self.values()
            .prop_map(move |values| object(&names, values.into_iter().map(Some)))
            .boxed()
    }

    /// Some facts known, some absent (left out, or given as `null`).
    pub fn partial(&self) -> BoxedStrategy<Json> {
        self.pair().prop_map(|(partial, _)| partial).boxed()
    }

    /// A partial case and a completion of it: every fact the partial case
    /// knows has the same value in the completion, which knows every fact.
    pub fn pair(&self) -> BoxedStrategy<(Json, Json)> {
        let names = self.names();
        let n = names.len();
        (self.values(), proptest::collection::vec(0u8..4, n), 0u8..=4)
            .prop_map(move |(values, mask, keep)| {
                let partial = names
                    .iter()
                    .zip(&values)
                    .zip(&mask)
                    .filter_map(|((name, v), m)| match (*m < keep, m % 2) {
                        (true, _) => Some((name.clone(), v.clone())),
                        // Absent facts are either left out or given as null: both mean unknown.
                        (false, 1) => Some((name.clone(), Json::Null)),
                        (false, _) => None,
                    })
                    .collect::<Map<_, _>>();
                (Json::Object(partial), object(&names, values.into_iter().map(Some)))
            })
            .boxed()
    }

    /// A chain partial ⊆ larger ⊆ complete, for monotonicity across two steps.
    pub fn chain(&self) -> BoxedStrategy<(Json, Json, Json)> {
        let names = self.names();
        let n = names.len();
        (self.values(), proptest::collection::vec(0u8..4, n), 0u8..=2, 2u8..=4)
            .prop_map(move |(values, mask, small, large)| {
                let keep = |limit: u8| {
                    object(
                        &names,
                        values.iter().zip(&mask).map(|(v, m)| (*m < limit).then(|| v.clone())),
                    )
                };
                (
                    keep(small),
                    keep(large),
                    object(&names, values.iter().cloned().map(Some)),
                )
            })
            .boxed()
    }

    fn names(&self) -> Vec<String> {
        self.facts.iter().map(|f| f.name.clone()).collect()
    }

    fn values(&self) -> Vec<BoxedStrategy<Json>> {
        self.facts.iter().map(value_strategy).collect()
    }
}

fn object(names: &[String], values: impl Iterator<Item = Option<Json>>) -> Json {
    Json::Object(
        names
            .iter()
            .zip(values)
            .filter_map(|(n, v)| v.map(|v| (n.clone(), v)))
            .collect(),
    )
}

/// Validates a generated case; a generated case is always valid, so an error
/// here is a bug in the generator (or in validation) and fails the test.
pub fn to_case(g: &Guideline, json: &Json) -> Case {
    match facts::validate_json(g, json) {
        Ok(case) => case,
        Err(errors) => panic!("generated case {json} is invalid: {errors:?}"),
    }
}

/// The numeric facts compared in `e` (directly or through definitions) get
/// every constant of the comparison, and their negations (a constant written
/// `-5` is `Neg(5)` after checking).
fn collect_constants(g: &Guideline, e: &Expr, out: &mut [Vec<f64>]) {
    guidelang::check::visit(e, &mut |k| {
        if let ExprKind::Compare(_, a, b) = k {
            let mut facts = Vec::new();
            let mut ks = Vec::new();
            for side in [a, b] {
                facts_in(g, side, &mut facts, 0);
                guidelang::check::visit(side, &mut |k| {
                    if let ExprKind::Num(x) = k {
                        ks.push(*x);
                        ks.push(-*x);
                    }
                });
            }
            for f in facts {
                out[f].extend(&ks);
            }
        }
    });
}

fn facts_in(g: &Guideline, e: &Expr, out: &mut Vec<usize>, depth: usize) {
    guidelang::check::visit(e, &mut |k| match k {
        ExprKind::Fact(f) => out.push(f.index()),
        // Checked definitions are acyclic; the depth bound only guards the test itself.
        ExprKind::Def(d) if depth <= g.definitions.len() => facts_in(g, &g.definitions[d.index()].body, out, depth + 1),
        _ => {}
    });
}

/// 2^53: an integer fact refuses a case value past it (facts.rs).
const MAX_EXACT_INTEGER: f64 = 9_007_199_254_740_992.0;

/// The valid values of a fact worth hitting: each constant and its neighbours,
/// and the ends of the declared range.
pub fn interesting_values(f: &FactSpace) -> Vec<f64> {
    let (min, max, integer) = match &f.kind {
        FactKind::Integer { min, max } => (*min, *max, true),
        FactKind::Number { min, max, .. } => (*min, *max, false),
        _ => return Vec::new(),
    };
    let mut out: Vec<f64> = Vec::new();
    for &k in &f.constants {
        if integer {
            out.extend([k.floor() - 1.0, k.floor(), k.ceil(), k.ceil() + 1.0]);
        } else {
            out.extend([k, k - 1.0, k + 1.0, k - 0.5, k + 0.5, k - 0.01, k + 0.01]);
        }
    }
    out.extend(min);
    out.extend(max);
    // An integer fact takes whole numbers a double holds exactly, up to
    // 2^53; a case past that is refused.
    let exact = |x: f64| !integer || x.abs() <= MAX_EXACT_INTEGER;
    if f.extremes {
        out.extend(if integer {
            [MAX_EXACT_INTEGER, -MAX_EXACT_INTEGER]
        } else {
            [1e200, -1e200]
        });
    }
    out.retain(|x| x.is_finite() && exact(*x) && min.is_none_or(|m| *x >= m) && max.is_none_or(|m| *x <= m));
    out.sort_by(f64::total_cmp);
    out.dedup();
    out
}

/// The range drawn from uniformly: the declared bounds, or around the constants.
fn uniform_range(f: &FactSpace) -> (f64, f64) {
    let (min, max) = match &f.kind {
        FactKind::Integer { min, max } | FactKind::Number { min, max, .. } => (*min, *max),
        _ => (None, None),
    };
    let largest = f.constants.iter().fold(0.0f64, |m, k| m.max(k.abs()));
    let lo = min.unwrap_or(-(largest + 10.0));
    let hi = max.unwrap_or(lo.max(0.0) + 3.0 * largest + 10.0);
    (lo, hi.max(lo))
}

fn value_strategy(f: &FactSpace) -> BoxedStrategy<Json> {
    match &f.kind {
        FactKind::Bool => any::<bool>().prop_map(Json::Bool).boxed(),
        FactKind::Enum { values } => proptest::sample::select(values.clone()).prop_map(Json::String).boxed(),
        // 1990-01-01 to 2026-12-01, never after the suites' evaluation dates.
        FactKind::Date => (7_305i32..=20_788)
            .prop_map(|d| Json::String(guidelang::time::format_day(f64::from(d))))
            .boxed(),
        FactKind::Integer { .. } => {
            let (lo, hi) = uniform_range(f);
            let (lo, hi) = (
                lo.ceil().max(-MAX_EXACT_INTEGER) as i64,
                hi.floor().min(MAX_EXACT_INTEGER) as i64,
            );
            let uniform = (lo..=hi.max(lo)).prop_map(|x| json!(x)).boxed();
            weighted(uniform, interesting_values(f), |x| json!(x as i64))
        }
        FactKind::Number { .. } => {
            let (lo, hi) = uniform_range(f);
            // Two decimals keep failing cases readable; the interesting values
            // supply the exact thresholds.
            let uniform = (lo..=hi)
                .prop_map(move |x| number(((x * 100.0).round() / 100.0).clamp(lo, hi)))
                .boxed();
            weighted(uniform, interesting_values(f), number)
        }
    }
}

fn weighted(uniform: BoxedStrategy<Json>, interesting: Vec<f64>, to_json: fn(f64) -> Json) -> BoxedStrategy<Json> {
    if interesting.is_empty() {
        return uniform;
    }
    prop_oneof![
        1 => uniform,
        1 => proptest::sample::select(interesting).prop_map(to_json),
    ]
    .boxed()
}

/// A finite number as JSON.
pub fn number(x: f64) -> Json {
    serde_json::Number::from_f64(x).map_or(Json::Null, Json::Number)
}

/// Splits a guideline's text into its header and its items, each item running
/// from a line that starts (at column 0) with an item keyword to the next one.
/// Comment lines go with the item above them, which is harmless for reordering.
pub fn split_items(text: &str) -> (String, Vec<(String, String)>) {
    const KEYWORDS: [&str; 6] = ["reference", "fact", "define", "rule", "note", "invariant"];
    let mut header = String::new();
    let mut items: Vec<(String, String)> = Vec::new();
    for line in text.split_inclusive('\n') {
        let first = line.split(|c: char| !c.is_ascii_alphanumeric()).next().unwrap_or("");
        if KEYWORDS.contains(&first) {
            items.push((first.to_string(), String::new()));
        }
        match items.last_mut() {
            Some((_, body)) => body.push_str(line),
            None => header.push_str(line),
        }
    }
    for (_, body) in &mut items {
        if !body.ends_with('\n') {
            body.push('\n');
        }
    }
    (header, items)
}

/// The text with its `define` and `rule` items reordered by `keys` (a stable
/// sort of those items by `keys[i % keys.len()]`), every other item in place.
pub fn reorder_rules_and_definitions(text: &str, keys: &[u32]) -> String {
    let (header, items) = split_items(text);
    let movable = |kind: &str| kind == "define" || kind == "rule";
    let mut moved: Vec<(u32, &String)> = items
        .iter()
        .filter(|(k, _)| movable(k))
        .enumerate()
        .map(|(i, (_, body))| (if keys.is_empty() { 0 } else { keys[i % keys.len()] }, body))
        .collect();
    moved.sort_by_key(|(k, _)| *k);
    let mut moved = moved.into_iter().map(|(_, b)| b);
    let mut out = header;
    for (kind, body) in &items {
        let body = if movable(kind) {
            moved.next().unwrap_or(body)
        } else {
            body
        };
        out.push_str(body);
    }
    out
}
