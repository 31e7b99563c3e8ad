// One set of ajv options for module parameters, shared by the runtime
// compiler and the build step that precompiles every module's validator.

export const MODULE_AJV_OPTIONS = {
  allErrors: true,
  verbose: true,
  coerceTypes: true,
  useDefaults: true,
  strict: false,
  allowUnionTypes: true,
} as const;

/** The schema actually validated: the module's, closed to unknown keys. */
export function moduleSchema(schema: Record<string, unknown>): Record<string, unknown> {
  return { type: 'object', additionalProperties: false, ...schema };
}
