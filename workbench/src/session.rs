//! One guideline being edited on the page: its text, the last analysis of it,
//! and (when it checks) its compiled program, kept between calls so that a
//! keystroke costs one check and each evaluation reuses the compiled form.
//!
//! Every method returns JSON or an error message, never panics: the page calls
//! them with whatever the editor holds, a keystroke behind or half typed.
//! Offsets in and out are UTF-16 code units, as JavaScript strings count them.

use serde_json::{json, Value};

use guidelang::analysis::{self, diff, LintOptions};
use guidelang::compile::Program;
use guidelang::diagnostics::Span;
use guidelang::ide::{self, Analysis, Fix};
use guidelang::model::Guideline;
use guidelang::{facts, report, suite};

use crate::convert::{case_form, diagnostic_json, fix_json, problem_diagnostic, sections, Utf16};

/// What a call that cannot answer says, in words for the page.
pub type Refusal = String;

/// The editor's guideline and what is known of it.
pub struct Session {
    name: String,
    analysis: Analysis,
    /// The last analysis whose text parsed, for completion while the current
    /// text does not (the usual state in the middle of a word).
    last_good: Option<Analysis>,
    /// Compiled once per text that checks; `None` while it has errors.
    program: Option<Program>,
}

impl Session {
    /// An empty session for a file known to the user as `name`.
    pub fn new(name: &str) -> Session {
        Session {
            name: name.to_string(),
            analysis: Analysis::new(name, ""),
            last_good: None,
            program: None,
        }
    }

    /// Parses and checks `text`, keeping the result for the other calls.
    /// Answers `{ok, guideline, diagnostics}`: `ok` is true when the text
    /// checks (it may still have warnings).
    pub fn set_text(&mut self, text: &str) -> Value {
        let analysis = Analysis::new(&self.name, text);
        let previous = std::mem::replace(&mut self.analysis, analysis);
        if previous.file().is_some() {
            self.last_good = Some(previous);
        }
        self.program = self.analysis.guideline().map(Program::new);
        json!({
            "ok": self.analysis.guideline().is_some(),
            "guideline": self.analysis.guideline().map(report::guideline_json),
            "diagnostics": self.diagnostics(),
        })
    }

    /// The editor's diagnostics in UTF-16 offsets. Every problem of the text
    /// is shown: should the editor services report none while the checker has
    /// some, the checker's own are shown, so a text that does not check never
    /// looks clean.
    fn diagnostics(&self) -> Vec<Value> {
        let at = Utf16(self.analysis.lines());
        let found = ide::diagnostics::diagnostics(&self.analysis);
        if found.is_empty() {
            return self
                .analysis
                .problems()
                .iter()
                .map(|p| problem_diagnostic(&at, p))
                .collect();
        }
        found.iter().map(|d| diagnostic_json(&at, d)).collect()
    }

    fn guideline(&self) -> Result<(&Guideline, &Program), Refusal> {
        match (self.analysis.guideline(), &self.program) {
            (Some(g), Some(p)) => Ok((g, p)),
            _ => Err("the guideline has errors: correct them first (see the editor)".into()),
        }
    }

    /// Evaluates a case (a JSON object of facts) as of a day (`YYYY-MM-DD`,
    /// the page's today; a case's own `"as_of"` wins). Answers the `eval
    /// --format json` report as `report`, the clinician's text report as
    /// `text`, the triage `sections`, the validated `case` and `unsafe`. An
    /// invalid case answers `{ok: false, errors}`, one entry per problem.
    pub fn evaluate(&self, case_json: &str, as_of: &str) -> Result<Value, Refusal> {
        let (g, program) = self.guideline()?;
        let day = guidelang::time::parse_day(as_of).map_err(|e| format!("evaluation date: {e}"))?;
        let case = facts::parse_case(g, case_json).and_then(|mut c| c.default_as_of(g, day).map(|()| c));
        let case = match case {
            Ok(c) => c,
            Err(errors) => {
                let errors: Vec<Value> = errors
                    .iter()
                    .map(|e| json!({"key": e.key, "message": e.message, "help": e.help}))
                    .collect();
                return Ok(json!({"ok": false, "errors": errors}));
            }
        };
        let e = program.evaluate(&case);
        let unsafe_result = !e.violations.is_empty()
            || e.actions
                .iter()
                .any(|a| matches!(a.outcome, guidelang::eval::Outcome::Conflict(_)));
        let text = report::evaluation_text(g, &case, &e, report::TextOptions::default());
        Ok(json!({
            "ok": true,
            "report": report::evaluation_json(g, &e),
            "text": text,
            "sections": sections(g, &e),
            "case": case.to_json(g),
            "unsafe": unsafe_result,
        }))
    }

    /// The fact declarations, for the case form.
    pub fn case_form(&self) -> Result<Value, Refusal> {
        let (g, _) = self.guideline()?;
        Ok(case_form(g))
    }

