//! Which declaration a description belongs to. A description is the quoted
//! text after a fact or definition, on its line or on the next; so when an
//! editor inserts a declaration between another and its description written
//! on the line below, the new one silently takes it:
//!
//! ```text
//! define apl: apl_morphology or pml_rara is positive
//! define apl_excluded: pml_rara is negative        <- inserted
//!   "APL suspected or confirmed: ..."              <- now apl_excluded's
//! ```
//!
//! The two signs together are loud: a declaration with no description
//! directly followed by one whose description is on a line of its own. The
//! warning names both; giving the first its own description (or writing the
//! second's on its declaration's line) says which is meant.

use super::Checker;
use crate::diagnostics::{Problem, Span};
use crate::syntax::ast::{self, Item};

/// A declaration's name, its description if any, and where it starts.
type Described<'a> = (&'a ast::Spanned<String>, Option<&'a ast::Spanned<String>>, Span);

/// A fact or definition: its name, its description, where it starts.
fn described(item: &Item) -> Option<Described<'_>> {
    match item {
        Item::Fact(f) => Some((&f.name, f.description.as_ref(), f.span)),
        Item::Definition(d) => Some((&d.name, d.description.as_ref(), d.span)),
        _ => None,
    }
}

impl Checker<'_> {
    pub(super) fn descriptions(&mut self, file: &ast::File) {
        self.unindented_descriptions(file);
        for pair in file.items.windows(2) {
            let (Some((first, None, _)), Some((second, Some(text), start))) =
                (described(&pair[0]), described(&pair[1]))
            else {
                continue;
            };
            let (declared_on, _) = self.source.line_col(start.start);
            let (written_on, _) = self.source.line_col(text.span.start);
            if written_on == declared_on {
                continue;
            }
            self.error(
                Problem::warning(
                    "guidelang::check::description_may_belong_above",
                    format!(
                        "the description on its own line is taken by `{}`, but `{}` just above has none: whose is it?",
                        second.node, first.node
                    ),
                )
                .with_label(text.span, format!("`{}`'s description", second.node))
                .with_label(first.span, format!("`{}` has no description", first.node))
                .with_help(format!(
                    "give `{}` a description of its own; if this text was `{}`'s, move it back under `{}`",
                    first.node, first.node, first.node
                )),
            );
        }
    }

    /// A description on a line of its own starts under its declaration,
    /// indented; at the start of a line it reads as a stray text between items.
    fn unindented_descriptions(&mut self, file: &ast::File) {
        for item in &file.items {
            let Some((name, Some(text), start)) = described(item) else {
                continue;
            };
            let (declared_on, _) = self.source.line_col(start.start);
            let (written_on, column) = self.source.line_col(text.span.start);
            if written_on == declared_on || column > 1 {
                continue;
            }
            self.error(
                Problem::warning(
                    "guidelang::check::description_not_indented",
                    format!("the description of `{}` starts a line, like a new item", name.node),
                )
                .with_label(text.span, format!("`{}`'s description", name.node))
                .with_help("indent a description written on its own line under its declaration (`guidelang fmt` does)"),
            );
        }
    }
}
