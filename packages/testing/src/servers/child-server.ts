import { spawn, type ChildProcess } from 'node:child_process';

const running = new Set<ChildProcess>();
// A test that dies without its afterAll must not leave servers behind.
process.once('exit', () => running.forEach((c) => c.kill('SIGKILL')));

/** A server binary run in the foreground as a child of this process; `stop()` ends it. */
export interface ChildServer {
  proc: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

export function startChildServer(command: string, args: string[]): ChildServer {
  const proc = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(proc);
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-8000);
  };
  proc.stdout!.on('data', keep);
  proc.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  void exited.then(() => running.delete(proc));
  return {
    proc,
    output: () => output,
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
