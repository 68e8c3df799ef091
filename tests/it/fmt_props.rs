//! Properties of `guidelang fmt`: formatting is idempotent, the formatted text
//! parses to the same tree (spans ignored), and no comment is ever lost — on
//! the bundled guideline and on random guidelines from a generator of syntax
//! trees. Raise the case count with `GUIDELANG_PROPTEST_CASES`.

use guidelang::diagnostics::{Source, Span};
use guidelang::format::{comment_texts, format_file, format_source};
use guidelang::syntax::ast::*;
use guidelang::syntax::{is_reserved, parse};
use proptest::prelude::*;

fn parse_text(text: &str) -> File {
    parse(&Source::new("t.gl", text)).unwrap_or_else(|p| panic!("does not parse: {p:?}\n{text}"))
}

fn fmt(text: &str) -> String {
    format_source(&Source::new("t.gl", text)).unwrap()
}

// ------------------------------------------------------------ generator

fn sp<T>(node: T) -> Spanned<T> {
    Spanned::new(node, Span::default())
}

fn name() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9_]{0,7}".prop_filter("not reserved", |n| !is_reserved(n))
}

fn item_id() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9_-]{0,9}"
}

/// Quoted texts with everything that needs escaping, and a `#` that is no comment.
fn text() -> impl Strategy<Value = String> {
    "[ a-zA-Z0-9.,:;()#\"\\\\\n\t×–é]{0,24}"
}

fn unit() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("kg".to_string()),
        Just("mg/kg/day".to_string()),
        Just("10^9/L".to_string()),
        Just("%".to_string()),
        Just("m2".to_string()),
        Just("L*m".to_string()),
        Just("µg/dL".to_string()),
        "[a-zA-Z][a-zA-Z0-9]{0,3}(/[a-zA-Z][a-z0-9]{0,2}){0,2}",
    ]
    .prop_filter("does not start with a reserved word", |u| {
        !is_reserved(u.split(['/', '*']).next().unwrap_or(""))
    })
}

/// Non-negative numbers as written (`num`): whole, decimal, and awkward floats.
fn amount() -> impl Strategy<Value = f64> {
    prop_oneof![
        (0u32..2000).prop_map(f64::from),
        (0u32..100_000).prop_map(|n| f64::from(n) / 100.0),
        (0.0f64..1e9),
        Just(0.1 + 0.2),
        Just(1e21),
        Just(1e-7),
    ]
}

fn signed() -> impl Strategy<Value = f64> {
    (amount(), any::<bool>()).prop_map(|(x, neg)| if neg { -x } else { x })
}

fn expr() -> impl Strategy<Value = Expr> {
    let leaf = prop_oneof![
        any::<bool>().prop_map(ExprKind::Bool),
        (amount(), proptest::option::of(unit())).prop_map(|(value, unit)| ExprKind::Quantity { value, unit }),
        name().prop_map(ExprKind::Name),
    ]
    .prop_map(sp);
    leaf.prop_recursive(4, 24, 3, |inner| {
        let boxed = inner.clone().prop_map(Box::new);
        let op = prop_oneof![
            Just(BinOp::Or),
            Just(BinOp::And),
            Just(BinOp::Lt),
            Just(BinOp::Le),
            Just(BinOp::Gt),
            Just(BinOp::Ge),
            Just(BinOp::Eq),
            Just(BinOp::Ne),
            Just(BinOp::Add),
            Just(BinOp::Sub),
            Just(BinOp::Mul),
            Just(BinOp::Div),
        ];
        let value = prop_oneof![name(), Just("true".to_string()), Just("false".to_string())];
        prop_oneof![
            boxed.clone().prop_map(ExprKind::Not),
            boxed.clone().prop_map(ExprKind::Neg),
            boxed.clone().prop_map(ExprKind::Sqrt),
            // Parentheses the author wrote, redundant or not: `fmt` keeps them.
            boxed.clone().prop_map(ExprKind::Paren),
            (op, boxed.clone(), boxed.clone()).prop_map(|(op, lhs, rhs)| ExprKind::Binary { op, lhs, rhs }),
            (boxed.clone(), value, any::<bool>()).prop_map(|(subject, v, negated)| ExprKind::Is {
                subject,
                value: sp(v),
                negated
            }),
            (boxed.clone(), proptest::collection::vec(name(), 1..4), any::<bool>()).prop_map(
                |(subject, vs, negated)| ExprKind::OneOf {
                    subject,
                    values: vs.into_iter().map(sp).collect(),
                    negated
                }
            ),
            (boxed, any::<bool>()).prop_map(|(subject, negated)| ExprKind::Known { subject, negated }),
            (0u32..5, proptest::collection::vec(inner, 1..4))
                .prop_map(|(n, items)| ExprKind::AtLeast { n: sp(n), items }),
        ]
        .prop_map(sp)
    })
}

