/**
 * Nice value of the observers' own onnxruntime instances (the per-layer profiler and the
 * activation runner): the lowest priority. On a busy machine they run on what serving leaves, so
 * observation costs serving as little CPU as possible; samples then just take longer. The
 * profiler's figures stay comparable: every kernel of a profiled run is slowed alike.
 */
export const OBSERVER_NICENESS = 19;
