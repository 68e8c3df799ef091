//! The one error type every stage returns: a [`Problem`] is a miette diagnostic
//! that carries its own source text, so it renders on its own wherever it ends up.
//! The library only builds problems; printing them is the CLI's business.

use std::borrow::Cow;
use std::fmt;
use std::sync::{Arc, OnceLock};

use miette::{Diagnostic, LabeledSpan, NamedSource, SourceCode};

/// A byte range in a source text. Equality of AST nodes ignores it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Span {
    /// A span from `start` to `end`.
    pub fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }

    /// The smallest span covering both.
    pub fn join(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }
}

impl From<Span> for miette::SourceSpan {
    fn from(s: Span) -> Self {
        (s.start, s.end.saturating_sub(s.start)).into()
    }
}

/// A named source text (a guideline file or a case file), shared cheaply.
#[derive(Clone, Debug)]
pub struct Source {
    name: Arc<str>,
    text: Arc<str>,
    // Built once and shared by every problem: a file with many problems must
    // not copy its text once per problem.
    named: Arc<NamedSource<Arc<str>>>,
    // Byte offset of each line's start, computed on first use, so that
    // locating many problems in a large file stays linear.
    line_starts: Arc<OnceLock<Vec<usize>>>,
}

impl Source {
    /// Wraps `text`, known to the user as `name` (usually its path).
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Self {
        let name: String = name.into();
        let text: String = text.into();
        let text: Arc<str> = text.into();
        Source {
            named: Arc::new(NamedSource::new(&name, Arc::clone(&text))),
            name: name.into(),
            text,
            line_starts: Arc::new(OnceLock::new()),
        }
    }

    /// The name shown in diagnostics.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The whole text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The text a span covers (empty when the span is out of range).
    pub fn slice(&self, span: Span) -> &str {
        self.text.get(span.start..span.end).unwrap_or("")
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let starts = self.line_starts();
        let offset = offset.min(self.text.len());
        // `starts[0]` is 0, so at least one start is at or before `offset`.
        let line = starts.partition_point(|&s| s <= offset).max(1);
        let start = starts[line - 1];
        let col = self
            .text
            .get(start..offset)
            .map_or(offset - start, |l| l.chars().count());
        (line, col + 1)
    }

    /// Length in bytes of the longest line that the span touches, and the
    /// number of lines it covers.
    fn extent(&self, span: Span) -> (usize, usize) {
        let starts = self.line_starts();
        let len = self.text.len();
        let first = starts.partition_point(|&s| s <= span.start.min(len)).max(1) - 1;
        let last = starts.partition_point(|&s| s <= span.end.min(len)).max(1) - 1;
        let widest = (first..=last)
            .map(|l| starts.get(l + 1).copied().unwrap_or(len) - starts[l])
            .max()
            .unwrap_or(0);
        (widest, last - first + 1)
    }

    fn line_starts(&self) -> &[usize] {
        self.line_starts.get_or_init(|| {
            std::iter::once(0)
                .chain(self.text.match_indices('\n').map(|(i, _)| i + 1))
                .collect()
        })
    }
}

/// Longest source line, in bytes, that a diagnostic shows as a snippet. Past
/// it the snippet is unreadable (and miette cannot lay out labels beyond
/// column 65535), so the problem names its line and column instead.
pub const MAX_SNIPPET_LINE_BYTES: usize = 400;
/// Most source lines a diagnostic shows as a snippet.
pub const MAX_SNIPPET_LINES: usize = 60;

/// How bad a problem is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth a look; does not stop anything (unless `--deny warnings`).
    Warning,
    /// The file or case cannot be used.
    Error,
}

/// A labelled place in the source.
#[derive(Clone, Debug)]
pub struct Label {
    /// Where.
    pub span: Span,
    /// What is there, in a few words.
    pub text: String,
}

