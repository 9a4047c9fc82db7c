// Render the course website's pages to HTML with mystmd's own renderer, myst-to-html.
//
//   node site/render.mjs CONTENT_DIR PUBLIC_DIR  > pages.json
//
// CONTENT_DIR is what `jupyter-book build --site` writes (one JSON file per page: its MyST AST, already
// resolved by mystmd), PUBLIC_DIR the files it copied for the pages.  Prints {slug: body HTML} for every
// page; tools/site_html.py wraps each body in the course's page (title, navigation, stylesheet).
//
// myst-to-html renders MyST's standard nodes (paragraphs, lists, tables, headings, admonitions, code,
// links, cross-references).  The site content also carries nodes and fields that only the site themes
// know (notebook cells and their outputs, folded <details>, included files, anchors named `html_id`,
// link classes, pages linked as /slug), and myst-to-html renders these empty or not at all: the handlers
// below draw them, through myst-to-html's own option for extra handlers (opts.hast.handlers).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { all } from 'mdast-util-to-hast';
import { mystToHtml } from 'myst-to-html';

const [contentDir, publicDir] = process.argv.slice(2);
if (!contentDir || !publicDir) {
  console.error('usage: node site/render.mjs CONTENT_DIR PUBLIC_DIR');
  process.exit(2);
}

// -- links: the pages are files side by side (slug.html), so every address is relative ----------
/** `/vertebroplasty#x` -> `vertebroplasty.html#x`, `/` -> `index.html`, `/file.ipynb` -> `file.ipynb`. */
function pageHref(url) {
  const [path, anchor] = url.split('#');
  const slug = path.replace(/^\/+|\/+$/g, '');
  return `${slug ? `${slug}.html` : 'index.html'}${anchor ? `#${anchor}` : ''}`;
}

function localHref(node) {
  const url = node.url ?? '';
  if (node.internal && !url.startsWith('#')) return pageHref(url);
  if (url.startsWith('/') && !url.startsWith('//')) return url.replace(/^\/+/, '');
  return url;
}

// -- before rendering: what the site content holds that myst-to-html would misread ---------------
const tables = { count: 0 };  // numbered per page: each table's box needs a name of its own

function prepare(node) {
  if (!node.children) return node;
  node.children = node.children.filter((child) => child.visibility !== 'remove').map(prepare);
  // A wide table scrolls sideways in its own box rather than pushing the page wider than the screen.
  node.children = node.children.map((child) => (child.type === 'table'
    ? { type: 'tableBox', number: ++tables.count, children: [child] } : child));
  // A titled admonition ({note} Title): myst-to-html would add the kind's own title ("Note") above it.
  if (node.type === 'admonition' && node.kind && node.children.some((c) => c.type === 'admonitionTitle')) {
    node.siteKind = node.kind;
    node.kind = 'admonition';
  }
  return node;
}

// -- handlers for what myst-to-html leaves out -------------------------------------------------------
const text = (value) => ({ type: 'text', value });
const classes = (...names) => names.filter(Boolean).join(' ').split(/\s+/).filter(Boolean);

/** An output's text: short ones are stored in the page, long ones in a file of PUBLIC_DIR. */
function stored(entry) {
  if (typeof entry === 'string') return entry;
  if (entry?.content !== undefined) return entry.content;
  if (entry?.path) return readFileSync(join(publicDir, entry.path.replace(/^\/+/, '')), 'utf8');
  return '';
}

