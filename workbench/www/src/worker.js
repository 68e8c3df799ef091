// The Web Worker that holds the guideline: every call into the WebAssembly
// library happens here, so checking and evaluating never block typing.
//
// The wasm bytes are inlined in this bundle (esbuild's binary loader) and
// compiled synchronously: from a file:// page the browser refuses fetch(),
// so nothing may be loaded by URL.
//
// Protocol: the page posts {id, op, args}; the worker answers
// {id, ok: true, result} or {id, ok: false, error}. Answers are parsed JSON.

import { initSync, Session } from '../../pkg/guidelang_workbench.js';
import wasmBytes from '../../pkg/guidelang_workbench_bg.wasm';

initSync({ module: wasmBytes });

let session = new Session('guideline.gl');
// The facts of the last form sent, as JSON text: the form is sent again only
// when the declarations change, so typing in a rule does not rebuild it.
let lastForm = null;

const ops = {
  // One keystroke: check the text and, when it checks, evaluate the case
  // (and send the case form when the declarations changed).
  update({ text, caseJson, asOf }) {
    const check = JSON.parse(session.set_text(text));
    const out = { check, evaluation: null, form: null };
    if (!check.ok) return out;
    const form = session.case_form();
    if (form !== lastForm) {
      lastForm = form;
      out.form = JSON.parse(form);
    }
    out.evaluation = JSON.parse(session.evaluate(caseJson, asOf));
    return out;
  },
  evaluate({ caseJson, asOf }) {
    return JSON.parse(session.evaluate(caseJson, asOf));
  },
  rename({ name }) {
    session.free();
    session = new Session(name);
    lastForm = null;
    return null;
  },
  lint: () => JSON.parse(session.lint()),
  hover: ({ offset }) => JSON.parse(session.hover(offset)),
  complete: ({ offset }) => JSON.parse(session.complete(offset)),
  fixes: ({ offset }) => JSON.parse(session.fixes(offset)),
  render: () => session.render_html(),
  suite: ({ toml }) => JSON.parse(session.run_suite(toml)),
  diff: ({ oldText }) => JSON.parse(session.diff(oldText)),
};

self.onmessage = (event) => {
  const { id, op, args } = event.data;
  try {
    const fn = ops[op];
    if (!fn) throw new Error(`unknown operation ${op}`);
    self.postMessage({ id, ok: true, result: fn(args || {}) });
  } catch (error) {
    // The library refuses with a string; anything else is a bug worth its message.
    self.postMessage({ id, ok: false, error: typeof error === 'string' ? error : String(error && error.message || error) });
  }
};

self.postMessage({ ready: true });