fn verdict() -> impl Strategy<Value = Verdict> {
    prop_oneof![
        Just(Verdict::Recommend),
        Just(Verdict::Consider),
        Just(Verdict::Avoid),
        Just(Verdict::Contraindicated),
    ]
}

fn opt<T: std::fmt::Debug>(s: impl Strategy<Value = T>) -> impl Strategy<Value = Option<Spanned<T>>> {
    proptest::option::of(s.prop_map(sp))
}

fn numbers() -> impl Strategy<Value = Vec<Spanned<u32>>> {
    proptest::collection::vec((0u32..50).prop_map(sp), 0..3)
}

fn fact_type() -> impl Strategy<Value = FactType> {
    let bound = || proptest::option::of(signed());
    prop_oneof![
        Just(FactType::Bool),
        (bound(), bound()).prop_map(|(min, max)| FactType::Integer { min, max }),
        (unit(), bound(), bound()).prop_map(|(u, min, max)| FactType::Number { unit: sp(u), min, max }),
        proptest::collection::vec(name().prop_map(sp), 1..4).prop_map(FactType::Enum),
    ]
}

/// A word the binding grammar may read as a code system: the real ones, and
/// others that only the checker refuses.
fn code_system() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("loinc".to_string()),
        Just("snomed".to_string()),
        Just("icd10".to_string()),
        Just("icd10cm".to_string()),
        Just("rxnorm".to_string()),
        "[a-z][a-z0-9]{0,6}".prop_filter("not a reserved or option word", |w| {
            !is_reserved(w) && !["within", "preliminary", "absent"].contains(&w.as_str())
        }),
    ]
}

/// Codes of every shape the grammar reads, well formed or not (the checker's).
fn code() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("6690-2".to_string()),
        Just("86044005".to_string()),
        Just("G12.21".to_string()),
        "[A-Z0-9][A-Z0-9.-]{0,9}",
    ]
}

/// An action's order codes (`coded snomed 71791006, 5552`), none to four,
/// of any system word the grammar reads; a code may leave its system out.
fn order_codes() -> impl Strategy<Value = Vec<WrittenCode>> {
    proptest::collection::vec((code_system(), code(), any::<bool>()), 0..4).prop_map(|codes| {
        let mut written: Vec<WrittenCode> = Vec::new();
        for (system, code, same) in codes {
            let system = match written.last() {
                Some(previous) if same => previous.system.node.clone(),
                _ => system,
            };
            written.push(WrittenCode {
                system: sp(system),
                code: sp(code),
            });
        }
        written
    })
}

/// A binding of any kind with any options: the grammar reads every
/// combination, and which suit which fact is the checker's. A window's unit
/// is any word, as the grammar reads it.
fn binding() -> impl Strategy<Value = Binding> {
    let kind = prop_oneof![
        Just(BindingKind::Observation),
        Just(BindingKind::Condition),
        Just(BindingKind::BirthDate),
    ];
    let codes = proptest::collection::vec((code_system(), code(), any::<bool>()), 1..5);
    let window_unit = prop_oneof![
        Just("h".to_string()),
        Just("wk".to_string()),
        "[a-z]{1,6}".prop_filter("not an option word", |w| !["within", "preliminary", "absent"]
            .contains(&w.as_str())),
    ];
    let window = proptest::option::of((amount(), window_unit));
    (kind, codes, window, any::<bool>(), any::<bool>()).prop_map(|(kind, codes, window, preliminary, absent)| {
        let record = kind != BindingKind::BirthDate;
        // A code may repeat the system before it, or leave it out: the tree
        // holds the system either way.
        let mut written: Vec<WrittenCode> = Vec::new();
        for (system, code, same) in codes {
            let system = match written.last() {
                Some(previous) if same => previous.system.node.clone(),
                _ => system,
            };
            written.push(WrittenCode {
                system: sp(system),
                code: sp(code),
            });
        }
        Binding {
            kind: sp(kind),
            codes: if record { written } else { Vec::new() },
            window: window.filter(|_| record).map(|(n, u)| WrittenWindow {
                amount: sp(n),
                unit: sp(u),
                span: Span::default(),
            }),
            preliminary_allowed: (record && preliminary).then(|| sp(())),
            absent_means_false: (record && absent).then(|| sp(())),
            span: Span::default(),
        }
    })
}

