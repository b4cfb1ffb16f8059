import Ajv, { ValidateFunction } from 'ajv';
import boardSchema from './board.schema.json';
import { SchemaNode } from './describe';
import { SpecError } from './errors';
import experimentSchema from './experiment.schema.json';
import { schemaDiagnostics } from './schema-diagnostics';
import { YamlSource } from './yaml-source';

interface CompiledSchema {
  validate: ValidateFunction;
  root: SchemaNode;
  expected: string;
  enumNouns: Readonly<Record<string, string>>;
}

let compiled: { experiment: CompiledSchema; board: CompiledSchema } | undefined;

function schemas(): { experiment: CompiledSchema; board: CompiledSchema } {
  if (compiled) return compiled;
  // verbose: the messages are built from each error's schema and data, not from ajv's English.
  const ajv = new Ajv({ allErrors: true, verbose: true, strict: true });
  // The board enum is there for editor completion only; the folders of firmware/boards/ decide (checked later,
  // with a message listing them), so a board folder added without a schema edit still works.
  const experiment = structuredClone(experimentSchema) as SchemaNode & { properties: { board: SchemaNode } };
  delete experiment.properties.board.enum;
  compiled = {
    experiment: {
      validate: ajv.compile(experiment),
      root: experiment,
      expected: 'name, board, dataset and optional stage sections',
      enumNouns: { dataset: 'dataset', 'dataset.name': 'dataset' },
    },
    board: {
      validate: ajv.compile(boardSchema),
      root: boardSchema,
      expected: 'name, title, cpu, memory, toolchain and emulator',
      enumNouns: {},
    },
  };
  return compiled;
}

/** The document as data of shape T, or a SpecError with one diagnostic per offending place. */
function validateAgainst<T>(source: YamlSource, schema: CompiledSchema): T {
  const data = source.mapping(schema.expected);
  if (!schema.validate(data)) {
    throw new SpecError(schemaDiagnostics(schema.validate.errors ?? [], data, source, schema));
  }
  return data as T;
}

export function validateExperiment<T>(source: YamlSource): T {
  return validateAgainst<T>(source, schemas().experiment);
}

export function validateBoard<T>(source: YamlSource): T {
  return validateAgainst<T>(source, schemas().board);
}
