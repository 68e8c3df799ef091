// The workbench in a real browser: Debian's chromium, headless, driven by
// puppeteer-core, loading dist/index.html from a file:// URL (the hardest
// place to run it: no fetch, no module scripts, no worker by URL).
//
// Run after build.sh: `node --test test/`. Screenshots go to
// test/artifacts/ to be looked at; the latency figure to
// test/artifacts/latency.json. Without a browser the tests skip, except
// under CI=true, where a missing browser is a failure.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';
import puppeteer from 'puppeteer-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const page_url = pathToFileURL(path.join(here, '..', 'dist', 'index.html')).href;
const artifacts = path.join(here, 'artifacts');
const chromium = process.env.CHROMIUM || '/usr/bin/chromium';
const haveBrowser = existsSync(chromium);
if (!haveBrowser && process.env.CI === 'true') {
  throw new Error(`no browser at ${chromium}: under CI the browser tests must run`);
}
const skip = haveBrowser ? false : `no browser at ${chromium}`;
// The bundled guideline's version, from its text: the report header must name it.
const alsVersion = readFileSync(path.join(here, '..', '..', 'guidelines', 'als-hyperleukocytosis.gl'), 'utf8')
  .match(/^\s*version\s+(\S+)/m)[1];

let browser;
before(async () => {
  if (!haveBrowser) return;
  mkdirSync(artifacts, { recursive: true });
  browser = await puppeteer.launch({
    executablePath: chromium,
    headless: true,
    // The CI container runs as root, where chromium's sandbox cannot start.
    args: ['--no-sandbox', '--disable-gpu'],
    defaultViewport: { width: 1500, height: 1000 },
  });
});
after(async () => { if (browser) await browser.close(); });

async function open() {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(page_url);
  await page.waitForSelector('body[data-ready=true]', { timeout: 30000 });
  return { page, errors };
}

const text = (page, selector) => page.$eval(selector, (e) => e.textContent);
const shot = (page, name) => page.screenshot({ path: path.join(artifacts, `${name}.png`), fullPage: false });

async function fillAlsPatient(page) {
  await page.click('#fact-als-yes');
  await page.click('#fact-acute_leukemia-yes');
  await page.type('#fact-wbc', '150');
  await page.type('#fact-weight', '70');
}

test('the page loads with the bundled guideline and no diagnostics', { skip }, async () => {
  const { page, errors } = await open();
  assert.match(await text(page, '#identity'), /Hyperleukocytosis and acute leukemia with pre-existing ALS/);
  assert.equal(await text(page, '#check-status'), 'Checks: no problems');
  assert.equal(await page.$$eval('#problems li', (l) => l.length), 0);
  assert.equal(await page.$$eval('.cm-lintRange-error, .cm-lintRange-warning', (l) => l.length), 0);
  // The form has a field for every fact of the guideline, weight with its unit.
  assert.match(await page.$eval('label[for=fact-weight]', (e) => e.textContent), /Body weight \(kg\)/);
  await shot(page, '01-loaded');
  assert.deepEqual(errors, []);
  await page.close();
});

test('a misspelt fact shows its diagnostic with a suggestion', { skip }, async () => {
  const { page } = await open();
  await page.click('.cm-content');
  await page.keyboard.down('Control');
  await page.keyboard.press('End');
  await page.keyboard.up('Control');
  await page.keyboard.press('Enter');
  await page.keyboard.type('define typo_check: wbcc > 1');
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => document.querySelector('#problems')?.textContent.includes('did you mean'), { timeout: 15000 });
  const problems = await text(page, '#problems');
  assert.match(problems, /wbcc/);
  assert.match(problems, /did you mean `wbc`/);
  assert.match(await text(page, '#check-status'), /^1 error/);
  // No report of the earlier text stays beside a text that does not check.
  assert.equal(await page.$$eval('#sections > *', (l) => l.length), 0);
  // The word is underlined in the editor.
  const underlined = await page.$$eval('.cm-lintRange-error', (l) => l.map((e) => e.textContent).join(''));
  assert.equal(underlined, 'wbcc');
  await shot(page, '02-misspelt-fact');
  await page.close();
});

