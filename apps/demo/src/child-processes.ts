import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { PROCESS_NODE_FLAGS } from '@crm-push/config';

/** The repository root, from apps/demo/dist. */
export const ROOT = path.resolve(__dirname, '..', '..', '..');

export interface Child {
  name: string;
  process: ChildProcess;
  /** Resolves with the exit code (or the signal's name) once the process is gone. */
  exited: Promise<number | string>;
}

/** Runs a built entry point (e.g. apps/api/dist/main.js) with `env` and the product's Node flags; its logs go to this terminal's stderr. */
export function startChild(name: string, entry: string, env: NodeJS.ProcessEnv): Child {
  const child = spawn(process.execPath, [...PROCESS_NODE_FLAGS, path.join(ROOT, entry)], { env, stdio: ['ignore', 'inherit', 'inherit'] });
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  return { name, process: child, exited };
}

/** SIGTERM to each live child (they drain and exit), SIGKILL after `graceMs`. */
export async function stopChildren(children: Child[], graceMs = 10_000): Promise<void> {
  await Promise.all(
    children.map(async (child) => {
      if (child.process.exitCode !== null || child.process.signalCode !== null) return;
      child.process.kill('SIGTERM');
      const timer = setTimeout(() => child.process.kill('SIGKILL'), graceMs);
      await child.exited;
      clearTimeout(timer);
    }),
  );
}
