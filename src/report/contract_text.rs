//! The guideline's static text, escaped for JSON once when a run starts and
//! reused for every record: names and labels of actions, rule ids, fact
//! names, notes, invariant ids, scores and categories, and each dose
//! amount's fixed words (units, how it is given, its criterion, its range
//! per unit). A batch of a million records escapes each of them once, not a
//! million times.

use super::json_out::escaped;
use crate::model::{DoseAmount, FactId, Guideline};

/// The pre-escaped text of one guideline (content only, no quotes).
#[derive(Debug, Clone)]
pub struct ContractText {
    pub(crate) hash: String,
    pub(crate) id: String,
    pub(crate) title: String,
    pub(crate) version: String,
    pub(crate) status: &'static str,
    /// "out of scope: this guideline applies to ...".
    pub(crate) out_of_scope: String,
    pub(crate) actions: Vec<ActionText>,
    pub(crate) rules: Vec<RuleText>,
    pub(crate) facts: Vec<String>,
    /// Per fact, how to ask for it: "the white blood cell count",
    /// "whether the patient has ...".
    pub(crate) to_record: Vec<String>,
    /// Fact ids in the byte order of their names: the order a JSON object
    /// keyed by fact name writes them in (the patient record's `facts`).
    pub(crate) facts_by_name: Vec<FactId>,
    pub(crate) invariants: Vec<String>,
    pub(crate) notes: Vec<NoteText>,
    pub(crate) scores: Vec<ScoreText>,
    pub(crate) categories: Vec<CategoryText>,
}

#[derive(Debug, Clone)]
pub(crate) struct ActionText {
    pub(crate) name: String,
    pub(crate) label: String,
}

#[derive(Debug, Clone)]
pub(crate) struct RuleText {
    pub(crate) id: String,
    pub(crate) detail: Option<String>,
    pub(crate) because: Option<String>,
    pub(crate) warnings: Vec<String>,
    /// Its citations, sorted, without repeats (a decision by this rule alone cites these).
    pub(crate) cites: Vec<u32>,
    /// Per amount of its dose.
    pub(crate) dose: Vec<AmountText>,
}

/// The fixed words of one dose amount.
#[derive(Debug, Clone)]
pub(crate) struct AmountText {
    /// The amount's unit per unit of the multiplier, or the fixed amount's unit.
    pub(crate) unit: String,
    pub(crate) result_unit: String,
    pub(crate) by_unit: Option<String>,
    pub(crate) how: Option<String>,
    /// "50–60 mg/kg/day": the amount as written.
    pub(crate) written: String,
    /// "800 mg/day": the cap in the result unit.
    pub(crate) cap: Option<String>,
    /// Its criterion in words when the dose chooses among amounts.
    pub(crate) criterion: Option<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct NoteText {
    pub(crate) id: String,
    pub(crate) text: String,
}

#[derive(Debug, Clone)]
pub(crate) struct ScoreText {
    pub(crate) name: String,
    pub(crate) label: String,
    /// Each item's condition as written.
    pub(crate) items: Vec<String>,
    /// Each item's points.
    pub(crate) points: Vec<i64>,
}

#[derive(Debug, Clone)]
pub(crate) struct CategoryText {
    pub(crate) name: String,
    pub(crate) label: String,
    pub(crate) levels: Vec<String>,
}

fn range_words(low: f64, high: f64, unit: &str) -> String {
    escaped(&super::fmt_range(low, high, unit))
}

fn amount_text(a: &DoseAmount, criterion: Option<String>) -> AmountText {
    let result_unit = a.result_unit.to_string();
    AmountText {
        unit: escaped(&a.unit.to_string()),
        by_unit: a.by.as_ref().map(|b| escaped(&b.unit.to_string())),
        how: a.how.as_deref().map(escaped),
        written: range_words(a.low, a.high, &a.unit.to_string()),
        cap: a.cap.map(|cap| range_words(cap, cap, &result_unit)),
        result_unit: escaped(&result_unit),
        criterion: criterion.map(|c| escaped(&c)),
    }
}

impl ContractText {
    /// Escapes the text of `g` once.
    pub fn new(g: &Guideline) -> ContractText {
        let rules = g
            .rules
            .iter()
            .map(|r| {
                let mut cites = r.cites.clone();
                cites.sort_unstable();
                cites.dedup();
                let dose = r.dose.as_ref().map_or_else(Vec::new, |d| {
                    d.branches
                        .iter()
                        .map(|b| {
                            let criterion = d.is_chosen().then(|| match &b.when {
                                Some(e) => super::english::plain(&super::english::condition(g, e)),
                                None => "otherwise".to_string(),
                            });
                            amount_text(&b.amount, criterion)
                        })
                        .collect()
                });
                RuleText {
                    id: escaped(&r.id),
                    detail: r.detail.as_deref().map(escaped),
                    because: r.because.as_deref().map(escaped),
                    warnings: r.warnings.iter().map(|w| escaped(&w.text)).collect(),
                    cites,
                    dose,
                }
            })
            .collect();
        let mut facts_by_name: Vec<FactId> = g.fact_ids().collect();
        facts_by_name.sort_by(|a, b| g.fact(*a).name.cmp(&g.fact(*b).name));
        ContractText {
            hash: escaped(&g.hash),
            id: escaped(&g.meta.id),
            title: escaped(&g.meta.title),
            version: escaped(&g.meta.version.to_string()),
            status: match g.meta.status {
                crate::model::Status::Draft => "draft",
                crate::model::Status::InReview => "in-review",
                crate::model::Status::Approved => "approved",
            },
            out_of_scope: escaped(&format!(
                "out of scope: this guideline applies to {}; no recommendations are made",
                super::english::plain(&super::english::scope_phrase(g))
            )),
            actions: g
                .actions
                .iter()
                .map(|a| ActionText {
                    name: escaped(&a.name),
                    label: escaped(&a.label),
                })
                .collect(),
            rules,
            facts: g.facts.iter().map(|f| escaped(&f.name)).collect(),
            to_record: g.fact_ids().map(|f| escaped(&super::words::to_record(g, f))).collect(),
            facts_by_name,
            invariants: g.invariants.iter().map(|i| escaped(&i.id)).collect(),
            notes: g
                .notes
                .iter()
                .map(|n| NoteText {
                    id: escaped(&n.id),
                    text: escaped(&n.text),
                })
                .collect(),
            scores: g
                .scores
                .iter()
                .map(|s| ScoreText {
                    name: escaped(&s.name),
                    label: escaped(&s.label),
                    items: s.items.iter().map(|i| escaped(g.source.slice(i.when.span))).collect(),
                    points: s.items.iter().map(|i| i.points).collect(),
                })
                .collect(),
            categories: g
                .categories
                .iter()
                .map(|c| CategoryText {
                    name: escaped(&c.name),
                    label: escaped(&c.label),
                    levels: c.levels.iter().map(|l| escaped(&l.name)).collect(),
                })
                .collect(),
        }
    }

    /// The escaped name of a fact.
    pub fn fact(&self, f: FactId) -> &str {
        &self.facts[f.index()]
    }

    /// The escaped name of an action.
    pub fn action_name(&self, a: crate::model::ActionId) -> &str {
        &self.actions[a.index()].name
    }

    /// The escaped id of an invariant.
    pub fn invariant(&self, i: usize) -> &str {
        &self.invariants[i]
    }
}
