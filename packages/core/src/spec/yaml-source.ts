import { Document, LineCounter, Node, Pair, YAMLError, isMap, isPair, isScalar, isSeq, parseDocument } from 'yaml';
import { Diagnostic, SpecError } from './errors';
import { SpecPath, formatPath } from './path';
import { syntaxProblem } from './yaml-syntax';

interface Located {
  path: SpecPath;
  /** The mapping key naming this place; absent for the root and for sequence items. */
  key?: Node;
  value?: Node | null;
}

/**
 * A parsed YAML file that remembers where everything came from, so validation errors found on plain data can point
 * back at line:column. Only single-document files with unique keys are accepted.
 */
export class YamlSource {
  private constructor(
    /** The file as shown in diagnostics. */
    readonly file: string,
    private readonly doc: Document.Parsed,
    private readonly lines: LineCounter,
  ) {}

  /** Parses `text`; YAML syntax errors, tabs used as indentation and duplicate keys throw SpecError. */
  static parse(text: string, file: string): YamlSource {
    const lines = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
    const source = new YamlSource(file, doc, lines);
    if (doc.errors.length > 0) throw new SpecError(source.yamlErrorDiagnostics(doc.errors, text));
    return source;
  }

  /** A diagnostic for a problem in a whole file that has no better place (unreadable, for instance). */
  static fileDiagnostic(file: string, message: string): Diagnostic {
    return { file, line: 1, column: 1, path: formatPath([]), message };
  }

  /**
   * The document as plain data. Experiments and boards are mappings, so an empty file or a top-level list or
   * scalar is reported here, before schema validation would say something vaguer.
   */
  mapping(expected: string): Record<string, unknown> {
    const root = this.doc.contents;
    if (root === null) {
      throw new SpecError([this.diagnostic([], `the file is empty; expected ${expected}`)]);
    }
    if (!isMap(root)) {
      const got = isSeq(root) ? 'a list' : `a single value (${JSON.stringify(root.toJSON())})`;
      throw new SpecError([this.diagnostic([], `must be a mapping of settings (${expected}), got ${got}`)]);
    }
    try {
      return this.doc.toJS({ maxAliasCount: 100 }) as Record<string, unknown>;
    } catch (error) {
      // yaml refuses alias bombs (`*a` expanding exponentially) only while converting.
      throw new SpecError([this.diagnostic([], `cannot expand the document: ${(error as Error).message}`)]);
    }
  }

  /** Whether the file spells out this setting (as opposed to leaving it to a default). */
  has(path: SpecPath): boolean {
    return this.locate(path).path.length === path.length;
  }

  /**
   * A diagnostic at `path`: at its value, or at its key (`at: 'key'`: unknown or misplaced keys). A path the file
   * does not contain (a default) is reported at the nearest enclosing setting it does contain.
   */
  diagnostic(path: SpecPath, message: string, at: 'value' | 'key' = 'value'): Diagnostic {
    const found = this.locate(path);
    const emptyValue = isScalar(found.value) && found.value.value === null && found.value.source === '';
    // An empty value (`seed:`) has a zero-width range at the start of the next line; its key is the better place.
    const node = (at === 'key' || emptyValue || !found.value) && found.key ? found.key : found.value;
    const offset = node?.range?.[0] ?? 0;
    const { line, col } = this.lines.linePos(offset);
    return { file: this.file, line, column: col, path: formatPath(path), message };
  }

  private locate(path: SpecPath): Located {
    let located: Located = { path: [], value: this.doc.contents };
    for (const segment of path) {
      const parent = located.value;
      if (isMap(parent)) {
        const pair = parent.items.find((item) => keyText(item) === String(segment));
        if (!pair) break;
        located = { path: [...located.path, segment], key: pair.key as Node, value: pair.value as Node | null };
      } else if (isSeq(parent) && typeof segment === 'number' && segment < parent.items.length) {
        located = { path: [...located.path, segment], value: parent.items[segment] as Node };
      } else {
        break;
      }
    }
    return located;
  }

  /** The path of the innermost key or value whose source range holds `offset` (for YAML errors). */
  private pathAt(offset: number): SpecPath {
    const path: (string | number)[] = [];
    let node: unknown = this.doc.contents;
    for (;;) {
      const contains = (n: unknown): boolean => {
        const range = (n as Node | null)?.range;
        return !!range && range[0] <= offset && offset < Math.max(range[1], range[0] + 1);
      };
      if (isMap(node)) {
        const pair = node.items.find((item) => contains(item.key) || contains(item.value));
        if (!pair) return path;
        path.push(keyText(pair));
        if (contains(pair.key)) return path;
        node = pair.value;
      } else if (isSeq(node)) {
        const index = node.items.findIndex(contains);
        if (index < 0) return path;
        path.push(index);
        node = node.items[index];
      } else {
        return path;
      }
    }
  }

  private yamlErrorDiagnostics(errors: readonly YAMLError[], text: string): Diagnostic[] {
    // After the first syntax error the parser is confused and later errors mostly restate it; duplicate keys, however,
    // are independent of one another and each needs fixing.
    const duplicates = errors.filter((e) => e.code === 'DUPLICATE_KEY');
    const firstSyntaxError = errors.find((e) => e.code !== 'DUPLICATE_KEY');
    const problems = [
      ...(firstSyntaxError ? [syntaxProblem(firstSyntaxError, text)] : []),
      ...duplicates.map((e) => ({ offset: e.pos[0], message: '', enclosing: false })),
    ];
    return problems.map(({ offset, message, enclosing }) => {
      const inner = this.pathAt(offset);
      const path = enclosing ? inner.slice(0, -1) : inner;
      const { line, col } = this.lines.linePos(offset);
      return { file: this.file, line, column: col, path: formatPath(path), message: message || this.duplicateKeyMessage(path) };
    });
  }

  private duplicateKeyMessage(path: SpecPath): string {
    const first = this.diagnostic(path, '', 'key');
    return `duplicate key "${String(path[path.length - 1])}" (first set on line ${first.line}); each key may appear once`;
  }
}

function keyText(pair: Pair): string {
  const key = pair.key;
  return String(isScalar(key) ? key.value : isPair(key) ? '' : key);
}
