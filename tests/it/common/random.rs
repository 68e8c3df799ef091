//! Random guidelines: a small AST-like structure drawn by proptest, printed to
//! `.gl` source by a printer of our own, so that the real parser and checker
//! see every generated guideline.
//!
//! Names in the structure are selectors (`u8`), resolved at print time against
//! what is declared and of the right type; whatever cannot be resolved falls
//! back to something simpler that still types. So every printed guideline is
//! meant to check without errors — a checker error on one is itself a finding.
//! Precedence links only point at earlier rules of the same action that are not
//! contraindications, so they never form a cycle; `is known` appears only in
//! invariants.

use std::fmt::Write as _;

use guidelang::units::Unit;
use proptest::prelude::*;

/// Units a numeric fact can be declared in (the first two can carry a dose).
const UNITS: [&str; 5] = ["kg", "cm", "mg/dL", "10^9/L", "%"];
/// Each unit of [`UNITS`] with another of its dimension and how many of those one is.
const ALTERNATIVE_UNITS: [(&str, &str, f64); 5] = [
    ("kg", "g", 1000.0),
    ("cm", "mm", 10.0),
    ("mg/dL", "mg/L", 10.0),
    ("10^9/L", "/uL", 1000.0),
    ("%", "[ppth]", 10.0),
];
const VERDICTS: [&str; 4] = ["recommend", "consider", "avoid", "contraindicated"];
const OPS: [&str; 6] = ["<", "<=", ">", ">=", "=", "!="];
/// How many distinct actions rules are spread over: few, so rules clash.
pub const ACTIONS: u8 = 4;
/// Declared references, cited by number.
const REFERENCES: u8 = 3;

/// A fact declaration.
#[derive(Clone, Debug)]
pub enum GenFact {
    /// `bool`
    Bool,
    /// `integer from MIN to MIN+SPAN`
    Integer { min: Option<i8>, span: Option<u8> },
    /// `number in UNIT from MIN to MIN+SPAN`
    Number {
        unit: u8,
        min: Option<i8>,
        span: Option<u8>,
    },
    /// `one of v0, ..`
    Enum { count: u8 },
}

/// A numeric expression.
#[derive(Clone, Debug)]
pub enum GenNum {
    /// A numeric fact.
    Fact(u8),
    /// A numeric definition.
    Def(u8),
    /// `x OP k`
    WithConst(u8, Box<GenNum>, f64),
    /// `x OP y`
    Arith(u8, Box<GenNum>, Box<GenNum>),
    /// `sqrt(x)`
    Sqrt(Box<GenNum>),
    /// `-x`
    Neg(Box<GenNum>),
}

/// A condition.
#[derive(Clone, Debug)]
pub enum GenCond {
    /// `true` / `false`
    Lit(bool),
    /// A boolean fact or definition, with a style: plain, `is true`, `is false`, `is not true`.
    Flag(u8, u8),
    /// `x OP k`, the constant written with its unit when `bool` is set.
    Cmp(GenNum, u8, f64, bool),
    /// `x OP y`
    Cmp2(GenNum, u8, GenNum),
    /// `e is v` / `e is one of (..)`, the values a bit mask, negated when `bool`.
    Is(u8, u8, bool),
    /// `x is known` / `x is not known` (invariants only; a flag elsewhere).
    Known(u8, bool),
    /// `not c`
    Not(Box<GenCond>),
    /// `a and b`
    And(Box<GenCond>, Box<GenCond>),
    /// `a or b`
    Or(Box<GenCond>, Box<GenCond>),
    /// `at least N of (..)`
    AtLeast(u8, Vec<GenCond>),
    /// `SCORE OP k`: a visible score (a flag when there is none).
    Score(u8, u8, i8),
}

/// A score: its items' points (never 0) and conditions.
#[derive(Clone, Debug)]
pub struct GenScore {
    /// `POINTS when COND`.
    pub items: Vec<(i8, GenCond)>,
}

