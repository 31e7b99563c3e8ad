// Shared helpers of the file modules; other modules (get_url, sysconfig ...)
// reuse them to plan attributes and content the same way.

export { formatMode, parseMode, modeSchema } from './mode.js';
export { planAttributes, applyAttributes, wantedMode, writeOptionsFor, type Attributes, type AttributeOptions } from './attributes.js';
export { planContent, sha1, isBinary, hasSecretName, hasSecretMode, type ContentOptions } from './content.js';
export { runValidate, validateArgv, validateSchema, type ValidateOptions } from './validate.js';
export { splitWords, quoteForDisplay } from './words.js';
export { resolveLinks, missingDirs, requireAbsolute, backupName } from './paths.js';
export { planFileWrite, applyFileWrite, type FileWriteSpec, type FileWriteState } from './file-write.js';
export { attributeProperties, editedPathProperties, editedPathRequired, writeProperties } from './dest-schema.js';
export { pythonRegExp, expandMatch } from './python-regex.js';
export { controllerCandidates, findControllerPath, readControllerFile } from './controller-files.js';