test('the case form gives the report: act now, hydroxyurea, with its dose, rule and sources', { skip }, async () => {
  const { page, errors } = await open();
  await fillAlsPatient(page);
  await page.waitForFunction(() => document.querySelector('.triage.act_now')?.textContent.includes('3500'), { timeout: 15000 });
  // `dose 50 to 60 mg/kg/day by weight` times 70 kg, beside the decision,
  // with its rule and the titles of what it cites (`cite 1, 3`).
  const hydroxyurea = await page.$$eval('.triage.act_now li.decision', (l) =>
    l.map((e) => e.textContent).find((t) => t.startsWith('Hydroxyurea')));
  assert.match(hydroxyurea, /^Hydroxyurea — recommended, 3500–4200 mg\/day \(50–60 mg\/kg\/day × 70 kg\)/);
  assert.match(hydroxyurea, /Rules?: .*hydroxyurea-for-cytoreduction/);
  assert.match(hydroxyurea, /\[3\] Leukocytoreduction for acute leukemia, Therapeutic Apheresis \(2002\)/);
  // ALS contraindicates intensive induction, whatever the count, as loudly as the text report.
  assert.match(await text(page, '.triage.do_not'), /Intensive induction chemotherapy \(7\+3\) — CONTRAINDICATED/);
  // What is not decided names the facts to record; nothing there reads as a verdict.
  const toDecide = await page.$$eval('.triage.to_decide li', (l) => l.map((e) => e.textContent));
  assert.ok(toDecide.length > 0);
  for (const line of toDecide) assert.match(line, / — (record |could be |may need no action)/, line);
  // The header names the guideline's id, version and content hash, and the date.
  const asOf = await page.$eval('#as-of', (e) => e.value);
  assert.match(await text(page, '#report-identity'),
    new RegExp(`^Guideline als-hyperleukocytosis, version ${alsVersion.replace(/\./g, '\\.')} \\([a-z-]+\\); content hash sha256:[0-9a-f]{64}; evaluated as of ${asOf}$`));
  assert.match(await page.$eval('#report-text', (e) => e.textContent), /ACT NOW \(urgent\)[\s\S]*Hydroxyurea — recommended, 3500–4200 mg\/day/);
  await shot(page, '03-report');
  assert.deepEqual(errors, []);
  await page.close();
});

test('the case JSON round-trips through the form', { skip }, async () => {
  const { page } = await open();
  await fillAlsPatient(page);
  // The JSON follows the form once the last keystroke is evaluated.
  await page.waitForFunction(() => {
    const shown = JSON.parse(document.querySelector('#case-json').value || '{}');
    return shown.wbc === 150 && shown.weight === 70;
  }, { timeout: 15000 });
  const written = JSON.parse(await page.$eval('#case-json', (e) => e.value));
  const asOf = await page.$eval('#as-of', (e) => e.value);
  assert.deepEqual(written, { als: true, acute_leukemia: true, wbc: 150, weight: 70, as_of: asOf });
  // Clear the form: every fact unknown, out of scope undecided, no act-now.
  await page.click('#case-clear');
  await page.waitForFunction(() => !document.querySelector('.triage.act_now'), { timeout: 15000 });
  assert.equal(await page.$eval('#fact-wbc', (e) => e.value), '');
  // As `eval` says it: the scope's facts to record, and no action listed, not even as to decide.
  assert.match(await text(page, '#sections .scope'), /^scope undecided: record whether the patient has pre-existing amyotrophic lateral sclerosis/i);
  assert.equal(await page.$$eval('#sections .triage', (l) => l.length), 0);
  // Paste it back: the form and the report come back.
  await page.$eval('#case-json', (e, v) => { e.value = v; }, JSON.stringify(written));
  await page.click('#case-apply');
  await page.waitForFunction(() => document.querySelector('.triage.act_now')?.textContent.includes('Hydroxyurea'), { timeout: 15000 });
  assert.equal(await page.$eval('#fact-wbc', (e) => e.value), '150');
  assert.equal(await page.$eval('#fact-als-yes', (e) => e.checked), true);
  await page.close();
});

