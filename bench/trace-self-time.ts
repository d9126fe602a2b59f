// The renderer main thread's work in a Chromium trace, by kind (trace event name), as self time:
// nested complete events ('X', and 'B'/'E' pairs) are charged to the innermost one, so "Layout" is
// the layout itself and "FunctionCall" only the script not inside a deeper event. Used by
// bench/resident-replica.ts (RESIDENT_BENCH_TRACE) to see where Enter → painted goes.

interface TraceEvent {
  name: string;
  ph: string;
  ts: number;
  dur?: number;
  pid: number;
  tid: number;
  args?: { name?: string };
}

/** Self time in ms per event name on the renderer's main thread (CrRendererMain; the busiest one if several). */
export function mainThreadSelfTime(trace: { traceEvents: TraceEvent[] } | TraceEvent[]): Map<string, number> {
  const events = Array.isArray(trace) ? trace : trace.traceEvents;
  const mains = events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`);
  let best = new Map<string, number>();
  let bestTotal = -1;
  for (const thread of new Set(mains)) {
    const self = selfTime(events.filter((e) => `${e.pid}:${e.tid}` === thread));
    const total = [...self.values()].reduce((a, b) => a + b, 0);
    if (total > bestTotal) {
      best = self;
      bestTotal = total;
    }
  }
  return best;
}

function selfTime(events: TraceEvent[]): Map<string, number> {
  // Intervals [start, end) in µs: 'X' by its duration, 'B'/'E' paired per name on a stack.
  const spans: { name: string; start: number; end: number }[] = [];
  const open: TraceEvent[] = [];
  for (const e of [...events].sort((a, b) => a.ts - b.ts)) {
    if (e.ph === 'X' && e.dur !== undefined) spans.push({ name: e.name, start: e.ts, end: e.ts + e.dur });
    else if (e.ph === 'B') open.push(e);
    else if (e.ph === 'E') {
      const at = open.map((o) => o.name).lastIndexOf(e.name);
      if (at >= 0) spans.push({ name: e.name, start: open.splice(at, 1)[0]!.ts, end: e.ts });
    }
  }
  // Outer spans first when they start together, so that the inner one nests inside.
  spans.sort((a, b) => a.start - b.start || b.end - a.end);
  const self = new Map<string, number>();
  const stack: { name: string; end: number }[] = [];
  for (const s of spans) {
    while (stack.length > 0 && stack.at(-1)!.end <= s.start) stack.pop();
    const parent = stack.at(-1);
    const length = s.end - s.start;
    // The parent's self time loses what the child takes (a child overrunning its parent is cut at the parent's end).
    if (parent) self.set(parent.name, (self.get(parent.name) ?? 0) - Math.min(length, parent.end - s.start) / 1000);
    self.set(s.name, (self.get(s.name) ?? 0) + length / 1000);
    stack.push({ name: s.name, end: s.end });
  }
  return self;
}
