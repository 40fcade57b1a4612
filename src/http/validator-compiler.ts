import { AjvCompiler } from '@fastify/ajv-compiler';
import type { BuildCompilerFromPool } from '@fastify/ajv-compiler';

type Options = Parameters<BuildCompilerFromPool>[1];
interface ValidationError {
  instancePath: string;
  schemaPath: string;
  keyword: string;
  params: Record<string, unknown>;
  message: string;
}
/** An Ajv validate function, as Fastify calls it. */
interface Validate {
  (data: unknown, context?: unknown): boolean;
  errors?: ValidationError[] | null;
  schemaEnv?: unknown;
}
/** What the pool's compiler really is: it takes the route (its schema, method, url and part). */
type RouteCompiler = (route: { httpPart?: string }) => Validate;

const compilers = AjvCompiler() as unknown as (externalSchemas: unknown, options?: Options) => RouteCompiler;

/**
 * Query strings, path parameters and headers are text, coerced to the types their schemas name. A
 * JSON body already has types: a value of the wrong one is refused, never converted, so what the
 * document says a field is, is what the API takes.
 */
export const bodiesAsSent = ((externalSchemas: unknown, options?: Options): RouteCompiler => {
  const coercing = compilers(externalSchemas, options);
  const exact = compilers(externalSchemas, { ...options, customOptions: { ...options?.customOptions, coerceTypes: false } } as Options);
  return (route) => (route.httpPart === 'body' ? exact(route) : finiteOnly(coercing(route)));
}) as unknown as BuildCompilerFromPool;

/**
 * Ajv coerces `1e309` to Infinity, which passes `type: integer` and even `maximum`: a number of text
 * that is not finite is refused here, before any handler sees it.
 */
function finiteOnly(validate: Validate): Validate {
  const guarded: Validate = (data, context) => {
    if (!validate(data, context)) {
      guarded.errors = validate.errors;
      return false;
    }
    for (const [key, value] of Object.entries(data ?? {})) {
      if (typeof value === 'number' && !Number.isFinite(value)) {
        guarded.errors = [{ instancePath: `/${key}`, schemaPath: '#/type', keyword: 'type', params: { type: 'number' }, message: 'must be a finite number' }];
        return false;
      }
    }
    guarded.errors = null;
    return true;
  };
  guarded.schemaEnv = validate.schemaEnv;
  return guarded;
}
