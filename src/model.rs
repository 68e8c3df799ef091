//! The checked guideline: every name resolved to a typed index, every unit
//! parsed, every precedence link pointing at a rule of the same action.
//! Nothing here can name something that does not exist.

use std::collections::BTreeSet;

use crate::diagnostics::{Problem, Source, Span};
use crate::units::Unit;

mod binding;
mod derived;
mod status;
mod verdict;

pub use binding::{Binding, Code, CodeSystem, RecordSource, Window};
pub use derived::{Category, Level, Score, ScoreItem};

pub use status::Status;
pub use verdict::{OutcomeKind, OutcomeSet, Verdict, VerdictSet};

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        ///
        /// Opaque: only the guideline that made it can mint one (look ids up by
        /// name, or iterate them), so an id always names something that exists.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub(crate) u32);
        impl $name {
            /// The index into its table.
            pub fn index(self) -> usize {
                self.0 as usize
            }
        }
    };
}

id_type!(
    /// A declared fact's slot.
    FactId
);
id_type!(
    /// A definition's slot.
    DefId
);
id_type!(
    /// A rule's index.
    RuleId
);
id_type!(
    /// An action's index.
    ActionId
);

/// A checked, resolved guideline.
#[derive(Clone, Debug)]
pub struct Guideline {
    /// The file it came from.
    pub source: Source,
    /// `sha256:<hex>` of the file's bytes.
    pub hash: String,
    /// Metadata.
    pub meta: Meta,
    /// Numbered references.
    pub references: Vec<Reference>,
    /// Declared facts, in file order; `FactId` indexes this.
    pub facts: Vec<Fact>,
    /// The date facts among `facts`, ascending: what is checked against the
    /// evaluation date on every case (a cohort's every row), listed once
    /// rather than found again among all the facts each time.
    pub date_facts: Vec<FactId>,
    /// Definitions, in file order; `DefId` indexes this.
    pub definitions: Vec<Definition>,
    /// Definitions in an order where each comes after those it uses.
    pub definition_order: Vec<DefId>,
    /// The facts each definition reads, directly or through other
    /// definitions, in declaration order; `DefId` indexes this. Computed once
    /// (see [`definition_facts`]) so that asking what an expression reads
    /// never walks a shared definition once per path to it.
    pub definition_facts: Vec<Vec<FactId>>,
    /// `applies when`; `None` applies to every case.
    pub scope: Option<Expr>,
    /// Rules in file order; `RuleId` indexes this.
    pub rules: Vec<Rule>,
    /// Actions decided by some rule, in declaration order (in a file that
    /// declares none, in order of first appearance); `ActionId` indexes this.
    pub actions: Vec<Action>,
    /// Notes.
    pub notes: Vec<Note>,
    /// Stated invariants.
    pub invariants: Vec<Invariant>,
    /// Warnings the checker found (unused names, ...).
    pub warnings: Vec<Problem>,
    /// Weighted scores, in file order.
    pub scores: Vec<Score>,
    /// Categories, in file order.
    pub categories: Vec<Category>,
}

/// Guideline metadata.
#[derive(Clone, Debug)]
pub struct Meta {
    /// Guideline id.
    pub id: String,
    /// Title (the id when none is written).
    pub title: String,
    /// Semantic version.
    pub version: semver::Version,
    /// Review status.
    pub status: Status,
    /// Last update, `YYYY-MM-DD`.
    pub updated: Option<String>,
    /// Reviewers.
    pub reviewers: Vec<String>,
    /// Span of the header's id, for diagnostics about the whole guideline.
    pub span: Span,
}

/// A numbered reference.
#[derive(Clone, Debug)]
pub struct Reference {
    /// Number cited by rules.
    pub number: u32,
    /// Title.
    pub title: String,
    /// Publisher or journal.
    pub source: Option<String>,
    /// Year.
    pub year: Option<u32>,
    /// Where it is declared.
    pub span: Span,
}

/// A declared fact.
#[derive(Clone, Debug)]
pub struct Fact {
    /// Its name in cases.
    pub name: String,
    /// Type and valid values.
    pub kind: FactKind,
    /// Description.
    pub description: Option<String>,
    /// Where it is declared.
    pub span: Span,
    /// The molar mass the fact states, as written (`113.12 g/mol`), for reports.
    pub molar_mass: Option<String>,
    /// The same molar mass in grams per mole, exact, for converting record values.
    pub grams_per_mole: Option<crate::units::Ratio>,
    /// How the fact is found in a patient record, if the file says.
    pub binding: Option<Binding>,
}

