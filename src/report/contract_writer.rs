//! The JSON output contract written without a tree: the same object, byte
//! for byte, as the `serde_json` writer of [`super::json`] (kept as the
//! oracle the tests compare against), written field by field into the
//! caller's buffer from the evaluation and the guideline's pre-escaped text
//! ([`ContractText`]). Keys come in the order that writer uses (alphabetical
//! within each object); each dose amount is formatted once.

use super::contract_text::{AmountText, ContractText};
use super::json_out::{push_num, push_range, JsonOut, Layout};
use crate::eval::{Applicability, Decision, DoseResult, Evaluation, Outcome, Truth};
use crate::fhir::{Provenance, Record};
use crate::model::{FactId, Guideline};

/// What to write besides the contract itself.
#[derive(Clone, Copy, Debug, Default)]
pub struct ContractExtras<'a> {
    /// The input line a batch record answers, written first as `"line"`.
    pub line: Option<u64>,
    /// The patient record the case was read from (`"record"`).
    pub record: Option<&'a Record>,
    /// The `--explain` trace (`"explanation"`).
    pub explanation: Option<&'a serde_json::Value>,
}

/// Appends the contract of one evaluation of `g` to `out`, laid out as
/// `layout`, with no newline after it. `text` must be `g`'s.
pub fn write_contract(
    out: &mut Vec<u8>,
    text: &ContractText,
    g: &Guideline,
    e: &Evaluation,
    layout: Layout,
    extras: ContractExtras,
) {
    let mut w = JsonOut::new(out, layout);
    let t = text;
    w.open_object();
    if let Some(line) = extras.line {
        w.key("line");
        w.uint(line);
    }
    w.key("applicable");
    match &e.applicability {
        Applicability::Applies => w.bool(true),
        Applicability::NotApplicable => w.bool(false),
        Applicability::Unknown(_) => w.null(),
    }
    w.key("as_of");
    match e.as_of {
        Some(day) => w.string(&crate::time::format_day(day)),
        None => w.null(),
    }
    if !e.categories.is_empty() {
        w.key("categories");
        categories(&mut w, t, e);
    }
    w.key("conflicts");
    w.open_array();
    for a in &e.actions {
        if let Outcome::Conflict(rules) = &a.outcome {
            let action = &t.actions[a.action.index()];
            w.element();
            w.open_object();
            w.key("action");
            w.escaped(&action.name);
            w.key("label");
            w.escaped(&action.label);
            w.key("message");
            w.escaped("the rules disagree and no precedence settles them; no verdict is given");
            w.key("rules");
            w.open_array();
            for r in rules {
                w.element();
                w.open_object();
                w.key("rule");
                w.escaped(&t.rules[r.index()].id);
                w.key("verdict");
                w.escaped(g.rule(*r).verdict.as_str());
                w.close_object();
            }
            w.close_array();
            w.key("urgent");
            w.bool(g.action(a.action).urgent);
            w.close_object();
        }
    }
    w.close_array();
    w.key("decisions");
    w.open_array();
    for a in &e.actions {
        if let Outcome::Decided(d) = &a.outcome {
            w.element();
            decision(&mut w, t, g, a.action, d);
        }
    }
    w.close_array();
    if let Some(explanation) = extras.explanation {
        w.key("explanation");
        w.value(explanation);
    }
    w.key("guideline");
    w.open_object();
    w.key("hash");
    w.escaped(&t.hash);
    w.key("id");
    w.escaped(&t.id);
    w.key("status");
    w.escaped(t.status);
    w.key("title");
    w.escaped(&t.title);
    w.key("version");
    w.escaped(&t.version);
    w.close_object();
    w.key("note_details");
    w.open_array();
    for &n in &e.notes {
        w.element();
        w.open_object();
        w.key("citations");
        ints(&mut w, &g.notes[n].cites);
        w.key("note");
        w.escaped(&t.notes[n].id);
        w.key("text");
        w.escaped(&t.notes[n].text);
        w.close_object();
    }
    w.close_array();
    w.key("notes");
    w.open_array();
    for &n in &e.notes {
        w.element();
        w.escaped(&t.notes[n].text);
    }
    w.close_array();
    if let Some(record) = extras.record {
        w.key("record");
        patient_record(&mut w, t, g, record);
    }
    w.key("scope");
    match &e.applicability {
        Applicability::Applies => w.null(),
        Applicability::NotApplicable => w.escaped(&t.out_of_scope),
        Applicability::Unknown(needs) => {
            // The words of `words::record_phrase`, from the escaped table.
            w.out.extend_from_slice(b"\"scope undecided: record ");
            for (i, f) in needs.iter().enumerate() {
                if i > 0 {
                    w.out.extend_from_slice(if i + 1 == needs.len() {
                        &b" and "[..]
                    } else {
                        &b", "[..]
                    });
                }
                w.out.extend_from_slice(t.to_record[f.index()].as_bytes());
            }
            w.out.extend_from_slice(b" to know whether this guideline applies\"");
        }
    }
    if !e.scores.is_empty() {
        w.key("scores");
        scores(&mut w, t, e);
    }
    w.key("undecided");
    w.open_array();
    for a in &e.actions {
        let action = &t.actions[a.action.index()];
        let urgent = g.action(a.action).urgent;
        match &a.outcome {
            Outcome::Undecided { needs, possible } => {
                w.element();
                w.open_object();
                w.key("action");
                w.escaped(&action.name);
                w.key("label");
                w.escaped(&action.label);
                w.key("needs");
                names(&mut w, t, needs);
                w.key("possible");
                w.open_array();
                for v in possible {
                    w.element();
                    w.escaped(v.map_or("none", |v| v.as_str()));
                }
                w.close_array();
                w.key("urgent");
                w.bool(urgent);
                w.close_object();
            }
            Outcome::Withheld { invariant, verdict } => {
                w.element();
                w.open_object();
                w.key("action");
                w.escaped(&action.name);
                w.key("label");
                w.escaped(&action.label);
                w.key("needs");
                names(&mut w, t, &[]);
                w.key("possible");
                w.open_array();
                w.element();
                w.escaped(verdict.as_str());
                w.close_array();
                w.key("urgent");
                w.bool(urgent);
                w.key("withheld_by_invariant");
                w.escaped(&t.invariants[*invariant]);
                w.close_object();
            }
            Outcome::Silent | Outcome::Decided(_) | Outcome::Conflict(_) => {}
        }
    }
    w.close_array();
    w.key("violations");
    w.open_array();
    for v in &e.violations {
        let action = &t.actions[v.action.index()];
        w.element();
        w.open_object();
        w.key("action");
        w.escaped(&action.name);
        w.key("certain");
        w.bool(v.certain);
        w.key("invariant");
        w.escaped(&t.invariants[v.invariant]);
        w.key("label");
        w.escaped(&action.label);
        w.key("verdict");
        match v.verdict {
            Some(v) => w.escaped(v.as_str()),
            None => w.null(),
        }
        w.close_object();
    }
    w.close_array();
    w.close_object();
}

