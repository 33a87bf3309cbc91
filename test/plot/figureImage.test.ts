/**
 * Static figure export through a real headless Chromium (Debian's, driven by playwright-core):
 * SVG, PNG and PDF bytes checked for what they must contain, atomic saves, one shared browser
 * that is closed (no child process left), the synchronous renderer notebooks use, and the errors
 * without Chromium. Skipped without Chromium unless STALELAB_REQUIRE_CHROMIUM=1 (CI), except the
 * missing-browser tests, which run everywhere.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { inflateSync } from 'node:zlib';
import { ConfigError } from '../../src/config/validate.ts';
import { curveFigure } from '../../src/plot/curveFigure.ts';
import {
  CHROMIUM_ENV,
  ChromiumMissingError,
  chromiumAvailable,
  closeFigureRenderer,
  FIGURE_FORMATS,
  figureToImage,
  FigureRenderer,
  saveFigure,
} from '../../src/plot/figureImage.ts';
import { SyncFigureRenderer } from '../../src/plot/figureImageSync.ts';
import type { FigureSpec } from '../../src/plot/figureSpec.ts';
import { NotebookReport, REQUIRE_CHROMIUM_ENV } from '../../src/plot/notebookReport.ts';
import * as aq from 'arquero';

const required = process.env[REQUIRE_CHROMIUM_ENV] === '1';
const skip = !chromiumAvailable() && !required ? 'no Chromium (sudo apt-get install chromium; CI sets STALELAB_REQUIRE_CHROMIUM=1)' : false;

const XS = [0, 10, 20, 30, 40, 50, 60];
/** Two rules' loss curves with markers: one marker <path class="point"> per point in the SVG. */
function lossFigure(): FigureSpec {
  const table = aq.table({
    step: [...XS, ...XS],
    loss: [...XS.map((x) => 2 / (1 + x / 10)), ...XS.map((x) => 2.2 - x / 50 + (x % 20 ? 0.1 : 0))],
    rule: [...XS.map(() => 'asgd'), ...XS.map(() => 'ga-asgd')],
  });
  return curveFigure(table, { x: { column: 'step', title: 'updates' }, y: { column: 'loss', title: 'loss' }, group: { column: 'rule', title: 'rule' }, mode: 'lines+markers', title: 'loss per rule' });
}

/** Marker paths in a plotly SVG (class "point", with "plotly-customdata" where the trace has customdata). */
const points = (svg: string) => (svg.match(/class="point[ "]/g) ?? []).length;

/** Child processes of this one whose command is Chromium's (the browser; its helpers are its children). */
function chromiumChildren(): number[] {
  const kids: number[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
      if (ppid === process.pid && /chrom/i.test(comm) && state !== 'Z') kids.push(Number(pid));
    } catch {
      // The process ended while we looked.
    }
  }
  return kids;
}

function pngInfo(png: Buffer): { width: number; height: number; colourType: number; pixels: Buffer } {
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'PNG signature');
  assert.equal(png.toString('latin1', 12, 16), 'IHDR');
  const idat: Buffer[] = [];
  for (let at = 8; at < png.length; ) {
    const len = png.readUInt32BE(at);
    if (png.toString('latin1', at + 4, at + 8) === 'IDAT') idat.push(png.subarray(at + 8, at + 8 + len));
    at += 12 + len;
  }
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20), colourType: png[25], pixels: inflateSync(Buffer.concat(idat)) };
}

