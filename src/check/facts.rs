//! Fact declarations (types, ranges, units, allowed values), the names they take, and the declared actions.

use super::*;

impl Checker<'_> {
    pub(super) fn declare_facts(&mut self, file: &ast::File) {
        for item in &file.items {
            let Item::Fact(f) = item else { continue };
            if f.name.node == crate::facts::AS_OF_KEY {
                self.error(
                    Problem::error(
                        "guidelang::check::reserved_fact_name",
                        format!("`{}` cannot name a fact: a case gives the evaluation date under that key", f.name.node),
                    )
                    .with_label(f.name.span, "reserved")
                    .with_help("choose another name, e.g. `assessment_date`; the guideline reads the evaluation date as `today`"),
                );
                continue;
            }
            let Some(kind) = self.fact_kind(f) else {
                self.refused_facts.insert(f.name.node.clone());
                continue;
            };
            let id = FactId(self.facts.len() as u32);
            if self.declare_name(&f.name, Name::Fact(id)) {
                self.facts.push(Fact {
                    name: f.name.node.clone(),
                    kind,
                    description: f.description.as_ref().map(|d| d.node.clone()),
                    span: f.span,
                    molar_mass: f
                        .molar_mass
                        .as_ref()
                        .map(|m| format!("{} {}", m.value.node, m.unit.node)),
                    grams_per_mole: None,
                    binding: None,
                });
                self.declare_molar_mass(f, id);
                self.facts[id.index()].grams_per_mole = self.molar_masses.get(&id).copied();
                self.facts[id.index()].binding = self.binding(f, id);
            }
        }
    }

    /// Counts every fact and definition an unchecked expression names as used.
    pub(super) fn mark_used(&mut self, e: &ast::Expr) {
        names_in(e, &mut |n, _| match self.names.get(n) {
            Some(Name::Fact(id)) => {
                self.used_facts.insert(*id);
            }
            Some(Name::Def(id)) => {
                self.used_defs.insert(*id);
            }
            Some(Name::Score(_) | Name::Category(_)) | None => {}
        });
    }

    pub(super) fn declare_name(&mut self, name: &ast::Spanned<String>, what: Name) -> bool {
        if self.names.contains_key(&name.node) {
            let mut p = Problem::error(
                "guidelang::check::duplicate_name",
                format!("`{}` is declared twice", name.node),
            )
            .with_label(name.span, "declared again here");
            if let Some(first) = self.name_spans.get(&name.node) {
                p = p.with_label(*first, "first declared here");
            }
            self.error(p.with_help(
                "keep one declaration; facts and definitions share one namespace, so each name is declared once",
            ));
            return false;
        }
        self.names.insert(name.node.clone(), what);
        self.name_spans.insert(name.node.clone(), name.span);
        true
    }

    pub(super) fn fact_kind(&mut self, f: &ast::Fact) -> Option<FactKind> {
        let span = f.ty.span;
        let bounds = |c: &mut Self, min: &Option<f64>, max: &Option<f64>| {
            if let (Some(a), Some(b)) = (min, max) {
                if a > b {
                    c.error(
                        Problem::error(
                            "guidelang::check::empty_range",
                            format!("the range {a} to {b} of `{}` is empty", f.name.node),
                        )
                        .with_label(span, "empty range")
                        .with_help("write the lower bound first"),
                    );
                    return false;
                }
            }
            true
        };
        Some(match &f.ty.node {
            ast::FactType::Bool => FactKind::Bool,
            ast::FactType::Date => FactKind::Date,
            ast::FactType::Integer { min, max } => {
                bounds(self, min, max).then_some(())?;
                FactKind::Integer { min: *min, max: *max }
            }
            ast::FactType::Number { unit, min, max } => {
                let u = self.unit(&unit.node, unit.span)?;
                bounds(self, min, max).then_some(())?;
                FactKind::Number {
                    unit: u,
                    min: *min,
                    max: *max,
                }
            }
            ast::FactType::Enum(values) => {
                let mut seen = HashSet::new();
                for v in values {
                    if !seen.insert(v.node.as_str()) {
                        self.error(
                            Problem::error(
                                "guidelang::check::duplicate_value",
                                format!("`{}` is listed twice", v.node),
                            )
                            .with_label(v.span, "again here")
                            .with_help("list each value once"),
                        );
                        return None;
                    }
                }
                if values.len() > 64 {
                    self.error(
                        Problem::error("guidelang::check::too_many_values", "a fact may list at most 64 values")
                            .with_label(span, "here")
                            .with_help("group the values, or split the fact"),
                    );
                    return None;
                }
                FactKind::Enum {
                    values: values.iter().map(|v| v.node.clone()).collect(),
                }
            }
        })
    }

    /// The actions rules decide: those declared, in declaration order, then,
    /// in a file that declares none, each in order of first use. Once a file
    /// declares one action every action must be declared, so a misspelt
    /// action in a rule is an error instead of a new, silent action. A file
    /// that declares none (a sketch, a test fixture) still checks, with each
    /// action's id as its label: the bundled guidelines declare every action.
    pub(super) fn actions<'f>(
        &mut self,
        file: &'f ast::File,
        rules: &[&'f ast::Rule],
    ) -> (Vec<Action>, HashMap<&'f str, ActionId>) {
        let mut declared: Vec<&ast::ActionDecl> = Vec::new();
        let mut first: HashMap<&str, Span> = HashMap::new();
        for item in &file.items {
            let Item::Action(a) = item else { continue };
            if let Some(earlier) = first.get(a.name.node.as_str()) {
                self.error(
                    Problem::error(
                        "guidelang::check::duplicate_action",
                        format!("action `{}` is declared twice", a.name.node),
                    )
                    .with_label(a.name.span, "second declaration")
                    .with_label(*earlier, "first declaration")
                    .with_help("declare each action once, with its label and urgency"),
                );
                continue;
            }
            first.insert(&a.name.node, a.name.span);
            declared.push(a);
        }
        let used: HashSet<&str> = rules.iter().map(|r| r.action.node.as_str()).collect();
        let mut actions = Vec::new();
        let mut index: HashMap<&str, ActionId> = HashMap::new();
        let order_codes = self.order_codes(&declared);
        for (a, codes) in declared.iter().zip(order_codes) {
            if !used.contains(a.name.node.as_str()) {
                self.error(
                    Problem::warning(
                        "guidelang::check::unused_action",
                        format!("action `{}` is declared but no rule decides it", a.name.node),
                    )
                    .with_label(a.name.span, "unused")
                    .with_help("write a rule that decides it, or remove the declaration"),
                );
                continue;
            }
            index.insert(&a.name.node, ActionId(actions.len() as u32));
            actions.push(Action {
                name: a.name.node.clone(),
                label: a.label.node.clone(),
                urgent: a.urgent,
                span: Some(a.name.span),
                rules: Vec::new(),
                codes,
            });
        }
        let mut sorted: Vec<&str> = declared.iter().map(|a| a.name.node.as_str()).collect();
        sorted.sort_unstable();
        for r in rules {
            let name = r.action.node.as_str();
            self.action_names.insert(name.to_string());
            if index.contains_key(name) {
                continue;
            }
            if !declared.is_empty() {
                let (help, suggested) = if self.may_suggest() {
                    suggestion(name, sorted.iter().copied(), "action")
                } else {
                    (no_suggestion("action"), None)
                };
                self.error(
                    Problem::error(
                        "guidelang::check::undeclared_action",
                        format!("rule `{}` decides `{name}`, which is not a declared action", r.id.node),
                    )
                    .with_label(r.action.span, "not declared")
                    .with_help(format!(
                        "{help}; a new action needs a declaration like `action {name} \"Label\"`"
                    ))
                    .with_suggestion(r.action.span, suggested),
                );
            }
            // Kept, so that the rest of the file is still checked.
            index.insert(name, ActionId(actions.len() as u32));
            actions.push(Action {
                name: name.to_string(),
                label: name.to_string(),
                urgent: false,
                span: None,
                rules: Vec::new(),
                codes: Vec::new(),
            });
        }
        (actions, index)
    }
}
