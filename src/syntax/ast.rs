//! The surface syntax tree of a guideline file, as written, with spans.
//! Equality ignores spans, so "format, re-parse, compare" tests can use `==`.

use crate::diagnostics::Span;
// The verdict and the review status are words of the model; the tree
// holds them as written.
pub use crate::model::{Status, Verdict};

/// A value and where it was written. Equality ignores the span.
#[derive(Clone, Debug)]
pub struct Spanned<T> {
    /// The value.
    pub node: T,
    /// Where it was written.
    pub span: Span,
}

impl<T> Spanned<T> {
    /// Wraps a value with its span.
    pub fn new(node: T, span: Span) -> Self {
        Spanned { node, span }
    }
}

impl<T: PartialEq> PartialEq for Spanned<T> {
    fn eq(&self, other: &Self) -> bool {
        self.node == other.node
    }
}

/// A whole guideline file: its header and its items in written order.
#[derive(Clone, Debug, PartialEq)]
pub struct File {
    /// Metadata and scope.
    pub header: Header,
    /// References, facts, definitions, rules, notes and invariants, in order.
    pub items: Vec<Item>,
}

/// The `guideline` header.
#[derive(Clone, Debug, PartialEq)]
pub struct Header {
    /// Guideline id.
    pub id: Spanned<String>,
    /// Human title.
    pub title: Option<Spanned<String>>,
    /// Semantic version, as written.
    pub version: Option<Spanned<String>>,
    /// Review status.
    pub status: Option<Spanned<Status>>,
    /// Last-updated date, `YYYY-MM-DD`.
    pub updated: Option<Spanned<String>>,
    /// Reviewer names.
    pub reviewers: Vec<Spanned<String>>,
    /// `applies when ...`.
    pub scope: Option<Expr>,
}

/// One top-level item.
#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    /// `reference N "title" ...`
    Reference(Reference),
    /// `action id "Label" urgent`
    Action(ActionDecl),
    /// `fact name: type "description"`
    Fact(Fact),
    /// `define name: expr`
    Definition(Definition),
    /// `rule id: verdict action ...`
    Rule(Rule),
    /// `note id: when ... says "..."`
    Note(Note),
    /// `invariant id: never ... / always decide ...`
    Invariant(Invariant),
    /// `score name "Label": N when ... ...`
    Score(Score),
    /// `category name "Label": level when ... ... level otherwise`
    Category(Category),
}

impl Item {
    /// The span of the whole item.
    pub fn span(&self) -> Span {
        match self {
            Item::Reference(r) => r.span,
            Item::Action(a) => a.span,
            Item::Fact(f) => f.span,
            Item::Definition(d) => d.span,
            Item::Rule(r) => r.span,
            Item::Note(n) => n.span,
            Item::Invariant(i) => i.span,
            Item::Score(s) => s.span,
            Item::Category(c) => c.span,
        }
    }
}

/// A numbered citation.
#[derive(Clone, Debug)]
pub struct Reference {
    /// Its number, as cited by rules.
    pub number: Spanned<u32>,
    /// Title.
    pub title: Spanned<String>,
    /// Publisher or journal.
    pub source: Option<Spanned<String>>,
    /// Year of publication.
    pub year: Option<Spanned<u32>>,
    /// Whole item.
    pub span: Span,
}

/// A declared action: what rules decide, named for the people who read reports.
#[derive(Clone, Debug)]
pub struct ActionDecl {
    /// The id rules and cases use.
    pub name: Spanned<String>,
    /// The label a clinician reads.
    pub label: Spanned<String>,
    /// An emergency measure: reports show it first ("act now").
    pub urgent: bool,
    /// `coded snomed 71791006, rxnorm 5552`: the order codes, each with its
    /// system as written (empty when the action has none).
    pub codes: Vec<WrittenCode>,
    /// Whole item.
    pub span: Span,
}