test('lint finds a clash in an opened file and loads its witness', { skip }, async () => {
  const { page } = await open();
  const file = path.join(artifacts, 'clash.gl');
  writeFileSync(file, 'guideline clash\n  title "Clash"\n  version 1.0.0\n  status draft\n\n' +
    'fact high: bool "High"\naction a "A"\n' +
    'rule yes: recommend a\n  when high\n  because "one source"\n' +
    'rule no: avoid a\n  when high\n  because "another source"\n');
  const input = await page.$('#open-file');
  await input.uploadFile(file);
  await page.waitForFunction(() => document.querySelector('#identity').textContent.startsWith('Clash'), { timeout: 15000 });
  await page.click('#tab-lint');
  // One panel at a time: the patient's is hidden behind its tab.
  assert.equal(await page.$eval('#panel-patient', (e) => e.checkVisibility()), false);
  await page.click('#lint-run');
  await page.waitForSelector('#lint-results button.witness', { timeout: 30000 });
  assert.match(await text(page, '#lint-results'), /clash|disagree|conflict/i);
  await shot(page, '04-lint');
  await page.click('#lint-results button.witness');
  // The witness is the patient on whom both rules fire: high is true.
  await page.waitForFunction(() => document.querySelector('#fact-high-yes')?.checked, { timeout: 15000 });
  await page.waitForFunction(() => document.querySelector('.triage.unsafe'), { timeout: 15000 });
  assert.match(await text(page, '.triage.unsafe'), /A — rules disagree/);
  await shot(page, '05-witness');
  await page.close();
});

test('the bundled suites pass on the page', { skip }, async () => {
  const { page } = await open();
  await page.click('#tab-suite');
  await page.click('#suite-run');
  await page.waitForFunction(() => /passed/.test(document.querySelector('#suite-results').textContent), { timeout: 30000 });
  // The six suite files beside the guideline hold 31 cases between them.
  assert.match(await text(page, '#suite-results p'), /^31 passed, 0 failed; coverage \d/);
  await shot(page, '06-suite');
  // An uploaded suite replaces it and runs: one expectation the guideline meets, one it does not.
  const file = path.join(artifacts, 'suite.toml');
  writeFileSync(file, '[[case]]\nname = "ALS: no induction"\nfacts = { als = true, acute_leukemia = true }\n' +
    '[case.expect]\nintensive_induction = "contraindicated"\n\n' +
    '[[case]]\nname = "wrong on purpose"\nfacts = { als = true, acute_leukemia = true }\n' +
    '[case.expect]\nintensive_induction = "recommend"\n');
  await (await page.$('#suite-file')).uploadFile(file);
  await page.waitForFunction(() => /^1 passed, 1 failed/.test(document.querySelector('#suite-results p')?.textContent), { timeout: 30000 });
  // Two cases that decide one action cannot cover the whole guideline.
  const coverage = Number((await text(page, '#suite-results p')).match(/coverage (\d+(?:\.\d)?)%/)[1]);
  assert.ok(coverage > 0 && coverage < 100, `coverage ${coverage}`);
  assert.match(await text(page, '#suite-results'), /Not exercised: /);
  assert.match(await text(page, '#suite-results li.fail'), /FAIL — wrong on purpose/);
  await page.close();
});

test('latency of check + evaluate after a keystroke (measured, not asserted)', { skip }, async () => {
  const { page } = await open();
  await fillAlsPatient(page);
  await page.waitForSelector('.triage.act_now', { timeout: 15000 });
  const times = await page.evaluate(async () => {
    const out = [];
    for (let i = 0; i < 50; i++) out.push(await window.workbench.roundTrip());
    return out;
  });
  times.sort((a, b) => a - b);
  const median = (times[24] + times[25]) / 2;
  const figure = { median_ms: median, min_ms: times[0], max_ms: times[49], runs: 50 };
  writeFileSync(path.join(artifacts, 'latency.json'), JSON.stringify(figure, null, 2) + '\n');
  console.log(`check + evaluate round trip: median ${median.toFixed(1)} ms (min ${times[0].toFixed(1)}, max ${times[49].toFixed(1)})`);
  assert.equal(times.length, 50);
  await page.close();
});

