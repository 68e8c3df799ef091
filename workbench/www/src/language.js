// Syntax highlighting for .gl text: a stream tokenizer over the keywords of
// grammar/guideline.pest. Names, numbers, strings and comments are told apart;
// meaning (is this a fact?) comes from the checker's diagnostics, not here.

import { StreamLanguage } from '@codemirror/language';

const keywords = new Set(('above action always and applies approved at because below by category cite ' +
  'date decide define detail dose draft fact from guideline if in is known least mass molar most never not ' +
  'note of one or otherwise overrides per recorded reference reviewed rule says score source sqrt status ' +
  'text title to today updated urgent version warn when year').split(' '));
const verdicts = new Set(['recommend', 'consider', 'avoid', 'contraindicated']);
const types = new Set(['bool', 'integer', 'number']);
const atoms = new Set(['true', 'false']);

export const guidelang = StreamLanguage.define({
  name: 'guidelang',
  token(stream) {
    if (stream.eatSpace()) return null;
    if (stream.match('#')) { stream.skipToEnd(); return 'comment'; }
    if (stream.match(/^"(?:[^"\\]|\\.)*"?/)) return 'string';
    if (stream.match(/^\d+(?:\.\d+)*(?:-\d+)*/)) return 'number';
    if (stream.match(/^[A-Za-z_][A-Za-z0-9_-]*/)) {
      const word = stream.current();
      if (verdicts.has(word)) return 'keyword';
      if (keywords.has(word)) return 'keyword';
      if (types.has(word)) return 'typeName';
      if (atoms.has(word)) return 'atom';
      return 'variableName';
    }
    if (stream.match(/^(?:<=|>=|!=|[<>=*\/+\-×])/)) return 'operator';
    stream.next();
    return null;
  },
  languageData: { commentTokens: { line: '#' } },
});
