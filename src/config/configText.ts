import { extname } from 'node:path';
import { parse as parseYamlText, YAMLParseError } from 'yaml';

/** Extensions read as YAML; any other file is JSON. */
export const YAML_EXTENSIONS = ['.yaml', '.yml'] as const;

export function isYamlPath(path: string): boolean {
  return (YAML_EXTENSIONS as readonly string[]).includes(extname(path).toLowerCase());
}

/** The format a config or grid file is read in, by its extension. */
export function configFormatOf(path: string): 'YAML' | 'JSON' {
  return isYamlPath(path) ? 'YAML' : 'JSON';
}

/**
 * The value of a config or grid file's text: YAML 1.2 (core schema: no dates, `yes` is a string;
 * duplicate keys and several documents are errors) for .yaml/.yml, JSON otherwise. A syntax error
 * is thrown as an Error whose message says where, e.g. "line 3, column 1: map keys must be
 * unique", so the caller can name the file.
 */
export function parseConfigText(text: string, path: string): unknown {
  if (!isYamlPath(path)) return JSON.parse(text);
  try {
    return parseYamlText(text, { prettyErrors: true, uniqueKeys: true });
  } catch (e) {
    if (!(e instanceof YAMLParseError)) throw e;
    const at = e.linePos?.[0];
    const what = e.message.split(' at line ')[0].split('\n')[0];
    throw new Error(at ? `line ${at.line}, column ${at.col}: ${what}` : what);
  }
}
