//! Rules (verdicts, conditions, doses, warnings, citations, `overrides`), precedence cycles, and notes.

use super::*;

impl Checker<'_> {
    pub(super) fn rules(
        &mut self,
        file: &ast::File,
        cited: &HashSet<u32>,
        def_facts: &[Vec<FactId>],
    ) -> (Vec<model::Rule>, Vec<Action>) {
        let ast_rules: Vec<&ast::Rule> = file
            .items
            .iter()
            .filter_map(|i| if let Item::Rule(r) = i { Some(r) } else { None })
            .collect();
        if ast_rules.len() > MAX_RULES {
            self.error(
                Problem::error(
                    "guidelang::check::too_many_rules",
                    format!("the file has {} rules; the limit is {MAX_RULES}", ast_rules.len()),
                )
                .with_label(ast_rules[MAX_RULES].id.span, "past the limit")
                .with_help("split the guideline into several files"),
            );
            return (Vec::new(), Vec::new());
        }
        let (mut actions, action_index) = self.actions(file, &ast_rules);
        let mut ids: HashMap<&str, (RuleId, Span)> = HashMap::new();
        for (i, r) in ast_rules.iter().enumerate() {
            if let Some((_, first)) = ids.get(r.id.node.as_str()) {
                self.error(
                    Problem::error(
                        "guidelang::check::duplicate_rule",
                        format!("rule `{}` is declared twice", r.id.node),
                    )
                    .with_label(r.id.span, "second declaration")
                    .with_label(*first, "first declaration")
                    .with_help("give every rule its own id"),
                );
                continue;
            }
            ids.insert(&r.id.node, (RuleId(i as u32), r.id.span));
        }
        // Sorted once, so that listings in help do not change from run to run
        // and a file with many unknown rules does not sort once per mistake.
        let mut sorted_ids: Vec<&str> = ids.keys().copied().collect();
        sorted_ids.sort_unstable();
        let mut rules = Vec::new();
        for r in &ast_rules {
            let action = action_index[r.action.node.as_str()];
            let when = r
                .when
                .as_ref()
                .and_then(|e| self.condition(e, Place::Condition, "a rule's condition"));
            let dose = r.dose.as_ref().and_then(|d| self.dose(d, def_facts));
            let warnings = r
                .warnings
                .iter()
                .filter_map(|w| {
                    let when = match &w.when {
                        Some(e) => Some(self.condition(e, Place::Condition, "a warning's condition")?),
                        None => None,
                    };
                    let depends_on = when.as_ref().map(|e| facts_read_with(e, def_facts)).unwrap_or_default();
                    Some(model::Warning {
                        text: w.text.node.clone(),
                        when,
                        depends_on,
                    })
                })
                .collect();
            let cites = self.cites(&r.cites, cited);
            let overrides = self.overrides(r, &ast_rules, &ids, &sorted_ids);
            let depends_on = when.as_ref().map(|w| facts_read_with(w, def_facts)).unwrap_or_default();
            let id = RuleId(rules.len() as u32);
            actions[action.index()].rules.push(id);
            rules.push(model::Rule {
                id: r.id.node.clone(),
                verdict: r.verdict.node,
                action,
                when,
                dose,
                detail: r.detail.as_ref().map(|d| d.node.clone()),
                warnings,
                because: r.because.as_ref().map(|b| b.node.clone()),
                cites,
                overrides,
                depends_on,
                span: r.span,
                when_span: r.when.as_ref().map_or(r.id.span, |w| w.span),
            });
        }
        for a in &actions {
            if let Some(past) = a.rules.get(MAX_RULES_PER_ACTION) {
                self.error(
                    Problem::error(
                        "guidelang::check::too_many_rules_for_action",
                        format!(
                            "{} rules decide `{}`; one action may be decided by at most {MAX_RULES_PER_ACTION}",
                            a.rules.len(),
                            a.name
                        ),
                    )
                    .with_label(ast_rules[past.index()].id.span, "past the limit")
                    .with_help("split the action into more specific ones"),
                );
            }
        }
        self.precedence_cycles(&ast_rules, &rules);
        (rules, actions)
    }

    pub(super) fn cites(&mut self, cites: &[ast::Spanned<u32>], known: &HashSet<u32>) -> Vec<u32> {
        let mut out = Vec::new();
        for c in cites {
            if known.contains(&c.node) {
                out.push(c.node);
            } else {
                let mut list: Vec<u32> = if self.saturated() {
                    Vec::new()
                } else {
                    known.iter().copied().collect()
                };
                list.sort_unstable();
                let more = list.len().saturating_sub(12);
                let mut list: Vec<String> = list.iter().take(12).map(u32::to_string).collect();
                if more > 0 {
                    list.push(format!("and {more} more"));
                }
                self.error(
                    Problem::error(
                        "guidelang::check::unknown_citation",
                        format!("reference {} is cited but not declared", c.node),
                    )
                    .with_label(c.span, "no such reference")
                    .with_help(if list.is_empty() {
                        "declare it with `reference N \"title\"`".to_string()
                    } else {
                        format!("declared references: {}", list.join(", "))
                    }),
                );
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    pub(super) fn overrides(
        &mut self,
        r: &ast::Rule,
        all: &[&ast::Rule],
        ids: &HashMap<&str, (RuleId, Span)>,
        sorted_ids: &[&str],
    ) -> Vec<RuleId> {
        let mut out = Vec::new();
        for o in &r.overrides {
            let Some(&(target, _)) = ids.get(o.node.as_str()) else {
                let (help, suggested) = if self.may_suggest() {
                    suggestion(&o.node, sorted_ids.iter().copied(), "rule")
                } else {
                    (no_suggestion("rule"), None)
                };
                self.error(
                    Problem::error("guidelang::check::unknown_rule", format!("`{}` is not a rule", o.node))
                        .with_label(o.span, "unknown rule")
                        .with_help(help)
                        .with_suggestion(o.span, suggested),
                );
                continue;
            };
            let t = all[target.index()];
            if t.id.node == r.id.node {
                self.error(
                    Problem::error(
                        "guidelang::check::self_override",
                        format!("rule `{}` overrides itself", r.id.node),
                    )
                    .with_label(o.span, "itself")
                    .with_help("remove this `overrides`"),
                );
            } else if t.action.node != r.action.node {
                self.error(
                    Problem::error(
                        "guidelang::check::override_other_action",
                        format!(
                            "rule `{}` on `{}` cannot override `{}`, which decides `{}`",
                            r.id.node, r.action.node, t.id.node, t.action.node
                        ),
                    )
                    .with_label(o.span, format!("decides `{}`", t.action.node))
                    .with_label(r.action.span, "this rule's action")
                    .with_help("precedence only settles rules on the same action"),
                );
            } else if t.verdict.node == Verdict::Contraindicated {
                self.error(
                    Problem::error(
                        "guidelang::check::override_contraindication",
                        format!("`{}` is a contraindication, which nothing may override", t.id.node),
                    )
                    .with_label(o.span, "overrides a contraindication")
                    .with_label(t.verdict.span, "absolute")
                    .with_help("narrow the contraindication's condition instead, if it is too broad"),
                );
            } else {
                out.push(target);
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Reports every rule that overrides itself through a chain of `overrides`
    /// (a rule naming itself is reported where it is read).
    pub(super) fn precedence_cycles(&mut self, ast_rules: &[&ast::Rule], rules: &[model::Rule]) {
        let in_cycle = precedence::in_cycles(rules.len(), |r| rules[r].overrides.iter().map(|o| o.index()));
        for (i, r) in rules.iter().enumerate().filter(|(i, _)| in_cycle[*i]) {
            self.error(
                Problem::error(
                    "guidelang::check::precedence_cycle",
                    format!("rule `{}` overrides itself through a chain of `overrides`", r.id),
                )
                .with_label(ast_rules[i].id.span, "in a precedence cycle")
                .with_help("precedence must run one way; remove one of the `overrides` links"),
            );
        }
    }

    pub(super) fn notes(&mut self, file: &ast::File, cited: &HashSet<u32>) -> Vec<model::Note> {
        let mut out = Vec::new();
        let mut seen = HashSet::new();
        for item in &file.items {
            let Item::Note(n) = item else { continue };
            if !seen.insert(n.id.node.clone()) {
                self.error(
                    Problem::error(
                        "guidelang::check::duplicate_note",
                        format!("note `{}` is declared twice", n.id.node),
                    )
                    .with_label(n.id.span, "again here")
                    .with_help("give every note its own id"),
                );
            }
            let when = n
                .when
                .as_ref()
                .and_then(|e| self.condition(e, Place::Condition, "a note's condition"));
            let cites = self.cites(&n.cites, cited);
            let Some(says) = &n.says else {
                self.error(
                    Problem::error(
                        "guidelang::check::note_without_text",
                        format!("note `{}` says nothing", n.id.node),
                    )
                    .with_label(n.id.span, "this note")
                    .with_help("add `says \"...\"`"),
                );
                continue;
            };
            out.push(model::Note {
                id: n.id.node.clone(),
                when,
                text: says.node.clone(),
                cites,
                span: n.span,
            });
        }
        out
    }
}