/// The type of a fact with its domain.
#[derive(Clone, Debug, PartialEq)]
pub enum FactKind {
    /// true or false.
    Bool,
    /// A whole number within bounds.
    Integer {
        /// Lowest valid value.
        min: Option<f64>,
        /// Highest valid value.
        max: Option<f64>,
    },
    /// A measured quantity within bounds.
    Number {
        /// Its unit.
        unit: Unit,
        /// Lowest valid value.
        min: Option<f64>,
        /// Highest valid value.
        max: Option<f64>,
    },
    /// One of a list of named values (at most 64).
    Enum {
        /// The values, in declared order.
        values: Vec<String>,
    },
    /// A calendar day from [`crate::time::EARLIEST`], never after the
    /// evaluation date; a case gives it as `"YYYY-MM-DD"`.
    Date,
}

impl FactKind {
    /// A short description of what a case must give: "a number in kg from 0".
    pub fn expected(&self) -> String {
        let range = |min: &Option<f64>, max: &Option<f64>| match (min, max) {
            (Some(a), Some(b)) => format!(" from {a} to {b}"),
            (Some(a), None) => format!(" from {a}"),
            (None, Some(b)) => format!(" up to {b}"),
            (None, None) => String::new(),
        };
        match self {
            FactKind::Bool => "true or false".into(),
            FactKind::Integer { min, max } => format!("a whole number{}", range(min, max)),
            FactKind::Number { unit, min, max } => format!("a number in {unit}{}", range(min, max)),
            FactKind::Enum { values } => format!("one of {}", quoted_list(values)),
            FactKind::Date => "a date written \"YYYY-MM-DD\", not after the evaluation date".into(),
        }
    }
}

/// `"a", "b" or "c"`.
pub fn quoted_list(values: &[String]) -> String {
    let q: Vec<String> = values.iter().map(|v| format!("\"{v}\"")).collect();
    match q.len() {
        0 => String::new(),
        1 => q[0].clone(),
        n => format!("{} or {}", q[..n - 1].join(", "), q[n - 1]),
    }
}

/// The type of an expression.
#[derive(Clone, Debug, PartialEq)]
pub enum Type {
    /// A condition.
    Bool,
    /// A quantity; `None` for a bare number that takes the unit of what it meets.
    Num(Option<Unit>),
    /// A value of the enum fact's type.
    Enum(FactId),
    /// A calendar day.
    Date,
}

/// A named expression.
#[derive(Clone, Debug)]
pub struct Definition {
    /// Name.
    pub name: String,
    /// Its type.
    pub ty: Type,
    /// Body.
    pub body: Expr,
    /// Description.
    pub description: Option<String>,
    /// Where it is declared.
    pub span: Span,
}

/// A checked expression.
#[derive(Clone, Debug)]
pub struct Expr {
    /// What it computes.
    pub kind: ExprKind,
    /// Where it is written.
    pub span: Span,
}

/// Comparison operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CmpOp {
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `=`
    Eq,
    /// `!=`
    Ne,
}

impl CmpOp {
    /// Applies the comparison.
    pub fn apply(self, a: f64, b: f64) -> bool {
        match self {
            CmpOp::Lt => a < b,
            CmpOp::Le => a <= b,
            CmpOp::Gt => a > b,
            CmpOp::Ge => a >= b,
            CmpOp::Eq => a == b,
            CmpOp::Ne => a != b,
        }
    }

    /// As written.
    pub fn as_str(self) -> &'static str {
        match self {
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
            CmpOp::Eq => "=",
            CmpOp::Ne => "!=",
        }
    }
}

/// Arithmetic operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ArithOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
}

