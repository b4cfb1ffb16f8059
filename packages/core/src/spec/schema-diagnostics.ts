import type { ErrorObject } from 'ajv';
import { Diagnostic } from './errors';
import { SchemaNode, describeSchema, describeValue, jsonType, resolveRef, schemaTypes, typeMatches } from './describe';
import { SpecPath, formatPath, pointerToPath } from './path';
import { closest, didYouMean, unknownName } from './suggest';
import { YamlSource } from './yaml-source';

export interface SchemaMessageOptions {
  /** The root schema, to follow `$ref`s. */
  root: SchemaNode;
  /** Enums that name things (dotted path -> noun), reported as `unknown dataset "x"` rather than `must be one of`. */
  enumNouns?: Readonly<Record<string, string>>;
}

/**
 * Turns ajv's errors (allErrors + verbose) into one diagnostic per offending place. ajv reports every failed
 * keyword, every oneOf branch and the oneOf itself; a user needs one sentence saying what was expected there.
 */
export function schemaDiagnostics(errors: readonly ErrorObject[], data: unknown, source: YamlSource, options: SchemaMessageOptions): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const valueErrors = new Map<string, ErrorObject[]>();
  const relevant = keepFittingOneOfBranch(errors, options.root);
  const typoed = typoedRequiredKeys(relevant);
  for (const error of relevant) {
    const path = pointerToPath(error.instancePath, data);
    if (error.keyword === 'additionalProperties') {
      const key = String((error.params as { additionalProperty: string }).additionalProperty);
      const allowed = Object.keys((error.parentSchema as SchemaNode).properties ?? {});
      const message = `unknown key "${key}"${didYouMean(key, allowed)} (allowed: ${allowed.join(', ')})`;
      diagnostics.push({ ...source.diagnostic([...path, key], message, 'key'), path: formatPath(path) });
    } else if (error.keyword === 'required') {
      const key = (error.params as { missingProperty: string }).missingProperty;
      if (typoed.has(`${error.instancePath}/${key}`)) continue;
      diagnostics.push(source.diagnostic(path, `required key "${key}" is missing`));
    } else {
      const group = valueErrors.get(error.instancePath) ?? [];
      group.push(error);
      valueErrors.set(error.instancePath, group);
    }
  }
  for (const group of valueErrors.values()) {
    const path = pointerToPath(group[0].instancePath, data);
    diagnostics.push(source.diagnostic(path, valueMessage(group, path, options)));
  }
  return diagnostics;
}

/**
 * Required keys that are only missing because they were misspelt (`boardd: host`): the unknown-key message already
 * suggests the right spelling, so "required key is missing" would report the same mistake twice.
 */
function typoedRequiredKeys(errors: readonly ErrorObject[]): Set<string> {
  const missing = errors.filter((e) => e.keyword === 'required');
  const typoed = new Set<string>();
  for (const error of errors.filter((e) => e.keyword === 'additionalProperties')) {
    const key = String((error.params as { additionalProperty: string }).additionalProperty);
    const candidates = missing.filter((m) => m.instancePath === error.instancePath).map((m) => (m.params as { missingProperty: string }).missingProperty);
    const guess = closest(key, candidates);
    if (guess !== undefined) typoed.add(`${error.instancePath}/${guess}`);
  }
  return typoed;
}

/**
 * For each failed oneOf, keeps only the errors of the branch whose type fits the value (a string dataset is judged
 * as a dataset id, a mapping as the object form). When no branch fits, the oneOf error alone remains and says what
 * the alternatives are.
 */
function keepFittingOneOfBranch(errors: readonly ErrorObject[], root: SchemaNode): ErrorObject[] {
  let kept = [...errors];
  for (const oneOf of errors.filter((e) => e.keyword === 'oneOf')) {
    const branches = (oneOf.schema as SchemaNode[]).map((branch) => ({ raw: branch, resolved: resolveRef(branch, root) }));
    const actual = jsonType(oneOf.data);
    const fitting = branches.find((b) => schemaTypes(b.resolved).some((type) => typeMatches(actual, type)));
    const losing = new Set<unknown>(branches.filter((b) => b !== fitting).flatMap((b) => [b.raw, b.resolved]));
    kept = kept.filter((e) => {
      if (e === oneOf) return fitting === undefined;
      // Deeper errors come from the fitting branch only: a branch whose type does not fit never looks inside.
      if (e.instancePath !== oneOf.instancePath) return true;
      return fitting !== undefined && !losing.has(e.parentSchema);
    });
  }
  return kept;
}

/** One message for every failed keyword at one place; they all share the schema that describes the place. */
function valueMessage(group: readonly ErrorObject[], path: SpecPath, options: SchemaMessageOptions): string {
  const first = group[0];
  const value: unknown = first.data;
  const schema = first.parentSchema as SchemaNode;
  const expected = describeSchema(schema, options.root);
  const enumError = group.find((e) => e.keyword === 'enum');
  if (enumError && typeof value === 'string' && group.every((e) => e.keyword === 'enum')) {
    const allowed = (enumError.params as { allowedValues: unknown[] }).allowedValues.map(String);
    const noun = options.enumNouns?.[formatPath(path)];
    if (noun !== undefined) return unknownName(noun, value, allowed);
    return `must be ${expected}, got ${describeValue(value)}${didYouMean(value, allowed)}`;
  }
  const duplicate = group.find((e) => e.keyword === 'uniqueItems');
  if (duplicate && group.length === 1 && Array.isArray(value)) {
    const { i, j } = duplicate.params as { i: number; j: number };
    return `must be ${expected}, got ${describeValue(value[i])} twice (items ${Math.min(i, j)} and ${Math.max(i, j)})`;
  }
  const tooFew = group.some((e) => e.keyword === 'minItems' || e.keyword === 'maxItems') && Array.isArray(value) && value.length > 0;
  return `must be ${expected}, got ${tooFew ? `a list of ${(value as unknown[]).length}` : describeValue(value)}`;
}
