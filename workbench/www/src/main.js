// The workbench page: the editor, the case form and the clinician's report,
// and the lint, suite, document and diff tabs. The page only arranges; every
// answer comes from the library in the worker.

import bundledText from '../../../guidelines/als-hyperleukocytosis.gl';
import suiteBaseline from '../../../guidelines/als-hyperleukocytosis.cases/baseline.toml';
import suiteCytoreduction from '../../../guidelines/als-hyperleukocytosis.cases/cytoreduction.toml';
import suiteScope from '../../../guidelines/als-hyperleukocytosis.cases/scope.toml';
import { startWorker } from './bridge.js';
import { createEditor, showDiagnostics, replaceText, selectRange } from './editor.js';
import { buildForm, readCase, fillCase } from './form.js';

const $ = (id) => document.getElementById(id);
const el = (tag, props = {}, ...children) => {
  const node = Object.assign(document.createElement(tag), props);
  for (const c of children) node.append(c);
  return node;
};

// The page's local today, as the evaluation date: the library never reads a clock.
function today() {
  const d = new Date();
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

const worker = startWorker();
const call = worker.call;
let fileName = 'als-hyperleukocytosis.gl';
// The version first opened, for the diff tab.
let openedText = bundledText;
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
    const out = await call('update', { text: view.state.doc.toString(), caseJson: caseJson(), asOf: $('as-of').value || today() });
    state.lastMs = performance.now() - started;
    showCheck(out.check);
    if (out.form) buildForm($('case-form'), out.form, () => update());
    if (out.evaluation) showEvaluation(out.evaluation);
    state.updates++;
  } catch (error) {
    $('report-status').textContent = `Error: ${error.message}`;
  } finally {
    state.inFlight = false;
    if (state.again) { state.again = false; update(); }
  }
}

function showCheck(check) {
  state.ok = check.ok;
  showDiagnostics(view, check.diagnostics);
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
    return el('li', { className: d.severity }, go, d.help ? el('div', { className: 'help' }, `help: ${d.help}`) : '');
  }));
  if (!check.ok) {
    // A report of an earlier text must not pass for this one's.
    $('report-status').textContent = 'The report is shown again once the guideline checks.';
    $('sections').replaceChildren();
    $('report-text').textContent = '';
  }
}

const sectionTitles = [
  ['unsafe', 'Unsafe: the guideline must be corrected'],
  ['act_now', 'Act now (urgent)'],
  ['do_not', 'Do not'],
  ['also', 'Also'],
  ['to_decide', 'To decide'],
];

function showEvaluation(answer) {
  const box = $('sections');
  if (!answer.ok) {
    $('report-status').textContent = 'The case is invalid:';
    box.replaceChildren(el('ul', { className: 'errors' },
      ...answer.errors.map((e) => el('li', {}, `${e.message}${e.help ? ` — ${e.help}` : ''}`))));
    $('report-text').textContent = '';
    return;
  }
  $('report-status').textContent = answer.unsafe ? 'Warning: this report holds a conflict or an invariant violation.' : '';
  const parts = [];
  for (const [key, title] of sectionTitles) {
    const items = answer.sections[key];
    if (!items.length) continue;
    parts.push(el('section', { className: `triage ${key}` }, el('h3', {}, title),
      el('ul', {}, ...items.map((i) => el('li', {},
        i.verdict ? `${i.label} — ${key === 'unsafe' ? `${i.verdict} withheld (breaks an invariant)` : i.verdict}`
          : key === 'unsafe' ? `${i.label} — rules disagree and no precedence settles them` : i.label,
        i.needs ? el('span', { className: 'hint' }, ` (record: ${i.needs.join(', ')})`) : '')))));
  }
  if (!parts.length) {
    const scope = { false: 'The guideline does not apply to this patient.', null: 'Whether the guideline applies is not known yet: record the facts of its scope (see the full report).' };
    parts.push(el('p', {}, scope[String(answer.report.applicable)] || 'Nothing decided.'));
  }
  box.replaceChildren(...parts);
  $('report-text').textContent = answer.text;
  const json = JSON.stringify(answer.case, null, 2);
  if (document.activeElement !== $('case-json')) $('case-json').value = json;
  $('case-download').href = URL.createObjectURL(new Blob([json + '\n'], { type: 'application/json' }));
}

function setupFiles() {
  $('open-file').addEventListener('change', async (event) => {
    const file = event.target.files[0];
    if (!file) return;
    fileName = file.name;
    openedText = await file.text();
    await call('rename', { name: fileName });
    replaceText(view, openedText);
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
        b.addEventListener('click', () => {
          fillCase($('case-form'), f.witness);
          if (f.witness.as_of) $('as-of').value = f.witness.as_of;
          document.querySelector('[aria-controls=panel-patient]').click();
          update();
        });
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

async function runDiff() {
  try {
    const out = await call('diff', { oldText: openedText });
    const changed = out.decisions.length;
    $('diff-summary').textContent = `${changed} decision${changed === 1 ? '' : 's'} changed (each with a witness patient below). ` +
      `The changes imply a ${out.implied_bump} version bump; the version ${out.version_ok ? 'is raised enough' : `is not raised enough (bump given: ${out.version_bump})`}.`;
    $('diff-results').textContent = JSON.stringify(out, null, 2);
  } catch (error) {
    $('diff-summary').textContent = error.message;
    $('diff-results').textContent = '';
  }
}

async function main() {
  $('as-of').value = today();
  setupTabs();
  setupFiles();
  $('suite-text').value = [suiteScope, suiteBaseline, suiteCytoreduction].join('\n');
  $('lint-run').addEventListener('click', runLint);
  $('suite-run').addEventListener('click', runSuite);
  $('suite-file').addEventListener('change', async (event) => {
    const file = event.target.files[0];
    if (file) { $('suite-text').value = await file.text(); runSuite(); }
  });
  $('render-run').addEventListener('click', runRender);
  $('diff-run').addEventListener('click', runDiff);
  view = createEditor($('editor'), bundledText, { onChange: () => update(), call });
  await worker.ready;
  await update();
  // For the browser tests and the latency figure: one full round trip.
  window.workbench = {
    state,
    async roundTrip() {
      const started = performance.now();
      await call('update', { text: view.state.doc.toString(), caseJson: caseJson(), asOf: $('as-of').value });
      return performance.now() - started;
    },
  };
  document.body.dataset.ready = 'true';
}

main();
