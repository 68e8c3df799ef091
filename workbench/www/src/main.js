// The workbench page: the editor, the case form and the clinician's report,
// and the lint, suite, document and diff tabs. The page only arranges; every
// answer comes from the library in the worker.

import alsText from '../../../guidelines/als-hyperleukocytosis.gl';
import alsBaseline from '../../../guidelines/als-hyperleukocytosis.cases/baseline.toml';
import alsCytoreduction from '../../../guidelines/als-hyperleukocytosis.cases/cytoreduction.toml';
import alsPalliative from '../../../guidelines/als-hyperleukocytosis.cases/palliative.toml';
import alsScope from '../../../guidelines/als-hyperleukocytosis.cases/scope.toml';
import alsSupportive from '../../../guidelines/als-hyperleukocytosis.cases/supportive.toml';
import alsTumorLysis from '../../../guidelines/als-hyperleukocytosis.cases/tumor-lysis.toml';
import tlsText from '../../../guidelines/tumour-lysis-prophylaxis.gl';
import tlsLaboratory from '../../../guidelines/tumour-lysis-prophylaxis.cases/laboratory.toml';
import tlsRisk from '../../../guidelines/tumour-lysis-prophylaxis.cases/risk.toml';
import { startWorker } from './bridge.js';
import { createEditor, showDiagnostics, replaceText, selectRange, applyFix } from './editor.js';
import { buildForm, readCase, fillCase } from './form.js';
import { el } from './dom.js';
import { identityLine, reportParts } from './report.js';

// The guidelines the page starts from, each with its case suites (TOML
// files of `[[case]]` tables, so they concatenate into one suite).
const bundled = {
  als: {
    file: 'als-hyperleukocytosis.gl',
    text: alsText,
    suite: [alsScope, alsBaseline, alsCytoreduction, alsSupportive, alsTumorLysis, alsPalliative].join('\n'),
  },
  tls: { file: 'tumour-lysis-prophylaxis.gl', text: tlsText, suite: [tlsRisk, tlsLaboratory].join('\n') },
};

const $ = (id) => document.getElementById(id);

