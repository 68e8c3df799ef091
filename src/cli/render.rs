//! `guidelang render FILE [--format markdown|html] [-o OUT]`: the guideline as
//! a readable document for clinical review.

use std::path::PathBuf;

use clap::ValueEnum;

use super::common::{load_guideline, write_stdout, Exit};
use super::output::write_file;
use guidelang::report::{document, render_html, render_markdown};

/// Document formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, Default)]
pub enum DocFormat {
    /// Markdown (CommonMark with tables).
    #[default]
    Markdown,
    /// One self-contained HTML page.
    Html,
}

/// Arguments of `render`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Guideline file; the bundled ALS guideline when omitted.
    file: Option<PathBuf>,
    /// Document format.
    #[arg(long, value_enum, default_value_t)]
    format: DocFormat,
    /// Write the document here instead of stdout.
    #[arg(short, long, value_name = "OUT")]
    output: Option<PathBuf>,
}

pub fn run(args: Args) -> Exit {
    let g = match load_guideline(args.file.as_deref(), false) {
        Ok(g) => g,
        Err(e) => return e,
    };
    let doc = document(&g);
    let text = match args.format {
        DocFormat::Markdown => render_markdown(&doc),
        DocFormat::Html => render_html(&doc),
    };
    match &args.output {
        None => match write_stdout(&text) {
            Ok(()) => Exit::Ok,
            Err(e) => e,
        },
        Some(path) => match write_file(path, text.as_bytes()) {
            Ok(()) => {
                tell!("wrote {}", path.display());
                Exit::Ok
            }
            Err(e) => e,
        },
    }
}
