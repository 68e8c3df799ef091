// The thin client, run outside VS Code: `vscode` and `vscode-languageclient`
// are replaced by stand-ins that record what the extension asks of them, so
// this checks what the extension does (start `<server.path> lsp` over stdio
// for guidelang documents, restart on a new path, tell the user when the
// server cannot start), not VS Code itself. Run by `npm test` (node:test).
"use strict";
const test = require("node:test");
const assert = require("node:assert");
const Module = require("node:module");
const path = require("node:path");

/** A fresh pair of stand-ins and the extension loaded against them. */
function load({ serverPath, failStart = false } = {}) {
  const state = {
    settings: { "server.path": serverPath },
    clients: [],
    errors: [],
    commands: {},
    configListeners: [],
  };
  class LanguageClient {
    constructor(id, name, serverOptions, clientOptions) {
      Object.assign(this, { id, name, serverOptions, clientOptions, running: false, stops: 0 });
      state.clients.push(this);
    }
    async start() {
      if (failStart) throw new Error("spawn guidelang ENOENT");
      this.running = true;
    }
    async stop() {
      this.running = false;
      this.stops += 1;
    }
  }
  const vscode = {
    workspace: {
      getConfiguration: (section) => {
        assert.strictEqual(section, "guidelang");
        return { get: (key) => state.settings[key] };
      },
      onDidChangeConfiguration: (f) => {
        state.configListeners.push(f);
        return { dispose() {} };
      },
    },
    window: {
      showErrorMessage: async (message) => {
        state.errors.push(message);
        return undefined;
      },
    },
    commands: {
      registerCommand: (name, f) => {
        state.commands[name] = f;
        return { dispose() {} };
      },
      executeCommand: async () => {},
    },
  };
  const stubs = {
    vscode,
    "vscode-languageclient/node": { LanguageClient, TransportKind: { stdio: 0 } },
  };
  const original = Module._load;
  Module._load = function (request, parent, isMain) {
    if (request in stubs) return stubs[request];
    return original.call(this, request, parent, isMain);
  };
  const file = path.join(__dirname, "..", "out", "extension.js");
  delete require.cache[file];
  try {
    return { extension: require(file), state };
  } finally {
    Module._load = original;
  }
}

function context() {
  return { subscriptions: [] };
}

test("starts `guidelang lsp` over stdio for guidelang documents", async () => {
  const { extension, state } = load();
  await extension.activate(context());
  assert.strictEqual(state.clients.length, 1);
  const c = state.clients[0];
  assert.deepStrictEqual(c.serverOptions, { command: "guidelang", args: ["lsp"], transport: 0 });
  assert.deepStrictEqual(
    c.clientOptions.documentSelector.map((s) => s.language),
    ["guidelang", "guidelang"],
  );
  assert.ok(c.running);
});

test("the configured server path is the command", async () => {
  const { extension, state } = load({ serverPath: " /opt/guidelang/bin/guidelang " });
  await extension.activate(context());
  assert.strictEqual(state.clients[0].serverOptions.command, "/opt/guidelang/bin/guidelang");
});

test("a new server path restarts the server with it", async () => {
  const { extension, state } = load();
  await extension.activate(context());
  state.settings["server.path"] = "/usr/local/bin/guidelang";
  const event = { affectsConfiguration: (key) => key === "guidelang.server.path" };
  for (const f of state.configListeners) f(event);
  await new Promise((r) => setImmediate(r));
  assert.strictEqual(state.clients.length, 2);
  assert.strictEqual(state.clients[0].stops, 1);
  assert.ok(!state.clients[0].running);
  assert.strictEqual(state.clients[1].serverOptions.command, "/usr/local/bin/guidelang");
  // Another setting changes nothing.
  for (const f of state.configListeners) f({ affectsConfiguration: () => false });
  await new Promise((r) => setImmediate(r));
  assert.strictEqual(state.clients.length, 2);
});

test("the restart command and deactivation stop the running server", async () => {
  const { extension, state } = load();
  await extension.activate(context());
  await state.commands["guidelang.restartServer"]();
  assert.strictEqual(state.clients.length, 2);
  await extension.deactivate();
  assert.ok(!state.clients[1].running);
});

test("a server that cannot start is reported, naming the setting", async () => {
  const { extension, state } = load({ failStart: true });
  await extension.activate(context());
  assert.strictEqual(state.errors.length, 1);
  assert.match(state.errors[0], /guidelang lsp/);
  assert.match(state.errors[0], /guidelang\.server\.path/);
  await extension.deactivate();
});
