//! `guidelang lsp`: the language server, over stdio, on rust-analyzer's
//! `lsp-server` transport. A synchronous main loop keeps the open documents,
//! rebuilds a document's [`Analysis`](crate::ide::Analysis) on every change
//! and publishes its parse and check diagnostics at once; lint's findings
//! follow from a worker thread after a pause in typing ([`Config::lint_pause`]).
//! Every request is answered from the editor services of [`crate::ide`],
//! its byte spans turned into the protocol's UTF-16 ranges.
//!
//! Robust as a server must be: each message is handled under `catch_unwind`,
//! so one bad request is answered with an error instead of ending the
//! server; a request cancelled before it is handled is answered as
//! cancelled; a request about a document that is not open gets an error.
//! Nothing but protocol goes to stdout (the transport owns it); notes for a
//! person go to stderr.

mod convert;
mod documents;
mod handlers;
mod lint_worker;

use std::collections::VecDeque;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::Duration;

use crossbeam_channel::{select, Receiver, Sender};
use lsp_server::{Connection, ErrorCode, Message, Notification, ProtocolError, Request, RequestId, Response};
use lsp_types as lsp;
use lsp_types::notification::Notification as _;

use crate::ide::diagnostics::EDITOR_LINT_UNITS;
use documents::{Document, Documents};

/// How the server behaves.
#[derive(Clone, Debug)]
pub struct Config {
    /// The pause in typing after which lint runs.
    pub lint_pause: Duration,
    /// Lint's solver budget, in the units of [`crate::analysis::Budget`].
    pub lint_units: u64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            lint_pause: Duration::from_millis(300),
            lint_units: EDITOR_LINT_UNITS,
        }
    }
}

/// How a session ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ended {
    /// `shutdown` then `exit`, as the protocol asks.
    Clean,
    /// `exit` without `shutdown`, or the client went away.
    Abrupt,
}

/// Why a session could not go on: the transport failed or the client
/// broke the protocol's handshake.
#[derive(Debug)]
pub struct ServeError(String);

impl std::fmt::Display for ServeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ServeError {}

impl From<ProtocolError> for ServeError {
    fn from(e: ProtocolError) -> Self {
        ServeError(e.to_string())
    }
}

/// Writes a note for a person to stderr (never stdout: that is the protocol's).
macro_rules! note {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), "guidelang lsp: {}", format!($($arg)*));
    }};
}

/// Serves the protocol on stdin and stdout until `exit`.
pub fn run_stdio(config: Config) -> Result<Ended, ServeError> {
    let (connection, io_threads) = Connection::stdio();
    let ended = serve(&connection, config)?;
    drop(connection);
    io_threads
        .join()
        .map_err(|e| ServeError(format!("the transport failed: {e}")))?;
    Ok(ended)
}

/// The capabilities announced: every editor service of [`crate::ide`].
pub fn capabilities() -> lsp::ServerCapabilities {
    lsp::ServerCapabilities {
        position_encoding: Some(lsp::PositionEncodingKind::UTF16),
        text_document_sync: Some(lsp::TextDocumentSyncCapability::Options(lsp::TextDocumentSyncOptions {
            open_close: Some(true),
            change: Some(lsp::TextDocumentSyncKind::INCREMENTAL),
            ..lsp::TextDocumentSyncOptions::default()
        })),
        hover_provider: Some(lsp::HoverProviderCapability::Simple(true)),
        definition_provider: Some(lsp::OneOf::Left(true)),
        references_provider: Some(lsp::OneOf::Left(true)),
        rename_provider: Some(lsp::OneOf::Right(lsp::RenameOptions {
            prepare_provider: Some(true),
            work_done_progress_options: lsp::WorkDoneProgressOptions::default(),
        })),
        document_symbol_provider: Some(lsp::OneOf::Left(true)),
        completion_provider: Some(lsp::CompletionOptions::default()),
        document_formatting_provider: Some(lsp::OneOf::Left(true)),
        code_action_provider: Some(lsp::CodeActionProviderCapability::Options(lsp::CodeActionOptions {
            code_action_kinds: Some(vec![lsp::CodeActionKind::QUICKFIX]),
            ..lsp::CodeActionOptions::default()
        })),
        ..lsp::ServerCapabilities::default()
    }
}