fn ints(w: &mut JsonOut, values: &[u32]) {
    w.open_array();
    for &n in values {
        w.element();
        w.int(i64::from(n));
    }
    w.close_array();
}

/// An array of fact names.
fn names(w: &mut JsonOut, t: &ContractText, facts: &[FactId]) {
    w.open_array();
    for &f in facts {
        w.element();
        w.escaped(t.fact(f));
    }
    w.close_array();
}

/// Escaped pieces joined by `sep` into one string value.
fn joined<'t>(w: &mut JsonOut, pieces: impl Iterator<Item = &'t str>, sep: &str) {
    w.out.push(b'"');
    for (i, piece) in pieces.enumerate() {
        if i > 0 {
            w.out.extend_from_slice(sep.as_bytes());
        }
        w.out.extend_from_slice(piece.as_bytes());
    }
    w.out.push(b'"');
}

fn decision(w: &mut JsonOut, t: &ContractText, g: &Guideline, action: crate::model::ActionId, d: &Decision) {
    let text = &t.actions[action.index()];
    w.open_object();
    w.key("action");
    w.escaped(&text.name);
    w.key("citations");
    match d.rules.as_slice() {
        [one] => ints(w, &t.rules[one.index()].cites),
        rules => {
            // Several rules carry the verdict: their sorted citations merged
            // in order without repeats, with no buffer to sort in.
            w.open_array();
            let mut last: Option<u32> = None;
            while let Some(next) = rules
                .iter()
                .filter_map(|r| {
                    t.rules[r.index()]
                        .cites
                        .iter()
                        .copied()
                        .find(|&c| last.is_none_or(|l| c > l))
                })
                .min()
            {
                w.element();
                w.int(i64::from(next));
                last = Some(next);
            }
            w.close_array();
        }
    }
    w.key("detail");
    joined(
        w,
        d.rules.iter().filter_map(|r| t.rules[r.index()].detail.as_deref()),
        "; ",
    );
    w.key("dose");
    match d.doses.iter().find(|r| has_dose(g, r)) {
        Some(r) => {
            dose(w, t, g, r);
        }
        None => w.null(),
    }
    w.key("label");
    w.escaped(&text.label);
    w.key("overridden");
    w.open_array();
    for (r, _) in &d.overridden {
        w.element();
        w.escaped(&t.rules[r.index()].id);
    }
    w.close_array();
    w.key("overridden_by");
    w.open_array();
    for (r, by) in &d.overridden {
        w.element();
        w.open_object();
        w.key("by");
        w.escaped(&t.rules[by.index()].id);
        w.key("rule");
        w.escaped(&t.rules[r.index()].id);
        w.close_object();
    }
    w.close_array();
    w.key("rationale");
    joined(
        w,
        d.rules.iter().filter_map(|r| t.rules[r.index()].because.as_deref()),
        " ",
    );
    w.key("rule");
    w.escaped(&t.rules[d.rules[0].index()].id);
    w.key("rules");
    w.open_array();
    for r in &d.rules {
        w.element();
        w.escaped(&t.rules[r.index()].id);
    }
    w.close_array();
    w.key("urgent");
    w.bool(g.action(action).urgent);
    w.key("verdict");
    w.escaped(d.verdict.as_str());
    w.key("warnings");
    w.open_array();
    for warning in &d.warnings {
        w.element();
        w.open_object();
        w.key("certain");
        w.bool(warning.truth == Truth::True);
        w.key("needs");
        names(w, t, &warning.needs);
        w.key("rule");
        w.escaped(&t.rules[warning.rule.index()].id);
        w.key("text");
        w.escaped(&t.rules[warning.rule.index()].warnings[warning.index]);
        w.close_object();
    }
    w.close_array();
    w.close_object();
}

