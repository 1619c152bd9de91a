import { FaustgenError } from '../core/errors.js';

/**
 * Version of the contract between generated model modules and this SPI. Bump it when a change here
 * would make previously generated code misbehave; generated modules state the ABI they were made for.
 */
export const GENERATED_ABI = 1;

/** Called at the top of every generated module, so a mismatch fails at import time, not as a decode bug. */
export function requireAbi(abi: number, module: string): void {
  if (abi === GENERATED_ABI) return;
  throw new FaustgenError(
    'FG_CODEGEN_ABI',
    `${module} was generated for codegen ABI ${abi}, but this faustgen runtime implements ABI ${GENERATED_ABI}; regenerate with: npx faustgen codegen`,
    { details: { module, generatedAbi: abi, runtimeAbi: GENERATED_ABI } },
  );
}
