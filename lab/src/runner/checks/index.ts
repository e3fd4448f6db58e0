export { CHECKS, checkSpecSchema, checksMarkdown, runCheck } from './registry.js';
export { defineCheck, type CheckSpec, type RegisteredCheck } from './define.js';