/// Checked expression forms.
#[derive(Clone, Debug)]
pub enum ExprKind {
    /// A boolean constant.
    Bool(bool),
    /// A numeric constant.
    Num(f64),
    /// A fact's value.
    Fact(FactId),
    /// A definition's value.
    Def(DefId),
    /// Kleene negation.
    Not(Box<Expr>),
    /// Arithmetic negation.
    Neg(Box<Expr>),
    /// Kleene conjunction.
    And(Box<Expr>, Box<Expr>),
    /// Kleene disjunction.
    Or(Box<Expr>, Box<Expr>),
    /// Numeric comparison.
    Compare(CmpOp, Box<Expr>, Box<Expr>),
    /// Arithmetic.
    Arith(ArithOp, Box<Expr>, Box<Expr>),
    /// Enum membership: bit `i` set when value `i` is in the set.
    EnumIn(Box<Expr>, u64),
    /// Whether the subject's value is known (invariants only).
    Known(Box<Expr>, bool),
    /// At least `n` of the items hold.
    AtLeast(u32, Vec<Expr>),
    /// Square root.
    Sqrt(Box<Expr>),
    /// The evaluation date, as a day number.
    Today,
    /// A date moved by whole calendar months (negative: back), on the
    /// calendar: the day of the month is kept or clamped to the month's end.
    ShiftMonths(Box<Expr>, i32),
    /// Whole calendar units from the first date to the second (an age in
    /// years: `define age in a: today - birth_date`).
    Elapsed(crate::time::CalendarUnit, Box<Expr>, Box<Expr>),
    /// A change from a baseline of at least `percent` of it: a rise
    /// (`now >= baseline × (1 + percent/100)`) or a fall; unknown when the
    /// baseline is 0 or less, where a relative change means nothing.
    Change {
        /// The value now.
        now: Box<Expr>,
        /// The baseline.
        baseline: Box<Expr>,
        /// The change, in percent of the baseline.
        percent: f64,
        /// A rise (`above`) or a fall (`below`).
        rise: bool,
    },
}

/// A resolved rule.
#[derive(Clone, Debug)]
pub struct Rule {
    /// Rule id.
    pub id: String,
    /// Verdict.
    pub verdict: Verdict,
    /// The action decided.
    pub action: ActionId,
    /// Condition (`None`: always, within scope).
    pub when: Option<Expr>,
    /// Computed dose.
    pub dose: Option<Dose>,
    /// Free text.
    pub detail: Option<String>,
    /// Conditional warnings.
    pub warnings: Vec<Warning>,
    /// Rationale.
    pub because: Option<String>,
    /// Cited reference numbers, sorted, no duplicates.
    pub cites: Vec<u32>,
    /// Rules this one takes precedence over.
    pub overrides: Vec<RuleId>,
    /// Facts the condition depends on, in declaration order.
    pub depends_on: Vec<FactId>,
    /// Where it is declared.
    pub span: Span,
    /// Span of the `when` condition (or of the id when there is none).
    pub when_span: Span,
}

/// A dose: one amount, or amounts chosen by criteria (the first whose
/// condition holds; the last has none and is given otherwise).
#[derive(Clone, Debug)]
pub struct Dose {
    /// The amounts in written order.
    pub branches: Vec<DoseBranch>,
    /// Facts the criteria depend on, in declaration order.
    pub criteria_facts: Vec<FactId>,
}

/// One amount of a dose and the condition that chooses it.
#[derive(Clone, Debug)]
pub struct DoseBranch {
    /// `if ...`; `None` on the last amount.
    pub when: Option<Expr>,
    /// Facts the condition depends on.
    pub when_facts: Vec<FactId>,
    /// The amount.
    pub amount: DoseAmount,
    /// Where the amount and its condition are written.
    pub span: Span,
}

/// An amount: fixed (`5 mg`), or `low..high` per unit of a multiplier
/// (`50 to 60 mg/kg/day by weight`), perhaps capped.
#[derive(Clone, Debug)]
pub struct DoseAmount {
    /// Low end (per unit when multiplied).
    pub low: f64,
    /// High end (per unit when multiplied); `low` for a single amount.
    pub high: f64,
    /// Unit as written (`mg/kg/day`, `mg`).
    pub unit: Unit,
    /// What a per-unit amount is multiplied by.
    pub by: Option<DoseBy>,
    /// The most the amount may be, in `result_unit`.
    pub cap: Option<f64>,
    /// Unit of the amount given (`mg/day`): `unit` times the multiplier's.
    pub result_unit: Unit,
    /// How it is given (`twice daily`).
    pub how: Option<String>,
}

