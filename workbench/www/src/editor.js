// The editor: CodeMirror 6 with the guideline highlighter, the checker's
// diagnostics (pushed by the page after each check, with their quick fixes
// as actions), and hover and completion asked of the worker.

import { EditorState } from '@codemirror/state';
import { EditorView, keymap, lineNumbers, highlightActiveLine, hoverTooltip, drawSelection } from '@codemirror/view';
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { syntaxHighlighting, defaultHighlightStyle, bracketMatching } from '@codemirror/language';
import { setDiagnostics, lintGutter, lintKeymap } from '@codemirror/lint';
import { autocompletion, completionKeymap } from '@codemirror/autocomplete';
import { guidelang } from './language.js';
import { markdownNodes } from './markdown.js';

const completionTypes = {
  Fact: 'variable', Definition: 'function', Value: 'enum', Unit: 'constant',
  Rule: 'class', Action: 'method', Keyword: 'keyword', Reference: 'constant',
};

export function createEditor(parent, text, { onChange, call }) {
  const hover = hoverTooltip(async (view, pos) => {
    const h = await call('hover', { offset: pos }).catch(() => null);
    if (!h) return null;
    return {
      pos: h.from,
      end: h.to,
      create() {
        const dom = document.createElement('div');
        dom.className = 'hover';
        // The Markdown built as nodes from text: no HTML from the library.
        dom.append(...markdownNodes(h.markdown));
        return { dom };
      },
    };
  });
  const complete = async (context) => {
    const word = context.matchBefore(/[A-Za-z_][A-Za-z0-9_-]*/);
    if (!word && !context.explicit) return null;
    const items = await call('complete', { offset: context.pos }).catch(() => []);
    if (!items.length) return null;
    return {
      from: word ? word.from : context.pos,
      options: items.map((c) => ({ label: c.label, type: completionTypes[c.kind] || 'text', detail: c.detail || undefined })),
    };
  };
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc: text,
      extensions: [
        lineNumbers(),
        history(),
        drawSelection(),
        highlightActiveLine(),
        bracketMatching(),
        guidelang,
        syntaxHighlighting(defaultHighlightStyle),
        lintGutter(),
        hover,
        autocompletion({ override: [complete] }),
        keymap.of([...defaultKeymap, ...historyKeymap, ...completionKeymap, ...lintKeymap]),
        EditorView.contentAttributes.of({ 'aria-label': 'Guideline text' }),
        EditorView.updateListener.of((update) => { if (update.docChanged) onChange(); }),
      ],
    }),
  });
  return view;
}

// The checker's diagnostics into the editor; each quick fix becomes an
// action. `checked` is the document they were computed for.
export function showDiagnostics(view, diagnostics, checked) {
  const length = view.state.doc.length;
  const clamp = (n) => Math.max(0, Math.min(n, length));
  const shown = diagnostics.map((d) => ({
    from: clamp(d.from),
    to: clamp(Math.max(d.to, d.from)),
    severity: d.severity === 'error' ? 'error' : 'warning',
    source: d.code,
    message: d.help ? `${d.message}\nhelp: ${d.help}` : d.message,
    actions: (d.fixes || []).map((fix) => ({ name: fix.title, apply: (v) => applyFix(v, fix, checked) })),
  }));
  view.dispatch(setDiagnostics(view.state, shown));
}

// A quick fix's edits, in offsets of the document it was computed for
// (`checked`). Once the text has changed since, the offsets may point
// elsewhere: the fix is not applied (the next check offers it afresh) and
// the answer is false.
export function applyFix(view, fix, checked) {
  if (view.state.doc !== checked) return false;
  const length = view.state.doc.length;
  const clamp = (n) => Math.max(0, Math.min(n, length));
  view.dispatch({ changes: fix.edits.map((e) => ({ from: clamp(e.from), to: clamp(e.to), insert: e.insert })) });
  return true;
}

export function replaceText(view, text) {
  view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
}

export function selectRange(view, from, to) {
  view.dispatch({ selection: { anchor: from, head: to }, scrollIntoView: true });
  view.focus();
}
