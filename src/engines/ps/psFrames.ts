import { createHash, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

/**
 * The parameter server's messages. Each is one ZeroMQ multipart message: a JSON header frame
 * (at most MAX_HEADER_BYTES) and, for parameters and gradients only, one payload frame of `dim`
 * little-endian float32 values. Every message a worker sends carries the run's token. Both
 * sides validate what they receive: frame count, header size and fields, dtype, dim and byte
 * length; a message that fails is rejected with the reason, never half-read.
 */
export const PS_PROTOCOL = 1;
/** Largest header a worker may send. */
export const MAX_HEADER_BYTES = 4096;
/** Largest header the server sends (the welcome carries the run's config). */
export const MAX_SERVER_HEADER_BYTES = 1 << 20;
export const PS_DTYPE = 'float32';

/** ZMTP heartbeats (run by ZeroMQ's I/O thread, so a busy worker still answers): a silent peer's connection is closed after 10 s. */
export const HEARTBEAT = { heartbeatInterval: 1000, heartbeatTimeout: 10_000 };

const token = z.string().min(1).max(512);
const slot = z.number().int().min(0).max(1_000_000);
const count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const seconds = z.number().finite().min(0).max(1e7);

/** What a worker sends. */
export const workerHeaderSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('hello'), protocol: z.number().int(), token, pid: count, host: z.string().max(256) }).strict(),
  z.object({ type: z.literal('pull'), token, worker: slot }).strict(),
  z
    .object({
      type: z.literal('push'),
      token,
      worker: slot,
      /** The server's version the parameters had (echoed from the params message). */
      version: count,
      batch: count,
      dim: z.number().int().min(1),
      dtype: z.string(),
      /** The minibatch loss; null when it was not finite. */
      loss: z.number().nullable(),
      computeSec: seconds,
      delaySec: seconds,
      /** Seconds from this worker's previous send until the parameters of this gradient arrived. */
      commSec: seconds,
    })
    .strict(),
  z.object({ type: z.literal('bye'), token, worker: slot, error: z.string().max(4000).nullable() }).strict(),
]);
export type WorkerHeader = z.output<typeof workerHeaderSchema>;

/** What the server sends. */
export const serverHeaderSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('welcome'), worker: slot, dim: z.number().int().min(1), config: z.record(z.string(), z.unknown()) }).strict(),
  z.object({ type: z.literal('refuse'), reason: z.string() }).strict(),
  z.object({ type: z.literal('params'), version: count, batch: count, dim: z.number().int().min(1), dtype: z.string() }).strict(),
  z.object({ type: z.literal('stop'), reason: z.string() }).strict(),
  z.object({ type: z.literal('reject'), reason: z.string() }).strict(),
]);
export type ServerHeader = z.output<typeof serverHeaderSchema>;

/** The frames of a message: the header, and the vector as a view of its bytes (no copy). */
export function encodeMessage(header: object, payload?: Float32Array, maxHeader = MAX_HEADER_BYTES): Buffer[] {
  const head = Buffer.from(JSON.stringify(header));
  if (head.length > maxHeader) throw new RangeError(`ps message header of ${head.length} bytes exceeds ${maxHeader}`);
  return payload ? [head, Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength)] : [head];
}

export type Decoded<H> = { ok: true; header: H; payload: Buffer | null } | { ok: false; reason: string };

/** Header types that carry a payload frame. */
const WITH_PAYLOAD = new Set(['push', 'params']);

/**
 * Validate a message's frames against a header schema: the frame count, the header's size, JSON
 * and fields, and for a vector message its dtype, dim and byte length (= 4·dim).
 */
export function decodeMessage<H extends { type: string }>(frames: readonly Buffer[], schema: z.ZodType<H>, dim: number | null, maxHeader = MAX_HEADER_BYTES): Decoded<H> {
  if (frames.length < 1 || frames.length > 2) return { ok: false, reason: `expected 1 or 2 frames, got ${frames.length}` };
  const head = frames[0];
  if (head.length > maxHeader) return { ok: false, reason: `header of ${head.length} bytes exceeds ${maxHeader}` };
  let raw: unknown;
  try {
    raw = JSON.parse(head.toString('utf8'));
  } catch {
    return { ok: false, reason: 'header is not JSON' };
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    return { ok: false, reason: `invalid header: ${first.path.join('.') || 'message'}: ${first.message}` };
  }
  const header = parsed.data;
  const wantsPayload = WITH_PAYLOAD.has(header.type);
  if (wantsPayload !== (frames.length === 2)) return { ok: false, reason: `a ${header.type} message has ${wantsPayload ? 2 : 1} frame(s), got ${frames.length}` };
  if (!wantsPayload) return { ok: true, header, payload: null };
  const h = header as unknown as { dim: number; dtype: string };
  if (h.dtype !== PS_DTYPE) return { ok: false, reason: `dtype ${JSON.stringify(h.dtype)}; expected "${PS_DTYPE}"` };
  if (dim !== null && h.dim !== dim) return { ok: false, reason: `dim ${h.dim}; this run's vectors have ${dim}` };
  const payload = frames[1];
  if (payload.length !== 4 * h.dim) return { ok: false, reason: `payload of ${payload.length} bytes; expected 4 × ${h.dim} = ${4 * h.dim}` };
  return { ok: true, header, payload };
}

/**
 * Copy a payload into `out` (a frame may start at any byte offset, so it is copied before it is
 * read as float32); true when every value is finite.
 */
export function readFloats(payload: Buffer, out: Float32Array): boolean {
  new Uint8Array(out.buffer, out.byteOffset, out.byteLength).set(payload);
  // A NaN or ±Inf makes the sum non-finite; float32 values cannot overflow a double sum. Four
  // partial sums (leftovers first) keep the loop free of a dependency chain.
  const n = out.length;
  let j = 0;
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  for (; j < (n & 3); j++) s0 += out[j];
  for (; j < n; j += 4) {
    s0 += out[j];
    s1 += out[j + 1];
    s2 += out[j + 2];
    s3 += out[j + 3];
  }
  return Number.isFinite(s0 + s1 + s2 + s3);
}

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/** Constant-time token comparison (over digests, so the lengths are equal too). */
export function tokensEqual(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}