/// Serves one session on `connection`: the `initialize` handshake, then
/// messages until `exit` (or until the client goes away).
pub fn serve(connection: &Connection, config: Config) -> Result<Ended, ServeError> {
    let (id, _params) = connection.initialize_start()?;
    let result = serde_json::json!({
        "capabilities": capabilities(),
        "serverInfo": {"name": "guidelang", "version": env!("CARGO_PKG_VERSION")},
    });
    send(&connection.sender, Response::new_ok(id, result).into())?;
    let (jobs, done) = lint_worker::start(config.lint_pause, config.lint_units);
    let mut server = Server {
        out: connection.sender.clone(),
        documents: Documents::default(),
        jobs,
        shut_down: false,
    };
    server.run(&connection.receiver, done)
}

fn send(out: &Sender<Message>, message: Message) -> Result<(), ServeError> {
    out.send(message)
        .map_err(|_| ServeError("the client went away".to_string()))
}

struct Server {
    out: Sender<Message>,
    documents: Documents,
    jobs: Sender<lint_worker::Job>,
    shut_down: bool,
}

impl Server {
    fn run(
        &mut self,
        incoming: &Receiver<Message>,
        mut done: Receiver<lint_worker::Done>,
    ) -> Result<Ended, ServeError> {
        // Messages read but not yet handled: reading every message that has
        // arrived before handling the first lets a cancellation reach a
        // request still waiting.
        let mut inbox: VecDeque<Message> = VecDeque::new();
        loop {
            if inbox.is_empty() {
                select! {
                    recv(incoming) -> m => match m {
                        Ok(m) => self.take(&mut inbox, m)?,
                        Err(_) => return Ok(Ended::Abrupt),
                    },
                    recv(done) -> d => match d {
                        Ok(d) => self.lint_done(d)?,
                        // The worker is gone: carry on without lint.
                        Err(_) => done = crossbeam_channel::never(),
                    },
                }
            }
            while let Ok(m) = incoming.try_recv() {
                self.take(&mut inbox, m)?;
            }
            let Some(message) = inbox.pop_front() else { continue };
            match message {
                Message::Request(req) => self.request(req)?,
                Message::Notification(n) if n.method == lsp::notification::Exit::METHOD => {
                    return Ok(if self.shut_down { Ended::Clean } else { Ended::Abrupt });
                }
                Message::Notification(n) => self.notification(n)?,
                // The server sends no requests, so expects no responses.
                Message::Response(r) => note!("ignored a response to a request never sent ({})", r.id),
            }
        }
    }

    /// Files an incoming message; a cancellation answers its request at
    /// once if that request is still waiting (and is otherwise too late).
    fn take(&mut self, inbox: &mut VecDeque<Message>, m: Message) -> Result<(), ServeError> {
        if let Message::Notification(n) = &m {
            if n.method == lsp::notification::Cancel::METHOD {
                if let Ok(p) = serde_json::from_value::<lsp::CancelParams>(n.params.clone()) {
                    let id: RequestId = match p.id {
                        lsp::NumberOrString::Number(n) => n.into(),
                        lsp::NumberOrString::String(s) => s.into(),
                    };
                    let waiting = inbox
                        .iter()
                        .position(|m| matches!(m, Message::Request(r) if r.id == id));
                    if let Some(i) = waiting {
                        inbox.remove(i);
                        let r = Response::new_err(id, ErrorCode::RequestCanceled as i32, "cancelled".to_string());
                        send(&self.out, r.into())?;
                    }
                }
                return Ok(());
            }
        }
        inbox.push_back(m);
        Ok(())
    }

