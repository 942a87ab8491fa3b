declare module 'asl-validator' {
  /** One problem asl-validator found. */
  export interface AslValidationError {
    readonly 'Error code': string;
    readonly Message: string;
    readonly path?: string;
  }
  /** Validates an Amazon States Language definition (it annotates the object: pass a copy). */
  export default function validator(
    definition: unknown,
    options?: { checkPaths?: boolean; checkArn?: boolean },
  ): { isValid: boolean; errors: AslValidationError[]; errorsText: (separator?: string) => string };
}
