//! Invariants (`never`, `always decide`) and the warnings for facts and definitions nothing uses.

use super::*;

impl Checker<'_> {
    pub(super) fn invariants(&mut self, file: &ast::File, actions: &[Action]) -> Vec<model::Invariant> {
        let action_ids: HashMap<&str, ActionId> = actions
            .iter()
            .enumerate()
            .map(|(i, a)| (a.name.as_str(), ActionId(i as u32)))
            .collect();
        let mut out = Vec::new();
        let mut seen = HashSet::new();
        for item in &file.items {
            let Item::Invariant(inv) = item else { continue };
            if !seen.insert(inv.id.node.clone()) {
                self.error(
                    Problem::error(
                        "guidelang::check::duplicate_invariant",
                        format!("invariant `{}` is declared twice", inv.id.node),
                    )
                    .with_label(inv.id.span, "again here")
                    .with_help("give every invariant its own id"),
                );
            }
            let (action, when) = match &inv.claim {
                ast::Claim::Never { action, when, .. } | ast::Claim::AlwaysDecide { action, when } => (action, when),
            };
            let action_id = action_ids.get(action.node.as_str()).copied();
            if action_id.is_none() {
                let (help, suggested) = if self.may_suggest() {
                    suggestion(&action.node, actions.iter().map(|a| a.name.as_str()), "action")
                } else {
                    (no_suggestion("action"), None)
                };
                self.error(
                    Problem::error(
                        "guidelang::check::unknown_action",
                        format!("no rule decides `{}`", action.node),
                    )
                    .with_label(action.span, "unknown action")
                    .with_help(help)
                    .with_suggestion(action.span, suggested),
                );
            }
            let when = self.condition(when, Place::Invariant, "an invariant's condition");
            let (Some(action), Some(when)) = (action_id, when) else {
                continue;
            };
            let claim = match &inv.claim {
                ast::Claim::Never { verdicts, .. } => model::Claim::Never {
                    verdicts: verdicts.iter().map(|v| v.node).collect(),
                    action,
                    when,
                },
                ast::Claim::AlwaysDecide { .. } => model::Claim::AlwaysDecide { action, when },
            };
            out.push(model::Invariant {
                id: inv.id.node.clone(),
                claim,
                because: inv.because.as_ref().map(|b| b.node.clone()),
                span: inv.span,
            });
        }
        out
    }

    pub(super) fn unused(&mut self, file: &ast::File) {
        for item in &file.items {
            match item {
                Item::Fact(f) if !f.recorded => {
                    if let Some(Name::Fact(id)) = self.names.get(&f.name.node) {
                        if !self.used_facts.contains(id) {
                            self.error(
                                Problem::warning(
                                    "guidelang::check::unused_fact",
                                    format!("fact `{}` is declared but never used", f.name.node),
                                )
                                .with_label(f.name.span, "unused")
                                .with_help("use it in a rule, or remove it (cases may still give it)"),
                            );
                        }
                    }
                }
                Item::Definition(d) => {
                    if let Some(Name::Def(id)) = self.names.get(&d.name.node) {
                        if !self.used_defs.contains(id) {
                            self.error(
                                Problem::warning(
                                    "guidelang::check::unused_definition",
                                    format!("definition `{}` is never used", d.name.node),
                                )
                                .with_label(d.name.span, "unused")
                                .with_help("use it in a rule, or remove it"),
                            );
                        }
                    }
                }
                _ => {}
            }
        }
    }
}
