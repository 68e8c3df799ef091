// The case form, generated from the fact declarations: numbers with their
// unit and valid range, enumerations as a choice, booleans as yes / no /
// unknown, dates as date fields. Every field may stay unknown (empty), and
// an unknown fact is left out of the case, as the CLI reads it.

const el = (tag, props = {}, ...children) => {
  const node = Object.assign(document.createElement(tag), props);
  for (const c of children) node.append(c);
  return node;
};

function field(fact, onInput) {
  const id = `fact-${fact.name}`;
  const label = el('label', { htmlFor: id }, fact.description || fact.name);
  const hint = fact.unit ? ` (${fact.unit})` : '';
  label.append(el('span', { className: 'hint' }, `${hint} — ${fact.name}`));
  const row = el('div', { className: 'field', title: fact.expected });
  if (fact.type === 'bool') {
    const group = el('fieldset', { className: 'radios' });
    group.append(el('legend', {}, fact.description || fact.name, el('span', { className: 'hint' }, ` — ${fact.name}`)));
    for (const [value, text] of [['', 'unknown'], ['true', 'yes'], ['false', 'no']]) {
      const input = el('input', { type: 'radio', name: id, value, id: `${id}-${text}`, checked: value === '' });
      input.addEventListener('change', onInput);
      group.append(el('label', { htmlFor: input.id }, input, ` ${text}`));
    }
    row.append(group);
    return row;
  }
  let input;
  if (fact.type === 'enum') {
    input = el('select', { id, name: fact.name });
    input.append(el('option', { value: '' }, 'unknown'));
    for (const v of fact.values) input.append(el('option', { value: v }, v.replaceAll('_', ' ')));
  } else if (fact.type === 'date') {
    input = el('input', { id, name: fact.name, type: 'date' });
  } else {
    input = el('input', { id, name: fact.name, type: 'number', step: fact.type === 'integer' ? '1' : 'any', placeholder: 'unknown' });
    if (fact.min != null) input.min = fact.min;
    if (fact.max != null) input.max = fact.max;
  }
  input.dataset.fact = fact.name;
  input.addEventListener('input', onInput);
  row.append(label, input);
  if (fact.type === 'number' || fact.type === 'integer') row.append(el('span', { className: 'range' }, fact.expected));
  return row;
}

// Builds the form; keeps the values of facts that are still declared.
export function buildForm(container, form, onInput) {
  const before = readCase(container);
  container.replaceChildren(...form.facts.map((f) => field(f, onInput)));
  container.dataset.facts = JSON.stringify(form.facts);
  fillCase(container, before);
}

// The case as a JSON object of the known facts.
export function readCase(container) {
  const facts = container.dataset.facts ? JSON.parse(container.dataset.facts) : [];
  const out = {};
  for (const f of facts) {
    const id = `fact-${f.name}`;
    if (f.type === 'bool') {
      const checked = container.querySelector(`input[name="${id}"]:checked`);
      if (checked && checked.value) out[f.name] = checked.value === 'true';
      continue;
    }
    const input = container.querySelector(`#${CSS.escape(id)}`);
    if (!input || input.value === '') continue;
    // A number the browser cannot read stays as typed, so the case is
    // refused with the library's message rather than silently dropped.
    out[f.name] = f.type === 'number' || f.type === 'integer'
      ? (Number.isFinite(input.valueAsNumber) ? input.valueAsNumber : input.value)
      : input.value;
  }
  return out;
}

// Fills the form from a case object; facts it does not give become unknown.
export function fillCase(container, facts) {
  const declared = container.dataset.facts ? JSON.parse(container.dataset.facts) : [];
  for (const f of declared) {
    const id = `fact-${f.name}`;
    const value = facts[f.name];
    if (f.type === 'bool') {
      const want = value === true ? 'true' : value === false ? 'false' : '';
      const radio = container.querySelector(`input[name="${id}"][value="${want}"]`);
      if (radio) radio.checked = true;
      continue;
    }
    const input = container.querySelector(`#${CSS.escape(id)}`);
    if (input) input.value = value == null ? '' : String(value);
  }
}
