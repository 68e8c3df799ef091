//! Conditions in plain words, for the clinical-review document: `wbc > 100`
//! becomes "white blood cell count above 100 × 10^9/L". Facts are named by
//! their whole description where it is short (see [`fact_label`]), else by
//! their name in words; definitions keep their name, marked as a term so the
//! document can link it to its explanation.

use crate::model::{ArithOp, CmpOp, Expr, ExprKind, FactId, FactKind, Guideline, Type};
use crate::units::Unit;

/// A piece of running text.
#[derive(Clone, Debug, PartialEq)]
pub enum Inline {
    /// Plain words.
    Text(String),
    /// Emphasised words.
    Strong(String),
    /// A name as written in the file.
    Code(String),
    /// A unit, which HTML may typeset (`10^9/L`).
    Unit(String),
    /// A definition, linked to its explanation by `name` and read as `label`
    /// (the head of its description, "APL excluded", or its name in words).
    Term {
        /// The definition's name, for the link.
        name: String,
        /// What a reader sees.
        label: String,
    },
    /// A reference number, linked to the reference list.
    Cite(u32),
    /// A rule id, linked to the rule.
    RuleLink(String),
    /// A verdict, coloured in HTML.
    Verdict(crate::model::Verdict),
    /// The mark of an urgent action (an emergency measure).
    Urgent,
}

/// Words for a whole condition.
pub type Phrase = Vec<Inline>;

/// A fact's name inside a condition phrase. A description is never cut short
/// (cutting "Prior stroke, TIA or systemic thromboembolism." at its comma
/// would tell the reader that only a stroke counts):
///
/// - a short plain description (one sentence of at most 8 words, without
///   punctuation inside or a connective) is used whole: "white blood cell count";
/// - a short description that has a comma, a parenthesis or its own "or",
///   "and", "not" (at most 12 words, one sentence) is used whole, in quotes,
///   so that its words cannot blur the condition around it:
///   "“prior stroke, TIA or systemic thromboembolism”";
/// - otherwise (no description, a question, several sentences, longer) the
///   fact's name in words; the facts table gives the whole description.
///
/// The first letter is lower-cased only when the first word is an ordinary
/// capitalised word: "APL", "TIA", "G6PD", "PML-RARA" stay as written.
pub fn fact_label(g: &Guideline, f: FactId) -> String {
    let fact = g.fact(f);
    let from_name = || humanize(&fact.name);
    let Some(desc) = &fact.description else {
        return from_name();
    };
    let sentence = desc.trim();
    let sentence = sentence.strip_suffix('.').unwrap_or(sentence).trim();
    let words = sentence.split_whitespace().count();
    let question = ["how", "what", "whether", "when", "which", "why", "is", "does"]
        .iter()
        .any(|w| sentence.to_lowercase().starts_with(&format!("{w} ")));
    let several_sentences = sentence.contains(['.', '?', '!', ';', ':', '\n']);
    if sentence.is_empty() || question || several_sentences || words > 12 {
        return from_name();
    }
    let connective = sentence
        .split_whitespace()
        .any(|w| matches!(w.to_lowercase().as_str(), "or" | "and" | "not"));
    let punctuated = sentence.contains([',', '(', ')', '/', '"', '“', '”']);
    if connective || punctuated || words > 8 {
        format!("“{}”", lower_first(sentence))
    } else {
        lower_first(sentence)
    }
}

/// `hydroxyurea_response` → "hydroxyurea response".
pub fn humanize(name: &str) -> String {
    name.replace('_', " ")
}

/// Lower-cases the first letter when the first word is an ordinary
/// capitalised word ("White" → "white"), never in an acronym or a name with
/// capitals or digits after its first letter ("ECOG", "G6PD", "PML-RARA", "pH").
fn lower_first(s: &str) -> String {
    let first = s.split_whitespace().next().unwrap_or("");
    let ordinary = first.chars().skip(1).all(|c| !c.is_uppercase() && !c.is_ascii_digit());
    let mut chars = s.chars();
    match chars.next() {
        Some(a) if ordinary => a.to_lowercase().chain(chars).collect(),
        _ => s.to_string(),
    }
}

/// A condition in plain words.
pub fn condition(g: &Guideline, e: &Expr) -> Phrase {
    let mut out = Vec::new();
    Words { g }.cond(&e.kind, &mut out);
    merge_text(out)
}

/// A quantity expression in plain words (a dose's multiplier).
pub fn quantity(g: &Guideline, e: &Expr) -> Phrase {
    let mut out = Vec::new();
    Words { g }.value(&e.kind, &mut out);
    merge_text(out)
}

