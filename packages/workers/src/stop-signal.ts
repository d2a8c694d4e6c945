import type { RunStop, StopReason } from '@overload/core/internal';

/**
 * The stop an AbortSignal asks for. A command's kill switches abort with the stop itself
 * (`{ reason: 'signal', detail: 'SIGINT received' }`), so every phase and the result name it; a
 * library user's plain `controller.abort()` (or an Error, or a string) is an `aborted` stop.
 */
export function stopOfSignal(signal: AbortSignal | undefined): Omit<RunStop, 'atMs'> {
  const reason = signal?.reason as unknown;
  if (typeof reason === 'object' && reason !== null && 'reason' in reason && typeof (reason as { reason: unknown }).reason === 'string') {
    const r = reason as { reason: StopReason; detail?: unknown };
    return { reason: r.reason, ...(typeof r.detail === 'string' ? { detail: r.detail } : {}) };
  }
  if (reason instanceof Error && reason.name !== 'AbortError') return { reason: 'aborted', detail: reason.message };
  if (typeof reason === 'string') return { reason: 'aborted', detail: reason };
  return { reason: 'aborted' };
}
