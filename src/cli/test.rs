//! `guidelang test [FILE]`: runs the guideline's case suite like a test runner
//! (each case ok or FAIL with expected vs actual, then `N passed, N failed`),
//! with `--coverage` for what no case exercised.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anstyle::{AnsiColor, Style};

use super::common::{load_guideline, read_text, stdout_color, write_stdout, Exit};
use guidelang::suite::{self, Coverage, TestCase};

/// Arguments of `test`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Guideline file; the bundled ALS guideline when omitted. Its cases are
    /// read from `<name>.cases/*.toml` and `<name>.cases.toml` beside it.
    file: Option<PathBuf>,
    /// Read the cases from this directory or file instead.
    #[arg(long)]
    cases: Option<PathBuf>,
    /// List the rules, precedence links and notes no case exercised.
    #[arg(long)]
    coverage: bool,
    /// Fail when less than this percentage is exercised (implies a coverage summary).
    #[arg(long, value_name = "PERCENT", value_parser = percent)]
    min_coverage: Option<f64>,
}

fn percent(s: &str) -> Result<f64, String> {
    let p: f64 = s
        .trim_end_matches('%')
        .parse()
        .map_err(|_| format!("`{s}` is not a number"))?;
    if (0.0..=100.0).contains(&p) {
        Ok(p)
    } else {
        Err("a percentage from 0 to 100".into())
    }
}

pub fn run(args: Args) -> Exit {
    let g = match load_guideline(args.file.as_deref(), false) {
        Ok(g) => g,
        Err(e) => return e,
    };
    let guideline_path = args
        .file
        .clone()
        .unwrap_or_else(|| PathBuf::from(guidelang::BUNDLED_NAME));
    let files = match &args.cases {
        Some(p) => suite::toml_files(p),
        None => suite::discover(&guideline_path),
    };
    if files.is_empty() {
        let looked = args
            .cases
            .as_ref()
            .map_or_else(|| places(&guideline_path), |p| p.display().to_string());
        tell!("error: no case suite found (looked for {looked})");
        tell!("help: see docs/editing.md for the case-suite format");
        return Exit::Io;
    }
    let cases = match load_cases(&files) {
        Ok(c) => c,
        Err(e) => return e,
    };
    let paint = Paint { color: stdout_color() };
    // The whole report is written at once, through the writer that treats a
    // closed pipe as a quiet end.
    let mut out = String::new();
    let shown_from = match &args.cases {
        Some(p) => p.display().to_string(),
        None => found_in(&files),
    };
    let _ = writeln!(
        out,
        "running {} case{} from {shown_from}",
        cases.len(),
        if cases.len() == 1 { "" } else { "s" }
    );
    let mut coverage = Coverage::new(&g);
    let (mut passed, mut failed) = (0, 0);
    let program = guidelang::compile::Program::new(&g);
    let mut evaluator = guidelang::eval::Evaluator::new(&program);
    for case in &cases {
        let result = suite::run_case_with(&g, &mut evaluator, case);
        if let Some(e) = &result.evaluation {
            coverage.record(&g, case, e);
        }
        if result.passed() {
            passed += 1;
            let _ = writeln!(out, "{}  {}", paint.ok("ok  "), case.name);
            continue;
        }
        failed += 1;
        let _ = writeln!(out, "{}  {}  ({})", paint.fail("FAIL"), case.name, case.origin);
        for m in &result.mismatches {
            let _ = writeln!(out, "        {}:", m.subject);
            let _ = writeln!(out, "          {}", paint.minus(&format!("- expected: {}", m.expected)));
            let _ = writeln!(out, "          {}", paint.plus(&format!("+ actual:   {}", m.actual)));
        }
    }
    let mut exit = if failed > 0 { Exit::GuidelineErrors } else { Exit::Ok };
    if args.coverage || args.min_coverage.is_some() {
        let (hit, total) = coverage.counts();
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "coverage: {:.1}% ({hit} of {total}: rules {}/{}, precedence links {}/{}, notes {}/{})",
            coverage.percent(),
            coverage.rules.iter().filter(|x| **x).count(),
            coverage.rules.len(),
            coverage.links.iter().filter(|l| l.2).count(),
            coverage.links.len(),
            coverage.notes.iter().filter(|x| **x).count(),
            coverage.notes.len()
        );
        if args.coverage {
            let missed = coverage.missed(&g);
            if !missed.is_empty() {
                let _ = writeln!(out, "not exercised by any case:");
                for m in missed {
                    let _ = writeln!(out, "  {m}");
                }
            }
        }
        if let Some(min) = args.min_coverage {
            // Compared on the printed value, so "100.0%" never fails a 100 minimum by rounding.
            let shown: f64 = format!("{:.1}", coverage.percent()).parse().unwrap_or(0.0);
            if shown < min {
                let _ = writeln!(
                    out,
                    "{}",
                    paint.fail(&format!("coverage {shown:.1}% is below the required {min}%"))
                );
                exit = Exit::GuidelineErrors;
            }
        }
        let _ = writeln!(out);
    }
    let _ = writeln!(out, "{passed} passed, {failed} failed");
    if let Err(e) = write_stdout(&out) {
        return e;
    }
    exit
}