test('figureToImage: SVG has the figure size, one marker per point of each trace, and the legend', { skip }, async () => {
  const fig = lossFigure();
  const svg = (await figureToImage(fig, { format: 'svg', width: 640, height: 360 })).toString('utf8');
  assert.match(svg, /^<svg[^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  assert.match(svg.slice(0, 400), /width="640"/);
  assert.match(svg.slice(0, 400), /height="360"/);
  const traces = svg.split('class="trace scatter').slice(1);
  assert.equal(traces.length, fig.data.length, 'one trace group per series');
  for (const t of traces) assert.equal(points(t), XS.length, 'a marker per data point');
  for (const name of ['asgd', 'ga-asgd', 'loss per rule', 'updates']) assert.ok(svg.includes(`>${name}<`), `the SVG shows "${name}"`);
});

test('figureToImage: PNG is RGBA at width × height × scale; PDF is one vector page of the figure size', { skip }, async () => {
  const fig = lossFigure();
  const png = pngInfo(await figureToImage(fig, { format: 'png', width: 500, height: 300, scale: 2 }));
  assert.equal(png.width, 1000);
  assert.equal(png.height, 600);
  assert.equal(png.colourType, 6, 'RGBA');
  assert.equal(png.pixels.length, png.height * (1 + png.width * 4), 'every row decompresses');
  const other = await figureToImage({ ...fig, data: fig.data.slice(0, 1) }, { format: 'png', width: 500, height: 300, scale: 2 });
  assert.notDeepEqual(pngInfo(other).pixels, png.pixels, 'a different figure draws different pixels');

  const pdf = await figureToImage(fig, { format: 'pdf', width: 500, height: 300 });
  assert.equal(pdf.toString('latin1', 0, 5), '%PDF-');
  assert.match(pdf.toString('latin1', pdf.length - 8), /%%EOF/);
  const text = pdf.toString('latin1');
  assert.match(text, /\/Count 1\b/, 'one page');
  const box = /\/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]/.exec(text);
  assert.ok(box, 'the page has a MediaBox');
  // CSS pixels are 3/4 of a PDF point; Chromium rounds the page to its own units.
  assert.ok(Math.abs(Number(box[1]) - 375) < 1 && Math.abs(Number(box[2]) - 225) < 1, `page ${box[1]} × ${box[2]} pt`);
});

test('saveFigure: the extension picks the format, files are written atomically; bad options name the field', { skip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'stalelab-figure-'));
  try {
    const fig = lossFigure();
    for (const f of FIGURE_FORMATS) await saveFigure(fig, join(dir, `loss.${f}`));
    assert.deepEqual(readdirSync(dir).sort(), FIGURE_FORMATS.map((f) => `loss.${f}`).sort(), 'no temp file left');
    assert.ok(readFileSync(join(dir, 'loss.svg'), 'utf8').startsWith('<svg'));
    assert.equal(pngInfo(readFileSync(join(dir, 'loss.png'))).width, 720 * 2, 'default: 720 px at scale 2');
    assert.equal(readFileSync(join(dir, 'loss.pdf')).toString('latin1', 0, 5), '%PDF-');
    await assert.rejects(saveFigure(fig, join(dir, 'loss.gif')), (e: unknown) => e instanceof ConfigError && /\.svg, \.png, \.pdf/.test(e.message) && /"\.gif"/.test(e.message));
    await assert.rejects(figureToImage(fig, { format: 'png', width: 0 }), (e: unknown) => e instanceof ConfigError && /width must be an integer/.test(e.message));
    await assert.rejects(figureToImage(fig, { format: 'png', scale: -1 }), (e: unknown) => e instanceof ConfigError && /scale must be/.test(e.message));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('figureToImage shares one browser across calls and closes it: no Chromium process is left', { skip }, async () => {
  await closeFigureRenderer();
  const fig = lossFigure();
  await Promise.all([figureToImage(fig, { format: 'svg' }), figureToImage(fig, { format: 'png' }), figureToImage(fig, { format: 'pdf' })]);
  assert.equal(chromiumChildren().length, 1, 'three figures at once, one browser');
  await closeFigureRenderer();
  assert.deepEqual(chromiumChildren(), []);

  const renderer = await FigureRenderer.launch();
  await renderer.render(fig, { format: 'svg' });
  assert.equal(chromiumChildren().length, 1);
  await renderer.close();
  assert.deepEqual(chromiumChildren(), []);
});

test('SyncFigureRenderer renders without await (for notebook cells) and closes its browser', { skip }, () => {
  const r = new SyncFigureRenderer();
  const svg = r.render(lossFigure(), { format: 'svg' }).toString('utf8');
  assert.equal(points(svg), 2 * XS.length);
  assert.equal(pngInfo(r.render(lossFigure(), { format: 'png', width: 300, height: 200, scale: 1 })).width, 300);
  assert.throws(() => r.render(lossFigure(), { format: 'png', height: 5 }), (e: unknown) => e instanceof ConfigError && /height must be/.test(e.message));
  assert.equal(chromiumChildren().length, 1);
  r.close();
  assert.deepEqual(chromiumChildren(), []);
  assert.throws(() => r.render(lossFigure(), { format: 'svg' }), /closed/);
});

test('NotebookReport keeps an SVG and a PNG beside every figure JSON; reports of one process share one browser', { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'stalelab-report-images-'));
  try {
    const display = { html: () => undefined, markdown: () => undefined };
    const a = new NotebookReport({ notebook: '00-a', profile: 'smoke', display, reportsDir: dir });
    a.figure('loss', lossFigure());
    const b = new NotebookReport({ notebook: '00-b', profile: 'smoke', display, reportsDir: dir });
    b.figure('loss', lossFigure());
    b.figure('loss2', lossFigure());
    assert.equal(chromiumChildren().length, 1, 'one browser for both reports');
    assert.deepEqual(b.files(), ['00-b/loss.json', '00-b/loss.svg', '00-b/loss.png', '00-b/loss2.json', '00-b/loss2.svg', '00-b/loss2.png']);
    const svg = readFileSync(join(dir, '00-a', 'loss.svg'), 'utf8');
    assert.equal(points(svg), 2 * XS.length);
    assert.equal(pngInfo(readFileSync(join(dir, '00-b', 'loss2.png'))).width, 720 * 2);
    b.close();
    assert.deepEqual(chromiumChildren(), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Run `fn` with Chromium pointed at a path that does not exist (and the CI requirement as given). */
async function withoutChromium(requireIt: string | undefined, fn: () => Promise<void> | void): Promise<void> {
  const saved = { chromium: process.env[CHROMIUM_ENV], require: process.env[REQUIRE_CHROMIUM_ENV] };
  process.env[CHROMIUM_ENV] = '/nonexistent/chromium';
  if (requireIt === undefined) delete process.env[REQUIRE_CHROMIUM_ENV];
  else process.env[REQUIRE_CHROMIUM_ENV] = requireIt;
  try {
    await fn();
  } finally {
    for (const [k, v] of [[CHROMIUM_ENV, saved.chromium], [REQUIRE_CHROMIUM_ENV, saved.require]] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

test('without Chromium: figureToImage names what is missing and the install command', async () => {
  await withoutChromium(undefined, async () => {
    assert.equal(chromiumAvailable(), false);
    await assert.rejects(figureToImage(lossFigure(), { format: 'svg' }), (e: unknown) => e instanceof ChromiumMissingError && e instanceof ConfigError && /STALELAB_CHROMIUM=\/nonexistent\/chromium is not a file/.test(e.message) && /apt-get install -y chromium/.test(e.message));
    assert.throws(() => new SyncFigureRenderer().render(lossFigure(), { format: 'png' }), (e: unknown) => e instanceof ChromiumMissingError && /apt-get install -y chromium/.test(e.message));
  });
});

test('without Chromium: NotebookReport saves JSON with one notice, or fails when STALELAB_REQUIRE_CHROMIUM=1', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'stalelab-report-nochromium-'));
  try {
    await withoutChromium(undefined, () => {
      const notes: string[] = [];
      const report = new NotebookReport({ notebook: '00-c', profile: 'smoke', display: { html: () => undefined, markdown: (s) => notes.push(s) }, reportsDir: dir });
      report.figure('one', lossFigure());
      report.figure('two', lossFigure());
      assert.deepEqual(report.files(), ['00-c/one.json', '00-c/two.json']);
      assert.equal(notes.length, 1, 'one notice per report');
      assert.match(notes[0], /no SVG\/PNG: .*apt-get install -y chromium/);
      assert.equal(notes[0].split('\n').length, 1);
    });
    await withoutChromium('1', () => {
      const report = new NotebookReport({ notebook: '00-d', profile: 'smoke', display: { html: () => undefined, markdown: () => undefined }, reportsDir: dir });
      assert.throws(() => report.figure('one', lossFigure()), ChromiumMissingError);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
