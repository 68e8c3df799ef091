//! Checking: from the syntax tree to a [`Guideline`] where every name is
//! resolved, every type and unit agrees, and precedence is sound. Every problem
//! of a file is collected in one run.

mod expr;
mod precedence;

use std::collections::{BTreeMap, HashMap, HashSet};

use sha2::{Digest, Sha256};

use crate::diagnostics::{suggestion_help, Problem, Source, Span};
use crate::model::{self, facts_read_with, *};
use crate::syntax::ast::{self, Item};
use expr::Place;

/// Largest number of rules a guideline may hold.
pub const MAX_RULES: usize = 100_000;
/// Largest number of rules that may decide one action. The compiled evaluator
/// keeps, for each rule, the set of the action's rules that override it, so
/// its memory and resolution time grow with the square of this number.
pub const MAX_RULES_PER_ACTION: usize = 1_024;
/// Most errors one check reports, and separately most warnings; the rest are
/// counted in a closing problem. A file with more is not a draft but the wrong
/// file, and bounding the count bounds the work spent on suggestions.
pub const MAX_PROBLEMS: usize = 1_000;
/// Most "did you mean" suggestions one check computes: each costs an edit
/// distance per declared name, and past the first screenful nobody reads them.
pub const MAX_SUGGESTIONS: usize = 200;

/// The outcome of checking: the guideline (when there are no errors) and
/// every problem found, errors and warnings.
pub struct Checked {
    /// The checked guideline, present when no error was found.
    pub guideline: Option<Guideline>,
    /// All problems, in source order.
    pub problems: Vec<Problem>,
}

#[derive(Clone, Copy, Debug)]
enum Name {
    Fact(FactId),
    Def(DefId),
}

struct Checker<'a> {
    source: &'a Source,
    problems: Vec<Problem>,
    names: BTreeMap<String, Name>,
    /// Where each name in `names` was declared, to point at both places of a clash.
    name_spans: HashMap<String, Span>,
    facts: Vec<Fact>,
    def_types: Vec<Option<Type>>,
    used_facts: HashSet<FactId>,
    used_defs: HashSet<DefId>,
    action_names: HashSet<String>,
    /// True while checking a definition that states its unit.
    unit_stated: bool,
    /// Errors and warnings kept, then those left out past [`MAX_PROBLEMS`].
    kept: [usize; 2],
    dropped: [usize; 2],
    /// Suggestions computed so far, up to [`MAX_SUGGESTIONS`].
    suggested: usize,
}