fn item() -> impl Strategy<Value = Item> {
    let reference = (0u32..100, text(), opt(text()), opt(1900u32..2100)).prop_map(|(n, t, source, year)| {
        Item::Reference(Reference {
            number: sp(n),
            title: sp(t),
            source,
            year,
            span: Span::default(),
        })
    });
    let action = (name(), text(), any::<bool>(), order_codes()).prop_map(|(n, label, urgent, codes)| {
        Item::Action(ActionDecl {
            name: sp(n),
            label: sp(label),
            urgent,
            codes,
            span: Span::default(),
        })
    });
    let molar_mass = proptest::option::of((amount(), unit())).prop_map(|m| {
        m.map(|(value, unit)| MolarMass {
            value: sp(value),
            unit: sp(unit),
            span: Span::default(),
        })
    });
    let fact = (
        name(),
        fact_type(),
        opt(text()),
        any::<bool>(),
        molar_mass,
        proptest::option::of(binding()),
    )
        .prop_map(|(n, ty, description, recorded, molar_mass, binding)| {
            Item::Fact(Fact {
                name: sp(n),
                ty: sp(ty),
                description,
                recorded,
                span: Span::default(),
                molar_mass,
                binding,
            })
        });
    let definition = (name(), opt(unit()), expr(), opt(text())).prop_map(|(n, unit, body, description)| {
        Item::Definition(Definition {
            name: sp(n),
            unit,
            body,
            description,
            span: Span::default(),
        })
    });
    // Every form of amount: fixed, a range or one amount per unit `by`
    // something, capped or not, with how it is given or not. A range
    // without `by` does not lower, so it is not generated.
    let dose_amount = || {
        (
            amount(),
            proptest::option::of((amount(), expr())),
            unit(),
            proptest::option::of((amount(), unit())),
            opt(text()),
            any::<bool>(),
        )
            .prop_map(|(low, per, unit, cap, how, single)| {
                let (high, by) = match per {
                    Some((high, by)) => ((!single).then(|| sp(high)), Some(by)),
                    None => (None, None),
                };
                DoseAmount {
                    low: sp(low),
                    high,
                    unit: sp(unit),
                    by,
                    cap: cap.map(|(n, u)| DoseCap {
                        amount: sp(n),
                        unit: sp(u),
                        span: Span::default(),
                    }),
                    how,
                    span: Span::default(),
                }
            })
    };
    // Amounts chosen by criteria: each but the last with its `if`.
    let dose = (proptest::collection::vec((dose_amount(), expr()), 0..3), dose_amount()).prop_map(|(chosen, last)| {
        let mut branches: Vec<DoseBranch> = chosen
            .into_iter()
            .map(|(amount, when)| DoseBranch {
                amount,
                when: Some(when),
                span: Span::default(),
            })
            .collect();
        branches.push(DoseBranch {
            amount: last,
            when: None,
            span: Span::default(),
        });
        Dose {
            branches,
            span: Span::default(),
        }
    });
    let warning = (text(), proptest::option::of(expr())).prop_map(|(t, when)| Warning {
        text: sp(t),
        when,
        span: Span::default(),
    });
    let rule = (
        (item_id(), verdict(), name(), proptest::option::of(expr())),
        (
            proptest::option::of(dose),
            opt(text()),
            proptest::collection::vec(warning, 0..3),
            opt(text()),
            numbers(),
            proptest::collection::vec(item_id().prop_map(sp), 0..3),
        ),
    )
        .prop_map(
            |((id, v, action, when), (dose, detail, warnings, because, cites, overrides))| {
                Item::Rule(Rule {
                    id: sp(id),
                    verdict: sp(v),
                    action: sp(action),
                    when,
                    dose,
                    detail,
                    warnings,
                    because,
                    cites,
                    overrides,
                    span: Span::default(),
                })
            },
        );
    let note = (item_id(), proptest::option::of(expr()), opt(text()), numbers()).prop_map(|(id, when, says, cites)| {
        Item::Note(Note {
            id: sp(id),
            when,
            says,
            cites,
            span: Span::default(),
        })
    });
    let claim = prop_oneof![
        (proptest::collection::vec(verdict().prop_map(sp), 1..4), name(), expr()).prop_map(|(verdicts, a, when)| {
            Claim::Never {
                verdicts,
                action: sp(a),
                when,
            }
        }),
        (name(), expr()).prop_map(|(a, when)| Claim::AlwaysDecide { action: sp(a), when }),
    ];
    let invariant = (item_id(), claim, opt(text())).prop_map(|(id, claim, because)| {
        Item::Invariant(Invariant {
            id: sp(id),
            claim,
            because,
            span: Span::default(),
        })
    });
    // Points as written: signed whole numbers and fractions (which only the
    // checker refuses), so a negative item after a number is read back as one.
    let points = prop_oneof![
        (-5i32..=9).prop_map(f64::from),
        (0u32..1000).prop_map(|n| f64::from(n) / 100.0)
    ];
    let score =
        (name(), opt(text()), proptest::collection::vec((points, expr()), 1..4)).prop_map(|(n, label, items)| {
            Item::Score(Score {
                name: sp(n),
                label,
                items: items
                    .into_iter()
                    .map(|(p, when)| ScoreItem {
                        points: sp(p),
                        when,
                        span: Span::default(),
                    })
                    .collect(),
                span: Span::default(),
            })
        });
    let category = (
        name(),
        opt(text()),
        proptest::collection::vec((name(), expr()), 1..4),
        proptest::option::of(name()),
    )
        .prop_map(|(n, label, levels, otherwise)| {
            Item::Category(Category {
                name: sp(n),
                label,
                levels: levels
                    .into_iter()
                    .map(|(l, when)| Level {
                        name: sp(l),
                        when,
                        span: Span::default(),
                    })
                    .collect(),
                otherwise: otherwise.map(sp),
                span: Span::default(),
            })
        });
    prop_oneof![reference, action, fact, definition, rule, note, invariant, score, category]
}

