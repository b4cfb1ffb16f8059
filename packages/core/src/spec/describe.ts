/** The parts of a JSON Schema the error messages read. */
export interface SchemaNode {
  type?: string | string[];
  enum?: readonly unknown[];
  oneOf?: readonly SchemaNode[];
  $ref?: string;
  properties?: Record<string, SchemaNode>;
  additionalProperties?: boolean | SchemaNode;
  items?: SchemaNode;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  definitions?: Record<string, SchemaNode>;
}

/** What the patterns in our schemas mean, said the way a user would. */
const PATTERN_MEANINGS: Record<string, string> = {
  '^[a-z][a-z0-9-]*$': 'a name of lower-case letters, digits and dashes that starts with a letter',
  '^[a-z0-9][a-z0-9-]*$': 'a name of lower-case letters, digits and dashes',
  '^(https?|file)://': 'a URL starting with http://, https:// or file://',
};

/** Follows a local `#/definitions/x` reference. */
export function resolveRef(schema: SchemaNode, root: SchemaNode): SchemaNode {
  if (schema.$ref === undefined) return schema;
  const name = schema.$ref.replace(/^#\/definitions\//, '');
  return root.definitions?.[name] ?? schema;
}

/** The JSON type a schema accepts, read from `type` or, for a bare enum, from its values. */
export function schemaTypes(schema: SchemaNode): string[] {
  if (schema.type !== undefined) return Array.isArray(schema.type) ? schema.type : [schema.type];
  if (schema.enum !== undefined) return [...new Set(schema.enum.map(jsonType))];
  return [];
}

export function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (Number.isInteger(value)) return 'integer';
  return typeof value;
}

/** Whether a value of JSON type `actual` is of schema type `expected` (every integer is a number). */
export function typeMatches(actual: string, expected: string): boolean {
  return actual === expected || (expected === 'number' && actual === 'integer');
}

/** "a number in [0, 1)", "one of sliding, beat, recording", "a mapping (keys: ...)": the expected value, in words. */
export function describeSchema(input: SchemaNode, root: SchemaNode): string {
  const schema = resolveRef(input, root);
  if (schema.oneOf) return schema.oneOf.map((branch) => describeSchema(branch, root)).join(', or ');
  if (schema.enum) return `one of ${schema.enum.map(String).join(', ')}`;
  const type = schemaTypes(schema)[0];
  switch (type) {
    case 'number':
    case 'integer':
      return `${type === 'integer' ? 'an integer' : 'a number'}${describeRange(schema)}`;
    case 'boolean':
      return 'true or false';
    case 'string': {
      const what =
        schema.pattern !== undefined
          ? (PATTERN_MEANINGS[schema.pattern] ?? `a string matching /${schema.pattern}/`)
          : schema.minLength
            ? 'a non-empty string'
            : 'a string';
      return schema.maxLength !== undefined ? `${what} (at most ${schema.maxLength} characters)` : what;
    }
    case 'array': {
      const items = schema.items ? describePlural(resolveRef(schema.items, root)) : 'values';
      // A fixed-length list, e.g. a [min, max] pair.
      if (schema.minItems !== undefined && schema.minItems === schema.maxItems) return `a list of ${schema.minItems} ${items}`;
      const size = schema.minItems === 1 ? 'non-empty list' : 'list';
      const least = schema.minItems !== undefined && schema.minItems > 1 ? ` (at least ${schema.minItems})` : '';
      return `a ${size} of ${items}${least}${schema.uniqueItems ? ', each at most once' : ''}`;
    }
    case 'object': {
      if (schema.properties) return `a mapping (keys: ${Object.keys(schema.properties).join(', ')})`;
      if (typeof schema.additionalProperties === 'object') {
        return `a mapping of names to ${describePlural(resolveRef(schema.additionalProperties, root))}`;
      }
      return 'a mapping';
    }
    default:
      return 'a value';
  }
}

function describePlural(schema: SchemaNode): string {
  const type = schemaTypes(schema)[0];
  if (type === 'string') return schema.minLength ? 'non-empty strings' : 'strings';
  if (type === 'number' || type === 'integer') return `${type}s`;
  return 'values';
}

function describeRange(schema: SchemaNode): string {
  const low = schema.minimum ?? schema.exclusiveMinimum;
  const high = schema.maximum ?? schema.exclusiveMaximum;
  const open = schema.minimum === undefined ? '(' : '[';
  const close = schema.maximum === undefined ? ')' : ']';
  if (low !== undefined && high !== undefined) return ` in ${open}${low}, ${high}${close}`;
  if (low !== undefined) return schema.minimum === undefined ? ` > ${low}` : ` ≥ ${low}`;
  if (high !== undefined) return schema.maximum === undefined ? ` < ${high}` : ` ≤ ${high}`;
  return '';
}

/** The value the user wrote, in words: `"x"`, `1.5`, `a list`, `an empty value`. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'an empty value';
  if (typeof value === 'string') {
    return value.length > 40 ? `"${value.slice(0, 40)}…" (${value.length} characters)` : JSON.stringify(value);
  }
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.length === 0 ? 'an empty list' : 'a list';
  if (value instanceof Uint8Array) return 'binary data';
  return Object.keys(value).length === 0 ? 'an empty mapping' : 'a mapping';
}
