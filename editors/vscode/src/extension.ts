// The guidelang extension: a thin client. Everything a guideline editor sees
// (diagnostics, hover, navigation, completion, formatting, quick fixes) comes
// from `guidelang lsp`, the same services the command line and the browser
// workbench use; this file only starts the server and restarts it when asked.

import * as vscode from "vscode";
import {
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  TransportKind,
} from "vscode-languageclient/node";

let client: LanguageClient | undefined;

/** The executable the settings name, `guidelang` on the PATH by default. */
function serverPath(): string {
  const configured = vscode.workspace.getConfiguration("guidelang").get<string>("server.path");
  return configured && configured.trim() !== "" ? configured.trim() : "guidelang";
}

async function start(): Promise<void> {
  const command = serverPath();
  const serverOptions: ServerOptions = {
    command,
    args: ["lsp"],
    transport: TransportKind.stdio,
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: "file", language: "guidelang" },
      { scheme: "untitled", language: "guidelang" },
    ],
    outputChannelName: "guidelang",
  };
  client = new LanguageClient("guidelang", "guidelang", serverOptions, clientOptions);
  try {
    await client.start();
  } catch (e) {
    client = undefined;
    const open = "Open settings";
    const choice = await vscode.window.showErrorMessage(
      `guidelang: could not start \`${command} lsp\` (${e}). Install guidelang, or set guidelang.server.path.`,
      open,
    );
    if (choice === open) {
      await vscode.commands.executeCommand("workbench.action.openSettings", "guidelang.server.path");
    }
  }
}

async function stop(): Promise<void> {
  const running = client;
  client = undefined;
  if (running) {
    await running.stop();
  }
}

async function restart(): Promise<void> {
  await stop();
  await start();
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  context.subscriptions.push(
    vscode.commands.registerCommand("guidelang.restartServer", restart),
    // A new server path takes effect at once, without reloading the window.
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration("guidelang.server.path")) {
        void restart();
      }
    }),
  );
  await start();
}

export function deactivate(): Promise<void> {
  return stop();
}