const ANSI = /\u001b\[[0-9;]*m/g;

function output(h, node) {
  if (node.children?.length) return h(node, 'div', { className: ['output'] }, all(h, node));
  const out = node.jupyter_data ?? {};
  if (out.output_type === 'stream') {
    return h(node, 'pre', { className: ['output', out.name === 'stderr' ? 'stderr' : 'stdout'] },
      [text(stored(out.text))]);
  }
  if (out.output_type === 'error') {
    const trace = (out.traceback ?? []).join('\n') || `${out.ename}: ${out.evalue}`;
    return h(node, 'pre', { className: ['output', 'error'] }, [text(trace.replace(ANSI, ''))]);
  }
  const data = out.data ?? {};
  const alt = stored(data['text/plain']).trim();
  const image = ['image/svg+xml', 'image/png', 'image/jpeg', 'image/gif'].find((mime) => data[mime]?.path);
  if (image) {
    return h(node, 'figure', { className: ['output'] },
      [h(node, 'img', { src: data[image].path.replace(/^\/+/, ''), alt })]);
  }
  if (data['text/html']) {
    return h(node, 'div', { className: ['output', 'html'] }, [{ type: 'raw', value: stored(data['text/html']) }]);
  }
  return h(node, 'pre', { className: ['output'] }, [text(alt)]);
}

const handlers = {
  // Notebook cells: a block per cell (its id is an anchor), code folded where the notebook folds it.
  block: (h, node) => h(node, 'div', { id: node.html_id || undefined, className: classes('cell', node.kind) },
    all(h, node)),
  code(h, node) {
    // tabindex: a long line scrolls sideways, and a keyboard user must be able to scroll it too.
    const code = h(node, 'code', { className: node.lang ? [`language-${node.lang}`] : undefined },
      [text(node.value ? `${node.value}\n` : '')]);
    const pre = h(node, 'pre', { tabIndex: 0 }, [code]);
    if (node.visibility !== 'hide') return pre;
    return h(node, 'details', { className: ['code-cell'] }, [h(node, 'summary', [text('Show the code')]), pre]);
  },
  outputs: (h, node) => (!node.children?.length ? undefined : node.visibility === 'hide'
    ? h(node, 'details', { className: ['outputs'] }, [h(node, 'summary', [text('Show the output')]), ...all(h, node)])
    : h(node, 'div', { className: ['outputs'] }, all(h, node))),
  output,
  // Folded text (answers, the reference list) and included files keep their content.
  details: (h, node) => h(node, 'details', all(h, node)),
  summary: (h, node) => h(node, 'summary', all(h, node)),
  include: (h, node) => h(node, 'div', { className: ['include'] }, all(h, node)),
  tableBox: (h, node) => h(node, 'div', { className: ['table-box'], tabIndex: 0, role: 'region',
    ariaLabel: `Table ${node.number} (scrolls sideways on a narrow screen)` }, all(h, node)),
  // Anchors: mystmd names each target's HTML id `html_id`; references point at it.
  heading: (h, node) => h(node, `h${node.depth}`, { id: node.html_id || node.identifier || undefined }, all(h, node)),
  span: (h, node) => h(node, 'span', { id: node.html_id || undefined }, all(h, node)),
  crossReference(h, node) {
    const page = node.url ? pageHref(node.url).split('#')[0] : '';
    return h(node, 'a', { href: `${page}#${node.html_id || node.identifier}`, title: node.title || undefined,
      className: ['xref'] }, all(h, node));
  },
  link: (h, node) => h(node, 'a', { href: localHref(node), title: node.title || undefined,
    className: node.class ? classes(node.class) : undefined }, all(h, node)),
  image: (h, node) => h(node, 'img', { src: localHref(node), alt: node.alt ?? '', title: node.title || undefined }),
  // An admonition is a note inside the page, not a landmark of its own (<aside> would be one).
  admonition: (h, node) => h(node, 'div', { role: 'note',
    className: classes('admonition', node.siteKind ?? (node.kind !== 'admonition' ? node.kind : ''), node.class) },
  all(h, node)),
};

function renderPage(mdast) {
  tables.count = 0;
  return mystToHtml(prepare(mdast), {
    hast: { handlers, allowDangerousHtml: true },
    stringifyHtml: { allowDangerousHtml: true },
    formatHtml: true,
  });
}

const pages = {};
for (const name of readdirSync(contentDir).filter((f) => f.endsWith('.json')).sort()) {
  const page = JSON.parse(readFileSync(join(contentDir, name), 'utf8'));
  pages[page.slug] = renderPage(page.mdast);
}
process.stdout.write(JSON.stringify(pages));
