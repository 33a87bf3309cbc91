import * as tf from '@tensorflow/tfjs';
import { errorText, type BackendAttempt } from './backendAttempt.ts';
import { packageVersion } from './packageVersion.ts';

export const webgpuInstallHint =
  'WebGPU needs the optional npm package webgpu (Dawn; npm install webgpu) and a GPU that Dawn can reach: ' +
  'on Linux the Vulkan loader (apt-get install libvulkan1) and the GPU driver\'s Vulkan ICD ' +
  '(for NVIDIA in containers, VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json or the driver\'s nvidia_icd.json)';

/** Minimal views of the WebGPU objects we touch (the webgpu package's own types need DOM libs). */
interface GpuAdapterInfoLike {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  isFallbackAdapter?: boolean;
}
interface GpuAdapterLike {
  info?: GpuAdapterInfoLike;
  isFallbackAdapter?: boolean;
}
interface GpuLike {
  requestAdapter(options?: { powerPreference?: string }): Promise<GpuAdapterLike | null>;
}
interface DawnModule {
  create(options: string[]): GpuLike;
  globals: Record<string, unknown>;
}

/** One Dawn instance per process: later probes and tfjs's own requestAdapter() reuse it. */
let dawnGpu: GpuLike | undefined;

/** Rejects after `ms` so that a driver that never answers cannot hang start-up. */
async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
    timer.unref();
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function describeAdapter(info: GpuAdapterInfoLike | undefined): string {
  const parts = [info?.vendor, info?.architecture, info?.device, info?.description].filter((p) => p !== undefined && p !== '');
  return parts.length > 0 ? parts.join(' ') : 'unnamed adapter';
}

/**
 * tfjs-backend-webgpu registers itself only if navigator.gpu exists when it is first imported,
 * and uses the WebGPU constant objects (GPUBufferUsage, GPUMapMode, ...) as globals.
 */
function exposeWebgpuGlobals(gpu: GpuLike, dawn: DawnModule): void {
  const g = globalThis as Record<string, unknown>;
  for (const [key, value] of Object.entries(dawn.globals)) if (!(key in g)) g[key] = value;
  const nav = g.navigator as Record<string, unknown> | undefined;
  if (nav === undefined) {
    Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  } else if (nav.gpu === undefined) {
    Object.defineProperty(nav, 'gpu', { value: gpu, configurable: true });
  }
}

/**
 * Brings up tfjs's WebGPU backend on Dawn (the `webgpu` npm package). Asks for an adapter first,
 * under a timeout, and imports tfjs-backend-webgpu only when one exists. A software (fallback)
 * adapter is refused unless `acceptFallbackAdapter`: it would be slower than wasm.
 */
export async function loadWebgpu(options: { timeoutMs: number; acceptFallbackAdapter: boolean }): Promise<BackendAttempt> {
  const fail = (why: string): BackendAttempt => ({ ok: false, why, install: webgpuInstallHint });
  let dawn: DawnModule;
  try {
    const specifier: string = 'webgpu';
    dawn = (await import(specifier)) as DawnModule;
  } catch (error) {
    return fail(`the optional package 'webgpu' (Dawn) is ${packageVersion('webgpu') === undefined ? 'not installed' : `installed but failed to load (${errorText(error)})`}`);
  }
  let gpu: GpuLike;
  let adapter: GpuAdapterLike | null;
  try {
    dawnGpu ??= dawn.create([]);
    gpu = dawnGpu;
    adapter = await withTimeout(gpu.requestAdapter({ powerPreference: 'high-performance' }), options.timeoutMs, 'navigator.gpu.requestAdapter()');
  } catch (error) {
    return fail(`no GPU adapter (${errorText(error)})`);
  }
  if (adapter === null) {
    return fail('no GPU adapter: Dawn found no usable GPU (requestAdapter() returned null; on Linux this usually means no Vulkan loader or driver)');
  }
  const adapterName = describeAdapter(adapter.info);
  const fallback = adapter.info?.isFallbackAdapter ?? adapter.isFallbackAdapter ?? false;
  if (fallback && !options.acceptFallbackAdapter) {
    return fail(`only a software (fallback) GPU adapter is available (${adapterName}), slower than wasm`);
  }

  exposeWebgpuGlobals(gpu, dawn);
  try {
    await import('@tensorflow/tfjs-backend-webgpu');
  } catch (error) {
    return fail(`@tensorflow/tfjs-backend-webgpu failed to load (${errorText(error)})`);
  }
  if (tf.findBackendFactory('webgpu') === null) {
    return fail('@tensorflow/tfjs-backend-webgpu did not register its backend: it was imported before navigator.gpu existed (import stalelab\'s initBackend before it)');
  }
  try {
    const ok = await withTimeout(tf.setBackend('webgpu'), options.timeoutMs, "tf.setBackend('webgpu')");
    if (!ok) return fail(`the WebGPU backend failed to initialise on ${adapterName}`);
  } catch (error) {
    return fail(`the WebGPU backend failed to initialise on ${adapterName} (${errorText(error)})`);
  }
  const versions: Record<string, string> = {};
  for (const name of ['@tensorflow/tfjs-backend-webgpu', 'webgpu']) {
    const v = packageVersion(name);
    if (v !== undefined) versions[name.replace('@tensorflow/', '')] = v;
  }
  return { ok: true, name: 'webgpu', detail: `WebGPU (Dawn) on ${adapterName}${fallback ? ' (a software fallback adapter: correct but slower than wasm, for checking the GPU path, not for speed)' : ''}`, versions };
}
