// The one DOM helper the page's modules share: an element with properties
// and children. Text is always set as text, never parsed as HTML.

export const el = (tag, props = {}, ...children) => {
  const node = Object.assign(document.createElement(tag), props);
  for (const c of children) node.append(c);
  return node;
};
