/**
 * Write docs/DATA_DICTIONARY.md from the column dictionary in src/results/columnDictionary.ts
 * (the one source of truth; test/results/columnDictionary.test.ts fails while the file is stale).
 *   npx tsx scripts/data-dictionary.ts
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeAtomic } from '../src/results/atomicWrite.ts';
import { renderDataDictionary } from '../src/results/columnDictionary.ts';

const DATA_DICTIONARY_PATH = join(dirname(fileURLToPath(import.meta.url)), '..', 'docs', 'DATA_DICTIONARY.md');

writeAtomic(DATA_DICTIONARY_PATH, renderDataDictionary());
console.log(`wrote ${DATA_DICTIONARY_PATH}`);