/// A declared patient fact.
#[derive(Clone, Debug)]
pub struct Fact {
    /// Name used in cases and conditions.
    pub name: Spanned<String>,
    /// Its type.
    pub ty: Spanned<FactType>,
    /// A short description.
    pub description: Option<Spanned<String>>,
    /// Declared as `recorded`: carried by cases, used by no rule on purpose.
    pub recorded: bool,
    /// Whole item.
    pub span: Span,
    /// `molar mass 113.12 g/mol`, for conversions between amount and mass.
    pub molar_mass: Option<MolarMass>,
    /// `read from ...`: how the fact is found in a patient record.
    pub binding: Option<Binding>,
}

/// `read from observation|condition CODES OPTIONS` or `read from birth date`,
/// as written; the checker decides whether it suits the fact.
#[derive(Clone, Debug)]
pub struct Binding {
    /// What is read.
    pub kind: Spanned<BindingKind>,
    /// The codes, each with its system (one written without a system has the
    /// one before it, so the tree does not depend on how the list was written).
    pub codes: Vec<WrittenCode>,
    /// `within N UNIT`.
    pub window: Option<WrittenWindow>,
    /// `preliminary allowed`, where written.
    pub preliminary_allowed: Option<Spanned<()>>,
    /// `absent means false`, where written.
    pub absent_means_false: Option<Spanned<()>>,
    /// The whole binding.
    pub span: Span,
}

/// The kinds of record entry a binding names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BindingKind {
    /// `observation`
    Observation,
    /// `condition`
    Condition,
    /// `birth date`
    BirthDate,
}

impl BindingKind {
    /// The words a guideline writes after `read from`.
    pub fn as_str(self) -> &'static str {
        match self {
            BindingKind::Observation => "observation",
            BindingKind::Condition => "condition",
            BindingKind::BirthDate => "birth date",
        }
    }
}

/// `loinc 6690-2`: a code with its system's word as written.
#[derive(Clone, Debug, PartialEq)]
pub struct WrittenCode {
    /// The system's word (`loinc`); its span is where it was written, which
    /// for a code listed without one is the earlier code's.
    pub system: Spanned<String>,
    /// The code.
    pub code: Spanned<String>,
}

/// `within 48 h`.
#[derive(Clone, Debug)]
pub struct WrittenWindow {
    /// The number, as written.
    pub amount: Spanned<f64>,
    /// Its unit's word.
    pub unit: Spanned<String>,
    /// The whole option.
    pub span: Span,
}

/// `molar mass VALUE UNIT` on a number fact.
#[derive(Clone, Debug)]
pub struct MolarMass {
    /// The value, as written.
    pub value: Spanned<f64>,
    /// Its unit, e.g. `g/mol`.
    pub unit: Spanned<String>,
    /// The whole field.
    pub span: Span,
}

/// The type of a fact, with its valid values.
#[derive(Clone, Debug, PartialEq)]
pub enum FactType {
    /// `bool`
    Bool,
    /// `integer from A to B`
    Integer {
        /// Lowest valid value.
        min: Option<f64>,
        /// Highest valid value.
        max: Option<f64>,
    },
    /// `number in UNIT from A to B`
    Number {
        /// Unit as written.
        unit: Spanned<String>,
        /// Lowest valid value.
        min: Option<f64>,
        /// Highest valid value.
        max: Option<f64>,
    },
    /// `one of a, b, c`
    Enum(Vec<Spanned<String>>),
    /// `date`: a calendar day.
    Date,
}

/// A named expression.
#[derive(Clone, Debug)]
pub struct Definition {
    /// Its name.
    pub name: Spanned<String>,
    /// The unit the editor states for a numeric definition.
    pub unit: Option<Spanned<String>>,
    /// The expression.
    pub body: Expr,
    /// A short description.
    pub description: Option<Spanned<String>>,
    /// Whole item.
    pub span: Span,
}

