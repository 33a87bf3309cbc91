/**
 * How byte pixels become floats: 'unit' divides by 255 (the default), 'raw' keeps 0–255, as the
 * ASAP.SGD authors' code feeds them.
 */
export const PIXEL_SCALES = ['unit', 'raw'] as const;
export type PixelScale = (typeof PIXEL_SCALES)[number];

/** Bytes 0–255 as float32, scaled per `scale`. */
export function bytesToFloat(bytes: Uint8Array, scale: PixelScale): Float32Array {
  const out = new Float32Array(bytes.length);
  if (scale === 'raw') out.set(bytes);
  else for (let i = 0; i < bytes.length; i++) out[i] = bytes[i] / 255;
  return out;
}