/// A category, in one of the shapes that are one level per patient by
/// construction, so that the checker's proof holds: a condition and
/// `otherwise`, or a score cut at one or two thresholds.
#[derive(Clone, Debug)]
pub struct GenCategory {
    /// Which shape (a cut of a score needs a visible score).
    pub shape: u8,
    /// The first level's condition (first shape).
    pub when: GenCond,
    /// Which score (cut shapes).
    pub score: u8,
    /// The thresholds (cut shapes).
    pub cuts: (i8, i8),
}

/// A definition.
#[derive(Clone, Debug)]
pub enum GenDef {
    /// A named condition.
    Cond(GenCond),
    /// A named quantity.
    Num(GenNum),
}

/// A rule.
#[derive(Clone, Debug)]
pub struct GenRule {
    /// Which action (mod [`ACTIONS`]).
    pub action: u8,
    /// Which verdict.
    pub verdict: u8,
    /// Its condition; `None` fires whenever the guideline applies.
    pub when: Option<GenCond>,
    /// Selectors of earlier rules of the same action it overrides.
    pub overrides: Vec<u8>,
    /// Cited references (mod [`REFERENCES`]).
    pub cites: Vec<u8>,
    /// A dose `LOW to LOW+SPAN mg/UNIT by FACT`, when a fact in kg or cm exists.
    pub dose: Option<(u8, u8, u8)>,
    /// A warning's condition.
    pub warn: Option<GenCond>,
}

/// An invariant.
#[derive(Clone, Debug)]
pub struct GenInvariant {
    /// `never` with these verdicts (a bit mask), or `always decide` when `None`.
    pub never: Option<u8>,
    /// Which of the actions that rules decide.
    pub action: u8,
    /// The claim's condition.
    pub when: GenCond,
}

/// A whole guideline.
#[derive(Clone, Debug)]
pub struct GenGuideline {
    /// Facts.
    pub facts: Vec<GenFact>,
    /// Definitions, each using only facts and earlier definitions.
    pub defs: Vec<GenDef>,
    /// Rules.
    pub rules: Vec<GenRule>,
    /// Notes (their conditions).
    pub notes: Vec<Option<GenCond>>,
    /// Invariants.
    pub invariants: Vec<GenInvariant>,
    /// `applies when`.
    pub scope: Option<GenCond>,
    /// Scores and categories, printed after the definitions in this order.
    pub derived: Vec<Result<GenScore, GenCategory>>,
}

fn constant() -> impl Strategy<Value = f64> {
    prop_oneof![
        (-5i32..=150).prop_map(f64::from),
        (0i32..=300).prop_map(|x| f64::from(x) / 2.0),
        Just(0.0),
    ]
}

fn gen_fact() -> impl Strategy<Value = GenFact> {
    let bound = || proptest::option::of(-10i8..=20);
    let span = || proptest::option::of(1u8..=200);
    prop_oneof![
        Just(GenFact::Bool),
        (bound(), span()).prop_map(|(min, span)| GenFact::Integer { min, span }),
        (0..UNITS.len() as u8, bound(), span()).prop_map(|(unit, min, span)| GenFact::Number { unit, min, span }),
        (1u8..=4).prop_map(|count| GenFact::Enum { count }),
    ]
}

fn gen_num() -> impl Strategy<Value = GenNum> {
    let leaf = prop_oneof![any::<u8>().prop_map(GenNum::Fact), any::<u8>().prop_map(GenNum::Def)];
    leaf.prop_recursive(3, 8, 2, |inner| {
        prop_oneof![
            (0u8..4, inner.clone(), constant()).prop_map(|(op, x, k)| GenNum::WithConst(op, Box::new(x), k)),
            (0u8..4, inner.clone(), inner.clone()).prop_map(|(op, x, y)| GenNum::Arith(op, Box::new(x), Box::new(y))),
            inner.clone().prop_map(|x| GenNum::Sqrt(Box::new(x))),
            inner.prop_map(|x| GenNum::Neg(Box::new(x))),
        ]
    })
}

