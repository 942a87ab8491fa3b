export * from './env.js';
export * from './execution.js';
export * from './ids.js';
export * from './layout.js';
export * from './manifest.js';