test('the document renders and the diff names what was added', { skip }, async () => {
  const { page } = await open();
  await page.click('#tab-render');
  await page.click('#render-run');
  await page.waitForFunction(() => document.querySelector('#render-frame').srcdoc.length > 0, { timeout: 15000 });
  assert.match(await page.$eval('#render-frame', (e) => e.srcdoc), /Hyperleukocytosis and acute leukemia with pre-existing ALS/);
  // Add an action and a rule deciding it; the diff against the opened version names both.
  await page.click('.cm-content');
  await page.keyboard.down('Control');
  await page.keyboard.press('End');
  await page.keyboard.up('Control');
  for (const line of ['action extra_action "Extra"', 'rule extra-rule: consider extra_action', '  when als', '  because "a test"']) {
    await page.keyboard.press('Escape');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Home');
    await page.keyboard.type(line);
  }
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => document.querySelector('#check-status').className === 'status good', { timeout: 15000 });
  await page.click('#tab-diff');
  await page.click('#diff-run');
  await page.waitForFunction(() => document.querySelector('#diff-results').textContent.length > 0, { timeout: 30000 });
  // The account `guidelang diff` prints: what was added, the decision that
  // changes with its witness, and the version bump it implies.
  const account = await page.$$eval('#diff-results .diff-line', (l) => l.map((e) => e.firstChild.textContent));
  assert.ok(account.includes('  + extra_action (added)'), account.join('\n'));
  assert.ok(account.includes('  + extra-rule (added)'), account.join('\n'));
  // Nobody was offered the new action before; a patient with ALS is now.
  const change = account.findIndex((l) => /^  extra_action: no recommendation → consider, for a patient with (.*, )?als = true(, .*)?$/.test(l));
  assert.ok(change >= 0, account.join('\n'));
  assert.match(account[change + 1], /^    witness: \{.*"als":true/);
  assert.ok(account.some((l) => /^the change implies a minor version bump; \S+ → \S+ is no bump$/.test(l)), account.join('\n'));
  // A new action decided for some patients is a minor change; the version was not raised.
  assert.match(await text(page, '#diff-summary'), /imply a minor version bump; the version is not raised enough/);
  assert.match(await text(page, '#diff-results .status.bad'), /^warning: the change implies a minor version bump/);
  await shot(page, '07-diff');
  // Load the witness: the form gets the patient, and the report shows the new decision.
  await page.click('#diff-results .witness-line button.witness');
  await page.waitForFunction(() => document.querySelector('#fact-als-yes')?.checked, { timeout: 15000 });
  await page.waitForFunction(() => document.querySelector('.triage.also')?.textContent.includes('Extra — consider'), { timeout: 15000 });
  assert.match(await text(page, '.triage.also'), /Extra — consider[\s\S]*Rule: extra-rule/);
  await page.close();
});

test('every field is labelled and the tabs work from the keyboard', { skip }, async () => {
  const { page } = await open();
  const unlabelled = await page.$$eval('#case input, #case select, textarea', (fields) =>
    fields.filter((f) => f.labels.length === 0).map((f) => f.id || f.name));
  assert.deepEqual(unlabelled, []);
  // Yes / no / unknown groups are named by their legend.
  assert.equal(await page.$eval('#fact-als-yes', (e) => e.closest('fieldset').querySelector('legend').textContent.includes('amyotrophic')), true);
  await page.focus('#tab-patient');
  await page.keyboard.press('ArrowRight');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'tab-lint');
  assert.equal(await page.$eval('#panel-lint', (e) => e.checkVisibility()), true);
  assert.equal(await page.$eval('#panel-patient', (e) => e.checkVisibility()), false);
  // Tab leaves the tab list for the panel's first control, and Enter runs it.
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'lint-run');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => /No findings/.test(document.querySelector('#lint-results').textContent), { timeout: 30000 });
  await page.close();
});

// Puts the cursor at the end of the guideline and types lines there.
async function typeAtEnd(page, lines) {
  await page.click('.cm-content');
  await page.keyboard.down('Control');
  await page.keyboard.press('End');
  await page.keyboard.up('Control');
  for (const line of lines) {
    await page.keyboard.press('Escape');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Home');
    await page.keyboard.type(line);
  }
  await page.keyboard.press('Escape');
}

const editorText = (page) => page.evaluate(() => window.workbench.view.state.doc.toString());

// The middle of the first occurrence of `word` after `after` on the screen
// (scrolled into view first).
async function placeOf(page, after, word) {
  return page.evaluate(async (after, word) => {
    const view = window.workbench.view;
    const text = view.state.doc.toString();
    const at = text.indexOf(word, text.indexOf(after));
    view.dispatch({ selection: { anchor: at }, scrollIntoView: true });
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    const start = view.coordsAtPos(at);
    const end = view.coordsAtPos(at + word.length);
    return { x: (start.left + end.left) / 2, y: (start.top + start.bottom) / 2 };
  }, after, word);
}

