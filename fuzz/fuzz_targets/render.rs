//! Any bytes as a guideline file, rendered for clinical review: when it
//! checks, the Markdown and HTML documents and the canonical layout (`fmt`),
//! which must read back as the same guideline. Nothing may panic, and author
//! text must never escape into the HTML as markup.

#![no_main]

use guidelang::diagnostics::Source;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let source = Source::new("fuzz.gl", text.as_ref());
    let Ok(g) = guidelang::load(&source) else {
        return;
    };
    let doc = guidelang::report::document(&g);
    let _ = guidelang::report::render_markdown(&doc);
    let html = guidelang::report::render_html(&doc);
    assert!(!html.contains("<script"), "author text escaped into the page as markup");
    if let Ok(file) = guidelang::syntax::parse(&source) {
        let formatted = guidelang::format::format_file(&file);
        let again = guidelang::syntax::parse(&Source::new("formatted.gl", formatted.as_str()));
        assert!(again.is_ok_and(|f| f == file), "fmt changed the meaning:\n{formatted}");
    }
});
