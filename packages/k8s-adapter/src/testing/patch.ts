/**
 * Patch formats the API server accepts: JSON merge patch (RFC 7386), JSON patch (RFC 6902), and the
 * simple cases of Kubernetes' strategic merge patch.
 */

/** A patch could not be applied; `status` is the HTTP status the API server answers with. */
export class PatchError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
    this.name = 'PatchError';
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** RFC 7386 §2: applies a merge patch and returns the result (the target is not modified). */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return structuredClone(patch);
  const out: Record<string, unknown> = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = applyMergePatch(out[k], v);
  }
  return out;
}

/** One RFC 6902 operation. */
export interface JsonPatchOperation {
  op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
  path: string;
  value?: unknown;
  from?: string;
}

function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new PatchError(422, `invalid JSON pointer ${JSON.stringify(pointer)}`);
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function parentOf(doc: unknown, tokens: string[], path: string): { parent: unknown; key: string } {
  let cur = doc;
  for (const t of tokens.slice(0, -1)) {
    if (Array.isArray(cur)) cur = cur[Number(t)];
    else if (isObject(cur)) cur = cur[t];
    else cur = undefined;
    if (cur === undefined) throw new PatchError(422, `path ${JSON.stringify(path)} does not exist`);
  }
  return { parent: cur, key: tokens[tokens.length - 1] as string };
}

function getAt(doc: unknown, path: string): unknown {
  let cur = doc;
  for (const t of parsePointer(path)) {
    if (Array.isArray(cur)) cur = cur[Number(t)];
    else if (isObject(cur)) cur = cur[t];
    else return undefined;
  }
  return cur;
}

function deepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** RFC 6902: applies the operations in order; any failure leaves the input untouched and throws. */
export function applyJsonPatch(target: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) throw new PatchError(400, 'a JSON patch must be an array of operations');
  let doc = structuredClone(target);
  for (const raw of ops as JsonPatchOperation[]) {
    const path = raw.path;
    if (typeof path !== 'string') throw new PatchError(422, 'operation without a path');
    const tokens = parsePointer(path);
    const add = (value: unknown) => {
      if (tokens.length === 0) {
        doc = value;
        return;
      }
      const { parent, key } = parentOf(doc, tokens, path);
      if (Array.isArray(parent)) {
        const i = key === '-' ? parent.length : Number(key);
        if (!Number.isInteger(i) || i < 0 || i > parent.length)
          throw new PatchError(422, `index ${key} out of bounds at ${path}`);
        parent.splice(i, 0, value);
      } else if (isObject(parent)) parent[key] = value;
      else throw new PatchError(422, `cannot add at ${path}`);
    };
    const remove = (p: string, tk: string[]): unknown => {
      const { parent, key } = parentOf(doc, tk, p);
      if (Array.isArray(parent)) {
        const i = Number(key);
        if (!Number.isInteger(i) || i < 0 || i >= parent.length)
          throw new PatchError(422, `index ${key} out of bounds at ${p}`);
        return parent.splice(i, 1)[0];
      }
      if (isObject(parent) && key in parent) {
        const v = parent[key];
        delete parent[key];
        return v;
      }
      throw new PatchError(422, `path ${JSON.stringify(p)} does not exist`);
    };
    switch (raw.op) {
      case 'add':
        add(structuredClone(raw.value));
        break;
      case 'remove':
        remove(path, tokens);
        break;
      case 'replace':
        remove(path, tokens);
        add(structuredClone(raw.value));
        break;
      case 'move': {
        const from = raw.from ?? '';
        const v = remove(from, parsePointer(from));
        add(v);
        break;
      }
      case 'copy':
        add(structuredClone(getAt(doc, raw.from ?? '')));
        break;
      case 'test':
        if (!deepEqual(getAt(doc, path), raw.value)) throw new PatchError(422, `test operation failed at ${path}`);
        break;
      default:
        throw new PatchError(422, `unknown operation ${JSON.stringify((raw as { op?: unknown }).op)}`);
    }
  }
  return doc;
}

/**
 * Merge keys of the lists a strategic merge patch merges element-wise (by JSON path with `[]` for list
 * elements); any other list is replaced, as for a merge patch.
 */
