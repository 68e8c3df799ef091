//! Where the cursor is, read from the words before it: a light lexer (words,
//! numbers, quoted texts, punctuation; comments skipped) and a few patterns
//! on the last tokens. Nothing here needs the text to parse.

/// What may be written at the cursor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Place {
    /// An operand of a condition (after `when`, `and`, `(`, a comparison...).
    Condition {
        /// Right after the `when` of a rule or a note (`always` fits).
        after_when_of: bool,
    },
    /// A declared value of the subject named before `is` / `is one of (`.
    Values {
        /// The fact, definition or category tested.
        subject: String,
        /// Right after `is` (`not`, `one of`, `known` fit too).
        after_is: bool,
    },
    /// A unit after a number in a condition.
    Units {
        /// The name the number is compared with (its unit comes first).
        compared_with: Option<String>,
    },
    /// A unit after a dose's amount.
    DoseUnits,
    /// A rule id after `overrides`.
    Overrides {
        /// The rule being written (it cannot override itself).
        rule: Option<String>,
        /// The action it decides (overrides work between rules on one action).
        action: Option<String>,
    },
    /// A reference number after `cite`.
    Cite,
    /// A verdict (a rule's head, an invariant's `never`).
    Verdicts,
    /// An action.
    Actions {
        /// After an invariant's verdict, where `or` another verdict fits too.
        more_verdicts: bool,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tok<'a> {
    Word(&'a str),
    Num,
    Str,
    Punct(&'a str),
}

struct Token<'a> {
    tok: Tok<'a>,
    end: usize,
}

/// The tokens of `text`, and whether it ends inside a comment or a quoted text.
fn lex(text: &str) -> (Vec<Token<'_>>, bool) {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let start = i;
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        if c == b'#' {
            match text[i..].find('\n') {
                Some(n) => i += n,
                None => return (out, true),
            }
            continue;
        }
        if c == b'"' {
            i += 1;
            loop {
                match b.get(i) {
                    None => return (out, true),
                    Some(b'\\') => i += 2,
                    Some(b'"') => {
                        i += 1;
                        break;
                    }
                    Some(_) => i += 1,
                }
            }
            out.push(Token { tok: Tok::Str, end: i });
            continue;
        }
        let tok = if c.is_ascii_digit() {
            while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'.') {
                i += 1;
            }
            Tok::Num
        } else if c.is_ascii_alphabetic() || c == b'_' {
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] == b'-') {
                i += 1;
            }
            Tok::Word(&text[start..i])
        } else if matches!(text.get(i..i + 2), Some("<=" | ">=" | "!=")) {
            i += 2;
            Tok::Punct(&text[start..i])
        } else {
            i += text[i..].chars().next().map_or(1, char::len_utf8);
            Tok::Punct(&text[start..i])
        };
        out.push(Token {
            tok,
            end: i.min(text.len()),
        });
    }
    (out, false)
}

const VERDICTS: [&str; 4] = ["recommend", "consider", "avoid", "contraindicated"];
const COMPARISONS: [&str; 6] = ["<", "<=", ">", ">=", "=", "!="];
const ARITHMETIC: [&str; 4] = ["+", "-", "*", "/"];

/// Characters that end the word being typed (the rest, `/`, `^`, `[`, `%`...,
/// belong to units and stay in it).
fn ends_partial(c: char) -> bool {
    c.is_whitespace() || "()\",:<>=!+#".contains(c)
}

/// Where the end of `before` (the text up to the cursor) is.
pub(super) fn place(before: &str) -> Option<Place> {
    let typed = before.chars().rev().take_while(|c| !ends_partial(*c)).last();
    let place = place_of_word(before)?;
    // A number being typed is no name; only a reference number or a unit
    // (`10^9/L`) starts with a digit.
    let number = typed.is_some_and(|c| c.is_ascii_digit());
    (!number || matches!(place, Place::Cite | Place::Units { .. } | Place::DoseUnits)).then_some(place)
}

