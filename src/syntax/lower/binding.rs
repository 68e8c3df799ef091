//! Lowering a fact's record binding: `read from observation loinc 6690-2,
//! 26464-8 within 48 h`, `read from condition icd10 G12.21 absent means
//! false`, `read from birth date`. The words of a binding are tokens of their
//! own (they are not reserved, so not `kw_` rules) and are skipped here.

use pest::iterators::Pair;

use super::{children, missing, set_once, Lower, Res};
use crate::syntax::ast::*;
use crate::syntax::grammar::{span_of, Rule};

impl Lower {
    pub(super) fn binding(&mut self, pair: Pair<Rule>) -> Res<Binding> {
        let span = span_of(&pair);
        let source = children(pair)
            .find(|p| matches!(p.as_rule(), Rule::birth_date_source | Rule::record_source))
            .ok_or_else(missing)?;
        let mut b = Binding {
            kind: Spanned::new(BindingKind::BirthDate, span_of(&source)),
            codes: Vec::new(),
            window: None,
            preliminary_allowed: None,
            absent_means_false: None,
            span,
        };
        if source.as_rule() == Rule::birth_date_source {
            return Ok(b);
        }
        for part in children(source) {
            let pspan = span_of(&part);
            match part.as_rule() {
                Rule::record_kind => {
                    let kind = match part.as_str() {
                        "observation" => BindingKind::Observation,
                        _ => BindingKind::Condition,
                    };
                    b.kind = Spanned::new(kind, pspan);
                }
                Rule::code_list => b.codes = code_list(part),
                Rule::window => {
                    let w = self.window(part)?;
                    set_once(&mut self.problems, &mut b.window, w, pspan, "within");
                }
                Rule::preliminary_allowed => set_once(
                    &mut self.problems,
                    &mut b.preliminary_allowed,
                    Spanned::new((), pspan),
                    pspan,
                    "preliminary allowed",
                ),
                Rule::absent_means_false => set_once(
                    &mut self.problems,
                    &mut b.absent_means_false,
                    Spanned::new((), pspan),
                    pspan,
                    "absent means false",
                ),
                _ => unreachable!("grammar: record source parts"),
            }
        }
        Ok(b)
    }

    fn window(&mut self, pair: Pair<Rule>) -> Res<WrittenWindow> {
        let span = span_of(&pair);
        let mut amount = None;
        let mut unit = None;
        for p in children(pair) {
            match p.as_rule() {
                Rule::num => amount = Some(Spanned::new(self.number(&p)?, span_of(&p))),
                Rule::window_unit => unit = Some(self.text(&p)),
                _ => {}
            }
        }
        Ok(WrittenWindow {
            amount: amount.ok_or_else(missing)?,
            unit: unit.ok_or_else(missing)?,
            span,
        })
    }
}

/// An action's order codes (`coded snomed 71791006, rxnorm 5552`), as a
/// binding's code list is read.
pub(super) fn action_codes(pair: Pair<Rule>) -> Vec<WrittenCode> {
    children(pair)
        .find(|p| p.as_rule() == Rule::code_list)
        .map(code_list)
        .unwrap_or_default()
}

/// The codes in written order, each with its system: a bare code takes the
/// system of the code before it (the grammar starts every list with one).
fn code_list(pair: Pair<Rule>) -> Vec<WrittenCode> {
    let mut out: Vec<WrittenCode> = Vec::new();
    for entry in children(pair) {
        let text = |p: &Pair<Rule>| Spanned::new(p.as_str().to_string(), span_of(p));
        match entry.as_rule() {
            Rule::system_code => {
                let mut parts = entry.into_inner();
                let (Some(system), Some(code)) = (parts.next(), parts.next()) else {
                    continue;
                };
                out.push(WrittenCode {
                    system: text(&system),
                    code: text(&code),
                });
            }
            Rule::code => {
                let Some(system) = out.last().map(|c| c.system.clone()) else {
                    continue;
                };
                out.push(WrittenCode {
                    system,
                    code: text(&entry),
                });
            }
            _ => {}
        }
    }
    out
}