/// A random condition.
pub fn gen_cond() -> impl Strategy<Value = GenCond> {
    let leaf = prop_oneof![
        1 => any::<bool>().prop_map(GenCond::Lit),
        3 => (any::<u8>(), 0u8..4).prop_map(|(s, style)| GenCond::Flag(s, style)),
        4 => (gen_num(), 0..OPS.len() as u8, constant(), any::<bool>()).prop_map(|(x, op, k, u)| GenCond::Cmp(x, op, k, u)),
        1 => (gen_num(), 0..OPS.len() as u8, gen_num()).prop_map(|(x, op, y)| GenCond::Cmp2(x, op, y)),
        3 => (any::<u8>(), 1u8..16, any::<bool>()).prop_map(|(s, mask, neg)| GenCond::Is(s, mask, neg)),
        1 => (any::<u8>(), any::<bool>()).prop_map(|(s, neg)| GenCond::Known(s, neg)),
        2 => (any::<u8>(), any::<u8>(), -4i8..=8).prop_map(|(s, op, k)| GenCond::Score(s, op, k)),
    ];
    leaf.prop_recursive(3, 12, 3, |inner| {
        prop_oneof![
            inner.clone().prop_map(|c| GenCond::Not(Box::new(c))),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| GenCond::And(Box::new(a), Box::new(b))),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| GenCond::Or(Box::new(a), Box::new(b))),
            (any::<u8>(), proptest::collection::vec(inner, 1..4)).prop_map(|(n, v)| GenCond::AtLeast(n, v)),
        ]
    })
}

/// An invariant's condition: often guarded by `x is known`, as editors write them.
fn invariant_cond() -> impl Strategy<Value = GenCond> {
    prop_oneof![
        gen_cond(),
        (any::<u8>(), any::<bool>(), gen_cond())
            .prop_map(|(s, neg, c)| GenCond::And(Box::new(GenCond::Known(s, neg)), Box::new(c))),
    ]
}

fn gen_rule() -> impl Strategy<Value = GenRule> {
    (
        0..ACTIONS,
        0u8..4,
        proptest::option::weighted(0.9, gen_cond()),
        proptest::collection::vec(any::<u8>(), 0..3),
        proptest::collection::vec(any::<u8>(), 0..3),
        proptest::option::weighted(0.2, (any::<u8>(), 0u8..50, 0u8..20)),
        proptest::option::weighted(0.3, gen_cond()),
    )
        .prop_map(|(action, verdict, when, overrides, cites, dose, warn)| GenRule {
            action,
            verdict,
            when,
            overrides,
            cites,
            dose,
            warn,
        })
}

/// A random guideline: up to 6 facts, 4 definitions, 8 rules on up to 4
/// actions, 2 notes and 3 invariants.
pub fn gen_guideline() -> impl Strategy<Value = GenGuideline> {
    (
        proptest::collection::vec(gen_fact(), 1..=6),
        proptest::collection::vec(
            prop_oneof![gen_cond().prop_map(GenDef::Cond), gen_num().prop_map(GenDef::Num)],
            0..=4,
        ),
        proptest::collection::vec(gen_rule(), 1..=8),
        proptest::collection::vec(proptest::option::of(gen_cond()), 0..=2),
        proptest::collection::vec(
            (proptest::option::of(1u8..16), any::<u8>(), invariant_cond())
                .prop_map(|(never, action, when)| GenInvariant { never, action, when }),
            0..=3,
        ),
        proptest::option::weighted(0.3, gen_cond()),
        proptest::collection::vec(gen_derived(), 0..=3),
    )
        .prop_map(|(facts, defs, rules, notes, invariants, scope, derived)| GenGuideline {
            facts,
            defs,
            rules,
            notes,
            invariants,
            scope,
            derived,
        })
}

