//! The guideline workbench's WebAssembly face: a [`Session`] the page's Web
//! Worker holds, one per editor, whose methods answer JSON text.
//!
//! The work is done by [`session::Session`] (plain Rust, tested on the host);
//! this layer only converts to what JavaScript can receive. Nothing here reads
//! the clock (the page passes the evaluation date), the file system or
//! threads, none of which `wasm32-unknown-unknown` has.

pub mod convert;
pub mod session;

use wasm_bindgen::prelude::wasm_bindgen;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = console, js_name = error)]
    fn console_error(message: &str);
}

/// Reports a panic on the browser's console. None should happen (every entry
/// point answers errors as values); should one, the message is not lost in
/// the bare `unreachable` trap the browser would otherwise show.
#[wasm_bindgen(start)]
pub fn start() {
    if cfg!(target_arch = "wasm32") {
        std::panic::set_hook(Box::new(|info| console_error(&format!("guidelang workbench: {info}"))));
    }
}

/// Serialises an answer; serialising a `serde_json::Value` cannot fail.
fn text(value: &serde_json::Value) -> String {
    value.to_string()
}

/// The editor's guideline, as JavaScript sees it. Answers are JSON text;
/// refusals are thrown as a string.
#[wasm_bindgen]
pub struct Session(session::Session);

#[wasm_bindgen]
impl Session {
    /// An empty session for a file the user knows as `name`.
    #[wasm_bindgen(constructor)]
    pub fn new(name: &str) -> Session {
        Session(session::Session::new(name))
    }

    /// Parses and checks the text: `{ok, guideline, diagnostics}`.
    pub fn set_text(&mut self, text: &str) -> String {
        self::text(&self.0.set_text(text))
    }

    /// Evaluates a case as of a day (`YYYY-MM-DD`).
    pub fn evaluate(&self, case_json: &str, as_of: &str) -> Result<String, String> {
        self.0.evaluate(case_json, as_of).map(|v| text(&v))
    }

    /// The fact declarations, for the case form.
    pub fn case_form(&self) -> Result<String, String> {
        self.0.case_form().map(|v| text(&v))
    }

    /// Lint's findings with UTF-16 places and witnesses.
    pub fn lint(&self) -> Result<String, String> {
        self.0.lint().map(|v| text(&v))
    }

    /// The hover at a UTF-16 offset, or `null`.
    pub fn hover(&self, offset: u32) -> String {
        text(&self.0.hover(offset))
    }

    /// The completions at a UTF-16 offset.
    pub fn complete(&self, offset: u32) -> String {
        text(&self.0.complete(offset))
    }

    /// The quick fixes at a UTF-16 offset.
    pub fn fixes(&self, offset: u32) -> String {
        text(&self.0.fixes(offset))
    }

    /// The rendered HTML document.
    pub fn render_html(&self) -> Result<String, String> {
        self.0.render_html()
    }

    /// Runs a case suite given as TOML.
    pub fn run_suite(&self, toml: &str) -> Result<String, String> {
        self.0.run_suite(toml).map(|v| text(&v))
    }

    /// The semantic diff from `old_text` to the current text.
    pub fn diff(&self, old_text: &str) -> Result<String, String> {
        self.0.diff(old_text).map(|v| text(&v))
    }
}

#[cfg(test)]
mod tests {
    use super::Session;

    #[test]
    fn answers_are_json_text_and_refusals_are_messages() {
        let mut s = Session::new("als.gl");
        let checked: serde_json::Value = serde_json::from_str(&s.set_text(guidelang::BUNDLED_TEXT)).unwrap_or_default();
        assert_eq!(checked["ok"], true);
        let report = s.evaluate(r#"{"als": true, "acute_leukemia": true}"#, "2026-12-01");
        let report: serde_json::Value = serde_json::from_str(&report.unwrap_or_default()).unwrap_or_default();
        assert_eq!(report["ok"], true);
        // A text with errors: the calls that need a checked guideline refuse in words.
        s.set_text("guideline");
        assert!(s.case_form().is_err_and(|e| e.contains("errors")));
        assert!(s.render_html().is_err());
        assert_eq!(s.hover(3), "null");
    }
}
