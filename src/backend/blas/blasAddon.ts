import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** The compiled binding of native/src (net.c over OpenBLAS). */
export interface BlasAddon {
  createNet(program: Int32Array, loss: number, classes: number, dim: number): unknown;
  /** Mean minibatch loss; writes dL/dθ into g. */
  gradient(net: unknown, theta: Float32Array, x: Float32Array, y: Int32Array | Float32Array, batch: number, g: Float32Array): number;
  /** [Σ per-example loss, # correct] over the rows. */
  evaluate(net: unknown, theta: Float32Array, x: Float32Array, y: Int32Array | Float32Array, rows: number): [number, number];
  info(): { config: string; core: string };
  /** The θ passes of native/src/theta_kernels.inc (absent from an addon built before them). */
  sgdStep?(theta: Float32Array, g: Float32Array, lr: number): number;
  sgdStepWithGap?(theta: Float32Array, g: Float32Array, lr: number, x: Float32Array, gapSq: Float64Array): number;
  gapSq?(theta: Float32Array, x: Float32Array, out: Float32Array | null): number;
  sum?(v: Float32Array): number;
  /** The θ passes' instruction-set variant ('avx2' | 'base'), after switching to `name` when given. */
  thetaIsa?(name?: string): string;
  momentumStep?(theta: Float32Array, v: Float32Array, g: Float32Array, lr: number, gamma: number, nesterov: boolean): number;
  momentumStepWithGap?(theta: Float32Array, v: Float32Array, g: Float32Array, lr: number, gamma: number, x: Float32Array, gapSq: Float64Array): number;
  gapAware?(s: Float32Array, g: Float32Array, u: Float32Array, gap: Float32Array, beta: number, correction: number, lrMax: number, epsilon: number, out: Float64Array): void;
  divide?(g: Float32Array, d: number): void;
  danaSend?(out: Float32Array, theta: Float32Array, sum: Float32Array, c: number): void;
  danaGap?(theta: Float32Array, sum: Float32Array, c: number, x: Float32Array, out: Float32Array | null): number;
  danaStep?(theta: Float32Array, v: Float32Array, sum: Float32Array, g: Float32Array, lr: number, gamma: number): number;
  delayCompensation?(g: Float32Array, d: Float32Array, ms: Float32Array | null, lambda: number, lambda0: number, msDecay: number, epsilon: number): void;
}

/** Where `npm run build:native` puts the addon: native/build/Release under the package root. */
export const ADDON_PATH = fileURLToPath(new URL('../../../native/build/Release/stalelab_native.node', import.meta.url));
export const BUILD_HINT = 'install OpenBLAS and build the addon: apt-get install libopenblas-dev && npm run build:native';

/**
 * OpenBLAS picks its kernels from the CPU model; inside VMs it can fail to recognise one and fall
 * back to its oldest (SSE) kernels, 5-10x slower. The CPU's feature flags tell which kernels are
 * safe, so unless the user chose (OPENBLAS_CORETYPE), pick from them before the library loads.
 */
function chooseCoreType(): void {
  if (process.env.OPENBLAS_CORETYPE) return;
  let flags: Set<string>;
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8').split('\n').find((l) => l.startsWith('flags'));
    flags = new Set((line ?? '').split(':')[1]?.trim().split(/\s+/) ?? []);
  } catch {
    return;
  }
  if (['avx512f', 'avx512dq', 'avx512cd', 'avx512bw', 'avx512vl'].every((f) => flags.has(f))) process.env.OPENBLAS_CORETYPE = 'SkylakeX';
  else if (flags.has('avx2') && flags.has('fma')) process.env.OPENBLAS_CORETYPE = 'Haswell';
}

let loaded: { addon: BlasAddon } | { error: string } | undefined;

/** The addon, or why it cannot be used here (not built, OpenBLAS missing). */
export function loadBlasAddon(): { addon: BlasAddon } | { error: string } {
  if (loaded) return loaded;
  if (!existsSync(ADDON_PATH)) {
    loaded = { error: `the native addon is not built (${ADDON_PATH} is missing); ${BUILD_HINT}` };
    return loaded;
  }
  chooseCoreType();
  try {
    loaded = { addon: createRequire(import.meta.url)(ADDON_PATH) as BlasAddon };
  } catch (e) {
    loaded = { error: `the native addon failed to load (${(e as Error).message.split('\n')[0]}); ${BUILD_HINT}` };
  }
  return loaded;
}
