/** Entry point of Crucible's WebAssembly kernels (built to build/kernels.wasm by scripts/build-kernels.mjs). */
export { gemmScratchBytes, packB, gemmRows, gemmUnpacked, gemmUnpackedRows } from './gemm';
export { tanhArray } from './tanh';
export { fillRows, activate, outputGradient, denseRows } from './dense';
export { sgdUpdate } from './update';
export { mlpPack, mlpRows, mlpWeights, packRowsB, squaredErrorSum } from './mlp';
export { encodeFixed } from './fixed';
