import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GroupCalibration } from '../../../src/engines/sim/groupCalibration.ts';

/** Drive a calibration with a per-gradient cost of each group size; the sizes it tried, and what it kept. */
function calibrate(maxGroup: number, msPerGradient: (size: number) => number): { tried: number[]; kept: number | null } {
  const c = new GroupCalibration(maxGroup);
  const tried: number[] = [];
  for (let pass = 0; pass < 100 && c.decided === null; pass++) {
    const { size, candidate } = c.next();
    tried.push(size);
    c.record(candidate, msPerGradient(size));
  }
  return { tried, kept: c.decided };
}

test('groups that cost more per gradient than one by one are given up after timing the smallest', () => {
  const r = calibrate(32, (s) => (s === 1 ? 1 : 1.2));
  assert.equal(r.kept, 1);
  assert.deepEqual([...new Set(r.tried)].sort((a, b) => a - b), [1, 4], 'never a group larger than 4');
});

test('a device with a round trip per pass climbs to the largest group', () => {
  // A GPU-like pass: a fixed 1 ms round trip plus 0.05 ms per gradient.
  const r = calibrate(32, (s) => (1 + 0.05 * s) / s);
  assert.equal(r.kept, 32);
  assert.deepEqual([...new Set(r.tried)].sort((a, b) => a - b), [1, 4, 16, 32]);
});

test('the climb stops at the first size not clearly faster (within 10 %)', () => {
  const cost: Record<number, number> = { 1: 1, 4: 0.7, 16: 0.66, 32: 0.3 };
  assert.equal(calibrate(32, (s) => cost[s]).kept, 4, '16 is faster than 4, but by less than the margin');
  assert.equal(calibrate(1, () => 1).kept, 1, 'gradientGroup 1: nothing to time');
  assert.equal(new GroupCalibration(1).next().size, 1);
});

test('sizes are compared by their fastest warm pass: noise, which only adds time, and a cold first pass do not make a neutral size win', () => {
  // Every size costs 1 ms per gradient warm; first passes run cold (3×), and some passes are
  // slowed by the machine. Medians of the first three passes would keep 4 here.
  const c = new GroupCalibration(32);
  const slowed: Record<number, number[]> = { 1: [2, 0.5, 0.5, 0, 0], 4: [2, 0, 0, 0.5, 0] };
  const seen: Record<number, number> = { 1: 0, 4: 0 };
  for (let pass = 0; pass < 20 && c.decided === null; pass++) {
    const { size, candidate } = c.next();
    assert.ok(size === 1 || size === 4, `tried ${size}`);
    c.record(candidate, 1 + slowed[size][seen[size]++]);
  }
  assert.equal(c.decided, 1);
  assert.deepEqual(seen, { 1: 4, 4: 4 }, 'one warm-up and three timed passes of each');
});
