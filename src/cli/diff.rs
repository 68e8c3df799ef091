//! `guidelang diff OLD NEW`: two versions compared by meaning — rules, facts
//! and other items added, removed, changed; every decision that differs for
//! some patient, with a witness; the version bump that implies.

use std::path::PathBuf;

use clap::ValueEnum;

use super::common::{load_guideline, write_stdout, Exit};
use guidelang::analysis::diff::{diff, Bump, Diff, ItemChange};
use guidelang::model::Guideline;
use guidelang::report::diff_markdown;

/// Formats of the comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, Default)]
pub enum DiffFormat {
    /// Readable text.
    #[default]
    Text,
    /// JSON.
    Json,
    /// A Markdown changelog for a review board (deterministic, to commit).
    Markdown,
}

/// Arguments of `diff`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The earlier version.
    old: PathBuf,
    /// The later version.
    new: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: DiffFormat,
    /// Fail (exit 1) when the new version number does not reflect the change.
    #[arg(long)]
    strict_version: bool,
}

pub fn run(args: Args) -> Exit {
    let old = match load_guideline(Some(&args.old), false) {
        Ok(g) => g,
        Err(e) => return e,
    };
    let new = match load_guideline(Some(&args.new), false) {
        Ok(g) => g,
        Err(e) => return e,
    };
    let d = match diff(&old, &new) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("error: the comparison failed: {}", e.0);
            return Exit::GuidelineErrors;
        }
    };
    let report = match args.format {
        DiffFormat::Json => match serde_json::to_string_pretty(&d.to_json(&old, &new)) {
            Ok(s) => s + "\n",
            Err(e) => {
                eprintln!("error: cannot write the report: {e}");
                return Exit::Io;
            }
        },
        DiffFormat::Text => text(&old, &new, &d),
        DiffFormat::Markdown => diff_markdown(&old, &new, &d),
    };
    if let Err(e) = write_stdout(&report) {
        return e;
    }
    if d.version_too_low() {
        eprintln!(
            "warning: the change implies a {} version bump, but {} → {} is {}",
            bump_name(d.implied),
            old.meta.version,
            new.meta.version,
            if d.downgrade {
                "a downgrade".to_string()
            } else {
                format!("{} bump", article(d.actual))
            }
        );
        if args.strict_version {
            return Exit::GuidelineErrors;
        }
    }
    Exit::Ok
}

fn bump_name(b: Bump) -> &'static str {
    match b {
        Bump::None => "no",
        Bump::Patch => "patch",
        Bump::Minor => "minor",
        Bump::Major => "major",
    }
}

fn article(b: Bump) -> String {
    match b {
        Bump::None => "no".into(),
        b => format!("a {}", bump_name(b)),
    }
}

fn items(out: &mut String, title: &str, list: &[ItemChange]) {
    if list.is_empty() {
        return;
    }
    out.push_str(&format!("{title}:\n"));
    for c in list {
        let sign = match c.change {
            "added" => "+",
            "removed" => "-",
            _ => "~",
        };
        if c.parts.is_empty() {
            out.push_str(&format!("  {sign} {} ({})\n", c.name, c.change));
        } else {
            out.push_str(&format!("  {sign} {}: {} changed\n", c.name, c.parts.join(", ")));
        }
    }
}

fn text(old: &Guideline, new: &Guideline, d: &Diff) -> String {
    let mut out = format!(
        "{} {} → {} {}\n\n",
        old.meta.id, old.meta.version, new.meta.id, new.meta.version
    );
    items(&mut out, "actions", &d.actions);
    items(&mut out, "rules", &d.rules);
    items(&mut out, "facts", &d.facts);
    items(&mut out, "other", &d.other);
    items(&mut out, "references", &d.references);
    if d.actions.is_empty() && d.rules.is_empty() && d.facts.is_empty() && d.other.is_empty() {
        out.push_str("no item was added, removed or changed\n");
    }
    out.push('\n');
    if d.decisions.is_empty() {
        out.push_str("no decision changes for any patient\n");
    } else {
        out.push_str("decisions that change for some patient:\n");
        let name = |k: &str| {
            if k == "none" {
                "no recommendation".to_string()
            } else {
                k.to_string()
            }
        };
        for c in &d.decisions {
            let key: Vec<String> = c
                .facts
                .iter()
                .filter_map(|f| c.witness.get(f).map(|v| format!("{f} = {v}")))
                .collect();
            out.push_str(&format!(
                "  {}: {} → {}, for a patient with {}\n    witness: {}\n",
                c.action,
                name(&c.before),
                name(&c.after),
                key.join(", "),
                c.witness
            ));
        }
    }
    for (action, why) in &d.not_compared {
        out.push_str(&format!("  {action}: not compared: {why}\n"));
    }
    out.push_str(&format!(
        "\nthe change implies {} version bump; {} → {} is {}\n",
        article(d.implied),
        old.meta.version,
        new.meta.version,
        if d.downgrade {
            "a downgrade".to_string()
        } else {
            article(d.actual) + " bump"
        }
    ));
    out
}