/// A dose's multiplier.
#[derive(Clone, Debug)]
pub struct DoseBy {
    /// The multiplier.
    pub expr: Expr,
    /// Its unit (`kg`).
    pub unit: Unit,
    /// Facts it depends on.
    pub depends_on: Vec<FactId>,
}

impl Dose {
    /// Whether the amount is chosen by criteria.
    pub fn is_chosen(&self) -> bool {
        self.branches.len() > 1
    }
}

/// A warning attached to a rule.
#[derive(Clone, Debug)]
pub struct Warning {
    /// Text.
    pub text: String,
    /// When it applies; `None`: whenever the rule's decision is given.
    pub when: Option<Expr>,
    /// Facts the condition depends on.
    pub depends_on: Vec<FactId>,
}

/// An action and the rules that decide it.
#[derive(Clone, Debug)]
pub struct Action {
    /// Action id.
    pub name: String,
    /// The label a clinician reads (the id when the file does not declare actions).
    pub label: String,
    /// An emergency measure: reports for people show it first.
    pub urgent: bool,
    /// Where it is declared; `None` in a file that declares no actions.
    pub span: Option<Span>,
    /// Its rules, in file order.
    pub rules: Vec<RuleId>,
    /// The order codes a draft order may carry to name it (`coded ...`);
    /// no two actions share one.
    pub codes: Vec<Code>,
}

/// Information shown when its condition holds.
#[derive(Clone, Debug)]
pub struct Note {
    /// Note id.
    pub id: String,
    /// When.
    pub when: Option<Expr>,
    /// Text.
    pub text: String,
    /// Cited reference numbers.
    pub cites: Vec<u32>,
    /// Where it is declared.
    pub span: Span,
}

/// A stated safety property.
#[derive(Clone, Debug)]
pub struct Invariant {
    /// Id.
    pub id: String,
    /// What must hold.
    pub claim: Claim,
    /// Why.
    pub because: Option<String>,
    /// Where it is declared.
    pub span: Span,
}

/// What an invariant claims.
#[derive(Clone, Debug)]
pub enum Claim {
    /// The action never gets one of these verdicts when the condition holds.
    Never {
        /// Forbidden verdicts.
        verdicts: Vec<Verdict>,
        /// The action.
        action: ActionId,
        /// Condition.
        when: Expr,
    },
    /// The action is never undecided when the condition holds.
    AlwaysDecide {
        /// The action.
        action: ActionId,
        /// Condition.
        when: Expr,
    },
}

impl Guideline {
    /// Looks up a fact by name (for tools, never on the evaluation path).
    pub fn fact_id(&self, name: &str) -> Option<FactId> {
        self.facts.iter().position(|f| f.name == name).map(|i| FactId(i as u32))
    }

    /// Looks up an action by name (for tools, never on the evaluation path).
    pub fn action_id(&self, name: &str) -> Option<ActionId> {
        self.actions
            .iter()
            .position(|a| a.name == name)
            .map(|i| ActionId(i as u32))
    }

    /// Looks up a rule by id (for tools, never on the evaluation path).
    pub fn rule_id(&self, id: &str) -> Option<RuleId> {
        self.rules.iter().position(|r| r.id == id).map(|i| RuleId(i as u32))
    }

