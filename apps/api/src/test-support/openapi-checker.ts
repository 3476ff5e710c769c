import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { OpenApiDocument } from '../openapi/build-document';

const ROOT = 'https://crm-push.test/openapi.json';

const pointer = (...parts: string[]) => parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');

/**
 * Checks JSON against the schemas of a generated OpenAPI document with a JSON Schema 2020-12
 * validator, so tests compare the document itself (not the zod behind it) with what the API does.
 */
export function openApiChecker(doc: OpenApiDocument) {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema({ $id: ROOT, components: doc.components, paths: doc.paths });

  const check = (location: string[], value: unknown): string[] => {
    const validate = ajv.getSchema(`${ROOT}#/${pointer(...location)}`);
    if (!validate) throw new Error(`the document has no schema at ${location.join(' ')}`);
    return validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message}`);
  };

  return {
    /** Problems of `body` as the request body of `method path` (a path template: /v1/leads/{id}); [] when valid. */
    request(method: string, path: string, body: unknown): string[] {
      return check(['paths', path, method.toLowerCase(), 'requestBody', 'content', 'application/json', 'schema'], body);
    },
    /** Problems of `body` as the `status` answer of `method path`; [] when valid. */
    response(method: string, path: string, status: number, body: unknown): string[] {
      type Answer = { $ref?: string; content?: unknown };
      const op = doc.paths[path]?.[method.toLowerCase()] as { responses?: Record<string, Answer> } | undefined;
      const answer = op?.responses?.[status];
      if (!answer) throw new Error(`${method} ${path} documents no ${status} answer`);
      const location = answer.$ref ? answer.$ref.slice(2).split('/') : ['paths', path, method.toLowerCase(), 'responses', String(status)];
      const documented = location.reduce<any>((node, key) => node?.[key], doc) as Answer;
      if (!documented.content) return body === undefined || body === '' ? [] : ['(root) is documented as empty but has a body'];
      return check([...location, 'content', 'application/json', 'schema'], body);
    },
  };
}
