/**
 * YAML configs beside JSON: `run --config FILE.yaml` and `sweep GRID.yml` read YAML through the
 * same validation as JSON (the same run, the same run ids), and a YAML syntax error names the file
 * and the line, exit status 2.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { cli } from './runCli.ts';
import { YAML_EXTENSIONS } from '../../src/config/configText.ts';
import { loadRun } from '../../src/results/runDir.ts';

const dir = mkdtempSync(join(tmpdir(), 'stalelab-config-files-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

const CONFIG = { objective: { name: 'quadratic', dim: 16 }, rule: { name: 'ga-momentum', momentum: 0.5 }, workers: 4, lr: 0.05, steps: 40, evalEvery: 10, seed: 7 };
const CONFIG_YAML = `# the same run as CONFIG, in YAML
objective:
  name: quadratic
  dim: 16
rule: { name: ga-momentum, momentum: 0.5 }
workers: 4
lr: 0.05
steps: 40
evalEvery: 10
seed: 7
`;

test('run --config FILE.yaml is the same run as the JSON config (same record config, same tables)', async () => {
  const fromJson = join(dir, 'json-run');
  const fromYaml = join(dir, 'yaml-run');
  const a = await cli('run', '--config', file('run.json', JSON.stringify(CONFIG)), '--out', fromJson, '--no-progress');
  assert.equal(a.code, 0, a.err);
  for (const ext of YAML_EXTENSIONS) {
    const out = `${fromYaml}${ext}`;
    const b = await cli('run', '--config', file(`run${ext}`, CONFIG_YAML), '--out', out, '--no-progress');
    assert.equal(b.code, 0, b.err);
    assert.deepEqual(loadRun(out).record.config, loadRun(fromJson).record.config, ext);
    assert.equal(readFileSync(join(out, 'updates.csv'), 'utf8'), readFileSync(join(fromJson, 'updates.csv'), 'utf8'), `${ext}: the same updates`);
  }
  // Flags still override the file's fields.
  const c = await cli('run', '--config', join(dir, 'run.yaml'), '--steps', '12', '--out', join(dir, 'override'), '--no-progress');
  assert.equal(c.code, 0, c.err);
  assert.equal(loadRun(join(dir, 'override')).record.summary?.updates, 12);
});

test('sweep GRID.yaml lists the same runs (ids hash the validated config) as the JSON grid', async () => {
  const grid = { base: { objective: 'quadratic', lr: 0.05, steps: 10 }, vary: { rule: ['asgd', 'ga'], workers: [1, 4], seed: [1, 2] } };
  const yaml = 'base:\n  objective: quadratic\n  lr: 0.05\n  steps: 10\nvary:\n  rule: [asgd, ga]\n  workers: [1, 4]\n  seed:\n    - 1\n    - 2\n';
  const a = await cli('sweep', file('grid.json', JSON.stringify(grid)), '--list');
  const b = await cli('sweep', file('grid.yml', yaml), '--list');
  assert.equal(a.code, 0, a.err);
  assert.equal(b.code, 0, b.err);
  const entries = (s: string) => s.split('\n').slice(1);
  assert.deepEqual(entries(b.out), entries(a.out));
  assert.match(b.out, /^8 runs in /);
});

test('YAML errors name the file and the line; validation errors are the JSON ones', async () => {
  const cases: [string[], RegExp][] = [
    [['run', '--config', file('dup.yaml', 'objective: quadratic\nlr: 0.05\nlr: 0.1\nsteps: 5\n')], /--config: .*dup\.yaml is not valid YAML \(line 3, column 1: Map keys must be unique\)/],
    [['run', '--config', file('indent.yml', 'objective: quadratic\nrule:\n  name: ga\n   momentum: 0.5\n')], /--config: .*indent\.yml is not valid YAML \(line \d+, column \d+: /],
    [['run', '--config', file('two.yaml', 'lr: 0.05\n---\nlr: 0.1\n')], /two\.yaml is not valid YAML \(line 2, column 1: Source contains multiple documents/],
    [['run', '--config', file('list.yaml', '- lr: 0.05\n')], /--config: .*list\.yaml must hold a YAML mapping \(a run config\)/],
    [['run', '--config', file('badlr.yaml', 'objective: quadratic\nlr: fast\nsteps: 5\n')], /config\.lr: .*expected number/],
    [['sweep', file('grid-bad.yaml', 'base: {objective: quadratic, lr: 0.05, steps: 5}\nvary:\n  workers: [1, 2\n'), '--list'], /grid file .*grid-bad\.yaml: not valid YAML \(line 4, column 1: /],
    [['sweep', file('grid-field.yaml', 'base: {objective: quadratic, lr: 0.05, steps: 5}\nvary:\n  workers: []\n'), '--list'], /grid file .*grid-field\.yaml\.vary\.workers: /],
  ];
  for (const [args, want] of cases) {
    const r = await cli(...args, ...(args[0] === 'run' ? ['--out', join(dir, 'never'), '--no-progress'] : []));
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
    assert.match(r.err, want);
    if (/not valid YAML|must hold/.test(r.err)) assert.equal(r.err.trim().split('\n').length, 1, `one line: ${r.err}`);
  }
});
