import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { notebookJson, notebookSources, parsePercentSource } from '../../scripts/build-notebooks.ts';

const NOTEBOOKS = join(import.meta.dirname, '..', '..', 'notebooks');

test('parsePercentSource: markdown and code cells, comment prefixes stripped, blank edges trimmed', () => {
  const cells = parsePercentSource(
    ['// %% [markdown]', '// # Title', '//', '// text', '', '// %%', '', 'const a = 1;', '', 'a + 1', '', '// %%', 'a'].join('\n'),
    'x.ts',
  );
  assert.equal(cells.length, 3);
  assert.deepEqual(cells[0], { cell_type: 'markdown', id: 'cell-0', metadata: {}, source: ['# Title\n', '\n', 'text'] });
  assert.deepEqual(cells[1].source, ['const a = 1;\n', '\n', 'a + 1']);
  assert.equal(cells[1].execution_count, null);
  assert.deepEqual(cells[1].outputs, []);
  assert.deepEqual(cells[2].source, ['a']);
  assert.throws(() => parsePercentSource('const lost = 1;\n// %%\n1', 'x.ts'), /x\.ts:1: text before the first "\/\/ %%" marker/);
  assert.throws(() => parsePercentSource('// %% [markdown]\n// ok\nnot a comment', 'x.ts'), /not a "\/\/ " comment/);
});

test('every notebook has a source, and the committed .ipynb is exactly what its source builds (no outputs)', () => {
  const sources = notebookSources(NOTEBOOKS);
  assert.ok(sources.length >= 1, 'notebooks/NN-name.ts sources exist');
  for (const src of sources) {
    const ipynb = src.replace(/\.ts$/, '.ipynb');
    assert.ok(existsSync(ipynb), `${ipynb} exists (npx tsx scripts/build-notebooks.ts)`);
    const built = notebookJson(parsePercentSource(readFileSync(src, 'utf8'), src));
    assert.equal(readFileSync(ipynb, 'utf8'), built, `${ipynb} is out of date: run npx tsx scripts/build-notebooks.ts`);
    const nb = JSON.parse(built) as { cells: { cell_type: string; outputs?: unknown[] }[]; metadata: { kernelspec: { name: string } } };
    assert.equal(nb.metadata.kernelspec.name, 'tslab');
    assert.ok(nb.cells.every((c) => c.cell_type === 'markdown' || c.outputs?.length === 0));
    assert.equal(nb.cells[0].cell_type, 'markdown', 'each notebook opens with prose');
  }
});