/// A rule: one verdict on one action, under a condition.
#[derive(Clone, Debug)]
pub struct Rule {
    /// Rule id.
    pub id: Spanned<String>,
    /// Its verdict.
    pub verdict: Spanned<Verdict>,
    /// The action it decides.
    pub action: Spanned<String>,
    /// `when ...`; `None` for `when always`: the rule applies to every
    /// patient in scope (a rule must say one or the other).
    pub when: Option<Expr>,
    /// Computed dose.
    pub dose: Option<Dose>,
    /// Free text shown with the decision.
    pub detail: Option<Spanned<String>>,
    /// Conditional warnings.
    pub warnings: Vec<Warning>,
    /// Rationale.
    pub because: Option<Spanned<String>>,
    /// Reference numbers.
    pub cites: Vec<Spanned<u32>>,
    /// Rules this one takes precedence over.
    pub overrides: Vec<Spanned<String>>,
    /// Whole item.
    pub span: Span,
}

/// `dose AMOUNT [if EXPR otherwise AMOUNT ...]`: one amount, or amounts
/// chosen by criteria (the first whose `if` holds; the last is the one given
/// otherwise).
#[derive(Clone, Debug)]
pub struct Dose {
    /// The amounts in written order; lowering keeps an `if` on every one but the last.
    pub branches: Vec<DoseBranch>,
    /// Whole field.
    pub span: Span,
}

/// One amount of a dose with the condition that chooses it.
#[derive(Clone, Debug)]
pub struct DoseBranch {
    /// The amount.
    pub amount: DoseAmount,
    /// `if EXPR`; `None` on the last (or only) amount.
    pub when: Option<Expr>,
    /// The amount and its condition.
    pub span: Span,
}

/// `LOW [to HIGH] UNIT [by EXPR] [at most CAP UNIT] ["how"]`.
#[derive(Clone, Debug)]
pub struct DoseAmount {
    /// The amount, or the lower end of a range.
    pub low: Spanned<f64>,
    /// The upper end of a range (`to HIGH`).
    pub high: Option<Spanned<f64>>,
    /// Unit as written: `mg`, or per unit of the multiplier, `mg/kg/day`.
    pub unit: Spanned<String>,
    /// What a per-unit amount is multiplied by (weight, bsa).
    pub by: Option<Expr>,
    /// `at most AMOUNT UNIT`: the most the computed amount may be.
    pub cap: Option<DoseCap>,
    /// How it is given: `"twice daily"`.
    pub how: Option<Spanned<String>>,
    /// Whole amount.
    pub span: Span,
}

/// `at most 800 mg/day`.
#[derive(Clone, Debug)]
pub struct DoseCap {
    /// The most.
    pub amount: Spanned<f64>,
    /// Its unit.
    pub unit: Spanned<String>,
    /// Whole cap.
    pub span: Span,
}

/// `warn "text"` or `warn "text" when EXPR`.
#[derive(Clone, Debug)]
pub struct Warning {
    /// The warning.
    pub text: Spanned<String>,
    /// When it applies; `None`: whenever the decision is given.
    pub when: Option<Expr>,
    /// Whole field.
    pub span: Span,
}

/// Information shown when a condition holds.
#[derive(Clone, Debug)]
pub struct Note {
    /// Note id.
    pub id: Spanned<String>,
    /// When it is shown.
    pub when: Option<Expr>,
    /// What it says.
    pub says: Option<Spanned<String>>,
    /// Reference numbers.
    pub cites: Vec<Spanned<u32>>,
    /// Whole item.
    pub span: Span,
}

/// A stated safety property.
#[derive(Clone, Debug)]
pub struct Invariant {
    /// Invariant id.
    pub id: Spanned<String>,
    /// What must hold.
    pub claim: Claim,
    /// Why.
    pub because: Option<Spanned<String>>,
    /// Whole item.
    pub span: Span,
}

/// The two kinds of invariant.
#[derive(Clone, Debug, PartialEq)]
pub enum Claim {
    /// `never V1 or V2 ACTION when EXPR`.
    Never {
        /// Forbidden verdicts.
        verdicts: Vec<Spanned<Verdict>>,
        /// The action.
        action: Spanned<String>,
        /// When they are forbidden.
        when: Expr,
    },
    /// `always decide ACTION when EXPR`.
    AlwaysDecide {
        /// The action.
        action: Spanned<String>,
        /// When it must be decided.
        when: Expr,
    },
}

