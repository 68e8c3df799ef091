//! Random guidelines for the linter's property tests and benchmarks: guideline
//! text from a seed, over booleans, enums, integers and numbers, with
//! definitions, `at least`, precedence (always acyclic, never over a
//! contraindication), a scope and invariants. Conditions stay inside the
//! linter's exact fragment, so every answer can be held to the evaluator.
//!
//! Shared by `tests/it/lint_props.rs` and `benches/lint.rs` (through `#[path]`).
#![allow(dead_code)]

use std::fmt::Write;

/// A small deterministic generator (splitmix64): the same seed, the same guideline.
pub struct Rng(u64);

impl Rng {
    /// Seeded.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 > 1.0 - p
    }

    /// One of the items.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// The thresholds numbers are compared with; cases draw their values around them.
pub const CONSTANTS: [f64; 6] = [0.0, 1.0, 2.5, 5.0, 10.0, 100.0];
/// The thresholds integers are compared with.
pub const INT_CONSTANTS: [i64; 4] = [0, 1, 3, 7];

/// The kind of a generated fact.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Kind {
    /// `bool`
    Bool,
    /// `one of v0..v{n-1}`
    Enum(usize),
    /// `integer from 0 to 10`
    Integer,
    /// `number in kg from 0`, or unbounded when false
    Number(bool),
}

/// What to generate.
#[derive(Clone, Debug)]
pub struct Shape {
    /// Number of facts.
    pub facts: usize,
    /// Number of rules.
    pub rules: usize,
    /// Number of actions the rules are spread over.
    pub actions: usize,
    /// Number of definitions.
    pub definitions: usize,
    /// Deepest condition.
    pub depth: usize,
    /// Number of invariants.
    pub invariants: usize,
    /// Whether to state a scope.
    pub scope: bool,
}

/// A generated guideline: its text and its facts' kinds (for drawing cases).
#[derive(Clone, Debug)]
pub struct Generated {
    /// The `.gl` text.
    pub text: String,
    /// Each fact's name and kind.
    pub facts: Vec<(String, Kind)>,
}

struct Gen<'a> {
    rng: &'a mut Rng,
    facts: Vec<(String, Kind)>,
    defs: usize,
}

impl Gen<'_> {
    fn atom(&mut self) -> String {
        if self.defs > 0 && self.rng.chance(0.15) {
            return format!("d{}", self.rng.below(self.defs));
        }
        let i = self.rng.below(self.facts.len());
        let (name, kind) = self.facts[i].clone();
        match kind {
            Kind::Bool => {
                if self.rng.chance(0.3) {
                    format!("{name} is false")
                } else {
                    name
                }
            }
            Kind::Enum(n) => {
                let mut vals: Vec<String> = (0..n)
                    .filter(|_| self.rng.chance(0.5))
                    .map(|v| format!("v{v}"))
                    .collect();
                if vals.is_empty() {
                    vals.push(format!("v{}", self.rng.below(n)));
                }
                match (vals.len(), self.rng.chance(0.3)) {
                    (1, false) => format!("{name} is {}", vals[0]),
                    (_, false) => format!("{name} is one of ({})", vals.join(", ")),
                    (_, true) => format!("{name} is not one of ({})", vals.join(", ")),
                }
            }
            Kind::Integer => {
                let op = *self.rng.pick(&["<", "<=", ">", ">=", "=", "!="]);
                format!("{name} {op} {}", self.rng.pick(&INT_CONSTANTS))
            }
            Kind::Number(_) => {
                let op = *self.rng.pick(&["<", "<=", ">", ">=", "=", "!="]);
                let c = *self.rng.pick(&CONSTANTS);
                if self.rng.chance(0.2) {
                    // The constant on the left.
                    let flipped = match op {
                        "<" => ">",
                        "<=" => ">=",
                        ">" => "<",
                        ">=" => "<=",
                        o => o,
                    };
                    format!("{c} {flipped} {name}")
                } else {
                    format!("{name} {op} {c}")
                }
            }
        }
    }

    fn condition(&mut self, depth: usize) -> String {
        if depth == 0 || self.rng.chance(0.35) {
            return self.atom();
        }
        match self.rng.below(5) {
            0 | 1 => format!("({} and {})", self.condition(depth - 1), self.condition(depth - 1)),
            2 => format!("({} or {})", self.condition(depth - 1), self.condition(depth - 1)),
            3 => format!("not ({})", self.condition(depth - 1)),
            _ => {
                let k = 2 + self.rng.below(2);
                let items: Vec<String> = (0..k).map(|_| self.condition(depth - 1)).collect();
                format!("at least {} of ({})", 1 + self.rng.below(k), items.join(", "))
            }
        }
    }
}

