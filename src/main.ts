// The only module with side effects: pick the subcommand, run it, exit with its code.
import { runBaseline } from './cli/baseline.js';
import { runInspect } from './cli/inspect.js';
import { runServe } from './cli/serve.js';

const USAGE = `usage: layerscope [serve] [--model-repository DIR] [--http-port N] [--metrics-port N] [--config FILE] ...
       layerscope inspect MODEL.onnx [--depth N] [--json]
       layerscope baseline --model-repository DIR --model NAME --data FILE [--version N] [--out PATH]
       layerscope --help`;

async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  const out = (line: string): void => void process.stdout.write(`${line}\n`);
  const err = (line: string): void => void process.stderr.write(`${line}\n`);
  if (first === '--help' || first === '-h' || first === 'help') {
    out(USAGE);
    return 0;
  }
  if (first === 'inspect') return runInspect(rest, out);
  if (first === 'baseline') return runBaseline(rest, out, process.env);
  if (first === 'serve') return runServe(rest, process.env, err);
  if (first === undefined || first.startsWith('--')) return runServe(argv, process.env, err);
  err(`unknown command '${first}'\n${USAGE}`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`layerscope: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