fn place_of_word(before: &str) -> Option<Place> {
    let (_, inside) = lex(before);
    if inside {
        return None;
    }
    let partial = before.len()
        - before
            .chars()
            .rev()
            .take_while(|c| !ends_partial(*c))
            .map(char::len_utf8)
            .sum::<usize>();
    let (tokens, _) = lex(&before[..partial]);
    let t = Tokens(&tokens);
    let n = tokens.len();
    let last = tokens.last()?;
    if last.tok == Tok::Num {
        // A unit follows a number on the same line, after a space.
        let gap = &before[last.end..partial];
        if gap.is_empty() || gap.contains('\n') {
            return None;
        }
        return after_number(&t, n);
    }
    let w = |i: usize| t.word(i);
    match last.tok {
        Tok::Word("cite") => Some(Place::Cite),
        Tok::Word("overrides") => Some(t.overrides(n)),
        Tok::Punct(",") => after_comma(&t, n),
        Tok::Punct("(") => Some(match t.one_of_subject(n - 1) {
            Some(subject) => Place::Values {
                subject,
                after_is: false,
            },
            None => Place::Condition { after_when_of: false },
        }),
        Tok::Word("is") => Some(Place::Values {
            subject: w(n.checked_sub(2)?).unwrap_or_default().to_string(),
            after_is: true,
        }),
        Tok::Word("not") if w(n.checked_sub(2)?) == Some("is") => Some(Place::Values {
            subject: w(n.checked_sub(3)?).unwrap_or_default().to_string(),
            after_is: false,
        }),
        Tok::Punct(":") if n >= 3 && w(n - 3) == Some("rule") => Some(Place::Verdicts),
        Tok::Word(v) if VERDICTS.contains(&v) => {
            if n >= 4 && t.punct(n - 2) == Some(":") && w(n - 4) == Some("rule") {
                Some(Place::Actions { more_verdicts: false })
            } else if t.verdicts_from_never(n - 1) {
                Some(Place::Actions { more_verdicts: true })
            } else {
                None
            }
        }
        Tok::Word("never") => Some(Place::Verdicts),
        Tok::Word("or")
            if n >= 2 && w(n - 2).is_some_and(|v| VERDICTS.contains(&v)) && t.verdicts_from_never(n - 2) =>
        {
            Some(Place::Verdicts)
        }
        Tok::Word("decide") if n >= 2 && w(n - 2) == Some("always") => Some(Place::Actions { more_verdicts: false }),
        // `always` fits the `when` of a rule or a note, not a warning's.
        Tok::Word("when") => Some(Place::Condition {
            after_when_of: matches!(t.item_keyword(n), Some("rule" | "note")) && n >= 2 && t.0[n - 2].tok != Tok::Str,
        }),
        Tok::Word("if" | "and" | "or" | "not") => Some(Place::Condition { after_when_of: false }),
        Tok::Word("by") if n < 2 || w(n - 2) != Some("reviewed") => Some(Place::Condition { after_when_of: false }),
        Tok::Punct(p) if COMPARISONS.contains(&p) || ARITHMETIC.contains(&p) => {
            Some(Place::Condition { after_when_of: false })
        }
        Tok::Punct(":") if t.item_keyword(n) == Some("define") && t.colons_since_item(n) == 1 => {
            Some(Place::Condition { after_when_of: false })
        }
        _ => None,
    }
}

/// After a number followed by a space: a unit, when the number is a
/// comparison's operand or a dose's amount.
fn after_number(t: &Tokens, n: usize) -> Option<Place> {
    let before = n.checked_sub(2)?;
    match t.0[before].tok {
        Tok::Punct(p) if COMPARISONS.contains(&p) => Some(Place::Units {
            compared_with: before.checked_sub(1).and_then(|i| t.word(i)).map(str::to_string),
        }),
        Tok::Punct(p) if ARITHMETIC.contains(&p) => Some(Place::Units { compared_with: None }),
        Tok::Word("dose" | "otherwise" | "most") => Some(Place::DoseUnits),
        // `dose 50 to 60`, not a fact's `from 0 to 4`.
        Tok::Word("to") if before >= 2 && matches!(t.word(before - 2), Some("dose" | "otherwise")) => {
            Some(Place::DoseUnits)
        }
        _ => None,
    }
}

/// After a comma: the next reference, rule id, value, or item of `at least`.
fn after_comma(t: &Tokens, n: usize) -> Option<Place> {
    // Back over `X,` pairs of a plain list to what introduces it.
    let mut j = n - 1;
    while t.punct(j) == Some(",") && j >= 2 && matches!(t.0[j - 1].tok, Tok::Word(_) | Tok::Num) {
        j -= 2;
    }
    match t.0[j].tok {
        Tok::Word("cite") => return Some(Place::Cite),
        Tok::Word("overrides") => return Some(t.overrides(n)),
        _ => {}
    }
    let open = t.unclosed_paren(n)?;
    if let Some(subject) = t.one_of_subject(open) {
        return Some(Place::Values {
            subject,
            after_is: false,
        });
    }
    // `at least N of (`.
    (open >= 3 && t.word(open - 1) == Some("of") && t.word(open - 3) == Some("least"))
        .then_some(Place::Condition { after_when_of: false })
}

struct Tokens<'a, 'b>(&'b [Token<'a>]);

impl Tokens<'_, '_> {
    fn word(&self, i: usize) -> Option<&str> {
        match self.0.get(i)?.tok {
            Tok::Word(w) => Some(w),
            _ => None,
        }
    }

