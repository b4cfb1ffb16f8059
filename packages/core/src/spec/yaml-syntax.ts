import type { YAMLError } from 'yaml';

/** A YAML syntax error restated for people, at the place to fix. */
export interface SyntaxProblem {
  offset: number;
  message: string;
  /** The offset starts a node the user did not mean to write (`seed: 1: 2`); name the setting around it. */
  enclosing?: boolean;
}

/**
 * The parser notices an unclosed bracket or quote only where the document can no longer make sense of it, often
 * lines later; the opener is where the fix goes, so unclosed things are reported there.
 */
export function syntaxProblem(error: YAMLError, text: string): SyntaxProblem {
  const at = error.pos[0];
  const unclosed = /end with a ([\]}])/.exec(error.message)?.[1] ?? (error.code === 'MISSING_CHAR' ? /closing (["'])/.exec(error.message)?.[1] : undefined);
  if (unclosed !== undefined) {
    const opener = unclosedOpener(text, at);
    const message =
      unclosed === ']'
        ? 'unclosed [: a list "[" needs its "]" (continuation lines must be indented)'
        : unclosed === '}'
          ? 'unclosed {: a mapping "{" needs its "}" (continuation lines must be indented)'
          : `unclosed quote: a quote needs its closing ${unclosed}`;
    return { offset: opener ?? at, message };
  }
  switch (error.code) {
    case 'TAB_AS_INDENT':
      return { offset: at, message: 'tab used for indentation; YAML indents with spaces only' };
    case 'BLOCK_AS_IMPLICIT_KEY':
      return {
        offset: at,
        message: 'a second "key: value" on the same line; put nested settings on their own indented lines, or quote a value that contains ": "',
        enclosing: true,
      };
    case 'MULTIPLE_DOCS':
      return { offset: at, message: 'more than one YAML document (a second "---"); the file must hold exactly one' };
    default:
      return { offset: at, message: `YAML syntax error: ${error.message.charAt(0).toLowerCase()}${error.message.slice(1)}` };
  }
}

/** Where the innermost bracket or quote still open at `end` was opened; a rough scan that skips comments and quotes. */
function unclosedOpener(text: string, end: number): number | undefined {
  const open: number[] = [];
  let quote: { char: string; at: number } | undefined;
  for (let i = 0; i < end; i++) {
    const c = text[i];
    if (quote) {
      if (c === '\\' && quote.char === '"') i++;
      else if (c === quote.char && quote.char === "'" && text[i + 1] === "'") i++;
      else if (c === quote.char) quote = undefined;
    } else if (c === '#' && (i === 0 || /\s/.test(text[i - 1]))) {
      const newline = text.indexOf('\n', i);
      if (newline < 0) break;
      i = newline;
    } else if ((c === '"' || c === "'") && (i === 0 || /[\s[{,:-]/.test(text[i - 1]))) {
      quote = { char: c, at: i };
    } else if (c === '[' || c === '{') {
      open.push(i);
    } else if ((c === ']' || c === '}') && open.length > 0) {
      open.pop();
    }
  }
  return quote?.at ?? open.at(-1);
}