/// Whether the dose result has JSON (the tree writer's `dose::json` is `Some`).
fn has_dose(g: &Guideline, r: &DoseResult) -> bool {
    let Some(dose) = g.rule(r.rule).dose.as_ref() else {
        return false;
    };
    match r.branch {
        Some(k) => k < dose.branches.len(),
        None => !dose.branches.is_empty(),
    }
}

fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

/// One dose object; `r` has one (see [`has_dose`]). Returns where the
/// content of its `"text"` lies in the output, for a pending dose to repeat.
fn dose(w: &mut JsonOut, t: &ContractText, g: &Guideline, r: &DoseResult) -> (usize, usize) {
    let rule = &t.rules[r.rule.index()];
    let spec = r.branch.and_then(|k| {
        let amount = &g.rule(r.rule).dose.as_ref()?.branches.get(k)?.amount;
        Some((rule.dose.get(k)?, amount))
    });
    let Some((a, spec)) = spec else {
        return pending_dose(w, t, g, r);
    };
    let computed = r.amount.is_some();
    let by_computed = computed && spec.by.is_some();
    w.open_object();
    if let Some(x) = r.by.filter(|_| by_computed) {
        w.key("by");
        w.f64(round4(x));
    }
    if let Some(unit) = a.by_unit.as_deref().filter(|_| by_computed) {
        w.key("by_unit");
        w.escaped(unit);
    }
    if let Some(cap) = spec.cap {
        w.key("cap");
        w.f64(cap);
        w.key("capped");
        w.bool(r.capped);
    }
    if let Some(criterion) = &a.criterion {
        w.key("criterion");
        w.escaped(criterion);
    }
    w.key("high");
    match r.amount {
        Some((_, hi)) => w.f64(round4(hi)),
        None => w.null(),
    }
    if let Some(how) = &a.how {
        w.key("how");
        w.escaped(how);
    }
    w.key("low");
    match r.amount {
        Some((lo, _)) => w.f64(round4(lo)),
        None => w.null(),
    }
    if spec.by.is_some() && !computed && r.not_finite.is_empty() {
        w.key("needs");
        names(w, t, &r.needs);
    }
    if !r.not_finite.is_empty() {
        w.key("not_finite");
        names(w, t, &r.not_finite);
    }
    if spec.by.is_some() {
        w.key("per");
        w.open_object();
        w.key("high");
        w.f64(spec.high);
        w.key("low");
        w.f64(spec.low);
        w.key("unit");
        w.escaped(&a.unit);
        w.close_object();
    }
    w.key("rule");
    w.escaped(&rule.id);
    w.key("text");
    w.out.push(b'"');
    let text_start = w.out.len();
    amount_text(w.out, a, r, spec.by.is_some());
    match (computed, spec.by.is_some()) {
        (true, _) | (false, false) => {}
        (false, true) if r.not_finite.is_empty() => {
            w.out.extend_from_slice(b"; the dose cannot be computed without ");
            push_names(w.out, t, &r.needs);
        }
        (false, true) => {
            w.out
                .extend_from_slice(b"; the dose cannot be computed from the given ");
            push_names(w.out, t, &r.not_finite);
            w.out.extend_from_slice(b": the result is not a finite number");
        }
    }
    let text = (text_start, w.out.len());
    w.out.push(b'"');
    w.key("unit");
    w.escaped(&a.result_unit);
    w.close_object();
    text
}

