/**
 * Project metadata agrees with itself: LICENSE is the MIT licence package.json names, with its
 * author as holder; CITATION.cff is CFF 1.2.0 for this version and licence; and every paper it
 * lists under references is cited with its title, venue and arXiv id (where it has one) in the
 * README and in the opening cell of the notebook that reproduces it.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';

const ROOT = join(import.meta.dirname, '..', '..');
const read = (f: string) => readFileSync(join(ROOT, f), 'utf8');
const pkg = JSON.parse(read('package.json')) as { version: string; license: string; author: string };

interface Reference {
  type: string;
  title: string;
  year: number;
  authors: { 'family-names': string }[];
  conference?: { name: string };
  journal?: string;
  identifiers?: { type: string; value: string }[];
}
const cff = parse(read('CITATION.cff')) as { 'cff-version': string; type: string; title: string; message: string; version: string; license: string; authors: { name?: string }[]; references: Reference[] };
/** Markdown with its line breaks and emphasis undone, so a title wrapped over two lines still matches. */
const flat = (md: string) => md.replace(/\n(\/\/ ?)?/g, ' ').replace(/[*_]/g, '').replace(/\s+/g, ' ');
const arxivOf = (r: Reference) => r.identifiers?.find((i) => i.value.startsWith('arXiv:'))?.value;

test('LICENSE is the MIT licence of package.json, held by its author', () => {
  assert.equal(pkg.license, 'MIT');
  const license = read('LICENSE');
  assert.match(license, /^MIT License\n/);
  assert.match(license, new RegExp(`Copyright \\(c\\) \\d{4} ${pkg.author}\\n`));
  assert.ok(license.includes('THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND'));
});

test('CITATION.cff cites this version of the software and lists the papers', () => {
  assert.equal(cff['cff-version'], '1.2.0');
  assert.equal(cff.type, 'software');
  assert.equal(cff.version, pkg.version, 'CITATION.cff version follows package.json');
  assert.equal(cff.license, pkg.license);
  assert.ok(cff.title.startsWith('stalelab') && cff.message.length > 0);
  assert.deepEqual(cff.authors, [{ name: pkg.author }]);
  assert.equal(cff.references.length, 3);
  for (const r of cff.references) {
    assert.ok(r.title && r.year && r.authors.length > 0, JSON.stringify(r));
    assert.ok(r.conference?.name || r.journal, `${r.title}: a venue`);
  }
});

test('README and notebooks 01–03 cite every paper with title, venue and arXiv id', () => {
  const readme = flat(read('README.md'));
  const papers = readme.slice(readme.indexOf('## Papers'));
  assert.ok(readme.includes('## Papers'));
  const notebooks = ['01-gap-aware', '02-dana', '03-staleness-adaptive'].map((n) => {
    const src = read(`notebooks/${n}.ts`);
    return flat(src.slice(0, src.indexOf('// %%', 3)));
  });
  cff.references.forEach((r, k) => {
    const venue = r.conference ? /\(([A-Z]+) \d{4}\)/.exec(r.conference.name)![1] : 'arXiv preprint';
    const arxiv = arxivOf(r);
    for (const [where, text] of [['README ## Papers', papers], [`notebook ${k + 1}`, notebooks[k]]] as const) {
      assert.ok(text.includes(r.title), `${where} names "${r.title}"`);
      assert.ok(text.includes(venue), `${where} names the venue ${venue} of "${r.title}"`);
      for (const a of r.authors) assert.ok(text.includes(a['family-names']), `${where}: ${a['family-names']}`);
      if (arxiv) assert.ok(text.includes(`${arxiv}](https://arxiv.org/abs/${arxiv.slice(6)})`), `${where} links ${arxiv}`);
    }
  });
});
