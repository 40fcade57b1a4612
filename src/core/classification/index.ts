/** Who made a tracking hit and through what proxy: the labels, the per-hit rules and the context rules. */
export * from './labels.js';
export * from './rules.js';
export * from './context.js';
