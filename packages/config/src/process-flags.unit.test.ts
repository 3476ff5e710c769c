import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PROCESS_NODE_FLAGS } from './process-flags';

const ROOT = path.resolve(__dirname, '../../..');
const ENTRY = /apps\/(api|worker)\/dist\/main\.js/;

/** Every launch of the api or the worker in a file, as the words on its line before the entry. */
function launches(file: string): { line: string; words: string[] }[] {
  return readFileSync(path.join(ROOT, file), 'utf8')
    .split('\n')
    .filter((line) => ENTRY.test(line) && !line.trimStart().startsWith('#'))
    .map((line) => ({ line, words: line.slice(0, line.search(ENTRY)).match(/--[\w-]+=?[\w.]*/g) ?? [] }));
}

describe('the Node flags of the api and the worker', () => {
  // Files that start them with a command line of their own, not through scripts/start.js.
  it.each(['package.json', 'Dockerfile', 'docker-compose.yml'])('are the ones %s starts them with', (file) => {
    const found = launches(file);
    expect(found.length).toBeGreaterThan(0);
    for (const { line, words } of found) expect({ line, flags: words }).toEqual({ line, flags: [...PROCESS_NODE_FLAGS] });
  });
});
