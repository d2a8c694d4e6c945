import { type ProfileStep, RateCurve, type Segment } from '../profile/curve.js';

/**
 * Applies a hard rate ceiling to a curve: r'(t) = min(r(t), maxRps). Where a ramp crosses the
 * ceiling the segment is split at the crossing, so the area (and so the schedule) is exactly
 * that of the clamped rate: no 1 s window can exceed the ceiling, whatever the profile says.
 */
export function clampCurve(curve: RateCurve, maxRps: number): RateCurve {
  const out: Segment[] = [];
  for (const s of curve.segments) {
    const lo = Math.min(s.fromRps, s.toRps);
    const hi = Math.max(s.fromRps, s.toRps);
    if (hi <= maxRps) {
      out.push(s);
    } else if (lo >= maxRps) {
      out.push({ ...s, fromRps: maxRps, toRps: maxRps });
    } else {
      // The ramp crosses the ceiling: split where r(t) = maxRps, then flatten the part above.
      const crossMs = ((maxRps - s.fromRps) / (s.toRps - s.fromRps)) * s.durationMs;
      const rising = s.toRps > s.fromRps;
      out.push(
        { startMs: s.startMs, durationMs: crossMs, fromRps: rising ? s.fromRps : maxRps, toRps: maxRps },
        { startMs: s.startMs + crossMs, durationMs: s.durationMs - crossMs, fromRps: maxRps, toRps: rising ? maxRps : s.toRps },
      );
    }
  }
  const steps: ProfileStep[] = curve.steps.map((st) =>
    st.rateRps > maxRps ? { ...st, rateRps: maxRps, label: `${st.label} (capped at ${maxRps} req/s)` } : st,
  );
  return new RateCurve(out, steps);
}