export const STRATEGIC_MERGE_KEYS: Readonly<Record<string, string>> = {
  'metadata.ownerReferences': 'uid',
  'spec.ports': 'port',
  'spec.containers': 'name',
  'spec.initContainers': 'name',
  'spec.containers[].ports': 'containerPort',
  'spec.containers[].env': 'name',
  'spec.volumes': 'name',
  'status.conditions': 'type',
  'spec.template.spec.containers': 'name',
};

/**
 * The simple cases of Kubernetes' strategic merge patch: maps merge as in a merge patch; lists with a
 * known merge key merge element by element (`$patch: delete` removes one); `$setElementOrder/<list>`
 * orders the result; `$deleteFromPrimitiveList/<list>` removes values; `$retainKeys` is honoured; other
 * lists are replaced.
 */
export function applyStrategicMergePatch(target: unknown, patch: unknown, path = ''): unknown {
  if (!isObject(patch)) return structuredClone(patch);
  if (patch['$patch'] === 'replace') {
    const { $patch: _p, ...rest } = patch;
    return applyStrategicMergePatch({}, rest, path);
  }
  const out: Record<string, unknown> = isObject(target) ? { ...target } : {};
  const retain = Array.isArray(patch['$retainKeys']) ? new Set(patch['$retainKeys'] as string[]) : undefined;
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith('$')) continue;
    const child = path === '' ? k : `${path}.${k}`;
    if (v === null) {
      delete out[k];
      continue;
    }
    const key = STRATEGIC_MERGE_KEYS[child.replace(/\[\d+\]/g, '[]')];
    if (Array.isArray(v) && key !== undefined && Array.isArray(out[k])) {
      const merged = [...(out[k] as unknown[])];
      for (const el of v) {
        if (!isObject(el)) continue;
        const i = merged.findIndex((m) => isObject(m) && m[key] === el[key]);
        if (el['$patch'] === 'delete') {
          if (i !== -1) merged.splice(i, 1);
        } else if (i === -1) merged.push(applyStrategicMergePatch({}, el, `${child}[]`));
        else merged[i] = applyStrategicMergePatch(merged[i], el, `${child}[]`);
      }
      out[k] = merged;
    } else {
      out[k] = isObject(v) ? applyStrategicMergePatch(out[k], v, child) : structuredClone(v);
    }
  }
  for (const [k, v] of Object.entries(patch)) {
    const order = /^\$setElementOrder\/(.+)$/.exec(k);
    if (order !== null && Array.isArray(v) && Array.isArray(out[order[1] as string])) {
      const field = order[1] as string;
      const key = STRATEGIC_MERGE_KEYS[(path === '' ? field : `${path}.${field}`).replace(/\[\d+\]/g, '[]')];
      const list = out[field] as unknown[];
      const ident = (x: unknown) => (key !== undefined && isObject(x) ? x[key] : x);
      const wanted = v.map(ident);
      const rank = (x: unknown) => {
        const i = wanted.indexOf(ident(x));
        return i === -1 ? wanted.length : i;
      };
      out[field] = [...list].sort((a, b) => rank(a) - rank(b));
    }
    const del = /^\$deleteFromPrimitiveList\/(.+)$/.exec(k);
    if (del !== null && Array.isArray(v) && Array.isArray(out[del[1] as string])) {
      out[del[1] as string] = (out[del[1] as string] as unknown[]).filter((x) => !v.includes(x));
    }
  }
  if (retain !== undefined) for (const k of Object.keys(out)) if (!retain.has(k)) delete out[k];
  return out;
}

/** Content types of the patch formats. */
export const PATCH_TYPES = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
} as const;

/** Applies a patch body of the given content type. */
export function applyPatch(contentType: string, target: unknown, patch: unknown): unknown {
  const type = contentType.split(';')[0]?.trim();
  switch (type) {
    case PATCH_TYPES.json:
      return applyJsonPatch(target, patch);
    case PATCH_TYPES.merge:
      if (!isObject(patch)) throw new PatchError(400, 'a merge patch must be a JSON object');
      return applyMergePatch(target, patch);
    case PATCH_TYPES.strategic:
      if (!isObject(patch)) throw new PatchError(400, 'a strategic merge patch must be a JSON object');
      return applyStrategicMergePatch(target, patch);
    default:
      throw new PatchError(
        415,
        `the body of the request was in an unknown format - accepted media types include: ${Object.values(PATCH_TYPES).join(', ')}`,
      );
  }
}
