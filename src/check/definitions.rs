//! Definitions, checked in dependency order: a cycle is reported once, without recursion, and its members left out.

use super::*;

impl Checker<'_> {
    /// Checks definitions in dependency order; a cycle is reported once.
    pub(super) fn definitions(&mut self, file: &ast::File) -> (Vec<Definition>, Vec<DefId>) {
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
            let elapsed = d.unit.as_ref().and_then(|u| self.elapsed_definition(&d.body, u));
            let checked_body = match elapsed {
                Some(checked) => checked,
                None => self.expr(&d.body, Place::Condition),
            };
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
    pub(super) fn definition_order(&mut self, defs: &[&ast::Definition], declared: &[bool]) -> Vec<DefId> {
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
}