/// Generates a guideline of the given shape from a seed.
pub fn guideline(seed: u64, shape: &Shape) -> Generated {
    let mut rng = Rng::new(seed);
    let mut facts = Vec::new();
    for i in 0..shape.facts.max(1) {
        let kind = match rng.below(4) {
            0 => Kind::Bool,
            1 => Kind::Enum(2 + rng.below(3)),
            2 => Kind::Integer,
            _ => Kind::Number(rng.chance(0.7)),
        };
        let prefix = match kind {
            Kind::Bool => "b",
            Kind::Enum(_) => "e",
            Kind::Integer => "i",
            Kind::Number(_) => "n",
        };
        facts.push((format!("{prefix}{i}"), kind));
    }
    let mut text = String::new();
    let _ = writeln!(text, "guideline generated-{seed}\n  version 1.0.0\n  status draft");
    let mut g = Gen {
        rng: &mut rng,
        facts: facts.clone(),
        defs: 0,
    };
    if shape.scope {
        let s = g.atom();
        let _ = writeln!(text, "  applies when {s}");
    }
    let _ = writeln!(text, "\nreference 1 \"Generated\"\n");
    for (name, kind) in &facts {
        let ty = match kind {
            Kind::Bool => "bool".to_string(),
            Kind::Enum(n) => format!(
                "one of {}",
                (0..*n).map(|v| format!("v{v}")).collect::<Vec<_>>().join(", ")
            ),
            Kind::Integer => "integer from 0 to 10".to_string(),
            Kind::Number(true) => "number in kg from 0".to_string(),
            Kind::Number(false) => "number in kg".to_string(),
        };
        let _ = writeln!(text, "fact {name}: {ty} recorded");
    }
    for d in 0..shape.definitions {
        let body = g.condition(shape.depth.min(2));
        let _ = writeln!(text, "define d{d}: {body}");
        g.defs = d + 1;
    }
    let actions = shape.actions.max(1);
    let mut rules_of: Vec<Vec<(usize, &str)>> = vec![Vec::new(); actions];
    for r in 0..shape.rules {
        let a = g.rng.below(actions);
        let verdict = *g
            .rng
            .pick(&["recommend", "consider", "avoid", "avoid", "contraindicated"]);
        let cond = g.condition(shape.depth);
        let mut line = format!("rule r{r}: {verdict} a{a}\n  when {cond}\n  because \"generated\"\n  cite 1");
        if verdict != "contraindicated" {
            let targets: Vec<usize> = rules_of[a]
                .iter()
                .filter(|(_, v)| *v != "contraindicated")
                .map(|(i, _)| *i)
                .filter(|_| g.rng.chance(0.3))
                .collect();
            if !targets.is_empty() {
                let names: Vec<String> = targets.iter().map(|t| format!("r{t}")).collect();
                let _ = write!(line, "\n  overrides {}", names.join(", "));
            }
        }
        rules_of[a].push((r, verdict));
        let _ = writeln!(text, "{line}");
    }
    let used: Vec<usize> = (0..actions).filter(|a| !rules_of[*a].is_empty()).collect();
    for i in 0..shape.invariants {
        if used.is_empty() {
            break;
        }
        let a = *g.rng.pick(&used);
        if g.rng.chance(0.6) {
            let vs = *g
                .rng
                .pick(&["recommend", "consider or recommend", "avoid", "recommend or avoid"]);
            let mut cond = g.condition(1);
            if g.rng.chance(0.3) {
                // `is known` in a `never` claim: unknown while the fact is missing.
                let (name, _) = g.facts[g.rng.below(g.facts.len())].clone();
                cond = format!("{name} is known and {cond}");
            }
            let _ = writeln!(text, "invariant inv{i}:\n  never {vs} a{a} when {cond}");
        } else {
            let (name, _) = g.facts[g.rng.below(g.facts.len())].clone();
            let cond = g.condition(1);
            let _ = writeln!(
                text,
                "invariant inv{i}:\n  always decide a{a} when {name} is known and {cond}"
            );
        }
    }
    Generated { text, facts }
}

/// A random case for a generated guideline: each fact absent with probability
/// `absent`, numbers drawn on and around the thresholds.
pub fn case(rng: &mut Rng, facts: &[(String, Kind)], absent: f64) -> serde_json::Value {
    let mut map = serde_json::Map::new();
    for (name, kind) in facts {
        if rng.chance(absent) {
            continue;
        }
        let v = match kind {
            Kind::Bool => serde_json::Value::Bool(rng.chance(0.5)),
            Kind::Enum(n) => serde_json::Value::String(format!("v{}", rng.below(*n))),
            Kind::Integer => serde_json::Value::from(rng.below(11) as i64),
            Kind::Number(bounded) => {
                let c = *rng.pick(&CONSTANTS);
                let x = match rng.below(4) {
                    0 => c,
                    1 => c + 0.5,
                    2 => c - 0.5,
                    _ => c * 3.0 + 1.0,
                };
                let x = if *bounded { x.max(0.0) } else { x };
                serde_json::json!(x)
            }
        };
        map.insert(name.clone(), v);
    }
    serde_json::Value::Object(map)
}

/// The shape of the lint bench's generated guidelines (`benches/lint.rs`,
/// `examples/lint_guideline.rs`): 50 facts, 10 rules per action, 10
/// definitions, depth 3, a scope, one invariant per 50 rules.
pub fn bench_shape(rules: usize) -> Shape {
    Shape {
        facts: 50,
        rules,
        actions: (rules / 10).max(1),
        definitions: 10,
        depth: 3,
        invariants: (rules / 50).max(2),
        scope: true,
    }
}

/// The next version of a generated guideline: version 2.0.0, and every
/// tenth `recommend` rule (counted in file order) turned into `consider`.
pub fn next_version(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut recommends = 0usize;
    for line in text.lines() {
        if line == "  version 1.0.0" {
            out.push_str("  version 2.0.0");
        } else if line.starts_with("rule ") && line.contains(": recommend ") {
            recommends += 1;
            if recommends.is_multiple_of(10) {
                out.push_str(&line.replacen(": recommend ", ": consider ", 1));
            } else {
                out.push_str(line);
            }
        } else {
            out.push_str(line);
        }
        out.push('\n');
    }
    out
}
