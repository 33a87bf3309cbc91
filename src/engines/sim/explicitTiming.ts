import { ConfigError } from '../../config/validate.ts';
import type { Timing } from './timing.ts';

/** Workers finish in the given order, one per time unit; `repeat` cycles the list. */
export function explicitTiming(order: readonly number[], repeat: boolean): Timing {
  let k = 0;
  const timing: Timing = {
    worker: -1,
    time: 0,
    next() {
      if (k >= order.length && !repeat) {
        throw new ConfigError(`timing.order: the schedule lists ${order.length} arrivals but the run needs more; lengthen it or set repeat: true`);
      }
      timing.worker = order[k % order.length];
      k++;
      timing.time = k;
    },
    finishTime(i) {
      // The next listed arrival of worker i from here on.
      const limit = repeat ? order.length : order.length - k;
      for (let d = 0; d < limit; d++) if (order[(k + d) % order.length] === i) return k + d + 1;
      return Infinity;
    },
    round() {
      throw new ConfigError('timing: an explicit schedule has no barrier rounds; SSGD needs gamma or round-robin timing');
    },
    describe: () => ({ timing: 'schedule', length: order.length, repeat: String(repeat) }),
  };
  return timing;
}
