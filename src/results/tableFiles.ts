import { createRequire } from 'node:module';
import { join } from 'node:path';
import * as aq from 'arquero';
import type { ColumnTable } from 'arquero';
import { bool, float64, int64, utf8, type DataType } from '@uwdata/flechette';
import { writeAtomic } from './atomicWrite.ts';
import { columnInfo } from './columnDictionary.ts';

const require = createRequire(import.meta.url);

/** Every table is written in these formats, with the same columns (see docs/DATA_DICTIONARY.md). */
export const TABLE_FORMATS = ['csv', 'arrow', 'parquet'] as const;
export type TableFormat = (typeof TABLE_FORMATS)[number];
/** Which dictionary table a table's columns are looked up in (for their Arrow types). */
export type TableKind = 'updates' | 'evals' | 'runs';

/**
 * Arrow types from the data dictionary, so a column has one type in every run and every sweep
 * (left to inference, a step column would be int8 in a short run and int16 in a longer one):
 * numbers are float64, or int64 where the dictionary says integer and every value is one; strings
 * are utf8, booleans bool. Columns of mixed or no values are left to arquero's inference.
 */
function arrowTypes(table: ColumnTable, kind: TableKind): Record<string, DataType> {
  const types: Record<string, DataType> = {};
  for (const name of table.columnNames()) {
    const declared = columnInfo(kind, name)?.type;
    const values = Array.from(table.array(name) as ArrayLike<unknown>).filter((v) => v !== null && v !== undefined);
    if (values.length === 0) {
      if (declared === 'integer') types[name] = int64();
      else if (declared === 'number') types[name] = float64();
      else if (declared === 'boolean') types[name] = bool();
      else if (declared === 'string' || declared === 'json') types[name] = utf8();
    } else if (values.every((v) => typeof v === 'number')) {
      types[name] = declared === 'integer' && values.every((v) => Number.isSafeInteger(v)) ? int64() : float64();
    } else if (values.every((v) => typeof v === 'string')) types[name] = utf8();
    else if (values.every((v) => typeof v === 'boolean')) types[name] = bool();
  }
  return types;
}

/** The table as an Arrow IPC file (random access; what pandas/polars read as Feather v2). */
export function tableToArrow(table: ColumnTable, kind: TableKind): Uint8Array {
  return aq.toArrowIPC(table, { format: 'file', types: arrowTypes(table, kind) });
}

type ParquetWasm = typeof import('parquet-wasm');
let parquet: ParquetWasm | null = null;
/** parquet-wasm's Node build (Rust's arrow/parquet crates in WebAssembly), loaded on first use (≈40 ms). */
function parquetWasm(): ParquetWasm {
  parquet ??= require('parquet-wasm') as ParquetWasm;
  return parquet;
}

/** The table as Parquet (zstd-compressed), through the same Arrow types; null for a table without columns, which Parquet cannot hold. */
export function tableToParquet(table: ColumnTable, kind: TableKind): Uint8Array | null {
  if (table.numCols() === 0) return null;
  const pq = parquetWasm();
  const stream = aq.toArrowIPC(table, { format: 'stream', types: arrowTypes(table, kind) });
  const props = new pq.WriterPropertiesBuilder().setCompression(pq.Compression.ZSTD).build();
  return pq.writeParquet(pq.Table.fromIPCStream(stream), props);
}

/** A Parquet file read back as an arquero table. */
export function tableFromParquet(bytes: Uint8Array): ColumnTable {
  return aq.fromArrow(parquetWasm().readParquet(bytes).intoIPCStream());
}

/** An Arrow IPC file (or stream) read back as an arquero table. */
export function tableFromArrow(bytes: Uint8Array): ColumnTable {
  return aq.fromArrow(bytes);
}

/** The bytes of each of the table's files: NAME.csv, NAME.arrow and, where the table has columns, NAME.parquet. */
export function tableFileBytes(base: string, table: ColumnTable, kind: TableKind): [file: string, bytes: Uint8Array][] {
  const files: [string, Uint8Array][] = [
    [`${base}.csv`, Buffer.from(table.toCSV(), 'utf8')],
    [`${base}.arrow`, tableToArrow(table, kind)],
  ];
  const pq = tableToParquet(table, kind);
  if (pq) files.push([`${base}.parquet`, pq]);
  return files;
}

/** Write DIR/NAME.csv, .arrow and .parquet, each atomically; returns the files written. */
export function writeTableFiles(dir: string, base: string, table: ColumnTable, kind: TableKind): string[] {
  return tableFileBytes(base, table, kind).map(([file, bytes]) => {
    writeAtomic(join(dir, file), bytes);
    return file;
  });
}
