export function registerWgslKernels(): void {}
