// The clinician's report panel: the evaluation the library made, arranged as
// `guidelang eval` arranges its text (act now, do not, also, to decide), each
// decision with its dose, its rules and the titles of the references they
// cite. Every word about a decision comes from the library (the worker's
// `sections`); this file only lays it out, and says nothing the rules did not.

import { el } from './dom.js';

const sectionTitles = [
  ['unsafe', 'Unsafe: the guideline must be corrected'],
  ['act_now', 'Act now (urgent)'],
  ['do_not', 'Do not'],
  ['also', 'Also'],
  ['to_decide', 'To decide (record these facts to decide)'],
];

// The prefix the text report gives each kind of line under a decision.
const linePrefix = {
  dose: '',
  detail: '',
  warning: 'Warning: ',
  possible_warning: 'Possible warning: ',
  why: 'Why: ',
  overrides: '',
};

// Which guideline, which version, which text: every report names them.
export function identityLine(guideline, asOf) {
  const date = asOf ? `evaluated as of ${asOf}` : 'no evaluation date given';
  return `Guideline ${guideline.id}, version ${guideline.version} (${guideline.status}); content hash ${guideline.hash}; ${date}`;
}

// "Hydroxyurea — recommended, 3500–4200 mg/day (50–60 mg/kg/day × 70 kg)",
// the lines under it, then the rules and the references they cite.
function decided(item) {
  const head = el('div', { className: 'decision-head' },
    el('strong', {}, item.label), ` — ${[item.heading, ...item.doses].join(', ')}`);
  const lines = item.lines.map((l) => el('div', { className: `line ${l.kind}` }, `${linePrefix[l.kind] || ''}${l.text}`));
  const rules = `Rule${item.rules.length === 1 ? '' : 's'}: ${item.rules.join(', ')}`;
  const source = el('div', { className: 'source' }, rules);
  if (item.citations.length) {
    source.append(el('div', {}, 'Sources: ', ...item.citations.flatMap((c, i) => [
      i ? '; ' : '',
      el('cite', {}, `[${c.number}] ${c.text || 'not listed among the references'}`),
    ])));
  }
  return el('li', { className: 'decision' }, head, ...lines, source);
}

function toDecide(item) {
  return el('li', {}, el('strong', {}, item.label), item.urgent ? ' (urgent)' : '', ` — ${item.words}`);
}

function unsafeItem(item) {
  if (item.rules) {
    const said = item.rules.map((r) => `rule ${r.rule} says ${r.verdict}`).join('; ');
    return el('li', {}, el('strong', {}, item.label), ` — rules disagree and no precedence settles them: ${said}; no verdict is given`);
  }
  return el('li', {}, el('strong', {}, item.label), ` — ${item.words}`);
}

const render = { act_now: decided, do_not: decided, also: decided, to_decide: toDecide, unsafe: unsafeItem };

// The report's parts for one evaluation that the library accepted.
export function reportParts(answer) {
  const parts = [];
  const report = answer.report;
  for (const [key, title] of sectionTitles) {
    const items = answer.sections[key];
    // Out of scope or scope undecided, `eval` lists no action (each would
    // only wait for the scope's facts), but still any alarm before that.
    if (!items.length || (report.scope && key !== 'unsafe')) continue;
    parts.push(el('section', { className: `triage ${key}` }, el('h3', {}, title),
      el('ul', {}, ...items.map(render[key]))));
  }
  if (report.scope) {
    // In the library's words; no recommendation is made.
    parts.push(el('p', { className: 'scope' }, report.scope));
    return parts;
  }
  if (!parts.length) parts.push(el('p', {}, 'No rule decides anything for this patient.'));
  if (report.note_details.length) {
    parts.push(el('section', { className: 'triage notes' }, el('h3', {}, 'Notes (information, not decisions)'),
      el('ul', {}, ...report.note_details.map((n) => el('li', {}, n.text,
        n.citations.length ? el('span', { className: 'hint' }, ` [${n.citations.join(', ')}]`) : '')))));
  }
  return parts;
}
