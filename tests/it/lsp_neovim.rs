//! `guidelang lsp` with a client none of us wrote: headless Neovim (Debian's
//! 0.7) runs `lsp_neovim.lua`, which attaches the real executable to a
//! guideline with a misspelt fact, and the JSON it writes is checked here:
//! the diagnostic as published and as Neovim shows it, the hover of a fact,
//! the did-you-mean applied, and the clean diagnostics of the edited text.
//!
//! `.ci/run` installs Neovim; where it is missing the tests skip with a
//! message (and fail under CI, where it must be there).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::lsp_client::BUNDLED;

/// The guideline opened: the bundled one with a fact misspelt once.
fn misspelt() -> String {
    BUNDLED.replacen("when coagulopathy or", "when coagulopathyy or", 1)
}

fn find_nvim() -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join("nvim"))
            .find(|p| p.is_file())
    })
}

/// Neovim, looked up once; a test never installs packages. Missing under
/// CI (`CI` set) it is a broken setup, and fails.
fn nvim() -> Option<&'static Path> {
    static FOUND: OnceLock<Option<PathBuf>> = OnceLock::new();
    let found = FOUND.get_or_init(find_nvim).as_deref();
    assert!(
        found.is_some() || std::env::var_os("CI").is_none(),
        "nvim is missing under CI: .ci/run installs it (apt-get install neovim)"
    );
    found
}

/// (line, UTF-16 column) of byte `offset`.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset];
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    (before.matches('\n').count(), text[start..offset].encode_utf16().count())
}

/// One Neovim session, run once and shared by the tests; `None` without Neovim.
fn session() -> Option<&'static Value> {
    static REPORT: OnceLock<Option<Value>> = OnceLock::new();
    REPORT
        .get_or_init(|| {
            let Some(nvim) = nvim() else {
                eprintln!("skipped: nvim is not installed (apt-get install neovim)");
                return None;
            };
            Some(run(nvim))
        })
        .as_ref()
}

fn run(nvim: &Path) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("misspelt.gl");
    let text = misspelt();
    std::fs::write(&file, &text).unwrap();
    let out = dir.path().join("report.json");
    // Hover the fact `wbc` where a rule reads it.
    let (line, col) = line_col(&text, text.find("when wbc").unwrap() + "when ".len());
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/lsp_neovim.lua");
    let mut child = Command::new(nvim)
        .args(["--headless", "--clean", "-n", "-c"])
        .arg(format!("luafile {}", script.display()))
        .env("GUIDELANG_BIN", assert_cmd::cargo::cargo_bin("guidelang"))
        .env("GL_FILE", &file)
        .env("GL_OUT", &out)
        .env("GL_HOVER_LINE", line.to_string())
        .env("GL_HOVER_COL", col.to_string())
        .env("GL_WRONG", "coagulopathyy")
        .env("GL_RIGHT", "coagulopathy")
        // Neovim's own state and logs stay in the test's directory.
        .env("XDG_STATE_HOME", dir.path())
        .env("XDG_CACHE_HOME", dir.path())
        .env("XDG_DATA_HOME", dir.path())
        .env("XDG_CONFIG_HOME", dir.path())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The script gives up on its own within a minute or two; this only
    // keeps a wedged editor from hanging the suite.
    let deadline = Instant::now() + Duration::from_secs(300);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("nvim did not finish within 5 minutes");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let output = child.wait_with_output().unwrap();
    let report = std::fs::read_to_string(&out).unwrap_or_else(|e| {
        panic!(
            "nvim wrote no report ({e}); stderr: {}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    let report: Value = serde_json::from_str(&report).unwrap();
    assert!(
        report["failure"].is_null(),
        "the Neovim script failed: {} (steps done: {})",
        report["failure"],
        report["steps"]
    );
    report
}

#[test]
fn neovim_receives_the_misspelt_facts_diagnostic_at_the_exact_word() {
    let Some(report) = session() else { return };
    let text = misspelt();
    let start = text.find("coagulopathyy").unwrap();
    let (line, col) = line_col(&text, start);
    let ds = report["published"]["diagnostics"].as_array().unwrap();
    assert_eq!(ds.len(), 1, "{report:#}");
    let d = &ds[0];
    assert_eq!(d["code"], "guidelang::check::unknown_name");
    assert_eq!(d["range"]["start"]["line"], line);
    assert_eq!(d["range"]["start"]["character"], col);
    assert_eq!(d["range"]["end"]["character"], col + "coagulopathyy".len());
    assert!(d["message"].as_str().unwrap().contains("`coagulopathy`"), "{d:#}");
    // As Neovim shows it: zero-based line and column, an error.
    let shown = report["shown"].as_array().unwrap();
    assert_eq!(shown.len(), 1, "{report:#}");
    assert_eq!(shown[0]["lnum"], line);
    assert_eq!(shown[0]["col"], col);
    assert_eq!(shown[0]["severity"], 1);
}

#[test]
fn neovims_edit_reaches_the_server_and_the_corrected_text_is_clean() {
    let Some(report) = session() else { return };
    assert_eq!(report["after"]["diagnostics"], serde_json::json!([]));
    assert!(report["after"]["version"].as_i64().unwrap() > report["published"]["version"].as_i64().unwrap());
    // The buffer is the bundled guideline again (Neovim drops the final newline).
    assert_eq!(report["buffer"].as_str().unwrap(), BUNDLED.trim_end_matches('\n'));
}

/// The hover of `wbc` (src/ide/hover.rs), as Neovim receives it.
#[test]
fn neovim_hovers_a_fact_with_its_unit_and_description() {
    let Some(report) = session() else { return };
    let hover = &report["hover"]["result"];
    let markdown = hover["contents"]["value"]
        .as_str()
        .unwrap_or_else(|| panic!("no hover: {:#}", report["hover"]));
    assert_eq!(hover["contents"]["kind"], "markdown");
    assert!(markdown.contains("10^9/L"), "{markdown}");
    assert!(markdown.contains("White blood cell count"), "{markdown}");
}

/// The did-you-mean quick fix (src/ide/actions.rs), applied by Neovim itself
/// (the script corrects the word by hand only when none is offered, which fails here).
#[test]
fn neovim_applies_the_did_you_mean_quick_fix() {
    let Some(report) = session() else { return };
    let title = report["applied"]
        .as_str()
        .unwrap_or_else(|| panic!("no quick fix was offered: {:#}", report["actions"]));
    assert!(title.contains("coagulopathy"), "{title}");
}