/// A score or a category.
fn gen_derived() -> impl Strategy<Value = Result<GenScore, GenCategory>> {
    let points = prop_oneof![1i8..=3, -2i8..=-1];
    prop_oneof![
        proptest::collection::vec((points, gen_cond()), 1..=4).prop_map(|items| Ok(GenScore { items })),
        (any::<u8>(), gen_cond(), any::<u8>(), (-2i8..=6, 0i8..=4)).prop_map(|(shape, when, score, cuts)| Err(
            GenCategory {
                shape,
                when,
                score,
                cuts
            }
        )),
    ]
}

/// The type of a declared name, as the checker will see it.
#[derive(Clone, Debug)]
enum Ty {
    Bool,
    /// `None`: a bare number.
    Num(Option<Unit>),
    Enum(u8),
    /// A score: compared with a constant only.
    Score,
    /// A category with levels `v0`, `v1`, ...: tested with `is` only.
    Category(u8),
}

/// A record binding for the `i`th fact, one that suits its type, so that
/// every generated guideline exercises bindings through the checker and
/// `fmt` (they change no decision: evaluation reads cases). Chosen from the
/// index rather than drawn, so the generator's strategy (and the failures
/// proptest persisted) stay as they were. A mass concentration gets none:
/// without a molar mass its binding is a warning.
fn binding(i: usize, f: &GenFact) -> String {
    match f {
        GenFact::Bool if i.is_multiple_of(3) => {
            " read from condition icd10 G12.21, snomed 86044005 absent means false".into()
        }
        GenFact::Bool => "\n  read from condition snomed 86044005, icd10 G12.21, C92.4".into(),
        GenFact::Integer { .. } if i.is_multiple_of(2) => " read from birth date".into(),
        GenFact::Integer { .. } => format!(" read from observation loinc 89247-1 within {} d", i + 1),
        GenFact::Number { unit, .. } if UNITS[*unit as usize % UNITS.len()] != "mg/dL" => {
            let preliminary = if i % 2 == 1 { " preliminary allowed" } else { "" };
            format!(
                "\n    read from observation loinc 6690-2, 26464-8 within {} h{preliminary}",
                24 * (i + 1)
            )
        }
        GenFact::Number { .. } | GenFact::Enum { .. } => String::new(),
    }
}

/// A guideline printed item by item, so tests can reorder items.
#[derive(Clone, Debug)]
pub struct Printed {
    /// Header and references.
    pub header: String,
    /// Fact declarations.
    pub facts: Vec<String>,
    /// Definitions.
    pub defs: Vec<String>,
    /// Rules.
    pub rules: Vec<String>,
    /// Notes and invariants.
    pub tail: Vec<String>,
    /// Scores and categories, in their order (each uses only those before it).
    pub derived: Vec<String>,
}

impl Printed {
    /// The source text in generation order.
    pub fn text(&self) -> String {
        self.reordered(&[])
    }

    /// The source text with definitions and rules shuffled together by `keys`
    /// (a stable sort by `keys[i % keys.len()]`), placed between facts and notes.
    pub fn reordered(&self, keys: &[u32]) -> String {
        let mut movable: Vec<(u32, &String)> = self
            .defs
            .iter()
            .chain(&self.rules)
            .enumerate()
            .map(|(i, s)| (if keys.is_empty() { 0 } else { keys[i % keys.len()] }, s))
            .collect();
        movable.sort_by_key(|(k, _)| *k);
        let mut out = self.header.clone();
        for s in self
            .facts
            .iter()
            .chain(&self.derived)
            .chain(movable.into_iter().map(|(_, s)| s))
            .chain(&self.tail)
        {
            out.push_str(s);
        }
        out
    }
}

struct Printer {
    n_facts: usize,
    names: Vec<(String, Ty)>,
    /// Names visible to the expression being printed (facts, then the definitions before it).
    visible: usize,
    allow_known: bool,
}

