//! An action's order codes (`action leukapheresis "Leukapheresis" coded
//! snomed 71791006`): the codes an EHR's draft order carries, so that the
//! CDS Hooks order services can tell which action an order is. Checked as a
//! binding's codes are (check digits, shapes, a code listed once), with the
//! systems an order names (SNOMED CT, RxNorm, LOINC), and one rule of their
//! own: a code names one action, since an order matched to two actions would
//! get advice meant for another.

use std::collections::HashMap;

use super::binding::{system_name, CodeSystems};
use super::Checker;
use crate::diagnostics::{Problem, Span};
use crate::model::{Code, CodeSystem};
use crate::syntax::ast;

impl Checker<'_> {
    /// The checked codes of each declared action, in the order given; an
    /// action whose codes have an error gets none (the file does not check).
    pub(super) fn order_codes(&mut self, declared: &[&ast::ActionDecl]) -> Vec<Vec<Code>> {
        let mut out = Vec::with_capacity(declared.len());
        let mut owner: HashMap<(CodeSystem, String), (&str, Span)> = HashMap::new();
        for a in declared {
            let codes = self.codes(&a.codes, CodeSystems::Order).unwrap_or_default();
            for c in &codes {
                let key = (c.system, c.code.clone());
                match owner.get(&key) {
                    Some(&(first, span)) => self.code_on_two_actions(c, &a.name.node, first, span),
                    None => {
                        owner.insert(key, (&a.name.node, c.span));
                    }
                }
            }
            out.push(codes);
        }
        out
    }

    fn code_on_two_actions(&mut self, c: &Code, action: &str, first: &str, first_span: Span) {
        self.error(
            Problem::error(
                "guidelang::check::order_code_on_two_actions",
                format!(
                    "{} `{}` codes both `{first}` and `{action}`",
                    system_name(c.system),
                    c.code
                ),
            )
            .with_label(c.span, format!("on `{action}`"))
            .with_label(first_span, format!("first on `{first}`"))
            .with_help(
                "an order must name one action: keep the code on the action it orders, \
                 and give the other its own code",
            ),
        );
    }
}
