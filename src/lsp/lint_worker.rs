//! Lint off the main loop: a worker thread lints each document's latest
//! text once typing has paused, on a bounded budget, and sends the findings
//! back tagged with the generation they are for. The main loop drops a
//! result whose document has changed since (it is stale), so a slow lint
//! never shows findings for text that is gone, and never holds up a
//! keystroke's diagnostics.

use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use crossbeam_channel::{Receiver, RecvTimeoutError, Sender};
use lsp_types as lsp;

use crate::analysis::{Budget, LintOptions};
use crate::ide::diagnostics::{lint_diagnostics, EditorDiagnostic};
use crate::ide::Analysis;

/// A text to lint.
pub struct Job {
    /// The document.
    pub uri: lsp::Uri,
    /// Its generation when the job was made.
    pub generation: u64,
    /// Its analysis then.
    pub analysis: Arc<Analysis>,
}

/// Lint's findings on one generation of a document.
pub struct Done {
    /// The document.
    pub uri: lsp::Uri,
    /// The generation linted.
    pub generation: u64,
    /// The findings (one internal error if lint panicked).
    pub findings: Vec<EditorDiagnostic>,
}

/// Starts the worker: it waits for `pause` without a new job before it
/// lints, each document at its latest job only, on `units` of solver budget.
/// It ends when the job sender is dropped.
pub fn start(pause: Duration, units: u64) -> (Sender<Job>, Receiver<Done>) {
    let (jobs, incoming) = crossbeam_channel::unbounded::<Job>();
    let (outgoing, done) = crossbeam_channel::unbounded::<Done>();
    let spawned = thread::Builder::new()
        .name("guidelang-lint".to_string())
        .spawn(move || work(&incoming, &outgoing, pause, units));
    if spawned.is_err() {
        // No thread: the server goes on without lint rather than failing.
        let (jobs, _) = crossbeam_channel::unbounded();
        return (jobs, crossbeam_channel::never());
    }
    (jobs, done)
}

fn work(incoming: &Receiver<Job>, outgoing: &Sender<Done>, pause: Duration, units: u64) {
    // By address as text: `Uri` caches parts of itself in cells.
    let mut pending: HashMap<String, Job> = HashMap::new();
    loop {
        let next = if pending.is_empty() {
            incoming.recv().map_err(|_| RecvTimeoutError::Disconnected)
        } else {
            incoming.recv_timeout(pause)
        };
        match next {
            Ok(job) => {
                pending.insert(job.uri.as_str().to_string(), job);
            }
            Err(RecvTimeoutError::Timeout) => {
                for (_, job) in pending.drain() {
                    let findings = lint(&job.analysis, units);
                    let done = Done {
                        uri: job.uri,
                        generation: job.generation,
                        findings,
                    };
                    if outgoing.send(done).is_err() {
                        return;
                    }
                }
            }
            Err(RecvTimeoutError::Disconnected) => return,
        }
    }
}

fn lint(analysis: &Analysis, units: u64) -> Vec<EditorDiagnostic> {
    let options = LintOptions {
        budget: Budget::new(units),
        ..LintOptions::default()
    };
    catch_unwind(AssertUnwindSafe(|| lint_diagnostics(analysis, options))).unwrap_or_else(|_| {
        vec![EditorDiagnostic {
            span: crate::diagnostics::Span::default(),
            severity: crate::diagnostics::Severity::Warning,
            code: "guidelang::lsp::internal".to_string(),
            message: "lint failed on this text; this is a bug, please report it with the text".to_string(),
            help: Some("`guidelang lint FILE` on the saved file shows the same failure".to_string()),
            related: Vec::new(),
            fixes: Vec::new(),
        }]
    })
}