impl GenGuideline {
    /// Prints the guideline to source text.
    pub fn print(&self) -> Printed {
        let mut p = Printer {
            n_facts: self.facts.len(),
            names: Vec::new(),
            visible: 0,
            allow_known: false,
        };
        let mut facts = Vec::new();
        for (i, f) in self.facts.iter().enumerate() {
            let name = format!("f{i}");
            let range = |min: &Option<i8>, span: &Option<u8>| {
                let mut s = String::new();
                if let Some(m) = min {
                    let _ = write!(s, " from {m}");
                }
                if let Some(sp) = span {
                    let _ = write!(s, " to {}", i32::from(min.unwrap_or(0)) + i32::from(*sp));
                }
                s
            };
            let (decl, ty) = match f {
                GenFact::Bool => ("bool".to_string(), Ty::Bool),
                GenFact::Integer { min, span } => (format!("integer{}", range(min, span)), Ty::Num(Some(Unit::one()))),
                GenFact::Number { unit, min, span } => {
                    let u = UNITS[*unit as usize % UNITS.len()];
                    (
                        format!("number in {u}{}", range(min, span)),
                        Ty::Num(Unit::parse(u).ok()),
                    )
                }
                GenFact::Enum { count } => {
                    let values: Vec<String> = (0..*count).map(|v| format!("v{v}")).collect();
                    (format!("one of {}", values.join(", ")), Ty::Enum(*count))
                }
            };
            facts.push(format!("fact {name}: {decl}{}\n", binding(i, f)));
            p.names.push((name, ty));
        }
        let n_facts = p.names.len();
        let mut defs = Vec::new();
        for (i, d) in self.defs.iter().enumerate() {
            p.visible = p.names.len();
            let name = format!("d{i}");
            let (body, ty) = match d {
                GenDef::Cond(c) => (p.cond(c), Ty::Bool),
                GenDef::Num(x) => {
                    let (text, unit) = p.num(x);
                    (text, Ty::Num(unit))
                }
            };
            defs.push(format!("define {name}: {body}\n"));
            p.names.push((name, ty));
        }
        p.visible = p.names.len();
        let derived = p.derived(&self.derived);
        p.visible = p.names.len();
        let mut header = String::from("guideline random-guideline\n  version 1.0.0\n  status draft\n");
        if let Some(s) = &self.scope {
            let _ = writeln!(header, "  applies when {}", p.cond(s));
        }
        for r in 1..=REFERENCES {
            let _ = writeln!(header, "reference {r} \"Reference {r}\"");
        }
        let dose_facts: Vec<usize> = (0..n_facts)
            .filter(|&i| matches!(&self.facts[i], GenFact::Number { unit, .. } if (*unit as usize % UNITS.len()) < 2))
            .collect();
        let mut rules = Vec::new();
        let mut actions_used: Vec<u8> = Vec::new();
        for (i, r) in self.rules.iter().enumerate() {
            let action = r.action % ACTIONS;
            if !actions_used.contains(&action) {
                actions_used.push(action);
            }
            let verdict = VERDICTS[r.verdict as usize % 4];
            let mut s = format!("rule r{i}: {verdict} a{action}\n");
            match &r.when {
                Some(w) => _ = writeln!(s, "  when {}", p.cond(w)),
                None => s.push_str("  when always\n"),
            }
            if let (Some((sel, low, span)), false) = (r.dose, dose_facts.is_empty()) {
                let f = dose_facts[sel as usize % dose_facts.len()];
                let unit = UNITS[match &self.facts[f] {
                    GenFact::Number { unit, .. } => *unit as usize % UNITS.len(),
                    _ => 0,
                }];
                let high = u16::from(low) + u16::from(span);
                // The form of dose by `sel / 8 % 4`: a range per unit, the
                // same chosen by the warning's (or the rule's) condition, a
                // capped one, a fixed one.
                let criterion = r.warn.as_ref().or(r.when.as_ref());
                let _ = match (sel / 8 % 4, criterion) {
                    (1, Some(c)) => writeln!(
                        s,
                        "  dose {low} to {high} mg/{unit} by f{f} if {} otherwise {span} mg/{unit} by f{f}",
                        p.cond(c)
                    ),
                    (2, _) => writeln!(
                        s,
                        "  dose {low} to {high} mg/{unit} by f{f} at most {} mg",
                        u16::from(span) * 20
                    ),
                    (3, _) => writeln!(s, "  dose {low} mg \"daily\""),
                    _ => writeln!(s, "  dose {low} to {high} mg/{unit} by f{f}"),
                };
            }
            if let Some(w) = &r.warn {
                let _ = writeln!(s, "  warn \"warning of r{i}\" when {}", p.cond(w));
            }
            let _ = writeln!(s, "  because \"reason of r{i}\"");
            let earlier: Vec<usize> = (0..i)
                .filter(|&j| self.rules[j].action % ACTIONS == action && self.rules[j].verdict % 4 != 3)
                .collect();
            let mut overrides: Vec<usize> = r
                .overrides
                .iter()
                .filter(|_| !earlier.is_empty())
                .map(|sel| earlier[*sel as usize % earlier.len()])
                .collect();
            overrides.sort_unstable();
            overrides.dedup();
            if !overrides.is_empty() {
                let ids: Vec<String> = overrides.iter().map(|j| format!("r{j}")).collect();
                let _ = writeln!(s, "  overrides {}", ids.join(", "));
            }
            if !r.cites.is_empty() {
                let cites: Vec<String> = r.cites.iter().map(|c| (c % REFERENCES + 1).to_string()).collect();
                let _ = writeln!(s, "  cite {}", cites.join(", "));
            }
            rules.push(s);
        }
        let mut tail = Vec::new();
        for (i, n) in self.notes.iter().enumerate() {
            let mut s = format!("note n{i}:\n");
            match n {
                Some(w) => _ = writeln!(s, "  when {}", p.cond(w)),
                None => s.push_str("  when always\n"),
            }
            let _ = writeln!(s, "  says \"note {i}\"\n  cite 1");
            tail.push(s);
        }
        p.allow_known = true;
        for (i, inv) in self.invariants.iter().enumerate() {
            let action = actions_used[inv.action as usize % actions_used.len()];
            let claim = match inv.never {
                Some(mask) => {
                    let verdicts: Vec<&str> = (0..4)
                        .filter(|b| mask & (1 << b) != 0)
                        .map(|b| VERDICTS[b as usize])
                        .collect();
                    format!("never {} a{action}", verdicts.join(" or "))
                }
                None => format!("always decide a{action}"),
            };
            tail.push(format!("invariant s{i}:\n  {claim} when {}\n", p.cond(&inv.when)));
        }
        Printed {
            header,
            facts,
            defs,
            rules,
            tail,
            derived,
        }
    }
}

