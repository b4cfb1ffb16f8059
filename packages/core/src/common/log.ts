/** Where stages report progress; the Nx executors and the CLI print it, tests collect or silence it. */
export type Log = (line: string) => void;

export const consoleLog: Log = (line) => process.stderr.write(`${line}\n`);
export const silentLog: Log = () => undefined;