fn status() -> impl Strategy<Value = Status> {
    prop_oneof![Just(Status::Draft), Just(Status::InReview), Just(Status::Approved)]
}

fn file() -> impl Strategy<Value = File> {
    let header = (
        "[a-z][a-z0-9_.-]{0,9}",
        opt(text()),
        opt("[0-9]{1,2}\\.[0-9]{1,2}\\.[0-9]{1,2}(-[a-z0-9]{1,4})?"),
        opt(status()),
        opt("[0-9]{4}-[0-9]{2}-[0-9]{2}"),
        proptest::collection::vec(text().prop_map(sp), 0..3),
        proptest::option::of(expr()),
    )
        .prop_map(|(id, title, version, status, updated, reviewers, scope)| Header {
            id: sp(id),
            title,
            version,
            status,
            updated,
            reviewers,
            scope,
        });
    (header, proptest::collection::vec(item(), 0..8)).prop_map(|(header, items)| File { header, items })
}

// ------------------------------------------------------------ comments

/// Byte offsets of spaces and line ends outside quoted texts and comments:
/// the places where a comment could be written.
fn gaps(text: &str) -> Vec<usize> {
    let mut out = Vec::new();
    let (mut in_string, mut in_comment, mut escaped) = (false, false, false);
    for (i, c) in text.char_indices() {
        if in_comment {
            in_comment = c != '\n';
            if c == '\n' {
                out.push(i);
            }
        } else if in_string {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
        } else {
            match c {
                '"' => in_string = true,
                '#' => in_comment = true,
                ' ' | '\n' => out.push(i),
                _ => {}
            }
        }
    }
    out
}