impl Printer {
    fn visible(&self, want: impl Fn(&Ty) -> bool) -> Vec<usize> {
        (0..self.visible).filter(|&i| want(&self.names[i].1)).collect()
    }

    fn pick(&self, sel: u8, want: impl Fn(&Ty) -> bool) -> Option<usize> {
        let c = self.visible(want);
        (!c.is_empty()).then(|| c[sel as usize % c.len()])
    }

    /// A numeric expression and its unit, as the checker computes it.
    fn num(&self, x: &GenNum) -> (String, Option<Unit>) {
        let is_num = |t: &Ty| matches!(t, Ty::Num(_));
        let leaf = |sel: u8, defs: bool| {
            let of_kind = self
                .visible(is_num)
                .into_iter()
                .filter(|&i| (i >= self.n_facts) == defs)
                .collect::<Vec<_>>();
            let found = match of_kind.is_empty() {
                false => Some(of_kind[sel as usize % of_kind.len()]),
                true => self.pick(sel, is_num),
            };
            match found.map(|i| &self.names[i]) {
                Some((name, Ty::Num(u))) => (name.clone(), u.clone()),
                _ => ("1".to_string(), None),
            }
        };
        match x {
            GenNum::Fact(s) => leaf(*s, false),
            GenNum::Def(s) => leaf(*s, true),
            GenNum::WithConst(op, a, k) => {
                let (a, u) = self.num(a);
                let op = ["+", "-", "*", "/"][*op as usize % 4];
                (format!("({a} {op} {})", lit(*k)), u)
            }
            GenNum::Arith(op, a, b) => {
                let (at, au) = self.num(a);
                let (bt, bu) = self.num(b);
                match op % 4 {
                    o @ (0 | 1) => match same_unit(&au, &bu) {
                        Some(u) => (format!("({at} {} {bt})", if o == 0 { "+" } else { "-" }), u),
                        None => (at, au),
                    },
                    2 => (format!("({at} * {bt})"), combine(au, bu, Unit::mul)),
                    _ => (format!("({at} / {bt})"), combine(au, bu, Unit::div)),
                }
            }
            GenNum::Sqrt(a) => {
                let (at, au) = self.num(a);
                match au {
                    None => (format!("sqrt({at})"), None),
                    Some(u) => match u.sqrt() {
                        Some(r) => (format!("sqrt({at})"), Some(r)),
                        None => (at, Some(u)),
                    },
                }
            }
            GenNum::Neg(a) => {
                let (at, au) = self.num(a);
                (format!("-{at}"), au)
            }
        }
    }