/// Checks a parsed file.
pub fn check(file: &ast::File, source: &Source) -> Checked {
    let mut c = Checker {
        source,
        problems: Vec::new(),
        names: BTreeMap::new(),
        name_spans: HashMap::new(),
        facts: Vec::new(),
        def_types: Vec::new(),
        used_facts: HashSet::new(),
        used_defs: HashSet::new(),
        action_names: HashSet::new(),
        unit_stated: false,
        kept: [0; 2],
        dropped: [0; 2],
        suggested: 0,
    };
    let g = c.guideline(file);
    let dropped = c.dropped;
    let mut problems = c.problems;
    problems.sort_by_key(|p| (p.primary_span().map_or(0, |s| s.start), p.severity));
    for (n, what, make) in [
        (
            dropped[0],
            "errors",
            Problem::error as fn(&'static str, String) -> Problem,
        ),
        (dropped[1], "warnings", Problem::warning),
    ] {
        if n > 0 {
            problems.push(
                make(
                    "guidelang::check::too_many_problems",
                    format!("{n} more {what} were found and are not listed; only the first {MAX_PROBLEMS} are"),
                )
                .with_help("correct the ones listed and check again"),
            );
        }
    }
    let has_errors = problems.iter().any(Problem::is_error);
    let guideline = g.filter(|_| !has_errors).map(|mut g| {
        g.warnings = problems.iter().filter(|p| !p.is_error()).cloned().collect();
        g
    });
    Checked { guideline, problems }
}

/// `sha256:<hex>` of a text: the content hash every output names.
pub fn content_hash(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

impl Checker<'_> {
    fn error(&mut self, p: Problem) {
        let slot = usize::from(!p.is_error());
        if self.kept[slot] >= MAX_PROBLEMS {
            self.dropped[slot] += 1;
            return;
        }
        self.kept[slot] += 1;
        self.problems.push(p.with_source(self.source));
    }

    /// True once no further error will be listed: what would only serve its
    /// message (suggestions, listings) need not be computed.
    fn saturated(&self) -> bool {
        self.kept[0] >= MAX_PROBLEMS
    }

    /// True while a "did you mean" may still be computed; counts it.
    fn may_suggest(&mut self) -> bool {
        if self.saturated() || self.suggested >= MAX_SUGGESTIONS {
            return false;
        }
        self.suggested += 1;
        true
    }

    fn guideline(&mut self, file: &ast::File) -> Option<Guideline> {
        let meta = self.meta(&file.header);
        let references = self.references(file);
        self.declare_facts(file);
        let (definitions, definition_order) = self.definitions(file);
        let scope = file
            .header
            .scope
            .as_ref()
            .and_then(|e| self.condition(e, Place::Condition, "the scope (`applies when`)"));
        let cited: HashSet<u32> = references.iter().map(|r| r.number).collect();
        let definition_facts = model::definition_facts(&definitions, &definition_order);
        let (rules, actions) = self.rules(file, &cited, &definition_facts);
        let notes = self.notes(file, &cited);
        let invariants = self.invariants(file, &actions);
        self.unused(file);
        let meta = meta?;
        if file.header.scope.is_some() && scope.is_none() {
            return None;
        }
        Some(Guideline {
            source: self.source.clone(),
            hash: content_hash(self.source.text()),
            meta,
            references,
            facts: self.facts.clone(),
            definitions,
            definition_order,
            definition_facts,
            scope,
            rules,
            actions,
            notes,
            invariants,
            warnings: Vec::new(),
        })
    }

    fn meta(&mut self, h: &ast::Header) -> Option<Meta> {
        let version = match &h.version {
            None => {
                self.error(
                    Problem::error("guidelang::check::missing_version", "the guideline has no `version`")
                        .with_label(h.id.span, "this guideline")
                        .with_help("add `version 1.0.0` to the header; every output names the version"),
                );
                None
            }
            Some(v) => match semver::Version::parse(&v.node) {
                Ok(ver) => Some(ver),
                Err(e) => {
                    self.error(
                        Problem::error(
                            "guidelang::check::bad_version",
                            format!("`{}` is not a semantic version: {e}", v.node),
                        )
                        .with_label(v.span, "here")
                        .with_help("write MAJOR.MINOR.PATCH, e.g. `1.2.0`"),
                    );
                    None
                }
            },
        };
        let status = match &h.status {
            Some(s) => s.node,
            None => {
                self.error(
                    Problem::error(
                        "guidelang::check::missing_status",
                        "the guideline has no review `status`",
                    )
                    .with_label(h.id.span, "this guideline")
                    .with_help("add `status draft`, `status in-review` or `status approved`"),
                );
                Status::Draft
            }
        };
        if let Some(d) = &h.updated {
            if !valid_date(&d.node) {
                self.error(
                    Problem::error(
                        "guidelang::check::bad_date",
                        format!("`{}` is not a calendar date", d.node),
                    )
                    .with_label(d.span, "here")
                    .with_help("write YYYY-MM-DD with a real month and day"),
                );
            }
        }
        Some(Meta {
            id: h.id.node.clone(),
            title: h.title.as_ref().map_or_else(|| h.id.node.clone(), |t| t.node.clone()),
            version: version?,
            status,
            updated: h.updated.as_ref().map(|d| d.node.clone()),
            reviewers: h.reviewers.iter().map(|r| r.node.clone()).collect(),
            span: h.id.span,
        })
    }

    fn references(&mut self, file: &ast::File) -> Vec<model::Reference> {
        let mut seen: HashMap<u32, Span> = HashMap::new();
        let mut out = Vec::new();
        for item in &file.items {
            let Item::Reference(r) = item else { continue };
            if let Some(first) = seen.insert(r.number.node, r.number.span) {
                self.error(
                    Problem::error(
                        "guidelang::check::duplicate_reference",
                        format!("reference {} is declared twice", r.number.node),
                    )
                    .with_label(r.number.span, "second declaration")
                    .with_label(first, "first declaration")
                    .with_help("give each reference its own number"),
                );
                continue;
            }
            out.push(model::Reference {
                number: r.number.node,
                title: r.title.node.clone(),
                source: r.source.as_ref().map(|s| s.node.clone()),
                year: r.year.as_ref().map(|y| y.node),
                span: r.span,
            });
        }
        out.sort_by_key(|r| r.number);
        out
    }

    fn declare_facts(&mut self, file: &ast::File) {
        for item in &file.items {
            let Item::Fact(f) = item else { continue };
            let Some(kind) = self.fact_kind(f) else { continue };
            if self.declare_name(&f.name, Name::Fact(FactId(self.facts.len() as u32))) {
                self.facts.push(Fact {
                    name: f.name.node.clone(),
                    kind,
                    description: f.description.as_ref().map(|d| d.node.clone()),
                    span: f.span,
                });
            }
        }
    }

    /// Counts every fact and definition an unchecked expression names as used.
    fn mark_used(&mut self, e: &ast::Expr) {
        names_in(e, &mut |n, _| match self.names.get(n) {
            Some(Name::Fact(id)) => {
                self.used_facts.insert(*id);
            }
            Some(Name::Def(id)) => {
                self.used_defs.insert(*id);
            }
            None => {}
        });
    }

    fn declare_name(&mut self, name: &ast::Spanned<String>, what: Name) -> bool {
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

    fn fact_kind(&mut self, f: &ast::Fact) -> Option<FactKind> {
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

    /// Checks definitions in dependency order; a cycle is reported once.
    fn definitions(&mut self, file: &ast::File) -> (Vec<Definition>, Vec<DefId>) {
        let defs: Vec<&ast::Definition> = file
            .items
            .iter()
            .filter_map(|i| if let Item::Definition(d) = i { Some(d) } else { None })
            .collect();
        let mut ids = Vec::new();
        for (i, d) in defs.iter().enumerate() {
            let ok = self.declare_name(&d.name, Name::Def(DefId(i as u32)));
            ids.push(ok);
        }
        self.def_types = vec![None; defs.len()];
        let order = self.definition_order(&defs, &ids);
        // Definitions a cycle keeps from being typed still use what they
        // mention; without this the cycle error comes with false "unused" warnings.
        let mut in_order = vec![false; defs.len()];
        order.iter().for_each(|id| in_order[id.index()] = true);
        for (i, d) in defs.iter().enumerate() {
            if !in_order[i] {
                self.mark_used(&d.body);
            }
        }
        let mut checked: Vec<Option<Definition>> = vec![None; defs.len()];
        for &DefId(i) in &order {
            let d = defs[i as usize];
            self.unit_stated = d.unit.is_some();
            let checked_body = self.expr(&d.body, Place::Condition);
            self.unit_stated = false;
            let Some((body, ty)) = checked_body else { continue };
            let ty = match (&d.unit, ty) {
                (None, ty) => ty,
                (Some(u), Type::Num(_)) => match self.unit(&u.node, u.span) {
                    // The stated unit is the editor's word: empirical formulas
                    // (Mosteller's BSA) carry constants whose units are implicit.
                    Some(unit) => Type::Num(Some(unit)),
                    None => continue,
                },
                (Some(u), other) => {
                    let name = self.type_name(&other);
                    self.error(
                        Problem::error(
                            "guidelang::check::unit_on_condition",
                            format!("`{}` is {name}, so it has no unit", d.name.node),
                        )
                        .with_label(u.span, "unit given here")
                        .with_help("only numeric definitions take `in UNIT`"),
                    );
                    continue;
                }
            };
            self.def_types[i as usize] = Some(ty.clone());
            checked[i as usize] = Some(Definition {
                name: d.name.node.clone(),
                ty,
                body,
                description: d.description.as_ref().map(|s| s.node.clone()),
                span: d.span,
            });
        }
        let order = order.into_iter().filter(|id| checked[id.index()].is_some()).collect();
        let out = checked
            .into_iter()
            .enumerate()
            .map(|(i, d)| {
                d.unwrap_or_else(|| Definition {
                    name: defs[i].name.node.clone(),
                    ty: Type::Bool,
                    body: Expr {
                        kind: ExprKind::Bool(false),
                        span: defs[i].span,
                    },
                    description: None,
                    span: defs[i].span,
                })
            })
            .collect();
        (out, order)
    }

    /// Topological order of definitions; reports cycles and leaves them out.
    fn definition_order(&mut self, defs: &[&ast::Definition], declared: &[bool]) -> Vec<DefId> {
        let index: HashMap<&str, usize> = defs
            .iter()
            .enumerate()
            .filter(|(i, _)| declared[*i])
            .map(|(i, d)| (d.name.node.as_str(), i))
            .collect();
        let deps: Vec<Vec<(usize, Span)>> = defs
            .iter()
            .map(|d| {
                let mut v = Vec::new();
                names_in(&d.body, &mut |n, s| {
                    if let Some(&j) = index.get(n) {
                        v.push((j, s));
                    }
                });
                v
            })
            .collect();
        // 0 = unvisited, 1 = on the stack, 2 = done, 3 = part of a cycle.
        let mut state = vec![0u8; defs.len()];
        let mut order = Vec::new();
        for start in 0..defs.len() {
            if !declared[start] || state[start] != 0 {
                continue;
            }
            let mut stack: Vec<(usize, usize)> = vec![(start, 0)];
            state[start] = 1;
            while let Some(&mut (node, ref mut next)) = stack.last_mut() {
                if let Some(&(dep, span)) = deps[node].get(*next) {
                    *next += 1;
                    match state[dep] {
                        0 => {
                            state[dep] = 1;
                            stack.push((dep, 0));
                        }
                        1 => {
                            let cycle: Vec<usize> = stack.iter().map(|(n, _)| *n).skip_while(|n| *n != dep).collect();
                            let names: Vec<&str> = cycle.iter().map(|&n| defs[n].name.node.as_str()).collect();
                            self.error(
                                Problem::error(
                                    "guidelang::check::definition_cycle",
                                    format!(
                                        "definitions refer to each other in a circle: {} → {}",
                                        names.join(" → "),
                                        defs[dep].name.node
                                    ),
                                )
                                .with_label(span, "this use closes the circle")
                                .with_help("a definition cannot depend on itself, directly or through others"),
                            );
                            for n in cycle {
                                state[n] = 3;
                            }
                        }
                        _ => {}
                    }
                } else {
                    stack.pop();
                    if state[node] == 1 {
                        state[node] = 2;
                        order.push(DefId(node as u32));
                    }
                }
            }
        }
        // A definition that uses a cyclic one cannot be typed either.
        order.retain(|id| deps[id.index()].iter().all(|(d, _)| state[*d] == 2));
        order
    }

    fn rules(
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

    /// The actions rules decide: those declared, in declaration order, then,
    /// in a file that declares none, each in order of first use. Once a file
    /// declares one action every action must be declared, so a misspelt
    /// action in a rule is an error instead of a new, silent action. A file
    /// that declares none (a sketch, a test fixture) still checks, with each
    /// action's id as its label: the bundled guidelines declare every action.
    fn actions<'f>(
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
        for a in &declared {
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
                let help = if self.may_suggest() {
                    suggestion_help(name, sorted.iter().copied(), "action")
                } else {
                    no_suggestion("action")
                };
                self.error(
                    Problem::error(
                        "guidelang::check::undeclared_action",
                        format!("rule `{}` decides `{name}`, which is not a declared action", r.id.node),
                    )
                    .with_label(r.action.span, "not declared")
                    .with_help(format!(
                        "{help}; a new action needs a declaration like `action {name} \"Label\"`"
                    )),
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
            });
        }
        (actions, index)
    }

    fn dose(&mut self, d: &ast::Dose, def_facts: &[Vec<FactId>]) -> Option<model::Dose> {
        let unit = self.unit(&d.unit.node, d.unit.span)?;
        let (by, by_unit) = self.quantity(&d.by, Place::Condition, "what a dose is multiplied by")?;
        if d.low.node > d.high.node || d.low.node < 0.0 {
            self.error(
                Problem::error(
                    "guidelang::check::dose_range",
                    format!(
                        "the dose range {} to {} is not a range of amounts",
                        d.low.node, d.high.node
                    ),
                )
                .with_label(d.low.span.join(d.high.span), "here")
                .with_help("write the lower amount first; amounts are not negative"),
            );
            return None;
        }
        let by_unit = by_unit.unwrap_or_default();
        // The multiplier must cancel a "per ..." of the dose unit: mg/kg/day by a
        // weight in kg, L/m2/day by a surface in m2.
        let cancels = !by_unit.is_one()
            && by_unit
                .powers()
                .all(|(atom, p)| unit.powers().any(|(a, q)| a == atom && q == -p));
        if !cancels {
            self.error(
                Problem::error("guidelang::check::dose_unit", format!("a dose in {unit} cannot be multiplied by a quantity in {by_unit}"))
                    .with_label(d.unit.span, format!("per-unit dose in {unit}"))
                    .with_label(d.by.span, format!("in {by_unit}"))
                    .with_help("the multiplier's unit must cancel the dose's \"per\" unit, e.g. `mg/kg/day by weight` with weight in kg"),
            );
            return None;
        }
        Some(model::Dose {
            low: d.low.node,
            high: d.high.node,
            result_unit: unit.mul(&by_unit),
            unit,
            depends_on: facts_read_with(&by, def_facts),
            by,
            by_unit,
        })
    }

    fn cites(&mut self, cites: &[ast::Spanned<u32>], known: &HashSet<u32>) -> Vec<u32> {
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

    fn overrides(
        &mut self,
        r: &ast::Rule,
        all: &[&ast::Rule],
        ids: &HashMap<&str, (RuleId, Span)>,
        sorted_ids: &[&str],
    ) -> Vec<RuleId> {
        let mut out = Vec::new();
        for o in &r.overrides {
            let Some(&(target, _)) = ids.get(o.node.as_str()) else {
                let help = if self.may_suggest() {
                    suggestion_help(&o.node, sorted_ids.iter().copied(), "rule")
                } else {
                    no_suggestion("rule")
                };
                self.error(
                    Problem::error("guidelang::check::unknown_rule", format!("`{}` is not a rule", o.node))
                        .with_label(o.span, "unknown rule")
                        .with_help(help),
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
    fn precedence_cycles(&mut self, ast_rules: &[&ast::Rule], rules: &[model::Rule]) {
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

    fn notes(&mut self, file: &ast::File, cited: &HashSet<u32>) -> Vec<model::Note> {
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

    fn invariants(&mut self, file: &ast::File, actions: &[Action]) -> Vec<model::Invariant> {
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
                let help = if self.may_suggest() {
                    suggestion_help(&action.node, actions.iter().map(|a| a.name.as_str()), "action")
                } else {
                    no_suggestion("action")
                };
                self.error(
                    Problem::error(
                        "guidelang::check::unknown_action",
                        format!("no rule decides `{}`", action.node),
                    )
                    .with_label(action.span, "unknown action")
                    .with_help(help),
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

    fn unused(&mut self, file: &ast::File) {
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

/// Help for an undeclared name once the suggestions' budget is spent.
fn no_suggestion(what: &str) -> String {
    format!("check the spelling against the declared {what}s")
}

fn valid_date(d: &str) -> bool {
    let parts: Vec<u32> = d.split('-').filter_map(|p| p.parse().ok()).collect();
    let [y, m, day] = parts[..] else { return false };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&day)
}

/// Calls `f` on every name an AST expression mentions.
fn names_in(e: &ast::Expr, f: &mut dyn FnMut(&str, Span)) {
    use ast::ExprKind as K;
    match &e.node {
        K::Name(n) => f(n, e.span),
        K::Bool(_) | K::Quantity { .. } => {}
        K::Not(x) | K::Neg(x) | K::Sqrt(x) => names_in(x, f),
        K::Binary { lhs, rhs, .. } => {
            names_in(lhs, f);
            names_in(rhs, f);
        }
        K::Is { subject, .. } | K::OneOf { subject, .. } | K::Known { subject, .. } => names_in(subject, f),
        K::AtLeast { items, .. } => items.iter().for_each(|i| names_in(i, f)),
    }
}

/// Calls `f` on every node of a checked expression.
pub fn visit(e: &Expr, f: &mut dyn FnMut(&ExprKind)) {
    f(&e.kind);
    match &e.kind {
        ExprKind::Bool(_) | ExprKind::Num(_) | ExprKind::Fact(_) | ExprKind::Def(_) => {}
        ExprKind::Not(x) | ExprKind::Neg(x) | ExprKind::Sqrt(x) | ExprKind::EnumIn(x, _) | ExprKind::Known(x, _) => {
            visit(x, f)
        }
        ExprKind::And(a, b) | ExprKind::Or(a, b) | ExprKind::Compare(_, a, b) | ExprKind::Arith(_, a, b) => {
            visit(a, f);
            visit(b, f);
        }
        ExprKind::AtLeast(_, items) => items.iter().for_each(|i| visit(i, f)),
    }
}