/// An expression with its span.
pub type Expr = Spanned<ExprKind>;

/// Binary operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinOp {
    /// `or`
    Or,
    /// `and`
    And,
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
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
}

impl BinOp {
    /// The operator as written.
    pub fn as_str(self) -> &'static str {
        match self {
            BinOp::Or => "or",
            BinOp::And => "and",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::Eq => "=",
            BinOp::Ne => "!=",
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
        }
    }

    /// True for the six comparisons.
    pub fn is_comparison(self) -> bool {
        self.prec() == super::precedence::Prec::Compare
    }
}

/// Expression forms.
#[derive(Clone, Debug)]
pub enum ExprKind {
    /// `true` / `false`
    Bool(bool),
    /// A number, with a unit when one is written.
    Quantity {
        /// The value.
        value: f64,
        /// Its unit, as written.
        unit: Option<String>,
    },
    /// A fact or definition name.
    Name(String),
    /// `not E`
    Not(Box<Expr>),
    /// `-E`
    Neg(Box<Expr>),
    /// `L op R`
    Binary {
        /// Operator.
        op: BinOp,
        /// Left operand.
        lhs: Box<Expr>,
        /// Right operand.
        rhs: Box<Expr>,
    },
    /// `E is value` / `E is not value` (an enum value, or true/false).
    Is {
        /// What is tested.
        subject: Box<Expr>,
        /// The value named.
        value: Spanned<String>,
        /// `is not`.
        negated: bool,
    },
    /// `E is one of (a, b)` / `E is not one of (a, b)`.
    OneOf {
        /// What is tested.
        subject: Box<Expr>,
        /// The values named.
        values: Vec<Spanned<String>>,
        /// `is not one of`.
        negated: bool,
    },
    /// `E is known` / `E is not known` (invariants only).
    Known {
        /// What is tested.
        subject: Box<Expr>,
        /// `is not known`.
        negated: bool,
    },
    /// `at least N of (E1, E2, ...)`
    AtLeast {
        /// How many must hold.
        n: Spanned<u32>,
        /// The conditions counted.
        items: Vec<Expr>,
    },
    /// `sqrt(E)`
    Sqrt(Box<Expr>),
    /// `today`: the evaluation date.
    Today,
    /// `E is at least P % above B` / `below B`: a change relative to a baseline.
    Change {
        /// The value now.
        subject: Box<Expr>,
        /// The change, in percent of the baseline.
        percent: Spanned<f64>,
        /// `above` (a rise) or `below` (a fall).
        rise: bool,
        /// The baseline's name.
        baseline: Spanned<String>,
    },
    /// `(E)`: parentheses the author wrote, kept so that `fmt` keeps them.
    /// Equality looks through them (see [`ExprKind::unparen`]).
    Paren(Box<Expr>),
}

/// `==` for items compares everything but their `span`, like [`Spanned`], so a
/// re-parsed file equals the original whatever its layout.
macro_rules! eq_ignoring_span {
    ($($ty:ident { $($field:ident),* })*) => {$(
        impl PartialEq for $ty {
            fn eq(&self, other: &Self) -> bool {
                // Destructured so that a new field cannot be forgotten here.
                let $ty { $($field,)* span: _ } = self;
                $(*$field == other.$field)&&*
            }
        }
    )*};
}

eq_ignoring_span! {
    Reference { number, title, source, year }
    ActionDecl { name, label, urgent, codes }
    Fact { name, ty, description, recorded, molar_mass, binding }
    WrittenWindow { amount, unit }
    Binding { kind, codes, window, preliminary_allowed, absent_means_false }
    Definition { name, unit, body, description }
    Rule { id, verdict, action, when, dose, detail, warnings, because, cites, overrides }
    Dose { branches }
    Warning { text, when }
    Note { id, when, says, cites }
    Invariant { id, claim, because }
    MolarMass { value, unit }
    Score { name, label, items }
    ScoreItem { points, when }
    Category { name, label, levels, otherwise }
    Level { name, when }
    DoseBranch { amount, when }
    DoseAmount { low, high, unit, by, cap, how }
    DoseCap { amount, unit }
}