test('the did-you-mean fix corrects a misspelt fact in one click', { skip }, async () => {
  const { page, errors } = await open();
  await typeAtEnd(page, ['define typo_check: wbcc > 1']);
  await page.waitForFunction(() => document.querySelector('.cm-lintRange-error')?.textContent === 'wbcc', { timeout: 15000 });
  // In the editor: hover the underlined word, and its tooltip offers the fix.
  const place = await placeOf(page, 'define typo_check', 'wbcc');
  await page.mouse.move(place.x, place.y);
  const action = await page.waitForSelector('.cm-tooltip-lint .cm-diagnosticAction', { timeout: 15000 });
  assert.match(await action.evaluate((e) => e.textContent), /wbc/);
  await shot(page, '08-fix-offered');
  await action.click();
  // The error is gone; what stays is the warning that the new definition is never used.
  await page.waitForFunction(() => document.querySelector('#check-status').className === 'status good', { timeout: 15000 });
  assert.equal(await page.$$eval('.cm-lintRange-error', (l) => l.length), 0);
  assert.equal(await page.$$eval('#problems li.error', (l) => l.length), 0);
  assert.match(await text(page, '#problems'), /definition `typo_check` is never used/);
  assert.match(await editorText(page), /\ndefine typo_check: wbc > 1$/);
  // Undo brings the typo back; the fix under the problems list corrects it too.
  await page.click('.cm-content');
  await page.keyboard.down('Control');
  await page.keyboard.press('z');
  await page.keyboard.up('Control');
  await page.waitForSelector('#problems button.fix', { timeout: 15000 });
  assert.match(await text(page, '#problems button.fix'), /^Fix: .*`?wbc`?/);
  await page.click('#problems button.fix');
  await page.waitForFunction(() => document.querySelector('#check-status').className === 'status good', { timeout: 15000 });
  assert.match(await editorText(page), /\ndefine typo_check: wbc > 1$/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('hover over a fact shows its description, type and unit', { skip }, async () => {
  const { page } = await open();
  // `fact wbc: number in 10^9/L from 0 "White blood cell count"`, used in a definition.
  const place = await placeOf(page, 'define hyperleukocytosis', 'wbc');
  await page.mouse.move(place.x, place.y);
  await page.waitForSelector('.cm-tooltip .hover', { timeout: 15000 });
  const shown = await text(page, '.cm-tooltip .hover');
  assert.match(shown, /fact wbc: number in 10\^9\/L/);
  assert.match(shown, /White blood cell count/);
  assert.match(shown, /unit: 10\^9\/L/);
  // Markdown shown as text, its marks gone: the code block is a code block.
  assert.doesNotMatch(shown, /```/);
  assert.equal(await page.$$eval('.cm-tooltip .hover pre', (l) => l.length), 1);
  await shot(page, '09-hover');
  await page.close();
});

test('completion offers a declared fact and inserts it', { skip }, async () => {
  const { page } = await open();
  await typeAtEnd(page, []);
  await page.keyboard.press('Enter');
  await page.keyboard.type('define heavy: weig');
  const option = await page.waitForFunction(() => [...document.querySelectorAll('.cm-tooltip-autocomplete li')]
    .find((li) => li.textContent.startsWith('weight')), { timeout: 15000 });
  assert.ok(option);
  await shot(page, '10-completion');
  // Pick it from the list with the keyboard: the declared name is written out.
  const labels = await page.$$eval('.cm-tooltip-autocomplete li', (l) => l.map((e) => e.textContent));
  for (let i = 0; i < labels.findIndex((l) => l.startsWith('weight')); i++) await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await page.keyboard.type(' > 100');
  assert.match(await editorText(page), /\ndefine heavy: weight > 100$/);
  await page.waitForFunction(() => document.querySelector('#check-status').className === 'status good', { timeout: 15000 });
  await page.close();
});

test('start from the tumour-lysis guideline; its suites pass', { skip }, async () => {
  const { page, errors } = await open();
  // An edit first: switching asks before it throws the edit away.
  await typeAtEnd(page, ['# an edit']);
  const asked = [];
  page.on('dialog', async (d) => { asked.push(d.message()); await d.accept(); });
  await page.select('#start-from', 'tls');
  await page.waitForFunction(() => document.querySelector('#identity').textContent.startsWith('Tumour lysis syndrome'), { timeout: 15000 });
  assert.equal(asked.length, 1);
  assert.match(asked[0], /Edits not saved are lost/);
  assert.equal(await page.$eval('#check-status', (e) => e.className), 'status good');
  // Its own facts in the form, its own suites on the suite tab.
  await page.waitForSelector('#fact-cytotoxic_therapy-yes', { timeout: 15000 });
  assert.equal(await page.$$eval('#fact-als-yes', (l) => l.length), 0);
  await page.click('#tab-suite');
  await page.click('#suite-run');
  await page.waitForFunction(() => /passed/.test(document.querySelector('#suite-results p')?.textContent), { timeout: 30000 });
  const summary = await text(page, '#suite-results p');
  const passed = Number(summary.match(/^(\d+) passed, 0 failed/)[1]);
  // risk.toml and laboratory.toml hold 14 cases between them.
  assert.equal(passed, 14, summary);
  // And back to the ALS guideline: no question, nothing was edited.
  await page.select('#start-from', 'als');
  await page.waitForFunction(() => document.querySelector('#identity').textContent.startsWith('Hyperleukocytosis'), { timeout: 15000 });
  assert.equal(asked.length, 1);
  assert.deepEqual(errors, []);
  await page.close();
});

test('save downloads the edited guideline', { skip }, async () => {
  const { page } = await open();
  const downloads = path.join(artifacts, 'downloads');
  rmSync(downloads, { recursive: true, force: true });
  mkdirSync(downloads, { recursive: true });
  const cdp = await browser.target().createCDPSession();
  await cdp.send('Browser.setDownloadBehavior', { behavior: 'allow', downloadPath: downloads });
  await typeAtEnd(page, ['# saved by the browser test']);
  await page.click('#save-file');
  const file = path.join(downloads, 'als-hyperleukocytosis.gl');
  const deadline = Date.now() + 15000;
  while (!existsSync(file) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  assert.ok(existsSync(file), `no download in ${readdirSync(downloads)}`);
  assert.equal(readFileSync(file, 'utf8'), await editorText(page));
  assert.match(readFileSync(file, 'utf8'), /\n# saved by the browser test$/);
  await page.close();
});

test('the case form works from the keyboard alone, every field named', { skip }, async () => {
  const { page } = await open();
  // Every control the accessibility tree shows has a name a screen reader reads.
  const tree = await page.accessibility.snapshot({ interestingOnly: false });
  const controls = new Set(['textbox', 'spinbutton', 'combobox', 'radio', 'checkbox', 'button', 'tab', 'link']);
  const nameless = [];
  let count = 0;
  (function walk(node) {
    if (controls.has(node.role)) {
      count++;
      if (!node.name || !node.name.trim()) nameless.push(node.role);
    }
    for (const child of node.children || []) walk(child);
  })(tree);
  assert.ok(count > 40, `only ${count} controls in the tree`);
  assert.deepEqual(nameless, []);
  // Tab from the date reaches every fact field, in order, then the clear button.
  const fields = await page.$$eval('#case-form input, #case-form select', (l) => {
    const seen = new Set();
    // A radio group is one stop (its checked button, "unknown" to start with).
    return l.filter((e) => e.type !== 'radio' || e.checked).map((e) => e.id)
      .filter((id) => !seen.has(id) && seen.add(id));
  });
  // (From the first: inside the date field, Tab steps through its day, month and year.)
  await page.focus(`#${fields[0]}`);
  const reached = [];
  for (let i = 1; i < fields.length + 1; i++) {
    await page.keyboard.press('Tab');
    reached.push(await page.evaluate(() => document.activeElement.id));
  }
  assert.deepEqual(reached, [...fields.slice(1), 'case-clear']);
  // Answer a yes / no question with the keyboard: focus its group, arrow to "yes".
  await page.focus('#fact-als-unknown');
  await page.keyboard.press('ArrowRight');
  assert.equal(await page.$eval('#fact-als-yes', (e) => e.checked), true);
  await page.waitForFunction(() => JSON.parse(document.querySelector('#case-json').value || '{}').als === true, { timeout: 15000 });
  await page.close();
});
