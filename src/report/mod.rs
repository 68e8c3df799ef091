//! Reports: every output of the tool is built here — an
//! [`Evaluation`](crate::eval::Evaluation) (with its `--explain`), lint
//! findings, a diff, the review document — for people (text, Markdown, HTML)
//! and for programs (the JSON output contract, SARIF). The CLI only chooses a
//! format and writes.

mod contract_text;
mod contract_writer;
pub mod decision_words;
mod derived;
mod diff_json;
mod diff_markdown;
mod diff_text;
mod document;
mod dose;
mod english;
mod explain;
mod html;
mod json;
mod json_out;
mod lint_json;
mod lint_text;
mod markdown;
mod patient;
mod record;
pub mod sarif;
mod text;
mod triage;
mod why;
mod words;

pub use contract_text::ContractText;
pub use contract_writer::{write_contract, ContractExtras};
pub use json::{evaluation_json, guideline_json, problems_json, write_evaluation_json};
pub use json::{evaluation_json_with_record, write_evaluation_json_with_record};
pub use json_out::Layout;
pub use lint_json::lint_json;
pub use lint_text::lint_text;
pub use record::record_json;
pub use text::evaluation_text_with_record;
pub use text::{evaluation_text, TextOptions};
pub use why::{Reason, Why};

pub use derived::{category_line, score_line};

pub use diff_json::diff_json;
pub use diff_markdown::diff_markdown;
pub use diff_text::{diff_text, diff_version_warning};
pub use document::binding_in_words;
pub use document::{document, Block, Document};
pub use english::{condition as condition_words, fact_label, Inline};
pub use explain::explanation_json;
pub use html::html as render_html;
pub use markdown::markdown as render_markdown;

/// A number as a clinician reads it: whole above 100, else up to two decimals.
pub fn fmt_num(x: f64) -> String {
    let r = if x.abs() >= 100.0 {
        x.round()
    } else {
        (x * 100.0).round() / 100.0
    };
    let s = format!("{r:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".into()
    } else {
        s.to_string()
    }
}

/// A low–high range with its unit: `3500–4200 mg/day`.
pub fn fmt_range(low: f64, high: f64, unit: &str) -> String {
    if fmt_num(low) == fmt_num(high) {
        format!("{} {unit}", fmt_num(low))
    } else {
        format!("{}–{} {unit}", fmt_num(low), fmt_num(high))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_well() {
        assert_eq!(fmt_num(3500.0), "3500");
        assert_eq!(fmt_num(4.545454), "4.55");
        assert_eq!(fmt_num(18.0), "18");
        assert_eq!(fmt_num(0.5), "0.5");
        assert_eq!(fmt_range(50.0, 60.0, "mg/kg/day"), "50–60 mg/kg/day");
    }
}