// The page's local today, as the evaluation date: the library never reads a clock.
function today() {
  const d = new Date();
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

const worker = startWorker();
const call = worker.call;
let fileName = bundled.als.file;
// The version first opened, for the diff tab.
let openedText = bundled.als.text;
let view;
const state = { inFlight: false, again: false, updates: 0, lastMs: null, ok: false };

function caseJson() {
  return JSON.stringify(readCase($('case-form')));
}

// One check + evaluate round trip; a change during it schedules one more, so
// the answer shown is always for the latest text and case.
async function update() {
  if (state.inFlight) { state.again = true; return; }
  state.inFlight = true;
  try {
    const started = performance.now();
    const doc = view.state.doc;
    const out = await call('update', { text: doc.toString(), caseJson: caseJson(), asOf: $('as-of').value || today() });
    state.lastMs = performance.now() - started;
    // Typed into while it was checked: its answer is for an older text, and
    // the next round (already asked for) answers the latest.
    if (view.state.doc !== doc) return;
    showCheck(out.check, doc);
    if (out.form) buildForm($('case-form'), out.form, () => update());
    if (out.evaluation) showEvaluation(out.evaluation, out.check.guideline);
    state.updates++;
  } catch (error) {
    // No report of an earlier text or case may stay beside this refusal.
    $('report-status').textContent = `Error: ${error.message}`;
    $('report-identity').textContent = '';
    $('sections').replaceChildren();
    $('report-text').textContent = '';
  } finally {
    state.inFlight = false;
    if (state.again) { state.again = false; update(); }
  }
}

function showCheck(check, doc) {
  state.ok = check.ok;
  showDiagnostics(view, check.diagnostics, doc);
  const errors = check.diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = check.diagnostics.length - errors;
  const g = check.guideline;
  $('identity').textContent = g ? `${g.title} — version ${g.version} (${g.status})` : 'The guideline does not check';
  const status = $('check-status');
  status.textContent = errors
    ? `${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}: the report waits until the errors are corrected`
    : warnings ? `Checks, with ${warnings} warning${warnings === 1 ? '' : 's'}` : 'Checks: no problems';
  status.className = errors ? 'status bad' : 'status good';
  $('problems').replaceChildren(...check.diagnostics.map((d) => {
    const go = el('button', { type: 'button', className: 'link' }, `${d.severity}: ${d.message}`);
    go.addEventListener('click', () => selectRange(view, d.from, d.to));
    const item = el('li', { className: d.severity }, go, d.help ? el('div', { className: 'help' }, `help: ${d.help}`) : '');
    // Each quick fix (a did-you-mean, a missing precedence) as a button too,
    // for the keyboard and for those who never hover.
    const fixes = (d.fixes || []).map((fix) => {
      const b = el('button', { type: 'button', className: 'fix' }, `Fix: ${fix.title}`);
      b.addEventListener('click', () => applyFix(view, fix, doc));
      return b;
    });
    if (fixes.length) item.append(el('div', { className: 'actions' }, ...fixes));
    return item;
  }));
  if (!check.ok) {
    // A report of an earlier text must not pass for this one's.
    $('report-status').textContent = 'The report is shown again once the guideline checks.';
    $('report-identity').textContent = '';
    $('sections').replaceChildren();
    $('report-text').textContent = '';
  }
}

function showEvaluation(answer, guideline) {
  const box = $('sections');
  $('report-identity').textContent = guideline ? identityLine(guideline, answer.report?.as_of) : '';
  if (!answer.ok) {
    // Nothing is evaluated from a case that failed validation.
    $('report-status').textContent = 'The case is invalid: no report until it is corrected.';
    box.replaceChildren(el('ul', { className: 'errors' },
      ...answer.errors.map((e) => el('li', {}, `${e.message}${e.help ? ` — ${e.help}` : ''}`))));
    $('report-text').textContent = '';
    return;
  }
  $('report-status').textContent = answer.unsafe ? 'Warning: this report holds a conflict or an invariant violation.' : '';
  box.replaceChildren(...reportParts(answer));
  $('report-text').textContent = answer.text;
  const json = JSON.stringify(answer.case, null, 2);
  if (document.activeElement !== $('case-json')) $('case-json').value = json;
  $('case-download').href = URL.createObjectURL(new Blob([json + '\n'], { type: 'application/json' }));
}

// Fills the form with a patient (a lint or diff witness) and shows the report.
function loadPatient(facts) {
  fillCase($('case-form'), facts);
  if (facts.as_of) $('as-of').value = facts.as_of;
  document.querySelector('[aria-controls=panel-patient]').click();
  update();
}

// Starts over from a text: the editor, the version the diff compares with,
// the case (cleared: a patient of another guideline does not carry over).
async function startFrom(name, text, suite) {
  fileName = name;
  openedText = text;
  await call('rename', { name });
  fillCase($('case-form'), {});
  if (suite != null) $('suite-text').value = suite;
  $('suite-results').replaceChildren();
  $('diff-summary').textContent = '';
  $('diff-results').replaceChildren();
  $('lint-results').replaceChildren();
  replaceText(view, text);
}

function setupFiles() {
  $('open-file').addEventListener('change', async (event) => {
    const file = event.target.files[0];
    if (!file) return;
    await startFrom(file.name, await file.text(), null);
    $('start-from').value = '';
  });
  $('start-from').addEventListener('change', async () => {
    const choice = bundled[$('start-from').value];
    if (!choice) return;
    const edited = view.state.doc.toString() !== openedText;
    if (edited && !window.confirm('Replace the text in the editor? Edits not saved are lost.')) {
      $('start-from').value = '';
      return;
    }
    await startFrom(choice.file, choice.text, choice.suite);
  });
  $('save-file').addEventListener('click', () => {
    const link = el('a', { download: fileName, href: URL.createObjectURL(new Blob([view.state.doc.toString()], { type: 'text/plain' })) });
    link.click();
  });
  $('case-apply').addEventListener('click', () => {
    try {
      const facts = JSON.parse($('case-json').value);
      if (facts.as_of) $('as-of').value = facts.as_of;
      fillCase($('case-form'), facts);
      $('case-json-status').textContent = '';
      update();
    } catch (error) {
      $('case-json-status').textContent = `Not valid JSON: ${error.message}`;
    }
  });
  $('case-clear').addEventListener('click', () => { fillCase($('case-form'), {}); update(); });
  $('as-of').addEventListener('input', () => update());
}

function setupTabs() {
  const tabs = [...document.querySelectorAll('[role=tab]')];
  const select = (tab) => {
    for (const t of tabs) {
      const on = t === tab;
      t.setAttribute('aria-selected', String(on));
      t.tabIndex = on ? 0 : -1;
      $(t.getAttribute('aria-controls')).hidden = !on;
    }
  };
  tabs.forEach((tab, i) => {
    tab.addEventListener('click', () => select(tab));
    tab.addEventListener('keydown', (event) => {
      const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
      if (!step) return;
      const next = tabs[(i + step + tabs.length) % tabs.length];
      select(next);
      next.focus();
    });
  });
}

async function runLint() {
  const list = $('lint-results');
  list.replaceChildren(el('li', {}, 'Linting…'));
  try {
    const out = await call('lint');
    const items = out.findings.map((f) => {
      const li = el('li', { className: f.severity }, el('strong', {}, `${f.severity}: `), f.message);
      if (f.help) li.append(el('div', { className: 'help' }, `help: ${f.help}`));
      const actions = el('div', { className: 'actions' });
      f.places.forEach((p, n) => {
        const b = el('button', { type: 'button' }, n === 0 ? 'Show in the editor' : `Show: ${p.text}`);
        b.addEventListener('click', () => selectRange(view, p.from, p.to));
        actions.append(b);
      });
      if (f.witness) {
        const b = el('button', { type: 'button', className: 'witness' }, 'Load this patient');
        b.addEventListener('click', () => loadPatient(f.witness));
        actions.append(b);
      }
      li.append(actions);
      return li;
    });
    list.replaceChildren(...(items.length ? items : [el('li', {}, `No findings. Invariants proved: ${out.proved.length}.`)]));
  } catch (error) {
    list.replaceChildren(el('li', {}, error.message));
  }
}

async function runSuite() {
  const box = $('suite-results');
  try {
    const out = await call('suite', { toml: $('suite-text').value });
    box.replaceChildren(
      el('p', {}, `${out.passed} passed, ${out.failed} failed; coverage ${out.coverage.percent.toFixed(1)}%`),
      el('ul', {}, ...out.cases.map((c) => el('li', { className: c.passed ? 'pass' : 'fail' },
        `${c.passed ? 'ok' : 'FAIL'} — ${c.name}`,
        ...c.mismatches.map((m) => el('div', { className: 'help' }, `${m.subject}: expected ${m.expected}, got ${m.actual}`))))),
      out.coverage.missed.length ? el('p', {}, `Not exercised: ${out.coverage.missed.join('; ')}`) : '');
  } catch (error) {
    box.replaceChildren(el('p', {}, error.message));
  }
}

async function runRender() {
  try {
    $('render-frame').srcdoc = await call('render');
  } catch (error) {
    $('render-frame').srcdoc = `<p>${error.message.replace(/</g, '&lt;')}</p>`;
  }
}

// The diff tab: the account `guidelang diff` prints (the library writes it),
// with a "Load this patient" button under each witness line.
async function runDiff() {
  try {
    const out = await call('diff', { oldText: openedText });
    const changed = out.decisions.length;
    $('diff-summary').textContent = `${changed} decision${changed === 1 ? '' : 's'} changed (each with a witness patient below). ` +
      `The changes imply a ${out.implied_bump} version bump; the version ${out.version_ok ? 'is raised enough' : `is not raised enough (bump given: ${out.version_bump})`}.`;
    const lines = out.text.replace(/\n$/, '').split('\n');
    // The text names the witnesses in the order of `decisions`.
    let next = 0;
    const blocks = lines.map((line) => {
      const witness = /^\s+witness: /.test(line) ? out.decisions[next++] : null;
      const row = el('div', { className: witness ? 'diff-line witness-line' : 'diff-line' }, line || '\u00a0');
      if (witness) {
        const b = el('button', { type: 'button', className: 'witness' }, 'Load this patient');
        b.setAttribute('aria-label', `Load this patient: ${witness.action}, ${witness.before} to ${witness.after}`);
        b.addEventListener('click', () => loadPatient(witness.witness));
        row.append(' ', b);
      }
      return row;
    });
    const warning = out.warning ? [el('p', { className: 'status bad' }, out.warning)] : [];
    $('diff-results').replaceChildren(...warning, el('div', { className: 'diff-text' }, ...blocks));
  } catch (error) {
    $('diff-summary').textContent = error.message;
    $('diff-results').replaceChildren();
  }
}

async function main() {
  $('as-of').value = today();
  setupTabs();
  setupFiles();
  $('suite-text').value = bundled.als.suite;
  $('lint-run').addEventListener('click', runLint);
  $('suite-run').addEventListener('click', runSuite);
  $('suite-file').addEventListener('change', async (event) => {
    const file = event.target.files[0];
    if (file) { $('suite-text').value = await file.text(); runSuite(); }
  });
  $('render-run').addEventListener('click', runRender);
  $('diff-run').addEventListener('click', runDiff);
  view = createEditor($('editor'), bundled.als.text, { onChange: () => update(), call });
  await worker.ready;
  await update();
  // For the browser tests and the latency figure: one full round trip.
  window.workbench = {
    state,
    // The editor, for the tests to find a word's place on the screen.
    get view() { return view; },
    async roundTrip() {
      const started = performance.now();
      await call('update', { text: view.state.doc.toString(), caseJson: caseJson(), asOf: $('as-of').value });
      return performance.now() - started;
    },
  };
  document.body.dataset.ready = 'true';
}

main();
