/**
 * Checks of the structural-schema rules apiextensions.k8s.io/v1 enforces on a CRD (Kubernetes docs,
 * "Specifying a structural schema"), and schema-driven defaulting and pruning as the API server applies
 * them to custom objects.
 */
import type { JSONSchemaProps } from './schema.js';
import type { CustomResourceDefinition } from './manifests.js';

/** Structural-schema violations of one schema, each as `path: problem`. */
export function structuralViolations(schema: JSONSchemaProps, path = 'openAPIV3Schema', root = true): string[] {
  const out: string[] = [];
  const loose = schema['x-kubernetes-preserve-unknown-fields'] === true;
  if (schema.type === undefined && !loose) out.push(`${path}: type must be specified`);
  if (root && schema.type !== 'object') out.push(`${path}: the root must be of type object`);
  if (schema.properties !== undefined && schema.type !== 'object') out.push(`${path}: properties need type object`);
  if (
    schema.properties !== undefined &&
    schema.additionalProperties !== undefined &&
    schema.additionalProperties !== false
  ) {
    out.push(`${path}: properties and additionalProperties are mutually exclusive`);
  }
  if (schema.type === 'array' && schema.items === undefined) out.push(`${path}: arrays must specify items`);
  if (schema.items !== undefined && schema.type !== 'array') out.push(`${path}: items needs type array`);
  if (schema['x-kubernetes-list-type'] === 'map') {
    const keys = schema['x-kubernetes-list-map-keys'] ?? [];
    if (keys.length === 0) out.push(`${path}: list-type map needs list-map-keys`);
    for (const k of keys) {
      const item = schema.items;
      if (item?.properties?.[k] === undefined) out.push(`${path}: list-map-key ${k} is not a property of the items`);
      else if (!(item.required ?? []).includes(k) && item.properties[k]?.default === undefined) {
        out.push(`${path}: list-map-key ${k} must be required or defaulted`);
      }
    }
  }
  for (const r of schema.required ?? []) {
    if (schema.properties?.[r] === undefined) out.push(`${path}: required property ${r} is not declared`);
  }
  if (schema.default !== undefined) {
    for (const p of valueViolations(schema, schema.default, `${path}.default`)) out.push(p);
  }
  for (const [name, sub] of Object.entries(schema.properties ?? {})) {
    if (root && name === 'metadata') {
      const extra = Object.keys(sub).filter((k) => k !== 'type' && k !== 'description' && k !== 'properties');
      const props = Object.keys(sub.properties ?? {}).filter((k) => k !== 'name' && k !== 'generateName');
      if (extra.length > 0 || props.length > 0)
        out.push(`${path}.properties.metadata: only name and generateName may be constrained`);
    }
    out.push(...structuralViolations(sub, `${path}.properties.${name}`, false));
  }
  if (schema.items !== undefined) out.push(...structuralViolations(schema.items, `${path}.items`, false));
  if (typeof schema.additionalProperties === 'object') {
    out.push(...structuralViolations(schema.additionalProperties, `${path}.additionalProperties`, false));
  }
  return out;
}

/** Structural violations of every version of a CRD, plus the CRD-level rules (one storage version). */
export function crdViolations(crd: CustomResourceDefinition): string[] {
  const out: string[] = [];
  const storage = crd.spec.versions.filter((v) => v.storage);
  if (storage.length !== 1) out.push(`${crd.metadata.name}: exactly one version must be the storage version`);
  if (crd.metadata.name !== `${crd.spec.names.plural}.${crd.spec.group}`)
    out.push(`${crd.metadata.name}: name must be <plural>.<group>`);
  for (const v of crd.spec.versions) {
    for (const p of structuralViolations(v.schema.openAPIV3Schema)) out.push(`${crd.metadata.name} ${v.name}: ${p}`);
  }
  return out;
}

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

/** Violations of a value against a schema (type, bounds, enum, required, nested), as the API server reports. */
export function valueViolations(schema: JSONSchemaProps, value: unknown, path: string): string[] {
  const out: string[] = [];
  if (value === null && schema.nullable === true) return out;
  const t = typeOf(value);
  if (schema.type !== undefined) {
    const ok = schema.type === t || (schema.type === 'number' && t === 'integer');
    if (!ok) {
      out.push(`${path}: Invalid value: "${t}": ${path} in body must be of type ${schema.type}: "${t}"`);
      return out;
    }
  }
  if (schema.enum !== undefined && !schema.enum.some((e) => e === value)) {
    out.push(
      `${path}: Unsupported value: ${JSON.stringify(value)}: supported values: ${schema.enum.map((e) => JSON.stringify(e)).join(', ')}`,
    );
  }
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum)
      out.push(
        `${path}: Invalid value: ${value}: ${path} in body should be greater than or equal to ${schema.minimum}`,
      );
    if (schema.maximum !== undefined && value > schema.maximum)
      out.push(`${path}: Invalid value: ${value}: ${path} in body should be less than or equal to ${schema.maximum}`);
  }
  if (typeof value === 'string') {
    if (schema.maxLength !== undefined && value.length > schema.maxLength)
      out.push(`${path}: Too long: may not be longer than ${schema.maxLength}`);
    if (schema.minLength !== undefined && value.length < schema.minLength)
      out.push(
        `${path}: Invalid value: ${JSON.stringify(value)}: ${path} in body should be at least ${schema.minLength} chars long`,
      );
  }
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems)
      out.push(
        `${path}: Invalid value: ${value.length}: ${path} in body should have at least ${schema.minItems} items`,
      );
    if (schema.items !== undefined)
      value.forEach((v, i) => out.push(...valueViolations(schema.items as JSONSchemaProps, v, `${path}[${i}]`)));
  }
  if (t === 'object') {
    const o = value as Record<string, unknown>;
    for (const r of schema.required ?? []) if (o[r] === undefined) out.push(`${path}.${r}: Required value`);
    for (const [k, v] of Object.entries(o)) {
      const sub =
        schema.properties?.[k] ??
        (typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined);
      if (sub !== undefined) out.push(...valueViolations(sub, v, `${path}.${k}`));
    }
  }
  return out;
}

/**
 * Applies defaults and prunes unknown fields in place, as the API server does for structural schemas
 * (`metadata` is left alone; `x-kubernetes-preserve-unknown-fields` keeps a subtree).
 */
export function defaultAndPrune(schema: JSONSchemaProps, value: unknown, root = true): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (schema['x-kubernetes-preserve-unknown-fields'] === true) return value;
  if (Array.isArray(value)) {
    if (schema.items !== undefined)
      for (let i = 0; i < value.length; i++) value[i] = defaultAndPrune(schema.items, value[i], false);
    return value;
  }
  const o = value as Record<string, unknown>;
  if (schema.properties !== undefined) {
    for (const k of Object.keys(o)) {
      if (root && (k === 'metadata' || k === 'apiVersion' || k === 'kind')) continue;
      const sub = schema.properties[k];
      if (sub === undefined) delete o[k];
      else o[k] = defaultAndPrune(sub, o[k], false);
    }
    for (const [k, sub] of Object.entries(schema.properties)) {
      if (o[k] === undefined && sub.default !== undefined) o[k] = structuredClone(sub.default);
    }
  } else if (typeof schema.additionalProperties === 'object') {
    for (const k of Object.keys(o)) o[k] = defaultAndPrune(schema.additionalProperties, o[k], false);
  }
  return o;
}