/// The discovered files, named by their directory when they share one.
fn found_in(files: &[PathBuf]) -> String {
    let dirs: std::collections::BTreeSet<String> = files
        .iter()
        .map(|f| match f.parent() {
            Some(d) if f.extension().is_some_and(|x| x == "toml") && d.extension().is_some_and(|x| x == "cases") => {
                format!("{}/", d.display())
            }
            _ => f.display().to_string(),
        })
        .collect();
    dirs.into_iter().collect::<Vec<_>>().join(" and ")
}

fn places(guideline: &Path) -> String {
    let stem = guideline
        .file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_default();
    let dir = guideline.parent().unwrap_or(Path::new(""));
    format!(
        "{} and {}",
        dir.join(format!("{stem}.cases/")).display(),
        dir.join(format!("{stem}.cases.toml")).display()
    )
}

fn load_cases(files: &[PathBuf]) -> Result<Vec<TestCase>, Exit> {
    let mut cases = Vec::new();
    let mut errors = Vec::new();
    for f in files {
        let text = read_text(f)?;
        match suite::parse_suite(&f.display().to_string(), &text) {
            Ok(c) => cases.extend(c),
            Err(e) => errors.extend(e),
        }
    }
    let mut seen = std::collections::HashSet::new();
    for c in &cases {
        if !seen.insert(c.name.as_str()) {
            errors.push(format!("{}: case \"{}\": another case has this name", c.origin, c.name));
        }
    }
    if errors.is_empty() {
        return Ok(cases);
    }
    for e in &errors {
        tell!("error: {e}");
    }
    tell!(
        "error: the case suite is invalid ({} problem{}); no case was run",
        errors.len(),
        if errors.len() == 1 { "" } else { "s" }
    );
    Err(Exit::InvalidCase)
}

struct Paint {
    color: bool,
}

impl Paint {
    fn with(&self, color: AnsiColor, bold: bool, text: &str) -> String {
        if !self.color {
            return text.to_string();
        }
        let mut style = Style::new().fg_color(Some(color.into()));
        if bold {
            style = style.bold();
        }
        format!("{}{text}{}", style.render(), style.render_reset())
    }

    fn ok(&self, text: &str) -> String {
        self.with(AnsiColor::Green, true, text)
    }

    fn fail(&self, text: &str) -> String {
        self.with(AnsiColor::Red, true, text)
    }

    fn minus(&self, text: &str) -> String {
        self.with(AnsiColor::Red, false, text)
    }

    fn plus(&self, text: &str) -> String {
        self.with(AnsiColor::Green, false, text)
    }
}