/// Inserts numbered comments at the chosen gaps, at the end of a line
/// (`trailing`) or on a line of their own; keeps only insertions after which
/// the text still means the same (a space inside `100 mg` is no gap).
fn with_comments(text: &str, picks: &[(prop::sample::Index, bool)]) -> (String, usize) {
    let original = parse_text(text);
    let mut current = text.to_string();
    let mut added = 0;
    for (n, (index, trailing)) in picks.iter().enumerate() {
        let gaps = gaps(&current);
        if gaps.is_empty() {
            break;
        }
        let at = gaps[index.index(gaps.len())];
        let comment = if *trailing {
            format!(" # c{n} \"quoted\" and # again\n")
        } else {
            format!("\n\n  # c{n}\n")
        };
        let mut candidate = current.clone();
        candidate.insert_str(at, &comment);
        if parse(&Source::new("t.gl", candidate.as_str())).is_ok_and(|f| f == original) {
            current = candidate;
            added += 1;
        }
    }
    (current, added)
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

fn check_comments_kept(text: &str) {
    let formatted = fmt(text);
    assert_eq!(
        sorted(comment_texts(text)),
        sorted(comment_texts(&formatted)),
        "a comment was lost or changed\n--- input\n{text}\n--- formatted\n{formatted}"
    );
    assert_eq!(parse_text(&formatted), parse_text(text), "meaning changed\n{formatted}");
    assert_eq!(fmt(&formatted), formatted, "not idempotent with comments\n{formatted}");
}

/// Where two trees' printouts part, spans left out, for a readable failure.
fn first_difference(a: &File, b: &File) -> String {
    let strip = |f: &File| {
        let text = format!("{f:?}");
        let mut out = String::new();
        let mut rest = text.as_str();
        while let Some(i) = rest.find(", span: Span {") {
            out.push_str(&rest[..i]);
            rest = rest[i..].split_once('}').map_or("", |(_, r)| r);
        }
        out.push_str(rest);
        out
    };
    let (x, y) = (strip(a), strip(b));
    let at = x.bytes().zip(y.bytes()).take_while(|(p, q)| p == q).count();
    let from = at.saturating_sub(120);
    format!(
        "read:     ...{}\nexpected: ...{}",
        &x[from..(at + 80).min(x.len())],
        &y[from..(at + 80).min(y.len())]
    )
}

// ------------------------------------------------------------ properties

#[test]
fn the_bundled_guideline_is_formatted_and_keeps_its_meaning() {
    let text = guidelang::BUNDLED_TEXT;
    let formatted = fmt(text);
    assert_eq!(parse_text(&formatted), parse_text(text));
    assert_eq!(fmt(&formatted), formatted);
    assert_eq!(formatted, text, "the bundled guideline is not in canonical layout");
    assert_eq!(comment_texts(&formatted), comment_texts(text));
    assert!(guidelang::load_str("formatted.gl", &formatted).is_ok());
}

#[test]
fn layout_does_not_depend_on_the_input_layout() {
    // The bundled guideline squeezed onto few lines formats back to itself.
    let text = guidelang::BUNDLED_TEXT;
    let squeezed: String = text
        .lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(" ");
    let without_comments: String = fmt(text)
        .lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .collect::<Vec<_>>()
        .join("\n");
    let formatted = fmt(&squeezed);
    let strip_blank = |s: &str| s.lines().filter(|l| !l.is_empty()).collect::<Vec<_>>().join("\n");
    assert_eq!(strip_blank(&formatted), strip_blank(&without_comments));
}

proptest! {
    #![proptest_config(crate::common::gen::config(48))]

    #[test]
    fn random_guidelines_read_back_the_same(f in file()) {
        let text = format_file(&f);
        let back = parse(&Source::new("t.gl", text.as_str()));
        prop_assert!(back.is_ok(), "formatted text does not parse:\n{}\n{:?}", text, back.err());
        let back = back.unwrap();
        prop_assert!(back == f, "read back differently:\n{}\n{}", text, first_difference(&back, &f));
        prop_assert_eq!(fmt(&text), text);
    }

    #[test]
    fn comments_in_random_guidelines_are_kept(
        f in file(),
        picks in proptest::collection::vec((any::<prop::sample::Index>(), any::<bool>()), 1..8),
    ) {
        let (text, _) = with_comments(&format_file(&f), &picks);
        check_comments_kept(&text);
    }

    #[test]
    fn comments_in_the_bundled_guideline_are_kept(
        picks in proptest::collection::vec((any::<prop::sample::Index>(), any::<bool>()), 1..12),
    ) {
        let (text, added) = with_comments(guidelang::BUNDLED_TEXT, &picks);
        prop_assume!(added > 0);
        check_comments_kept(&text);
    }
}