impl ExprKind {
    /// The expression inside any parentheses the author wrote.
    pub fn unparen(&self) -> &ExprKind {
        let mut e = self;
        while let ExprKind::Paren(inner) = e {
            e = &inner.node;
        }
        e
    }
}

/// Parentheses are layout, like spans: `(a and b)` equals `a and b`, so a
/// tree printed with the parentheses its precedence needs reads back equal.
impl PartialEq for ExprKind {
    fn eq(&self, other: &Self) -> bool {
        use ExprKind as K;
        match (self.unparen(), other.unparen()) {
            (K::Bool(a), K::Bool(b)) => a == b,
            (K::Quantity { value: v, unit: u }, K::Quantity { value: w, unit: t }) => v == w && u == t,
            (K::Name(a), K::Name(b)) => a == b,
            (K::Not(a), K::Not(b)) | (K::Neg(a), K::Neg(b)) | (K::Sqrt(a), K::Sqrt(b)) => a == b,
            (K::Binary { op, lhs, rhs }, K::Binary { op: o, lhs: l, rhs: r }) => op == o && lhs == l && rhs == r,
            (
                K::Is {
                    subject,
                    value,
                    negated,
                },
                K::Is {
                    subject: s,
                    value: v,
                    negated: n,
                },
            ) => subject == s && value == v && negated == n,
            (
                K::OneOf {
                    subject,
                    values,
                    negated,
                },
                K::OneOf {
                    subject: s,
                    values: v,
                    negated: n,
                },
            ) => subject == s && values == v && negated == n,
            (K::Known { subject, negated }, K::Known { subject: s, negated: n }) => subject == s && negated == n,
            (K::AtLeast { n, items }, K::AtLeast { n: m, items: i }) => n == m && items == i,
            (K::Today, K::Today) => true,
            (
                K::Change {
                    subject,
                    percent,
                    rise,
                    baseline,
                },
                K::Change {
                    subject: s,
                    percent: p,
                    rise: r,
                    baseline: b,
                },
            ) => subject == s && percent == p && rise == r && baseline == b,
            _ => false,
        }
    }
}

/// A weighted score: the sum of the points whose conditions hold.
#[derive(Clone, Debug)]
pub struct Score {
    /// Its name in conditions.
    pub name: Spanned<String>,
    /// The label a clinician reads (`"CHA2DS2-VASc"`).
    pub label: Option<Spanned<String>>,
    /// Its items, in written order.
    pub items: Vec<ScoreItem>,
    /// Whole item.
    pub span: Span,
}

/// `N when COND`: `N` points when the condition holds.
#[derive(Clone, Debug)]
pub struct ScoreItem {
    /// The points as written (the checker refuses fractions and zero).
    pub points: Spanned<f64>,
    /// When they count.
    pub when: Expr,
    /// Whole line.
    pub span: Span,
}

/// A derived value with named levels, each with its condition.
#[derive(Clone, Debug)]
pub struct Category {
    /// Its name in conditions.
    pub name: Spanned<String>,
    /// The label a clinician reads (`"TLS risk"`).
    pub label: Option<Spanned<String>>,
    /// `LEVEL when COND`, in written order.
    pub levels: Vec<Level>,
    /// `LEVEL otherwise`: the level when no other holds.
    pub otherwise: Option<Spanned<String>>,
    /// Whole item.
    pub span: Span,
}

/// `LEVEL when COND`.
#[derive(Clone, Debug)]
pub struct Level {
    /// The level's name.
    pub name: Spanned<String>,
    /// When the patient is at this level.
    pub when: Expr,
    /// Whole line.
    pub span: Span,
}