    fn cond(&self, c: &GenCond) -> String {
        match c {
            GenCond::Lit(b) => b.to_string(),
            GenCond::Flag(sel, style) => match self.pick(*sel, |t| matches!(t, Ty::Bool)) {
                Some(i) => {
                    let n = &self.names[i].0;
                    match style % 4 {
                        0 => n.clone(),
                        1 => format!("{n} is true"),
                        2 => format!("{n} is false"),
                        _ => format!("{n} is not true"),
                    }
                }
                None => (style % 2 == 0).to_string(),
            },
            GenCond::Cmp(x, op, k, with_unit) => {
                let (xt, xu) = self.num(x);
                let unit = match (&xu, with_unit) {
                    (Some(u), true) if !u.is_one() && u.powers().count() == 1 => {
                        UNITS.iter().find(|w| Unit::parse(w).ok().as_ref() == Some(u)).copied()
                    }
                    _ => None,
                };
                let k = match unit {
                    // Half the time (by the constant's parity, so the text
                    // stays a function of the tree) in another unit of the
                    // same dimension, which the checker converts back.
                    Some(u) if (k.abs() as u64) % 2 == 1 => {
                        match ALTERNATIVE_UNITS.iter().find(|(from, ..)| *from == u) {
                            Some((_, to, factor)) => format!("{} {to}", lit(*k * factor)),
                            None => format!("{} {u}", lit(*k)),
                        }
                    }
                    Some(u) => format!("{} {u}", lit(*k)),
                    None => lit(*k),
                };
                format!("{xt} {} {k}", OPS[*op as usize % OPS.len()])
            }
            GenCond::Cmp2(x, op, y) => {
                let (xt, xu) = self.num(x);
                let (yt, yu) = self.num(y);
                // Quantities in different units cannot be compared: compare with 0 instead.
                let yt = if same_unit(&xu, &yu).is_some() {
                    yt
                } else {
                    "0".to_string()
                };
                format!("{xt} {} {yt}", OPS[*op as usize % OPS.len()])
            }
            GenCond::Is(sel, mask, neg) => match self.pick(*sel, |t| matches!(t, Ty::Enum(_) | Ty::Category(_))) {
                Some(i) => {
                    let (Ty::Enum(count) | Ty::Category(count)) = self.names[i].1 else {
                        unreachable!()
                    };
                    let mut values: Vec<String> = (0..count)
                        .filter(|v| mask & (1 << v) != 0)
                        .map(|v| format!("v{v}"))
                        .collect();
                    if values.is_empty() {
                        values.push("v0".into());
                    }
                    let not = if *neg { "not " } else { "" };
                    if values.len() == 1 && mask % 2 == 0 {
                        format!("{} is {not}{}", self.names[i].0, values[0])
                    } else {
                        format!("{} is {not}one of ({})", self.names[i].0, values.join(", "))
                    }
                }
                None => neg.to_string(),
            },
            GenCond::Known(sel, neg) => {
                if !self.allow_known || self.visible == 0 {
                    return self.cond(&GenCond::Flag(*sel, u8::from(*neg)));
                }
                let (n, ty) = &self.names[*sel as usize % self.visible];
                if matches!(ty, Ty::Score | Ty::Category(_)) {
                    return self.cond(&GenCond::Flag(*sel, u8::from(*neg)));
                }
                format!("{n} is {}known", if *neg { "not " } else { "" })
            }
            GenCond::Not(c) => format!("not ({})", self.cond(c)),
            GenCond::And(a, b) => format!("({}) and ({})", self.cond(a), self.cond(b)),
            GenCond::Or(a, b) => format!("({}) or ({})", self.cond(a), self.cond(b)),
            GenCond::AtLeast(n, items) => {
                let n = 1 + *n as usize % items.len();
                let items: Vec<String> = items.iter().map(|i| self.cond(i)).collect();
                format!("at least {n} of ({})", items.join(", "))
            }
            GenCond::Score(sel, op, k) => match self.pick(*sel, |t| matches!(t, Ty::Score)) {
                Some(i) => format!("{} {} {k}", self.names[i].0, OPS[*op as usize % OPS.len()]),
                None => self.cond(&GenCond::Flag(*sel, *op)),
            },
        }
    }

