import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..', '..');

interface LintResult {
  messages: Array<{ ruleId: string | null; message: string }>;
}

/**
 * Lints a probe file placed inside a project with the workspace's ESLint config, then removes it. The
 * CLI runs in its own process: the flat config is an ES module, which Jest's CommonJS VM cannot import.
 */
async function lintProbe(relativePath: string, code: string): Promise<string[]> {
  const file = join(root, relativePath);
  writeFileSync(file, code);
  try {
    const run = spawnSync('npx', ['eslint', '--format', 'json', file], { cwd: root, encoding: 'utf8' });
    const [result] = JSON.parse(run.stdout) as LintResult[];
    return result.messages.filter((m) => m.ruleId === '@nx/enforce-module-boundaries').map((m) => m.message);
  } finally {
    rmSync(file, { force: true });
  }
}

describe('module boundaries (lint fails the build)', () => {
  it('forbids a lib importing an app', async () => {
    const messages = await lintProbe(
      'libs/redis/src/lib/boundary-probe-app.ts',
      "import { AppModule } from '../../../../apps/gateway/src/app/app.module';\nexport const probe = AppModule;\n",
    );
    expect(messages.join('\n')).toMatch(/Imports of apps are forbidden|relative or absolute path/);
  });

  it('forbids a data-access lib importing a feature lib', async () => {
    const messages = await lintProbe(
      'libs/redis/src/lib/boundary-probe-type.ts',
      "import { PlatformModule } from '@shop/platform';\nexport const probe = PlatformModule;\n",
    );
    // platform already depends on redis, so the rule may report the cycle before the tag rule; both fail lint.
    expect(messages.join('\n')).toMatch(
      /"type:data-access" can only depend on libs tagged with|Circular dependency/,
    );
  });

  it('forbids production code importing the testing lib', async () => {
    const messages = await lintProbe(
      'apps/orders/src/app/boundary-probe-testing.ts',
      "import { freePort } from '@shop/testing';\nexport const probe = freePort;\n",
    );
    expect(messages.join('\n')).toContain('can only depend on libs tagged with');
  });

  it('allows a service to use shared libs', async () => {
    const messages = await lintProbe(
      'apps/orders/src/app/boundary-probe-ok.ts',
      "import { KeyBuilder } from '@shop/redis';\nexport const probe = KeyBuilder;\n",
    );
    expect(messages).toEqual([]);
  });
});

describe('project graph', () => {
  it('has apps depending on libs and never a lib depending on an app', () => {
    const out = join(root, 'tmp', 'graph.json');
    execFileSync('npx', ['nx', 'graph', `--file=${out}`], {
      cwd: root,
      env: { ...process.env, NX_NO_CLOUD: 'true', NX_DAEMON: 'false' },
      stdio: 'ignore',
    });
    const graph = JSON.parse(readFileSync(out, 'utf8')) as {
      graph: {
        nodes: Record<string, { type: string }>;
        dependencies: Record<string, Array<{ target: string }>>;
      };
    };
    const { nodes, dependencies } = graph.graph;
    const isApp = (name: string) => nodes[name]?.type === 'app';
    // Apps reach the shared libs through @shop/platform, so the check follows the graph transitively.
    const reachable = (start: string): string[] => {
      const seen = new Set<string>();
      const queue = [start];
      while (queue.length > 0) {
        for (const { target } of dependencies[queue.shift() as string] ?? []) {
          if (!seen.has(target)) {
            seen.add(target);
            queue.push(target);
          }
        }
      }
      return [...seen];
    };
    for (const app of ['gateway', 'orders', 'notifications']) {
      expect(dependencies[app].map((d) => d.target)).toContain('platform');
      expect(reachable(app)).toEqual(expect.arrayContaining(['platform', 'redis', 'database', 'messaging']));
    }
    const reverse = Object.entries(dependencies).flatMap(([source, deps]) =>
      isApp(source) ? [] : deps.filter((d) => isApp(d.target)).map((d) => `${source} -> ${d.target}`),
    );
    expect(reverse).toEqual([]);
  });
});