fn merge_text(parts: Vec<Inline>) -> Phrase {
    let mut out: Phrase = Vec::new();
    for p in parts {
        match (out.last_mut(), p) {
            (Some(Inline::Text(a)), Inline::Text(b)) => a.push_str(&b),
            (_, p) => out.push(p),
        }
    }
    out
}

fn text(out: &mut Vec<Inline>, s: impl Into<String>) {
    out.push(Inline::Text(s.into()));
}

struct Words<'a> {
    g: &'a Guideline,
}

impl Words<'_> {
    fn cond(&self, e: &ExprKind, out: &mut Vec<Inline>) {
        // A category's level, which the checker put in place of `is LEVEL`.
        if let Some(words) = super::derived::level_words(self.g, e) {
            text(out, words);
            return;
        }
        match e {
            ExprKind::Bool(true) => text(out, "always"),
            ExprKind::Bool(false) => text(out, "never"),
            ExprKind::And(..) | ExprKind::Or(..) => self.chain(e, out),
            ExprKind::Not(x) => {
                text(out, "not ");
                self.grouped(x, out);
            }
            ExprKind::Compare(op, a, b) => self.compare(*op, a, b, out),
            ExprKind::EnumIn(subject, mask) => self.enum_in(subject, *mask, out),
            ExprKind::Known(x, negated) => {
                self.value(&x.kind, out);
                text(out, if *negated { " is not recorded" } else { " is recorded" });
            }
            ExprKind::Change {
                now,
                baseline,
                percent,
                rise,
            } => {
                self.value(&now.kind, out);
                let way = if *rise { "above" } else { "below" };
                text(out, format!(" at least {} % {way} ", super::fmt_num(*percent)));
                self.value(&baseline.kind, out);
            }
            ExprKind::AtLeast(n, items) if super::derived::score_threshold(self.g, *n, items).is_some() => {
                if let Some((label, k)) = super::derived::score_threshold(self.g, *n, items) {
                    text(out, format!("{label} at least {k}"));
                }
            }
            ExprKind::AtLeast(n, items) => {
                text(out, format!("at least {n} of ("));
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        text(out, "; ");
                    }
                    self.cond(&item.kind, out);
                }
                text(out, ")");
            }
            other => self.value(other, out),
        }
    }

    /// `A and B and C` flattened to "A, B and C"; a different connective inside
    /// is put in parentheses so the grouping stays visible.
    fn chain(&self, e: &ExprKind, out: &mut Vec<Inline>) {
        let is_and = matches!(e, ExprKind::And(..));
        let mut items = Vec::new();
        flatten(e, is_and, &mut items);
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                let last = i + 1 == items.len();
                let word = if is_and { "and" } else { "or" };
                text(out, if last { format!(" {word} ") } else { ", ".to_string() });
            }
            let nested = matches!(item, ExprKind::And(..) | ExprKind::Or(..));
            if nested {
                text(out, "(");
                self.cond(item, out);
                text(out, ")");
            } else {
                self.cond(item, out);
            }
        }
    }

    fn grouped(&self, x: &Expr, out: &mut Vec<Inline>) {
        let simple = matches!(x.kind, ExprKind::Fact(_) | ExprKind::Def(_) | ExprKind::Bool(_));
        if !simple {
            text(out, "(");
        }
        self.cond(&x.kind, out);
        if !simple {
            text(out, ")");
        }
    }

    fn compare(&self, op: CmpOp, a: &Expr, b: &Expr, out: &mut Vec<Inline>) {
        // "100 < wbc" reads as "wbc above 100".
        let (op, a, b) = match (&a.kind, &b.kind) {
            (ExprKind::Num(_), ExprKind::Num(_)) => (op, a, b),
            (ExprKind::Num(_), _) => (flip(op), b, a),
            _ => (op, a, b),
        };
        self.value(&a.kind, out);
        let word = match op {
            CmpOp::Gt => "above",
            CmpOp::Ge => "at least",
            CmpOp::Lt => "below",
            CmpOp::Le => "at most",
            CmpOp::Eq => "equal to",
            CmpOp::Ne => "not equal to",
        };
        text(out, format!(" {word} "));
        self.value(&b.kind, out);
        if let (ExprKind::Num(_), Some(u)) = (&b.kind, self.unit_of(&a.kind)) {
            text(out, " ");
            if u.starts_with(|c: char| c.is_ascii_digit()) {
                // A scale unit: 100 × 10^9/L.
                text(out, "× ");
            }
            out.push(Inline::Unit(u));
        }
    }

    fn enum_in(&self, subject: &Expr, mask: u64, out: &mut Vec<Inline>) {
        self.value(&subject.kind, out);
        let values = self.enum_values(&subject.kind);
        let chosen: Vec<&str> = values
            .iter()
            .enumerate()
            .filter(|(i, _)| mask & (1 << i) != 0)
            .map(|(_, v)| v.as_str())
            .collect();
        let rest: Vec<&str> = values
            .iter()
            .enumerate()
            .filter(|(i, _)| mask & (1 << i) == 0)
            .map(|(_, v)| v.as_str())
            .collect();
        let words = |vs: &[&str]| vs.iter().map(|v| humanize(v)).collect::<Vec<_>>().join(" or ");
        // "is not X" only where listing would be long; two values read best as written.
        if rest.len() == 1 && chosen.len() > 2 {
            text(out, format!(" is not {}", words(&rest)));
        } else if chosen.is_empty() {
            text(out, " is none of its values");
        } else {
            text(out, format!(" is {}", words(&chosen)));
        }
    }

    fn enum_values(&self, e: &ExprKind) -> Vec<String> {
        let fact = match e {
            ExprKind::Fact(f) => Some(*f),
            ExprKind::Def(d) => match &self.g.definitions[d.index()].ty {
                Type::Enum(f) => Some(*f),
                _ => None,
            },
            _ => None,
        };
        match fact.map(|f| &self.g.fact(f).kind) {
            Some(FactKind::Enum { values }) => values.clone(),
            _ => Vec::new(),
        }
    }

    fn unit_of(&self, e: &ExprKind) -> Option<String> {
        let unit: Option<&Unit> = match e {
            ExprKind::Fact(f) => match &self.g.fact(*f).kind {
                FactKind::Number { unit, .. } => Some(unit),
                _ => None,
            },
            ExprKind::Def(d) => match &self.g.definitions[d.index()].ty {
                Type::Num(Some(u)) => Some(u),
                _ => None,
            },
            _ => None,
        };
        unit.filter(|u| !u.is_one()).map(Unit::to_string)
    }

    fn value(&self, e: &ExprKind, out: &mut Vec<Inline>) {
        match e {
            ExprKind::Num(x) => text(out, format!("{x}")),
            ExprKind::Fact(f) => text(out, fact_label(self.g, *f)),
            ExprKind::Def(d) => out.push(Inline::Term {
                name: self.g.definitions[d.index()].name.clone(),
                label: super::words::definition_label(self.g, *d),
            }),
            ExprKind::Neg(x) => {
                text(out, "−");
                self.operand(x, 8, out);
            }
            ExprKind::Arith(op, a, b) => {
                let (sym, p) = match op {
                    ArithOp::Add => ("+", 6),
                    ArithOp::Sub => ("−", 6),
                    ArithOp::Mul => ("×", 7),
                    ArithOp::Div => ("/", 7),
                };
                self.operand(a, p, out);
                text(out, format!(" {sym} "));
                self.operand(b, p + 1, out);
            }
            ExprKind::Sqrt(x) => {
                text(out, "the square root of ");
                self.operand(x, 8, out);
            }
            ExprKind::Today => text(out, "today"),
            ExprKind::ShiftMonths(x, months) => {
                let (n, unit) = if months % 12 == 0 {
                    (months.abs() / 12, "year")
                } else {
                    (months.abs(), "month")
                };
                let plural = if n == 1 { "" } else { "s" };
                let side = if *months < 0 { "before" } else { "after" };
                text(out, format!("{n} {unit}{plural} {side} "));
                self.operand(x, 9, out);
            }
            ExprKind::Elapsed(unit, from, to) => {
                let unit = match unit {
                    crate::time::CalendarUnit::Day => "days",
                    crate::time::CalendarUnit::Week => "weeks",
                    crate::time::CalendarUnit::Month => "months",
                    crate::time::CalendarUnit::Year => "years",
                };
                text(out, format!("whole {unit} from "));
                self.operand(from, 9, out);
                text(out, " to ");
                self.operand(to, 9, out);
            }
            other => self.cond(other, out),
        }
    }

    fn operand(&self, x: &Expr, min: u8, out: &mut Vec<Inline>) {
        let strength = match &x.kind {
            ExprKind::Arith(ArithOp::Add | ArithOp::Sub, ..) => 6,
            ExprKind::Arith(..) => 7,
            _ => 9,
        };
        if strength < min {
            text(out, "(");
            self.value(&x.kind, out);
            text(out, ")");
        } else {
            self.value(&x.kind, out);
        }
    }
}

