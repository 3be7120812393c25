export { maskFromCoefficients } from './mask';
export type { Coefficients, Mask, MaskScope } from './mask';
export { maskDistance } from './mask-distance';
