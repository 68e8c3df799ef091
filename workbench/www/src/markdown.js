// The editor services' hover text is Markdown (as an LSP client shows it).
// The page shows the little of it they write (a code block, list items,
// `code`, **bold**, _emphasis_) as DOM nodes built from text: no HTML from
// the library is ever parsed.

import { el } from './dom.js';

// One line's inline marks: `code`, **bold**, _emphasis_.
function inline(text) {
  const out = [];
  const mark = /`([^`]+)`|\*\*([^*]+)\*\*|\b_([^_]+)_\b/g;
  let last = 0;
  for (const m of text.matchAll(mark)) {
    if (m.index > last) out.push(text.slice(last, m.index));
    if (m[1] != null) out.push(el('code', {}, m[1]));
    else if (m[2] != null) out.push(el('strong', {}, m[2]));
    else out.push(el('em', {}, m[3]));
    last = m.index + m[0].length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

// Markdown text as a list of block nodes.
export function markdownNodes(text) {
  const blocks = [];
  const lines = text.split('\n');
  let list = null;
  let para = null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.startsWith('```')) {
      const code = [];
      for (i++; i < lines.length && !lines[i].startsWith('```'); i++) code.push(lines[i]);
      blocks.push(el('pre', {}, el('code', {}, code.join('\n'))));
      list = para = null;
    } else if (/^\s*- /.test(line)) {
      if (!list) { list = el('ul'); blocks.push(list); }
      list.append(el('li', {}, ...inline(line.replace(/^\s*- /, ''))));
      para = null;
    } else if (line.trim() === '') {
      list = para = null;
    } else if (para) {
      para.append(' ', ...inline(line));
    } else {
      para = el('p', {}, ...inline(line));
      blocks.push(para);
      list = null;
    }
  }
  return blocks;
}
