//! The documents, held to the program so they cannot go stale.
//!
//! - Every ```` ```console ```` block of the READMEs and docs/*.md runs through
//!   `trycmd`: each `$ guidelang ...` line is executed from the crate root and
//!   its output (stdout and stderr together) and exit code (`? N`) must be what
//!   the block shows (`...` alone on a line elides lines, `[..]` the rest of a
//!   line). A block whose last output line is not `...` ends with an empty
//!   line: trycmd drops the last line break of a block, and the program's
//!   output ends with one. Any other fenced block must name its language
//!   (`sh`, `gl`, `text`, `toml`...), since trycmd would run an unnamed one.
//! - The README's command summary names exactly the subcommands and options
//!   that `--help` lists, with the same choices of values.
//! - Cargo commands (in `sh` blocks, not run: they take minutes, and in
//!   prose) name test, bench and example targets that exist; the quick
//!   start's case file exists and its test command is the one `.ci/run` runs.
//! - Every repository path a document names in code type exists, and no
//!   document points outside the repository.
//! - The diagnostics docs/reliability.md shows are, verbatim, snapshots that
//!   `errors.rs` checks; every `gl` snippet parses, and the complete guideline
//!   of docs/language.md loads without a problem.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The documents under test: the READMEs and every page of docs/.
fn documents() -> Vec<PathBuf> {
    let mut docs = vec![PathBuf::from("README.md"), PathBuf::from("examples/cases/README.md")];
    let mut pages: Vec<PathBuf> = std::fs::read_dir("docs")
        .expect("docs/ is readable")
        .map(|e| e.expect("docs/ entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    pages.sort();
    docs.extend(pages);
    docs
}

fn read(path: impl AsRef<Path>) -> String {
    let path = path.as_ref();
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// A fenced code block: its info string (language) and its text.
struct Block {
    lang: String,
    text: String,
    line: usize,
}

/// The fenced blocks of a Markdown document, in order.
fn blocks(markdown: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut open: Option<Block> = None;
    for (i, line) in markdown.lines().enumerate() {
        match (&mut open, line.strip_prefix("```")) {
            (None, Some(info)) => {
                open = Some(Block {
                    lang: info.trim().to_string(),
                    text: String::new(),
                    line: i + 1,
                })
            }
            (Some(_), Some(rest)) if rest.trim().is_empty() => out.extend(open.take()),
            (Some(b), _) => {
                b.text.push_str(line);
                b.text.push('\n');
            }
            (None, None) => {}
        }
    }
    out
}

#[test]
fn console_blocks_print_what_the_docs_show() {
    // Commands that write a file (`-o`) write under target/, which git ignores;
    // it may not exist when the build directory is elsewhere.
    std::fs::create_dir_all("target").expect("target/ can be created");
    let cases = trycmd::TestCases::new();
    cases
        .register_bin("guidelang", PathBuf::from(env!("CARGO_BIN_EXE_guidelang")))
        // Output as a pipe sees it, whatever the terminal running the tests.
        .env("NO_COLOR", "1");
    for doc in documents() {
        cases.case(doc);
    }
    cases.run();
}

#[test]
fn every_code_block_names_its_language() {
    for doc in documents() {
        for b in blocks(&read(&doc)) {
            assert!(
                !b.lang.is_empty(),
                "{}:{}: a code block without a language would be run as a console session; \
                 name it (console, sh, gl, text, toml...)",
                doc.display(),
                b.line
            );
        }
    }
}

/// One subcommand's options as the README's summary shows them: option name
/// and, for `--opt a|b|c`, the values.
type Options = std::collections::BTreeMap<String, BTreeSet<String>>;

/// The README's command summary: for each subcommand, its options and values.
fn summary() -> std::collections::BTreeMap<String, Options> {
    let readme = read("README.md");
    let section = readme
        .split("## The CLI at a glance")
        .nth(1)
        .expect("the README has a CLI summary");
    let block = blocks(section)
        .into_iter()
        .next()
        .expect("the CLI summary is a code block");
    let mut out = std::collections::BTreeMap::<String, Options>::new();
    let mut current = None;
    for line in block.text.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        if line.starts_with("guidelang ") {
            current = Some(words[1].to_string());
        } else if !line.starts_with("               ") {
            // Description lines; only a synopsis continues on an aligned line.
            continue;
        }
        let sub = current.clone().expect("a synopsis line comes first");
        let options = out.entry(sub).or_default();
        for (i, w) in words.iter().enumerate() {
            let w = w.trim_start_matches('[').trim_end_matches(']');
            if let Some(name) = w.strip_prefix("--").or(w.strip_prefix('-').filter(|n| n.len() == 1)) {
                let values: BTreeSet<String> = match words.get(i + 1) {
                    Some(v) if v.contains('|') => v.trim_end_matches(']').split('|').map(str::to_string).collect(),
                    _ => BTreeSet::new(),
                };
                options.entry(name.to_string()).or_default().extend(values);
            }
        }
    }
    out
}

fn help(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_guidelang"))
        .args(args)
        .arg("--help")
        .output()
        .expect("guidelang runs");
    assert!(out.status.success(), "guidelang {args:?} --help failed");
    String::from_utf8(out.stdout).expect("help is UTF-8")
}

/// Options and their possible values as clap's long help lists them.
fn help_options(help: &str) -> Options {
    let mut out = Options::new();
    let mut current: Option<String> = None;
    for line in help.lines() {
        let t = line.trim_start();
        // Options are indented 2 or 6 columns, their listed values 10.
        let indent = line.len() - t.len();
        if t.starts_with('-') && indent <= 6 {
            // `  -o, --output <FILE>` or `      --check  Change nothing`.
            let long = t
                .split([',', ' '])
                .find(|w| w.starts_with("--"))
                .unwrap_or(t.split([',', ' ']).next().unwrap_or(t));
            let name = long.trim_start_matches('-').to_string();
            out.entry(name.clone()).or_default();
            current = Some(name);
        } else if let (Some(name), Some(value)) = (&current, t.strip_prefix("- ")) {
            let value = value.split(':').next().unwrap_or(value).trim();
            out.entry(name.clone()).or_default().insert(value.to_string());
        }
    }
    // Every subcommand has these; the summary leaves them out.
    out.remove("help");
    out.remove("h");
    out
}

#[test]
fn the_cli_summary_names_every_subcommand_and_option_the_program_has() {
    let summary = summary();
    let top = help(&[]);
    let subcommands: BTreeSet<String> = top
        .split("Commands:")
        .nth(1)
        .expect("top-level help lists commands")
        .split("Options:")
        .next()
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|w| *w != "help")
        .map(str::to_string)
        .collect();
    let shown: BTreeSet<String> = summary.keys().cloned().collect();
    assert_eq!(shown, subcommands, "the README's CLI summary and `guidelang --help`");
    for (sub, shown) in &summary {
        let mut real = help_options(&help(&[sub]));
        // `-o` is shown by its short name; clap lists `-o, --output`.
        if let Some(v) = real.remove("output") {
            real.insert("o".into(), v);
        }
        // Where the program has a fixed set of values and the summary shows
        // them as `a|b|c`, they must be the same.
        for (name, values) in shown {
            let real_values = real
                .get(name)
                .unwrap_or_else(|| panic!("the summary shows `{sub} --{name}`, which `{sub} --help` does not list"));
            // `COHORT.ndjson|COHORT.csv|-` are placeholders, not choices.
            if !values.is_empty() && !real_values.is_empty() {
                assert_eq!(values, real_values, "the values of `{sub} --{name}`");
            }
        }
        for name in real.keys() {
            assert!(
                shown.contains_key(name),
                "`{sub} --{name}` is missing from the README's CLI summary"
            );
        }
    }
}

#[test]
fn the_quick_start_runs_a_case_that_exists_and_the_ci_test_command() {
    let readme = read("README.md");
    let quick = readme
        .split("## Quick start")
        .nth(1)
        .expect("the README has a quick start");
    let commands: Vec<String> = blocks(quick)
        .into_iter()
        .filter(|b| b.lang == "sh")
        .flat_map(|b| b.text.lines().map(str::to_string).collect::<Vec<_>>())
        .collect();
    let run = commands
        .iter()
        .find(|c| c.starts_with("cargo run"))
        .expect("the quick start runs the program");
    let case = run
        .split_whitespace()
        .skip_while(|w| *w != "--case")
        .nth(1)
        .expect("the quick start evaluates a case");
    assert!(Path::new(case).is_file(), "the quick start's case {case} exists");
    assert!(
        commands.iter().any(|c| c == "cargo test"),
        "the quick start runs `cargo test`"
    );
    let ci = read(".ci/run");
    assert!(
        ci.lines().any(|l| matches!(l.trim(), "cargo test" | "step cargo test")),
        ".ci/run runs the README's `cargo test`"
    );
}

/// Test, bench and example targets of this crate, from Cargo.toml and the
/// directories cargo discovers them in.
fn targets(kind: &str) -> BTreeSet<String> {
    let manifest: toml::Table = read("Cargo.toml").parse().expect("Cargo.toml parses");
    let mut names: BTreeSet<String> = manifest
        .get(kind)
        .and_then(|t| t.as_array())
        .into_iter()
        .flatten()
        .filter_map(|t| t.get("name")?.as_str().map(str::to_string))
        .collect();
    if kind == "example" {
        for e in std::fs::read_dir("examples").expect("examples/ is readable") {
            let p = e.expect("examples/ entry").path();
            if p.extension().is_some_and(|x| x == "rs") {
                names.extend(p.file_stem().map(|s| s.to_string_lossy().into_owned()));
            }
        }
    }
    names
}

#[test]
fn cargo_commands_name_targets_that_exist() {
    let kinds = [("--test", "test"), ("--bench", "bench"), ("--example", "example")];
    let mut seen = 0;
    for doc in documents() {
        // In `sh` blocks (not run: they take minutes) and in prose alike.
        let text = read(&doc);
        let words: Vec<&str> = text.split_whitespace().collect();
        for pair in words.windows(2) {
            for (flag, kind) in kinds {
                let name = pair[1].trim_end_matches(|c: char| !c.is_alphanumeric() && c != '_');
                if pair[0].trim_start_matches('`') == flag {
                    seen += 1;
                    assert!(
                        targets(kind).contains(name),
                        "{}: `{flag} {name}` names no {kind} target of Cargo.toml",
                        doc.display(),
                    );
                }
            }
        }
    }
    assert!(seen > 0, "the documents show some cargo command naming a target");
}

/// Top-level directories whose paths the documents name.
const REPO_DIRS: &[&str] = &[
    "src/",
    "tests/",
    "docs/",
    "guidelines/",
    "examples/",
    "benches/",
    "fuzz/",
    "grammar/",
    ".ci/",
];

/// Paths a document may name that are made by a run, not kept in git.
const MADE_BY_A_RUN: &[&str] = &["fuzz/artifacts/", "fuzz/corpus/", "fuzz/target/"];

#[test]
fn paths_the_documents_name_exist() {
    let mut checked = 0;
    for doc in documents() {
        let text = read(&doc);
        for span in text.split('`').skip(1).step_by(2) {
            let is_path = REPO_DIRS.iter().any(|d| span.starts_with(d)) && !span.contains(' ');
            // Patterns and placeholders (`guidelines/NAME.gl`, `<target>`, `*.toml`)
            // stand for many paths.
            let is_pattern = span.contains(['*', '<']) || span.contains("NAME");
            if !is_path || is_pattern || MADE_BY_A_RUN.contains(&span) {
                continue;
            }
            checked += 1;
            assert!(
                Path::new(span).exists(),
                "{} names `{span}`, which does not exist",
                doc.display()
            );
        }
    }
    assert!(checked > 20, "the documents name paths ({checked} checked)");
}

#[test]
fn no_document_points_outside_the_repository() {
    for doc in documents() {
        let text = read(&doc);
        for outside in ["shared/spec", "/work/"] {
            assert!(
                !text.contains(outside),
                "{} points outside the repository (`{outside}`): what a reader needs belongs in docs/",
                doc.display()
            );
        }
    }
}

/// The body of each insta snapshot under tests/it/snapshots (after its header).
fn snapshots() -> Vec<String> {
    std::fs::read_dir("tests/it/snapshots")
        .expect("tests/it/snapshots is readable")
        .map(|e| e.expect("snapshot entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "snap"))
        .map(|p| {
            let text = read(&p);
            // The header is a YAML block between two `---` lines.
            text.splitn(3, "---\n").nth(2).unwrap_or_default().to_string()
        })
        .collect()
}

#[test]
fn diagnostics_shown_in_reliability_md_are_checked_snapshots() {
    let snapshots = snapshots();
    let shown: Vec<Block> = blocks(&read("docs/reliability.md"))
        .into_iter()
        .filter(|b| b.lang == "text" && b.text.trim_start().starts_with('×'))
        .collect();
    assert!(shown.len() >= 8, "docs/reliability.md shows the error classes");
    for b in shown {
        assert!(
            snapshots.iter().any(|s| s.contains(&b.text)),
            "docs/reliability.md:{}: this diagnostic is not, verbatim, a snapshot the tests check:\n{}",
            b.line,
            b.text
        );
    }
}

#[test]
fn the_complete_guideline_of_language_md_loads_without_a_problem() {
    let language = read("docs/language.md");
    let section = language
        .split("## A complete small guideline")
        .nth(1)
        .expect("docs/language.md has a complete guideline");
    let block = blocks(section).into_iter().next().expect("a gl block");
    assert_eq!(block.lang, "gl");
    let g = guidelang::load_str("language.md", &block.text)
        .unwrap_or_else(|p| panic!("the complete guideline does not load: {p:?}"));
    assert!(
        g.warnings.is_empty(),
        "the complete guideline has warnings: {:?}",
        g.warnings
    );
}

#[test]
fn the_case_suite_example_of_editing_md_passes_on_the_bundled_guideline() {
    let editing = read("docs/editing.md");
    let suite = blocks(&editing)
        .into_iter()
        .find(|b| b.lang == "toml")
        .expect("docs/editing.md shows a case suite");
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("example.toml");
    std::fs::write(&path, &suite.text).expect("the suite is written");
    let out = Command::new(env!("CARGO_BIN_EXE_guidelang"))
        .args(["test", "guidelines/als-hyperleukocytosis.gl", "--cases"])
        .arg(&path)
        .env("NO_COLOR", "1")
        .output()
        .expect("guidelang runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("1 passed, 0 failed"),
        "the example case of docs/editing.md fails:\n{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn every_gl_snippet_of_the_documents_parses() {
    // A snippet is a whole file, a run of items, or (warnings) fields of a
    // rule; the header or rule it leaves out is put around it.
    const HEADER: &str = "guideline snippet\n  version 1.0.0\n  status draft\n";
    let mut parsed = 0;
    for doc in documents() {
        for b in blocks(&read(&doc)).into_iter().filter(|b| b.lang == "gl") {
            let first = b
                .text
                .lines()
                .map(str::trim_start)
                .find(|l| !l.is_empty() && !l.starts_with('#'))
                .unwrap_or_default();
            let text = if first.starts_with("guideline ") {
                b.text.clone()
            } else if first.starts_with("warn ") {
                format!("{HEADER}rule snippet: recommend snippet\n  when always\n{}", b.text)
            } else {
                format!("{HEADER}{}", b.text)
            };
            let source = guidelang::diagnostics::Source::new(format!("{}:{}", doc.display(), b.line), text);
            if let Err(problems) = guidelang::syntax::parse(&source) {
                let shown: Vec<String> = problems.iter().map(|p| p.render_plain()).collect();
                panic!(
                    "{}:{}: this gl snippet does not parse:\n{}",
                    doc.display(),
                    b.line,
                    shown.join("\n")
                );
            }
            parsed += 1;
        }
    }
    assert!(parsed >= 15, "the documents show gl snippets ({parsed} parsed)");
}
