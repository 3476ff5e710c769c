import Busboy from 'busboy';
import { invalidBody, unsupportedMediaType } from '../source-error';
import { assertStorable } from './storable';

export type BodyKind = 'json' | 'urlencoded' | 'multipart';

/** The media type of a request, lower-cased, without parameters. */
export function mediaType(contentType: string | undefined): string | undefined {
  return contentType?.split(';')[0].trim().toLowerCase() || undefined;
}

function kindOf(contentType: string | undefined): BodyKind | undefined {
  const type = mediaType(contentType);
  if (type === 'application/json' || type?.endsWith('+json')) return 'json';
  if (type === 'application/x-www-form-urlencoded') return 'urlencoded';
  if (type === 'multipart/form-data') return 'multipart';
  return undefined;
}

/** A JSON object from raw bytes, or 400 naming what is wrong. */
export function parseJsonObject(raw: Buffer): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch (err) {
    throw invalidBody(`request body is not valid JSON: ${(err as Error).message}`, err);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw invalidBody('request body must be a JSON object');
  assertStorable(parsed);
  return parsed as Record<string, unknown>;
}

/** Repeated names (checkboxes) become arrays; a single value stays a string. */
function collect(into: Record<string, unknown>, name: string, value: string): void {
  const prior = into[name];
  if (prior === undefined) into[name] = value;
  else into[name] = Array.isArray(prior) ? [...(prior as string[]), value] : [prior, value];
}

function parseUrlencoded(raw: Buffer): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const [name, value] of new URLSearchParams(raw.toString('utf8'))) collect(fields, name, value);
  return fields;
}

/** multipart/form-data fields; files are refused, since a lead is text. */
function parseMultipart(raw: Buffer, contentType: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const fields: Record<string, unknown> = {};
    let parser: ReturnType<typeof Busboy>;
    try {
      parser = Busboy({ headers: { 'content-type': contentType }, limits: { files: 0, fields: 500 } });
    } catch (err) {
      return reject(invalidBody(`multipart body cannot be read: ${(err as Error).message}`, err));
    }
    parser.on('field', (name, value) => collect(fields, name, value));
    parser.on('file', (name, stream) => {
      stream.resume();
      reject(invalidBody(`${name}: file uploads are not accepted, only fields`));
    });
    parser.on('filesLimit', () => reject(invalidBody('file uploads are not accepted, only fields')));
    parser.on('fieldsLimit', () => reject(invalidBody('more than 500 fields')));
    parser.on('error', (err) => reject(invalidBody(`multipart body cannot be read: ${(err as Error).message}`, err)));
    parser.on('close', () => resolve(fields));
    parser.end(raw);
  });
}

/**
 * The fields of a body in any of `accepted` kinds: a JSON object, a urlencoded form or
 * multipart fields. 415 for another media type, 400 for a body that does not parse.
 */
export async function parseFields(
  raw: Buffer,
  contentType: string | undefined,
  accepted: readonly BodyKind[],
): Promise<{ kind: BodyKind; fields: Record<string, unknown> }> {
  const kind = kindOf(contentType);
  if (!kind || !accepted.includes(kind)) {
    const names = { json: 'application/json', urlencoded: 'application/x-www-form-urlencoded', multipart: 'multipart/form-data' };
    throw unsupportedMediaType(contentType, accepted.map((k) => names[k]).join(', '));
  }
  if (kind === 'json') return { kind, fields: parseJsonObject(raw) };
  const fields = kind === 'urlencoded' ? parseUrlencoded(raw) : await parseMultipart(raw, contentType!);
  assertStorable(fields);
  return { kind, fields };
}