/// A correction an editor can apply on its own: the text a span covers is
/// replaced (a did-you-mean's misspelt name by the name it suggests).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Replacement {
    /// The bytes replaced: exactly the misspelt word.
    pub span: Span,
    /// What goes there.
    pub text: String,
}

/// One diagnostic: what is wrong, where, and how to put it right.
#[derive(Clone, Debug)]
pub struct Problem {
    /// Stable machine-readable code, e.g. `guidelang::check::unknown_name`.
    pub code: &'static str,
    /// Error or warning.
    pub severity: Severity,
    /// One sentence saying what is wrong.
    pub message: String,
    /// The places involved; the first is the primary one.
    pub labels: Vec<Label>,
    /// Advice an editor can act on.
    pub help: Option<String>,
    /// The text the spans point into, if any.
    pub source: Option<Source>,
    /// The correction an editor can offer as a quick fix: a did-you-mean
    /// (which the help says in words), or the parser's reading of a glued or
    /// misspelt keyword (`whenals` as `when als`, `recomend` as `recommend`).
    pub replacement: Option<Replacement>,
    named: Option<Arc<NamedSource<Arc<str>>>>,
}

impl Problem {
    /// An error with a message and no place yet.
    pub fn error(code: &'static str, message: impl Into<String>) -> Self {
        Problem {
            code,
            severity: Severity::Error,
            message: message.into(),
            labels: Vec::new(),
            help: None,
            source: None,
            replacement: None,
            named: None,
        }
    }

    /// A warning with a message and no place yet.
    pub fn warning(code: &'static str, message: impl Into<String>) -> Self {
        Problem {
            severity: Severity::Warning,
            ..Problem::error(code, message)
        }
    }

    /// Adds a labelled span.
    pub fn with_label(mut self, span: Span, text: impl Into<String>) -> Self {
        self.labels.push(Label {
            span,
            text: text.into(),
        });
        self
    }

    /// Adds help text.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Adds the correction the help suggests: `text` in place of `span`.
    pub fn with_replacement(mut self, span: Span, text: impl Into<String>) -> Self {
        self.replacement = Some(Replacement {
            span,
            text: text.into(),
        });
        self
    }

    /// Adds the did-you-mean `suggested`, if there is one, as the replacement
    /// of `span` (the misspelt word).
    pub fn with_suggestion(self, span: Span, suggested: Option<&str>) -> Self {
        match suggested {
            Some(s) => self.with_replacement(span, s),
            None => self,
        }
    }

    /// Attaches the source text the labels point into.
    pub fn with_source(mut self, source: &Source) -> Self {
        self.named = Some(Arc::clone(&source.named));
        self.source = Some(source.clone());
        self
    }

    /// True for errors.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// The primary span, if any.
    pub fn primary_span(&self) -> Option<Span> {
        self.labels.first().map(|l| l.span)
    }

    /// Renders the problem as miette's graphical report, without colour.
    pub fn render_plain(&self) -> String {
        self.render(miette::GraphicalTheme::unicode_nocolor())
    }

    /// Renders the problem for a person: what is wrong in words first, then
    /// the place and the advice, and the developer code last (`code: ...`),
    /// so the first thing read is never an identifier. miette would print the
    /// code as a header above the message; it is withheld from miette and
    /// written after the report instead.
    pub fn render(&self, theme: miette::GraphicalTheme) -> String {
        let handler = miette::GraphicalReportHandler::new_themed(theme).with_width(100);
        let shown = self.renderable();
        let mut out = String::new();
        if handler.render_report(&mut out, &Worded(shown.as_ref())).is_err() {
            return format!("{}\n  code: {}\n", self.message, self.code);
        }
        // miette opens a report that has no code with an empty line.
        let mut out = out.trim_start_matches('\n').to_string();
        if !out.ends_with('\n') {
            out.push('\n');
        }
        out.push_str(&format!("  code: {}\n", self.code));
        out
    }

