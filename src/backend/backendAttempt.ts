/** The outcome of trying to bring up one TensorFlow.js backend. */
export type BackendAttempt =
  | { ok: true; name: string; detail: string; versions: Record<string, string> }
  | { ok: false; why: string; install: string };

/** A one-line message from anything thrown. */
export function errorText(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0]!.trim();
}
