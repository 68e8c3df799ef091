//! The HTML document in a real headless browser (Debian's `chromium`): the page
//! loads, shows every action, keeps hostile text as text, and a screenshot is
//! written to `target/render-screenshot.png` for a person to look at.
//!
//! `.ci/run` installs chromium; where it is missing the test skips with a
//! message (and fails under CI, where it must be there).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

fn find_chromium() -> Option<PathBuf> {
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .find_map(|name| {
            std::env::var_os("PATH").and_then(|paths| {
                std::env::split_paths(&paths)
                    .map(|dir| dir.join(name))
                    .find(|p| p.is_file())
            })
        })
}

/// The browser, looked up once. `.ci/run` installs it; a test never installs
/// packages. Where it is missing the test skips with a message, except under
/// CI (`CI` set), where a missing browser is a broken setup and fails.
fn chromium() -> Option<&'static Path> {
    static FOUND: OnceLock<Option<PathBuf>> = OnceLock::new();
    let found = FOUND.get_or_init(find_chromium).as_deref();
    assert!(
        found.is_some() || std::env::var_os("CI").is_none(),
        "chromium is missing under CI: .ci/run installs it (apt-get install chromium)"
    );
    found
}

fn headless(browser: &Path, profile: &Path) -> Command {
    let mut c = Command::new(browser);
    c.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
    ])
    .arg(format!("--user-data-dir={}", profile.display()));
    c
}

/// Takes a screenshot of `page` beside the build (for a person to look at)
/// and returns it, checked to be a PNG.
fn screenshot(browser: &Path, dir: &Path, page: &Path, name: &str, size: &str) -> Vec<u8> {
    let shot = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_file(&shot);
    let status = headless(browser, &dir.join("profile-shot"))
        .arg(format!("--screenshot={}", shot.display()))
        .arg(format!("--window-size={size}"))
        .arg(page)
        .output()
        .unwrap();
    assert!(status.status.success(), "{}", String::from_utf8_lossy(&status.stderr));
    let png = std::fs::read(&shot).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    eprintln!("screenshot: {}", shot.display());
    png
}

fn render_html(guideline: Option<&Path>, out: &Path) {
    let mut c = assert_cmd::Command::cargo_bin("guidelang").unwrap();
    c.arg("render");
    if let Some(g) = guideline {
        c.arg(g);
    }
    c.args(["--format", "html", "-o"]).arg(out).assert().success();
}