    fn punct(&self, i: usize) -> Option<&str> {
        match self.0.get(i)?.tok {
            Tok::Punct(p) => Some(p),
            _ => None,
        }
    }

    /// The subject of `SUBJECT is [not] one of (` when the `(` at `open` is one.
    fn one_of_subject(&self, open: usize) -> Option<String> {
        if open < 3 || self.word(open - 1) != Some("of") || self.word(open - 2) != Some("one") {
            return None;
        }
        let is = if self.word(open - 3) == Some("not") {
            open.checked_sub(4)?
        } else {
            open - 3
        };
        (self.word(is) == Some("is")).then_some(())?;
        Some(self.word(is.checked_sub(1)?).unwrap_or_default().to_string())
    }

    /// The innermost `(` not closed before token `n`.
    fn unclosed_paren(&self, n: usize) -> Option<usize> {
        let mut depth = 0usize;
        for i in (0..n).rev() {
            match self.punct(i) {
                Some(")") => depth += 1,
                Some("(") if depth == 0 => return Some(i),
                Some("(") => depth -= 1,
                _ => {}
            }
        }
        None
    }

    /// Whether the verdict at `i` is one of `never V or V ...`.
    fn verdicts_from_never(&self, mut i: usize) -> bool {
        loop {
            let Some(prev) = i.checked_sub(1) else { return false };
            match self.word(prev) {
                Some("never") => return true,
                Some("or") if prev >= 1 && self.word(prev - 1).is_some_and(|v| VERDICTS.contains(&v)) => i = prev - 1,
                _ => return false,
            }
        }
    }

    /// The keyword of the item being written (`rule`, `define`, ...), or `applies`.
    fn item_keyword(&self, n: usize) -> Option<&str> {
        const ITEMS: [&str; 10] = [
            "rule",
            "note",
            "invariant",
            "define",
            "fact",
            "score",
            "category",
            "reference",
            "action",
            "applies",
        ];
        (0..n).rev().find_map(|i| self.word(i).filter(|w| ITEMS.contains(w)))
    }

    /// How many `:` since the item's keyword (a definition's body follows the first).
    fn colons_since_item(&self, n: usize) -> usize {
        let start = (0..n).rev().find(|&i| self.word(i) == Some("define")).unwrap_or(0);
        (start..n).filter(|&i| self.punct(i) == Some(":")).count()
    }

    /// After `overrides` in the rule being written: its id and action
    /// (`rule ID: VERDICT ACTION`).
    fn overrides(&self, n: usize) -> Place {
        let at = (0..n).rev().find(|&i| self.word(i) == Some("rule"));
        let word = |k: usize| at.and_then(|i| self.word(i + k)).map(str::to_string);
        Place::Overrides {
            rule: word(1),
            action: word(4),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places() {
        let cond = Some(Place::Condition { after_when_of: false });
        assert_eq!(
            place("rule x: recommend a\n  when "),
            Some(Place::Condition { after_when_of: true })
        );
        assert_eq!(place("rule x: recommend a\n  when wbc > 100 and w"), cond);
        assert_eq!(place("define d: "), cond);
        assert_eq!(place("rule x: avoid a\n  when b\n  warn \"w\" when "), cond);
        assert_eq!(place("define d in m2: sqrt("), cond);
        assert_eq!(place("rule x: "), Some(Place::Verdicts));
        assert_eq!(place("rule x: avoid "), Some(Place::Actions { more_verdicts: false }));
        assert_eq!(place("invariant i:\n  never consider or "), Some(Place::Verdicts));
        assert_eq!(
            place("invariant i:\n  never consider "),
            Some(Place::Actions { more_verdicts: true })
        );
        assert_eq!(
            place("invariant i:\n  always decide "),
            Some(Place::Actions { more_verdicts: false })
        );
        assert_eq!(
            place("rule x: avoid a\n  when wbc > 100 "),
            Some(Place::Units {
                compared_with: Some("wbc".into())
            })
        );
        assert_eq!(place("rule x: avoid a\n  when wbc > 100"), None);
        assert_eq!(place("rule x: avoid a\n  dose 50 to 60 mg/k"), Some(Place::DoseUnits));
        assert_eq!(place("fact e: integer from 0 to 4 "), None);
        assert_eq!(
            place("rule x: avoid a\n  overrides "),
            Some(Place::Overrides {
                rule: Some("x".into()),
                action: Some("a".into())
            })
        );
        assert_eq!(place("  cite 1, 2, "), Some(Place::Cite));
        assert_eq!(place("when at least 2 of (a > 1, "), cond);
        assert_eq!(place("  reviewed by "), None);
        assert_eq!(place("  detail \"a, "), None);
    }
}
