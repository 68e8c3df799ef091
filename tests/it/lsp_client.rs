//! A test client for `guidelang lsp`: the server runs in-process on a thread,
//! over `lsp_server::Connection::memory()`, and the test speaks the protocol
//! to it as an editor would. Waits have a generous timeout so that a server
//! that stops answering fails the test instead of hanging it; no test
//! asserts on how long anything took.

use std::collections::VecDeque;
use std::thread::JoinHandle;
use std::time::Duration;

use guidelang::lsp::{serve, Config, Ended, ServeError};
use lsp_server::{Connection, Message, Notification, Request, RequestId, Response};
use serde_json::{json, Value};

/// Longest wait for one message: only a stuck server takes this long.
const PATIENCE: Duration = Duration::from_secs(60);

pub const BUNDLED: &str = include_str!("../../guidelines/als-hyperleukocytosis.gl");

/// A small guideline whose two rules clash on one action (for every white
/// count above 100: `r1` recommends hydroxyurea, `r2` avoids it).
pub const CLASH: &str = "guideline t
  title \"T\"
  version 1.0.0
  status draft

fact wbc: number in 10^9/L from 0 \"White count\"
action hydroxyurea \"Hydroxyurea\"

rule r1: recommend hydroxyurea when wbc > 100 cite 1
rule r2: avoid hydroxyurea when wbc > 50 cite 1
reference 1 \"x\"
";

pub fn uri(name: &str) -> String {
    format!("file:///work/{name}")
}

/// The LSP position (line, UTF-16 column) of byte `offset` of an ASCII-or-not text.
pub fn position(text: &str, offset: usize) -> Value {
    let before = &text[..offset];
    let line = before.matches('\n').count();
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    let col: usize = text[start..offset].chars().map(char::len_utf16).sum();
    json!({"line": line, "character": col})
}

/// The LSP range of the `n`th (0-based) occurrence of `word` in `text`.
pub fn range_of(text: &str, word: &str, n: usize) -> Value {
    let start = text
        .match_indices(word)
        .nth(n)
        .unwrap_or_else(|| panic!("`{word}` occurs fewer than {} times", n + 1))
        .0;
    json!({"start": position(text, start), "end": position(text, start + word.len())})
}

pub struct Client {
    conn: Connection,
    server: Option<JoinHandle<Result<Ended, ServeError>>>,
    next_id: i32,
    /// Notifications read while waiting for something else.
    pending: VecDeque<Notification>,
}

impl Client {
    /// Starts a server and completes the `initialize` handshake.
    pub fn start() -> Client {
        Client::start_with(Config::default())
    }

    /// Starts a server with `config` and completes the handshake.
    pub fn start_with(config: Config) -> Client {
        let mut c = Client::unstarted(config);
        let init = c.request("initialize", json!({"capabilities": {}}));
        assert!(init.response_result.is_ok(), "{init:?}");
        c.notify("initialized", json!({}));
        c
    }

    /// A server that has not read anything yet: messages sent now are all
    /// waiting when it starts (`initialize` must be the first of them).
    pub fn queued(config: Config, before: impl FnOnce(&mut Client)) -> Client {
        let (server, client) = Connection::memory();
        let mut c = Client {
            conn: client,
            server: None,
            next_id: 1,
            pending: VecDeque::new(),
        };
        before(&mut c);
        c.server = Some(std::thread::spawn(move || serve(&server, config)));
        c
    }

    fn unstarted(config: Config) -> Client {
        Client::queued(config, |_| {})
    }

    pub fn send_request(&mut self, method: &str, params: Value) -> RequestId {
        let id = RequestId::from(self.next_id);
        self.next_id += 1;
        let req = Request::new(id.clone(), method.to_string(), params);
        self.conn.sender.send(req.into()).unwrap();
        id
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        let n = Notification::new(method.to_string(), params);
        self.conn.sender.send(n.into()).unwrap();
    }

    fn recv(&mut self) -> Message {
        self.conn
            .receiver
            .recv_timeout(PATIENCE)
            .expect("the server answered nothing for a minute")
    }