#[test]
fn the_html_document_renders_in_a_real_browser() {
    let Some(browser) = chromium() else {
        eprintln!("SKIPPED: chromium is not installed (install Debian's `chromium` package to run this test)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("guideline.html");
    render_html(None, &page);

    let dom = headless(browser, &dir.path().join("profile-dom"))
        .arg("--dump-dom")
        .arg(&page)
        .output()
        .unwrap();
    assert!(dom.status.success(), "{}", String::from_utf8_lossy(&dom.stderr));
    let dom = String::from_utf8_lossy(&dom.stdout);
    let g = guidelang::bundled().unwrap();
    // The title as the file writes it (the bundled guideline's wording changes).
    let title = g
        .meta
        .title
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    assert!(dom.contains(&format!("<h1>{title}</h1>")), "no title {title:?}");
    for a in &g.actions {
        assert!(
            dom.contains(&format!("id=\"action-{}\"", a.name)),
            "action {} missing",
            a.name
        );
    }
    for r in &g.rules {
        assert!(dom.contains(&format!("<section class=\"card {}\" id=\"rule-{}\">", r.verdict, r.id)));
    }
    assert!(dom.contains("10<sup>9</sup>/L"));
    // Escaping happened once: no entity escaped twice, no entity left as text.
    assert!(!dom.contains("&amp;lt;") && !dom.contains("&amp;amp;"));

    // A screenshot for a person: written beside the build, checked to be a real picture.
    let png = screenshot(browser, dir.path(), &page, "render-screenshot.png", "1200,2000");
    assert!(png.len() > 20_000, "the screenshot looks empty ({} bytes)", png.len());
}

#[test]
fn hostile_text_stays_text_in_the_browser() {
    let Some(browser) = chromium() else {
        eprintln!("SKIPPED: chromium is not installed");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let gl = dir.path().join("hostile.gl");
    std::fs::write(
        &gl,
        "guideline h title \"<img src=x onerror=alert(1)> & <b>bold</b>\" version 1.0.0 status draft\n\
         fact a: bool \"<i>not italic</i>\"\n\
         rule r: avoid x when a because \"</section><script>alert(2)</script>\"\n",
    )
    .unwrap();
    let page = dir.path().join("h.html");
    render_html(Some(&gl), &page);
    let dom = headless(browser, &dir.path().join("profile"))
        .arg("--dump-dom")
        .arg(&page)
        .output()
        .unwrap();
    let dom = String::from_utf8_lossy(&dom.stdout);
    assert!(
        dom.contains("&lt;img src=x onerror=alert(1)&gt; &amp; &lt;b&gt;bold&lt;/b&gt;"),
        "{dom}"
    );
    assert!(dom.contains("&lt;/section&gt;&lt;script&gt;alert(2)&lt;/script&gt;"));
    assert!(!dom.contains("<img") && !dom.contains("<script") && !dom.contains("<b>bold"));
}

/// A fixture with declared actions (one urgent) and a fact whose description
/// has its own comma and "or".
const FIXTURE: &str = r#"guideline browser-fixture
  title "Browser fixture"
  version 1.0.0
  status draft

reference 1 "Test reference"

action anticoagulation "Anticoagulation"
action atra "ATRA (all-trans retinoic acid)" urgent

fact prior_stroke: bool "Prior stroke, TIA or systemic thromboembolism."
fact apl_morphology: bool "APL suspected on the smear."

rule anticoagulation-after-stroke: consider anticoagulation
  when prior_stroke
  cite 1

rule atra-for-apl: recommend atra
  when apl_morphology
  warn "Plan how oral capsules will be given."
  cite 1
"#;

#[test]
fn the_summary_table_shows_labels_and_conditions_in_the_browser() {
    let Some(browser) = chromium() else {
        eprintln!("SKIPPED: chromium is not installed");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let gl = dir.path().join("fixture.gl");
    std::fs::write(&gl, FIXTURE).unwrap();
    let page = dir.path().join("fixture.html");
    render_html(Some(&gl), &page);
    let dom = headless(browser, &dir.path().join("profile"))
        .arg("--dump-dom")
        .arg(&page)
        .output()
        .unwrap();
    assert!(dom.status.success(), "{}", String::from_utf8_lossy(&dom.stderr));
    let dom = String::from_utf8_lossy(&dom.stdout);
    // The summary table: the first <table> after the "Summary" heading.
    let summary = dom
        .split("id=\"summary\"")
        .nth(1)
        .and_then(|rest| rest.split("</table>").next())
        .unwrap_or_else(|| panic!("no summary table in:\n{dom}"));
    let row = |rule: &str| {
        summary
            .split("<tr>")
            .find(|r| r.contains(&format!("#rule-{rule}\"")))
            .unwrap_or_else(|| panic!("no row for {rule} in:\n{summary}"))
    };
    let anticoagulation = row("anticoagulation-after-stroke");
    assert!(
        anticoagulation.contains("<strong>Anticoagulation</strong> <code>anticoagulation</code>"),
        "{anticoagulation}"
    );
    assert!(
        anticoagulation.contains("<td>“prior stroke, TIA or systemic thromboembolism”</td>"),
        "{anticoagulation}"
    );
    let atra = row("atra-for-apl");
    assert!(
        atra.contains("<strong>ATRA (all-trans retinoic acid)</strong> <code>atra</code> <span class=\"badge urgent\">urgent</span>"),
        "{atra}"
    );
    assert!(atra.contains("<td>APL suspected on the smear</td>"), "{atra}");
    // The unconditional warning reads as always.
    assert!(dom.contains("Plan how oral capsules will be given. — always"));

    screenshot(browser, dir.path(), &page, "render-fixture-screenshot.png", "1200,1400");
}