fn flatten<'a>(e: &'a ExprKind, is_and: bool, out: &mut Vec<&'a ExprKind>) {
    match e {
        ExprKind::And(a, b) if is_and => {
            flatten(&a.kind, is_and, out);
            flatten(&b.kind, is_and, out);
        }
        ExprKind::Or(a, b) if !is_and => {
            flatten(&a.kind, is_and, out);
            flatten(&b.kind, is_and, out);
        }
        other => out.push(other),
    }
}

fn flip(op: CmpOp) -> CmpOp {
    match op {
        CmpOp::Gt => CmpOp::Lt,
        CmpOp::Ge => CmpOp::Le,
        CmpOp::Lt => CmpOp::Gt,
        CmpOp::Le => CmpOp::Ge,
        other => other,
    }
}

/// Who the guideline applies to, in words: "patients with …", or "every
/// patient" when it has no scope.
pub fn scope_phrase(g: &Guideline) -> Phrase {
    match &g.scope {
        Some(s) => {
            let mut p = vec![Inline::Text("patients with ".into())];
            p.extend(condition(g, s));
            merge_text(p)
        }
        None => vec![Inline::Text("every patient".into())],
    }
}

/// A phrase as plain text (terms by name, units as written).
pub fn plain(p: &[Inline]) -> String {
    p.iter()
        .map(|i| match i {
            Inline::Text(s) | Inline::Strong(s) | Inline::Code(s) | Inline::Unit(s) => s.clone(),
            Inline::Term { label, .. } => label.clone(),
            Inline::Cite(n) => format!("[{n}]"),
            Inline::RuleLink(r) => r.clone(),
            Inline::Verdict(v) => v.to_string(),
            Inline::Urgent => "urgent".into(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(src: &str) -> String {
        let text = format!(
            "guideline g version 1.0.0 status draft\n\
             fact wbc: number in 10^9/L \"White blood cell count.\"\n\
             fact hr: one of none, responding, refractory \"How it answers.\"\n\
             fact colour: one of red, green, blue, black\n\
             fact ecog: integer \"ECOG performance status.\"\n\
             fact a: bool \"Something (with detail).\"\n\
             define big: wbc > 100\n\
             rule r: avoid x when {src}\n"
        );
        let g = crate::load_str("t.gl", &text).expect("checks");
        plain(&condition(&g, g.rules[0].when.as_ref().expect("a condition")))
    }

    #[test]
    fn comparisons_read_as_words_with_units() {
        assert_eq!(words("wbc > 100"), "white blood cell count above 100 × 10^9/L");
        assert_eq!(words("100 <= wbc"), "white blood cell count at least 100 × 10^9/L");
        assert_eq!(words("ecog = 2"), "ECOG performance status equal to 2");
    }

    #[test]
    fn enums_connectives_and_terms() {
        assert_eq!(words("hr is refractory"), "hr is refractory");
        assert_eq!(words("hr is not none"), "hr is responding or refractory");
        assert_eq!(words("hr is one of (none)"), "hr is none");
        assert_eq!(words("colour is not black"), "colour is not black");
        assert_eq!(words("hr is one of (none, responding)"), "hr is none or responding");
        assert_eq!(
            words("big and (a or not big) and wbc < 5"),
            "big, (“something (with detail)” or not big) and white blood cell count below 5 × 10^9/L"
        );
        assert_eq!(
            words("at least 1 of (a, wbc - 2 * (wbc + 1) > 0)"),
            "at least 1 of (“something (with detail)”; white blood cell count − 2 × (white blood cell count + 1) above 0)"
        );
    }

    fn label(description: &str) -> String {
        let text = format!(
            "guideline g version 1.0.0 status draft\n\
             fact the_fact: bool \"{description}\"\n\
             rule r: avoid x when the_fact\n"
        );
        let g = crate::load_str("t.gl", &text).expect("checks");
        fact_label(&g, FactId(0))
    }

    #[test]
    fn a_description_is_never_cut_short() {
        // A comma and an "or" of its own: whole, in quotes, so that the
        // condition around it keeps its meaning.
        assert_eq!(
            label("Prior stroke, TIA or systemic thromboembolism."),
            "“prior stroke, TIA or systemic thromboembolism”"
        );
        // Several sentences or a question: the name, never a piece.
        assert_eq!(label("Respiratory weakness. Measured by FVC."), "the fact");
        assert_eq!(label("Whether the patient consents."), "the fact");
        assert_eq!(label("White blood cell count."), "white blood cell count");
    }

    #[test]
    fn acronyms_keep_their_capitals() {
        assert_eq!(label("APL suspected on the smear."), "APL suspected on the smear");
        assert_eq!(label("PML-RARA result."), "PML-RARA result");
        assert_eq!(label("WBC count."), "WBC count");
        assert_eq!(label("ALS."), "ALS");
        assert_eq!(label("G6PD deficiency."), "G6PD deficiency");
        assert_eq!(label("TIA in the last year."), "TIA in the last year");
        assert_eq!(label("Pre-existing ALS."), "pre-existing ALS");
    }
}
