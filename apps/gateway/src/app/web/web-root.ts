import { existsSync, readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/**
 * Where the page's files are: `public/` beside the bundle (`dist/apps/gateway/public`, copied there by the
 * build) or, when the sources run unbundled (unit tests, ts-node), `apps/gateway/src/public`.
 */
export function findWebRoot(
  candidates: readonly string[] = [join(__dirname, 'public'), join(__dirname, '..', '..', 'public')],
): string | undefined {
  return candidates.find((dir) => existsSync(join(dir, 'index.html')));
}

/** Every file under `root` as the URL path that names it (`/app.js`, `/views/catalog.js`). */
export function listWebFiles(root: string): Set<string> {
  const files = new Set<string>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue;
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) files.add(`/${relative(root, full).split(sep).join('/')}`);
    }
  };
  walk(root);
  return files;
}
