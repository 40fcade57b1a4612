import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

// ajv-formats is CommonJS with a default export.
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

/** Where the document lives in the validator; its `#/components/...` references resolve inside it. */
const DOC_ID = 'waymark:openapi';

/**
 * Validators for the schemas inside an OpenAPI 3.1 document (JSON Schema 2020-12), each named by its
 * JSON pointer (`/paths/…/responses/200/content/application~1json/schema`) and compiled once.
 */
export function documentValidator(doc: object): (pointer: string) => ValidateFunction {
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
  addFormats(ajv);
  ajv.addSchema({ ...doc, $id: DOC_ID });
  const compiled = new Map<string, ValidateFunction>();
  return (pointer) => {
    let v = compiled.get(pointer);
    if (v === undefined) compiled.set(pointer, (v = ajv.compile({ $ref: `${DOC_ID}#${pointer}` })));
    return v;
  };
}

/** A JSON pointer segment (RFC 6901): a path such as `/v1/emails/{id}` as one segment. */
export function pointerSegment(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}