    /// The problem as it can be shown: itself, or, when its snippet would be
    /// too wide or too long to show, a copy without the snippet that names the
    /// line and column in its message instead.
    pub fn renderable(&self) -> Cow<'_, Problem> {
        let Some(source) = &self.source else {
            return Cow::Borrowed(self);
        };
        let fits = self.labels.iter().all(|l| {
            let (widest, lines) = source.extent(l.span);
            widest <= MAX_SNIPPET_LINE_BYTES && lines <= MAX_SNIPPET_LINES
        });
        if fits || self.labels.is_empty() {
            return Cow::Borrowed(self);
        }
        let mut message = self.message.clone();
        for l in &self.labels {
            let (line, col) = source.line_col(l.span.start);
            message.push_str(&format!("\n  at {}:{line}:{col}", source.name()));
            if !l.text.is_empty() {
                message.push_str(&format!(" ({})", l.text));
            }
        }
        Cow::Owned(Problem {
            message,
            labels: Vec::new(),
            named: None,
            ..self.clone()
        })
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Problem {}

/// A problem as miette shows it to a person: everything but the code, which
/// [`Problem::render`] writes last.
#[derive(Debug)]
struct Worded<'a>(&'a Problem);

impl fmt::Display for Worded<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.message)
    }
}

impl std::error::Error for Worded<'_> {}

impl Diagnostic for Worded<'_> {
    fn severity(&self) -> Option<miette::Severity> {
        self.0.severity()
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.0.help()
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.0.source_code()
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.0.labels()
    }
}

impl Diagnostic for Problem {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.severity {
            Severity::Warning => miette::Severity::Warning,
            Severity::Error => miette::Severity::Error,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.named.as_deref().map(|n| n as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.named.is_none() || self.labels.is_empty() {
            return None;
        }
        Some(Box::new(self.labels.iter().enumerate().map(|(i, l)| {
            let text = (!l.text.is_empty()).then(|| l.text.clone());
            if i == 0 {
                LabeledSpan::new_primary_with_span(text, l.span)
            } else {
                LabeledSpan::new_with_span(text, l.span)
            }
        })))
    }
}

/// Longest name, in bytes, for which a suggestion is sought: edit distance
/// costs the product of the two lengths, in time and memory.
pub const MAX_SUGGESTION_LEN: usize = 64;
/// Most candidates compared by edit distance for one suggestion.
pub const MAX_SUGGESTION_CANDIDATES: usize = 2_000;

/// The closest candidate to `wrong` by edit distance, if close enough to be a typo.
pub fn did_you_mean<'a>(wrong: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    if wrong.len() > MAX_SUGGESTION_LEN {
        return None;
    }
    candidates
        .into_iter()
        // A length difference beyond the threshold rules a candidate out
        // without computing its distance.
        .filter(|c| c.len() <= MAX_SUGGESTION_LEN && c.len().abs_diff(wrong.len()) <= 2.max(c.len() / 3))
        .take(MAX_SUGGESTION_CANDIDATES)
        .map(|c| (strsim::damerau_levenshtein(wrong, c), c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 3) && *d < c.len().max(wrong.len()))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// A "did you mean" help line, or a fallback listing.
pub fn suggestion_help<'a>(wrong: &str, candidates: impl IntoIterator<Item = &'a str> + Clone, what: &str) -> String {
    suggestion(wrong, candidates, what).0
}

/// A "did you mean" help line, or a fallback listing, with the name it
/// suggests (for [`Problem::with_suggestion`]): computed once for both.
pub fn suggestion<'a>(
    wrong: &str,
    candidates: impl IntoIterator<Item = &'a str> + Clone,
    what: &str,
) -> (String, Option<&'a str>) {
    let best = did_you_mean(wrong, candidates.clone());
    let help = match best {
        Some(s) => format!("did you mean `{s}`?"),
        None => {
            let all: Vec<&str> = candidates.into_iter().take(12).collect();
            if all.is_empty() {
                format!("no {what} is declared")
            } else {
                format!("declared {what}s: {}", all.join(", "))
            }
        }
    };
    (help, best)
}