    /// The response to request `id` (notifications on the way are kept).
    pub fn response(&mut self, id: &RequestId) -> Response {
        loop {
            match self.recv() {
                Message::Response(r) if &r.id == id => return r,
                Message::Response(r) => panic!("a response to another request: {r:?}"),
                Message::Notification(n) => self.pending.push_back(n),
                Message::Request(r) => panic!("the server asked something: {r:?}"),
            }
        }
    }

    pub fn request(&mut self, method: &str, params: Value) -> Response {
        let id = self.send_request(method, params);
        self.response(&id)
    }

    /// The result of a request that must succeed.
    pub fn ok(&mut self, method: &str, params: Value) -> Value {
        let r = self.request(method, params);
        match r.response_result {
            Ok(v) => v,
            Err(e) => panic!("`{method}` failed: {e:?}"),
        }
    }

    /// The next notification.
    pub fn notification(&mut self) -> Notification {
        if let Some(n) = self.pending.pop_front() {
            return n;
        }
        match self.recv() {
            Message::Notification(n) => n,
            other => panic!("expected a notification, got {other:?}"),
        }
    }

    /// The next publication of diagnostics.
    pub fn publication(&mut self) -> Value {
        loop {
            let n = self.notification();
            if n.method == "textDocument/publishDiagnostics" {
                return n.params;
            }
        }
    }

    /// Publications until one satisfies `done`, which is returned.
    pub fn publication_where(&mut self, mut done: impl FnMut(&Value) -> bool) -> Value {
        loop {
            let p = self.publication();
            if done(&p) {
                return p;
            }
        }
    }

    pub fn open(&mut self, name: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri(name), "languageId": "guidelang", "version": 1, "text": text}}),
        );
    }

    /// Replaces the whole text (a change without a range).
    pub fn replace(&mut self, name: &str, version: i32, text: &str) {
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri(name), "version": version}, "contentChanges": [{"text": text}]}),
        );
    }

    /// `shutdown` then `exit`; how the server says the session ended.
    pub fn shutdown(mut self) -> Ended {
        let r = self.request("shutdown", Value::Null);
        assert_eq!(r.response_result.as_ref().ok(), Some(&Value::Null), "{r:?}");
        self.exit()
    }

    /// `exit` alone; how the server says the session ended.
    pub fn exit(mut self) -> Ended {
        self.notify("exit", Value::Null);
        let server = self.server.take().unwrap();
        server.join().unwrap().unwrap()
    }
}

/// Codes of the diagnostics of a publication.
pub fn codes(publication: &Value) -> Vec<String> {
    publication["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap_or("").to_string())
        .collect()
}

/// The byte offset of an LSP position (line, UTF-16 column) in `text`.
pub fn offset(text: &str, at: &Value) -> usize {
    let (line, col) = (
        at["line"].as_u64().unwrap() as usize,
        at["character"].as_u64().unwrap() as usize,
    );
    let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
    let mut units = 0;
    for (i, c) in text[start..].char_indices() {
        if units >= col || c == '\n' {
            return start + i;
        }
        units += c.len_utf16();
    }
    text.len()
}

/// `text` with LSP text edits (non-overlapping) applied.
pub fn apply_edits(text: &str, edits: &Value) -> String {
    let mut spans: Vec<(usize, usize, &str)> = edits
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                offset(text, &e["range"]["start"]),
                offset(text, &e["range"]["end"]),
                e["newText"].as_str().unwrap(),
            )
        })
        .collect();
    spans.sort_by_key(|s| std::cmp::Reverse(s.0));
    let mut out = text.to_string();
    for (start, end, new) in spans {
        out.replace_range(start..end, new);
    }
    out
}

/// Symbols of a nested outline, depth first: (name, kind).
pub fn outline(symbols: &Value) -> Vec<(String, u64)> {
    let mut out = Vec::new();
    for s in symbols.as_array().unwrap() {
        out.push((s["name"].as_str().unwrap().to_string(), s["kind"].as_u64().unwrap()));
        if s["children"].is_array() {
            out.extend(outline(&s["children"]));
        }
    }
    out
}
