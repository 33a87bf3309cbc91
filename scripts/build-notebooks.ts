/**
 * Build notebooks/<name>.ipynb from its readable source notebooks/<name>.ts (the "percent" format
 * jupytext uses: `// %% [markdown]` starts a Markdown cell whose lines are `// ` comments,
 * `// %%` starts a code cell). The .ipynb files carry no outputs, so they stay clean in git;
 * executed copies go to reports/.
 *
 *   npx tsx scripts/build-notebooks.ts           # write every notebooks/*.ipynb
 *   npx tsx scripts/build-notebooks.ts --check   # exit 1 if any .ipynb differs from its source
 */
import { readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface NotebookCell {
  cell_type: 'markdown' | 'code';
  id: string;
  metadata: Record<string, never>;
  source: string[];
  execution_count?: null;
  outputs?: [];
}

const MARKER = /^\/\/ %%(?:\s+\[(markdown|md)\])?\s*$/;

/** Split text into lines that keep their "\n" (nbformat's convention for `source`). */
function sourceLines(text: string): string[] {
  const lines = text.split('\n');
  return lines.map((l, i) => (i < lines.length - 1 ? `${l}\n` : l)).filter((l) => l !== '');
}

function trimBlankEdges(lines: string[]): string[] {
  let a = 0;
  let b = lines.length;
  while (a < b && lines[a].trim() === '') a++;
  while (b > a && lines[b - 1].trim() === '') b--;
  return lines.slice(a, b);
}

/** Parse a percent-format source into cells. Text before the first marker is an error (it would be lost). */
export function parsePercentSource(text: string, where: string): NotebookCell[] {
  const cells: NotebookCell[] = [];
  let current: { type: 'markdown' | 'code'; lines: string[] } | null = null;
  const flush = (): void => {
    if (!current) return;
    const body = trimBlankEdges(current.lines);
    if (body.length === 0) return;
    const id = `cell-${cells.length}`;
    if (current.type === 'markdown') {
      const md = body.map((l, i) => {
        if (l !== '//' && !l.startsWith('// ')) throw new Error(`${where}: Markdown cell ${cells.length} has a line that is not a "// " comment: ${JSON.stringify(l)} (line ${i + 1} of the cell)`);
        return l.slice(3);
      });
      cells.push({ cell_type: 'markdown', id, metadata: {}, source: sourceLines(md.join('\n')) });
    } else {
      cells.push({ cell_type: 'code', id, metadata: {}, source: sourceLines(body.join('\n')), execution_count: null, outputs: [] });
    }
  };
  text.split('\n').forEach((line, i) => {
    const m = MARKER.exec(line);
    if (m) {
      flush();
      current = { type: m[1] ? 'markdown' : 'code', lines: [] };
    } else if (current) {
      current.lines.push(line);
    } else if (line.trim() !== '') {
      throw new Error(`${where}:${i + 1}: text before the first "// %%" marker`);
    }
  });
  flush();
  if (cells.length === 0) throw new Error(`${where}: no cells (start cells with "// %%" or "// %% [markdown]")`);
  return cells;
}

/** The .ipynb JSON (nbformat 4.5, tslab kernel), formatted as nbformat writes it. */
export function notebookJson(cells: NotebookCell[]): string {
  const nb = {
    cells,
    metadata: {
      kernelspec: { display_name: 'TypeScript', language: 'typescript', name: 'tslab' },
      language_info: { codemirror_mode: { mode: 'typescript', name: 'javascript', typescript: true }, file_extension: '.ts', mimetype: 'text/typescript', name: 'typescript', version: '5.0' },
    },
    nbformat: 4,
    nbformat_minor: 5,
  };
  return `${JSON.stringify(nb, null, 1)}\n`;
}

export function notebookSources(folder: string): string[] {
  return readdirSync(folder)
    .filter((f) => /^\d\d-[\w-]+\.ts$/.test(f))
    .sort()
    .map((f) => join(folder, f));
}

function main(): void {
  const check = process.argv.includes('--check');
  const folder = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'notebooks');
  const stale: string[] = [];
  for (const src of notebookSources(folder)) {
    const target = src.replace(/\.ts$/, '.ipynb');
    const json = notebookJson(parsePercentSource(readFileSync(src, 'utf8'), basename(src)));
    if (check) {
      if (!existsSync(target) || readFileSync(target, 'utf8') !== json) stale.push(basename(target));
    } else {
      writeFileSync(target, json);
      console.log(`build-notebooks: ${basename(src)} -> ${basename(target)}`);
    }
  }
  if (stale.length > 0) {
    console.error(`build-notebooks: out of date with their .ts source: ${stale.join(', ')}; run npx tsx scripts/build-notebooks.ts`);
    process.exit(1);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
