/**
 * Builders for the OpenAPI v3 schemas of our metallb.io CRDs. The schemas are structural (every node has
 * a `type`, objects list their `properties`), carry the same defaults and bounds as MetalLB's, and express
 * MetalLB's CEL rules as `x-kubernetes-validations` (ignored by servers older than 1.25, which still load
 * the manifests).
 */

/** A JSON-schema node as apiextensions.k8s.io/v1 accepts it (the subset used). */
export interface JSONSchemaProps {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  description?: string;
  format?: string;
  properties?: Record<string, JSONSchemaProps>;
  required?: string[];
  items?: JSONSchemaProps;
  additionalProperties?: JSONSchemaProps | boolean;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  enum?: unknown[];
  nullable?: boolean;
  'x-kubernetes-validations'?: { rule: string; message?: string }[];
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: 'atomic' | 'granular';
}

/** A string field. */
export function str(description: string, extra: Partial<JSONSchemaProps> = {}): JSONSchemaProps {
  return { type: 'string', description, ...extra };
}

/** An integer field. */
export function int(description: string, extra: Partial<JSONSchemaProps> = {}): JSONSchemaProps {
  return { type: 'integer', description, ...extra };
}

/** A boolean field. */
export function bool(description: string, extra: Partial<JSONSchemaProps> = {}): JSONSchemaProps {
  return { type: 'boolean', description, ...extra };
}

/** An array field. */
export function arr(
  description: string,
  items: JSONSchemaProps,
  extra: Partial<JSONSchemaProps> = {},
): JSONSchemaProps {
  return { type: 'array', description, items, ...extra };
}

/** An object field with named properties. */
export function obj(
  description: string,
  properties: Record<string, JSONSchemaProps>,
  extra: Partial<JSONSchemaProps> = {},
): JSONSchemaProps {
  return { type: 'object', description, properties, ...extra };
}

/** A map of strings (labels). */
export function stringMap(description: string): JSONSchemaProps {
  return { type: 'object', description, additionalProperties: { type: 'string' } };
}

/** `metav1.LabelSelector`. */
export function labelSelector(description: string, valuesMinItems?: number): JSONSchemaProps {
  const values = arr(
    'Values of an In/NotIn requirement; empty for Exists/DoesNotExist.',
    { type: 'string' },
    {
      'x-kubernetes-list-type': 'atomic',
      ...(valuesMinItems === undefined ? {} : { minItems: valuesMinItems }),
    },
  );
  return obj(
    description,
    {
      matchLabels: stringMap('Labels that must all be present with these values.'),
      matchExpressions: arr(
        'Requirements that must all hold.',
        obj(
          'One label requirement.',
          {
            key: str('The label key.'),
            operator: str('In, NotIn, Exists or DoesNotExist.'),
            values,
          },
          { required: valuesMinItems === undefined ? ['key', 'operator'] : ['key', 'operator', 'values'] },
        ),
        { 'x-kubernetes-list-type': 'atomic' },
      ),
    },
    { 'x-kubernetes-map-type': 'atomic' },
  );
}

/** A list of label selectors (OR-ed). */
export function selectorList(description: string, valuesMinItems?: number): JSONSchemaProps {
  return arr(description, labelSelector('A label selector.', valuesMinItems));
}

/** A list of object names. */
export function nameList(description: string): JSONSchemaProps {
  return arr(description, { type: 'string' });
}