    fn request(&mut self, req: Request) -> Result<(), ServeError> {
        let id = req.id.clone();
        let response = if self.shut_down {
            Response::new_err(
                id,
                ErrorCode::InvalidRequest as i32,
                "the server is shutting down".to_string(),
            )
        } else if req.method == "shutdown" {
            self.shut_down = true;
            Response::new_ok(id, ())
        } else {
            let method = req.method.clone();
            let documents = &self.documents;
            match catch_unwind(AssertUnwindSafe(|| handlers::handle(documents, req))) {
                Ok(Ok(value)) => Response {
                    id,
                    response_result: Ok(value),
                },
                Ok(Err(e)) => Response {
                    id,
                    response_result: Err(e),
                },
                Err(_) => {
                    note!("a `{method}` request failed; answered with an error");
                    Response::new_err(
                        id,
                        ErrorCode::InternalError as i32,
                        format!("guidelang failed on this `{method}` request; this is a bug, please report it"),
                    )
                }
            }
        };
        send(&self.out, response.into())
    }

    fn notification(&mut self, n: Notification) -> Result<(), ServeError> {
        use lsp::notification::{DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument};
        let method = n.method.clone();
        let publish = catch_unwind(AssertUnwindSafe(|| -> Option<lsp::Uri> {
            match n.method.as_str() {
                DidOpenTextDocument::METHOD => {
                    let p: lsp::DidOpenTextDocumentParams = serde_json::from_value(n.params).ok()?;
                    let d = p.text_document;
                    let doc = self.documents.open(Document::open(d.uri, d.version, d.text));
                    Some(doc.uri.clone())
                }
                DidChangeTextDocument::METHOD => {
                    let p: lsp::DidChangeTextDocumentParams = serde_json::from_value(n.params).ok()?;
                    let uri = p.text_document.uri;
                    let Some(doc) = self.documents.get_mut(&uri) else {
                        note!("a change to a document that is not open was ignored: {}", uri.as_str());
                        return None;
                    };
                    if p.text_document.version <= doc.version {
                        note!("a change older than the text held was ignored: {}", uri.as_str());
                        return None;
                    }
                    doc.change(p.text_document.version, p.content_changes);
                    Some(uri)
                }
                DidCloseTextDocument::METHOD => {
                    let p: lsp::DidCloseTextDocumentParams = serde_json::from_value(n.params).ok()?;
                    if self.documents.close(&p.text_document.uri) {
                        // Closed: its diagnostics go with it.
                        let params = lsp::PublishDiagnosticsParams::new(p.text_document.uri, Vec::new(), None);
                        let _ = send(
                            &self.out,
                            Notification::new(lsp::notification::PublishDiagnostics::METHOD.to_string(), params).into(),
                        );
                    }
                    None
                }
                // `initialized`, `$/setTrace`, saves, configuration: nothing to do.
                _ => None,
            }
        }));
        match publish {
            Ok(Some(uri)) => self.publish(&uri, true),
            Ok(None) => Ok(()),
            Err(_) => {
                note!("a `{method}` notification failed; ignored");
                Ok(())
            }
        }
    }

    /// Publishes a document's diagnostics and, when `relint`, asks for its lint.
    fn publish(&mut self, uri: &lsp::Uri, relint: bool) -> Result<(), ServeError> {
        let Some(doc) = self.documents.get(uri) else {
            return Ok(());
        };
        let params = lsp::PublishDiagnosticsParams::new(doc.uri.clone(), doc.published(), Some(doc.version));
        send(
            &self.out,
            Notification::new(lsp::notification::PublishDiagnostics::METHOD.to_string(), params).into(),
        )?;
        if relint {
            if let Some(analysis) = &doc.analysis {
                // A worker that is gone means no lint, not a failed server.
                let _ = self.jobs.send(lint_worker::Job {
                    uri: doc.uri.clone(),
                    generation: doc.generation,
                    analysis: analysis.clone(),
                });
            }
        }
        Ok(())
    }

    /// Lint's findings are in: published if they are for the current text.
    fn lint_done(&mut self, done: lint_worker::Done) -> Result<(), ServeError> {
        let Some(doc) = self.documents.get_mut(&done.uri) else {
            return Ok(());
        };
        if doc.generation != done.generation {
            return Ok(());
        }
        doc.lint = done.findings;
        self.publish(&done.uri, false)
    }
}