/// A dose whose amount is still to be chosen: the amounts it can end in,
/// and the facts that settle it. Each amount's text is written once and
/// copied into the summary text.
fn pending_dose(w: &mut JsonOut, t: &ContractText, g: &Guideline, r: &DoseResult) -> (usize, usize) {
    w.open_object();
    w.key("high");
    w.null();
    w.key("low");
    w.null();
    w.key("possible");
    w.open_array();
    // Where each possible amount's text lies in the output, to repeat it:
    // a dose chooses among a few amounts, so a fixed array holds them (more
    // than that would spill to the heap).
    let mut few = [(0usize, 0usize); 8];
    let mut more: Vec<(usize, usize)> = Vec::new();
    let mut count = 0;
    for p in r.possible.iter().filter(|p| has_dose(g, p)) {
        w.element();
        let span = dose(w, t, g, p);
        match few.get_mut(count) {
            Some(slot) => *slot = span,
            None => more.push(span),
        }
        count += 1;
    }
    let texts = few[..count.min(few.len())].iter().chain(&more);
    w.close_array();
    w.key("rule");
    w.escaped(&t.rules[r.rule.index()].id);
    w.key("settled_by");
    names(w, t, &r.settle);
    w.key("text");
    w.out.push(b'"');
    let text_start = w.out.len();
    for (i, &(from, to)) in texts.enumerate() {
        if i > 0 {
            w.out.extend_from_slice(b" or ");
        }
        w.out.extend_from_within(from..to);
    }
    w.out.extend_from_slice(b", depending on ");
    push_names(w.out, t, &r.settle);
    let text = (text_start, w.out.len());
    w.out.push(b'"');
    w.key("unit");
    match t.rules[r.rule.index()].dose.first() {
        Some(a) => w.escaped(&a.result_unit),
        None => w.null(),
    }
    w.close_object();
    text
}

/// Fact names joined by ", ", inside a string.
fn push_names(out: &mut Vec<u8>, t: &ContractText, facts: &[FactId]) {
    for (i, &f) in facts.iter().enumerate() {
        if i > 0 {
            out.extend_from_slice(b", ");
        }
        out.extend_from_slice(t.fact(f).as_bytes());
    }
}

/// One amount for this patient, or what it is per unit when it cannot be
/// computed (the words of the text report's dose line), escaped.
fn amount_text(out: &mut Vec<u8>, a: &AmountText, r: &DoseResult, per_unit: bool) {
    match (r.amount, r.by, per_unit) {
        (Some((lo, hi)), _, false) => push_range(out, lo, hi, &a.result_unit),
        (Some((lo, hi)), Some(x), true) => {
            push_range(out, lo, hi, &a.result_unit);
            out.extend_from_slice(b" (");
            out.extend_from_slice(a.written.as_bytes());
            out.extend_from_slice(" × ".as_bytes());
            push_num(out, x);
            out.push(b' ');
            out.extend_from_slice(a.by_unit.as_deref().unwrap_or_default().as_bytes());
            if let Some(cap) = a.cap.as_deref().filter(|_| r.capped) {
                out.extend_from_slice(b", capped at ");
                out.extend_from_slice(cap.as_bytes());
            }
            out.push(b')');
        }
        _ => {
            out.extend_from_slice(a.written.as_bytes());
            if let Some(cap) = &a.cap {
                out.extend_from_slice(b", at most ");
                out.extend_from_slice(cap.as_bytes());
            }
        }
    }
    if let Some(how) = &a.how {
        out.push(b' ');
        out.extend_from_slice(how.as_bytes());
    }
}