    /// Every fact's id, in declaration order.
    pub fn fact_ids(&self) -> impl Iterator<Item = FactId> + '_ {
        (0..self.facts.len() as u32).map(FactId)
    }

    /// Whether the guideline declares a date fact: its decisions then
    /// depend on the evaluation date, which every output names.
    pub fn reads_dates(&self) -> bool {
        !self.date_facts.is_empty()
    }

    /// Every action's id, in declaration order.
    pub fn action_ids(&self) -> impl Iterator<Item = ActionId> + '_ {
        (0..self.actions.len() as u32).map(ActionId)
    }

    /// Every rule's id, in file order.
    pub fn rule_ids(&self) -> impl Iterator<Item = RuleId> + '_ {
        (0..self.rules.len() as u32).map(RuleId)
    }

    /// The fact with this id.
    pub fn fact(&self, id: FactId) -> &Fact {
        &self.facts[id.index()]
    }

    /// The rule with this id.
    pub fn rule(&self, id: RuleId) -> &Rule {
        &self.rules[id.index()]
    }

    /// The action with this id.
    pub fn action(&self, id: ActionId) -> &Action {
        &self.actions[id.index()]
    }

    /// The facts `e` reads, directly or through definitions, in declaration
    /// order, each once. Costs a walk of `e` alone: what a definition reads was
    /// worked out when the guideline was checked.
    pub fn facts_read(&self, e: &Expr) -> Vec<FactId> {
        if self.definition_facts.len() == self.definitions.len() {
            return facts_read_with(e, &self.definition_facts);
        }
        // A guideline assembled without the table (not one the checker
        // built): follow definitions, each once.
        let mut facts = BTreeSet::new();
        let mut seen = vec![false; self.definitions.len()];
        let mut pending = vec![e];
        while let Some(e) = pending.pop() {
            crate::check::visit(e, &mut |k| match k {
                ExprKind::Fact(f) => {
                    facts.insert(*f);
                }
                ExprKind::Def(d) => {
                    if let Some(done) = seen.get_mut(d.index()) {
                        if !std::mem::replace(done, true) {
                            pending.push(&self.definitions[d.index()].body);
                        }
                    }
                }
                _ => {}
            });
        }
        facts.into_iter().collect()
    }
}

/// The date facts among `facts`, ascending (see [`Guideline::date_facts`]).
pub fn date_facts(facts: &[Fact]) -> Vec<FactId> {
    facts
        .iter()
        .enumerate()
        .filter(|(_, f)| matches!(f.kind, FactKind::Date))
        .map(|(i, _)| FactId(i as u32))
        .collect()
}

/// The facts each of `definitions` reads, through other definitions too, in
/// declaration order. Worked out in `order` (each definition after those it
/// uses), so every body is walked once and a long chain costs no recursion;
/// a definition left out of `order` (a cycle the checker reported) reads none.
pub fn definition_facts(definitions: &[Definition], order: &[DefId]) -> Vec<Vec<FactId>> {
    let mut out: Vec<Vec<FactId>> = vec![Vec::new(); definitions.len()];
    for &d in order {
        out[d.index()] = facts_read_with(&definitions[d.index()].body, &out);
    }
    out
}

/// The facts `e` reads, given what each definition reads.
pub(crate) fn facts_read_with(e: &Expr, definition_facts: &[Vec<FactId>]) -> Vec<FactId> {
    let mut facts = BTreeSet::new();
    crate::check::visit(e, &mut |k| match k {
        ExprKind::Fact(f) => {
            facts.insert(*f);
        }
        ExprKind::Def(d) => facts.extend(definition_facts.get(d.index()).into_iter().flatten().copied()),
        _ => {}
    });
    facts.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `a` and `b` through a diamond of definitions, `c` directly, `d` unread.
    const DIAMOND: &str = "guideline diamond\n  version 1.0.0\n  status draft\n\n\
        fact d: bool \"D.\"\nfact c: bool \"C.\"\nfact b: bool \"B.\"\nfact a: bool \"A.\"\n\n\
        define left: a and b\ndefine right: b or a\ndefine top: left and right\n\n\
        rule r: recommend x\n  when c and top\n";

    fn names(g: &Guideline, facts: &[FactId]) -> Vec<String> {
        facts.iter().map(|f| g.fact(*f).name.clone()).collect()
    }

    #[test]
    fn facts_are_read_through_definitions_in_declaration_order() {
        let g = crate::load_str("diamond.gl", DIAMOND).expect("the diamond checks");
        let when = g.rules[0].when.as_ref().expect("a condition");
        // Declared d, c, b, a: the order of the declarations, not of the text.
        assert_eq!(names(&g, &g.facts_read(when)), ["c", "b", "a"]);
        assert_eq!(g.rules[0].depends_on, g.facts_read(when));
        let top = g
            .definitions
            .iter()
            .position(|d| d.name == "top")
            .expect("top is defined");
        assert_eq!(names(&g, &g.definition_facts[top]), ["b", "a"]);
    }

    #[test]
    fn a_guideline_without_the_table_reads_the_same_facts() {
        let g = crate::load_str("diamond.gl", DIAMOND).expect("the diamond checks");
        let when = g.rules[0].when.as_ref().expect("a condition");
        let mut bare = g.clone();
        bare.definition_facts.clear();
        assert_eq!(bare.facts_read(when), g.facts_read(when));
    }
}