    /// Lint's report (`lint --format json`), each place with its UTF-16
    /// `from`/`to` so the page can select the rules in the editor.
    pub fn lint(&self) -> Result<Value, Refusal> {
        let (g, _) = self.guideline()?;
        let found = analysis::lint_with(g, LintOptions::default());
        let mut out = report::lint_json(self.analysis.source(), Some(g), &found);
        let at = Utf16(self.analysis.lines());
        if let Some(findings) = out.get_mut("findings").and_then(Value::as_array_mut) {
            for place in findings
                .iter_mut()
                .filter_map(|f| f.get_mut("places").and_then(Value::as_array_mut))
                .flatten()
            {
                let span = Span::new(
                    place["start"].as_u64().unwrap_or(0) as usize,
                    place["end"].as_u64().unwrap_or(0) as usize,
                );
                place["from"] = json!(at.from(span));
                place["to"] = json!(at.to(span));
            }
        }
        Ok(out)
    }

    fn byte_offset(&self, utf16: u32) -> usize {
        self.analysis.lines().from_utf16_offset(utf16 as usize)
    }

    /// What the name at a UTF-16 offset is: `{from, to, markdown}` or null.
    pub fn hover(&self, offset: u32) -> Value {
        let at = Utf16(self.analysis.lines());
        match ide::hover::hover(&self.analysis, self.byte_offset(offset)) {
            Some(h) => json!({"from": at.from(h.span), "to": at.to(h.span), "markdown": h.markdown}),
            None => Value::Null,
        }
    }

    /// The completions at a UTF-16 offset: `[{label, kind, detail}]`.
    pub fn complete(&self, offset: u32) -> Value {
        let items = ide::complete::completions(&self.analysis, self.byte_offset(offset), self.last_good.as_ref());
        json!(items)
    }

    /// The quick fixes on offer at a UTF-16 offset, for the diagnostics there.
    pub fn fixes(&self, offset: u32) -> Value {
        let at = Utf16(self.analysis.lines());
        let byte = self.byte_offset(offset);
        let here: Vec<_> = ide::diagnostics::diagnostics(&self.analysis)
            .into_iter()
            .filter(|d| d.span.start <= byte && byte <= d.span.end)
            .collect();
        let fixes: Vec<Fix> = ide::actions::code_actions(&self.analysis, Span::new(byte, byte), &here);
        json!(fixes.iter().map(|f| fix_json(&at, f)).collect::<Vec<_>>())
    }

    /// The guideline as the rendered HTML document (`guidelang render`).
    pub fn render_html(&self) -> Result<String, Refusal> {
        let (g, _) = self.guideline()?;
        Ok(report::render_html(&report::document(g)))
    }

    /// Runs a case suite (TOML, as `guidelang test` reads) against the
    /// guideline: `{passed, failed, cases: [{name, passed, mismatches}],
    /// coverage: {percent, missed}}`.
    pub fn run_suite(&self, toml: &str) -> Result<Value, Refusal> {
        let (g, program) = self.guideline()?;
        let cases = suite::parse_suite("suite", toml).map_err(|errors| errors.join("\n"))?;
        let mut coverage = suite::Coverage::new(g);
        let mut evaluator = guidelang::eval::Evaluator::new(program);
        let mut results = Vec::new();
        let mut failed = 0;
        for case in &cases {
            let result = suite::run_case_with(g, &mut evaluator, case);
            if let Some(e) = &result.evaluation {
                coverage.record(g, case, e);
            }
            failed += usize::from(!result.passed());
            let mismatches: Vec<Value> = result
                .mismatches
                .iter()
                .map(|m| json!({"subject": m.subject, "expected": m.expected, "actual": m.actual}))
                .collect();
            results.push(json!({"name": case.name, "passed": result.passed(), "mismatches": mismatches}));
        }
        Ok(json!({
            "passed": cases.len() - failed,
            "failed": failed,
            "cases": results,
            "coverage": {"percent": coverage.percent(), "missed": coverage.missed(g)},
        }))
    }

    /// The semantic diff from `old_text` (the version first opened) to the
    /// current text, as `guidelang diff --format json` gives it, with the
    /// account `guidelang diff` prints as `text` and its version warning (or
    /// null) as `warning`, so the page writes none of it itself.
    pub fn diff(&self, old_text: &str) -> Result<Value, Refusal> {
        let (new, _) = self.guideline()?;
        let old = guidelang::load_str(&format!("{} (as opened)", self.name), old_text)
            .map_err(|_| "the version first opened has errors: it cannot be compared".to_string())?;
        let d = diff::diff(&old, new).map_err(|e| format!("the comparison could not finish: {e}"))?;
        let mut out = report::diff_json(&old, new, &d);
        out["text"] = json!(report::diff_text(&old, new, &d));
        out["warning"] = json!(report::diff_version_warning(&old, new, &d));
        Ok(out)
    }
}

#[cfg(test)]
#[path = "session_tests.rs"]
mod tests;