fn scores(w: &mut JsonOut, t: &ContractText, e: &Evaluation) {
    w.open_array();
    for r in &e.scores {
        let s = &t.scores[r.score];
        let items = |w: &mut JsonOut, which: &[usize], points: &dyn Fn(usize) -> i64| {
            w.open_array();
            for &i in which {
                w.element();
                w.open_object();
                w.key("condition");
                w.escaped(&s.items[i]);
                w.key("points");
                w.int(points(i));
                w.close_object();
            }
            w.close_array();
        };
        let points = |i: usize| s.points[i];
        w.element();
        w.open_object();
        w.key("counted");
        items(w, &r.counted, &points);
        w.key("high");
        w.int(r.high);
        w.key("label");
        w.escaped(&s.label);
        w.key("low");
        w.int(r.low);
        w.key("name");
        w.escaped(&s.name);
        w.key("needs");
        names(w, t, &r.needs);
        w.key("unknown");
        items(w, &r.unknown, &points);
        w.key("value");
        if r.low == r.high {
            w.int(r.low);
        } else {
            w.null();
        }
        w.close_object();
    }
    w.close_array();
}

fn categories(w: &mut JsonOut, t: &ContractText, e: &Evaluation) {
    w.open_array();
    for r in &e.categories {
        let c = &t.categories[r.category];
        w.element();
        w.open_object();
        w.key("label");
        w.escaped(&c.label);
        w.key("level");
        match r.level {
            Some(l) => w.escaped(&c.levels[l]),
            None => w.null(),
        }
        w.key("name");
        w.escaped(&c.name);
        w.key("needs");
        names(w, t, &r.needs);
        w.key("possible");
        w.open_array();
        for &l in &r.possible {
            w.element();
            w.escaped(&c.levels[l]);
        }
        w.close_array();
        w.close_object();
    }
    w.close_array();
}

/// The `"record"` object of [`super::record_json`]: its keys in byte order,
/// as a JSON map writes them.
fn patient_record(w: &mut JsonOut, t: &ContractText, g: &Guideline, r: &Record) {
    w.open_object();
    w.key("entries");
    w.uint(r.entries as u64);
    w.key("facts");
    w.open_object();
    for &id in &t.facts_by_name {
        let Some(p) = r.provenance(id) else { continue };
        w.key(t.fact(id));
        let value = r.value(id).map(|v| crate::facts::value_json(g, id, v));
        provenance(w, p, Some(value.as_ref().unwrap_or(&serde_json::Value::Null)));
    }
    w.close_object();
    w.key("instant");
    w.string(&r.instant.to_string());
    w.key("patient");
    match &r.patient {
        Some(p) => w.string(p),
        None => w.null(),
    }
    w.close_object();
}

/// One fact's provenance; `value` is `None` inside a case's `"record"`,
/// which says what the record held without a value of its own.
fn provenance(w: &mut JsonOut, p: &Provenance, value: Option<&serde_json::Value>) {
    w.open_object();
    let optional = |w: &mut JsonOut, s: &Option<String>| match s {
        Some(s) => w.string(s),
        None => w.null(),
    };
    match p {
        Provenance::Resource(f) => {
            w.key("entry");
            w.uint(f.entry as u64);
            w.key("original");
            w.string(&f.original);
            w.key("resource");
            w.string(&f.resource);
            w.key("source");
            w.escaped(p.kind());
            w.key("status");
            optional(w, &f.status);
            w.key("time");
            optional(w, &f.time);
        }
        Provenance::Absent { looked_for } => {
            w.key("reason");
            w.string(&format!(
                "no active, confirmed {looked_for} in the record, and the guideline states that the record is complete for it"
            ));
            w.key("source");
            w.escaped(p.kind());
        }
        Provenance::Case { record } => {
            if let Some(before) = record {
                w.key("record");
                provenance(w, before, None);
            }
            w.key("source");
            w.escaped(p.kind());
        }
        Provenance::Unknown { reason } => {
            w.key("reason");
            w.string(reason);
            w.key("source");
            w.escaped(p.kind());
        }
    }
    if let Some(value) = value {
        w.key("value");
        w.value(value);
    }
    w.close_object();
}