    /// Prints scores and categories, each seeing those before it, and
    /// declares their names.
    fn derived(&mut self, all: &[Result<GenScore, GenCategory>]) -> Vec<String> {
        let mut out = Vec::new();
        for (i, d) in all.iter().enumerate() {
            self.visible = self.names.len();
            match d {
                Ok(score) => {
                    let mut s = format!("score s{i} \"Score {i}\":\n");
                    for (points, when) in &score.items {
                        let _ = writeln!(s, "  {points} when {}", self.cond(when));
                    }
                    out.push(s);
                    self.names.push((format!("s{i}"), Ty::Score));
                }
                Err(c) => {
                    let mut s = format!("category c{i} \"Category {i}\":\n");
                    let score = self
                        .pick(c.score, |t| matches!(t, Ty::Score))
                        .map(|j| self.names[j].0.clone());
                    let (low, width) = (c.cuts.0, c.cuts.1);
                    let count = match (c.shape % 3, score) {
                        (1, Some(sc)) => {
                            let _ = writeln!(s, "  v0 when {sc} >= {low}\n  v1 when {sc} < {low}");
                            2
                        }
                        (2, Some(sc)) => {
                            let high = low + width + 1;
                            let _ = writeln!(
                                s,
                                "  v0 when {sc} >= {high}\n  v1 when {sc} >= {low} and {sc} < {high}\n  v2 when {sc} < {low}"
                            );
                            3
                        }
                        _ => {
                            let _ = writeln!(s, "  v0 when {}\n  v1 otherwise", self.cond(&c.when));
                            2
                        }
                    };
                    out.push(s);
                    self.names.push((format!("c{i}"), Ty::Category(count)));
                }
            }
        }
        out
    }
}

/// A constant as the grammar writes it: digits, a decimal point, a leading minus.
fn lit(k: f64) -> String {
    format!("{k}")
}

fn same_unit(a: &Option<Unit>, b: &Option<Unit>) -> Option<Option<Unit>> {
    match (a, b) {
        (Some(x), Some(y)) if x != y => None,
        (Some(x), _) => Some(Some(x.clone())),
        (None, y) => Some(y.clone()),
    }
}

fn combine(a: Option<Unit>, b: Option<Unit>, f: fn(&Unit, &Unit) -> Unit) -> Option<Unit> {
    match (a, b) {
        (None, None) => None,
        (a, b) => Some(f(&a.unwrap_or_default(), &b.unwrap_or_default())),
    }
}
