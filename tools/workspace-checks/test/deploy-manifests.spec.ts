import Ajv from 'ajv';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';

const root = join(__dirname, '..', '..', '..');
const SERVICES = { gateway: 3000, orders: 3100, notifications: 3200 } as const;
type ServiceName = keyof typeof SERVICES;

interface ComposeService {
  image?: string;
  command?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test: string[] };
  ports?: string[];
}

describe('docker-compose.yml', () => {
  const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
    services: Record<string, ComposeService>;
  };

  // The compose-spec JSON schema ships in the dclint package; Ajv 8 needs its `$schema` removed.
  const schema = JSON.parse(
    readFileSync(join(root, 'node_modules', 'dclint', 'schemas', 'compose.schema.json'), 'utf8'),
  ) as Record<string, unknown>;
  delete schema['$schema'];
  const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);

  it('is valid against the Compose specification schema', () => {
    const valid = validate(compose);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('would catch a misspelled key (the check can fail)', () => {
    const broken = structuredClone(compose) as { services: Record<string, Record<string, unknown>> };
    broken.services['gateway-0']['helthcheck'] = broken.services['gateway-0']['healthcheck'];
    expect(validate(broken)).toBe(false);
  });

  it('runs at least two instances of each service, each with a readiness healthcheck and both Redis roles', () => {
    for (const service of Object.keys(SERVICES) as ServiceName[]) {
      const instances = Object.values(compose.services).filter((s) =>
        s.command?.includes(`dist/apps/${service}/main.js`),
      );
      expect(instances.length).toBeGreaterThanOrEqual(2);
      for (const instance of instances) {
        expect(instance.healthcheck?.test.join(' ')).toContain('/health/ready');
        expect(instance.environment).toMatchObject({
          REDIS_URL: expect.any(String),
          REDIS_CACHE_URL: expect.any(String),
          HOST: '0.0.0.0',
        });
      }
      expect(new Set(instances.map((i) => i.environment?.['INSTANCE_ID'])).size).toBe(instances.length);
    }
  });

  it('keeps the data Redis durable and the cache Redis volatile; publishes ports on loopback only', () => {
    expect(compose.services['redis-data'].command?.join(' ')).toMatch(
      /--appendonly yes.*--maxmemory-policy noeviction/,
    );
    expect(compose.services['redis-cache'].command?.join(' ')).toContain('allkeys-lru');
    const ports = Object.values(compose.services).flatMap((s) => s.ports ?? []);
    for (const port of ports) expect(port).toMatch(/^127\.0\.0\.1:/);
  });
});

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec?: Record<string, unknown>;
}

interface Container {
  image?: string;
  command?: string[];
  ports?: Array<{ name: string; containerPort: number }>;
  readinessProbe?: { httpGet?: { path: string; port: string | number } };
  livenessProbe?: { httpGet?: { path: string; port: string | number } };
  resources?: { limits?: { memory?: string } };
  env?: Array<{ name: string; value?: string; valueFrom?: { fieldRef?: { fieldPath: string } } }>;
}

const kubectl = spawnSync('kubectl', ['version', '--client']).status === 0;
const describeK8s = kubectl ? describe : describe.skip;

describeK8s.each(['k8s/base', 'k8s/overlays/production'])(
  'Kubernetes manifests %s (kubectl kustomize)',
  (dir) => {
    const rendered = kubectl
      ? execFileSync('kubectl', ['kustomize', join(root, dir)], { encoding: 'utf8' })
      : '';
    const objects = parseAllDocuments(rendered).map((d) => d.toJS() as K8sObject);

    it('renders objects that pass the Kubernetes schemas', () => {
      expect(objects.length).toBeGreaterThan(10);
      for (const object of objects) {
        const group = object.apiVersion.includes('/') ? object.apiVersion : `v1`;
        const path =
          group === 'v1'
            ? `kubernetes-models/v1/${object.kind}`
            : `kubernetes-models/${group}/${object.kind}`;
        const Model = (require(path) as Record<string, new (o: unknown) => { validate(): void }>)[
          object.kind
        ];
        expect(() => new Model(object).validate()).not.toThrow();
      }
    });

    it('runs every service with 2+ replicas, an image, probes on the health endpoints, limits and a stable INSTANCE_ID', () => {
      for (const service of Object.keys(SERVICES) as ServiceName[]) {
        const deployment = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === service);
        expect(deployment).toBeDefined();
        const spec = deployment?.spec as {
          replicas: number;
          template: { spec: { containers: Container[]; terminationGracePeriodSeconds: number } };
        };
        expect(spec.replicas).toBeGreaterThanOrEqual(2);
        const [container] = spec.template.spec.containers;
        expect(container.image).toMatch(/shop-platform/);
        expect(container.command).toContain(`dist/apps/${service}/main.js`);
        expect(container.ports?.[0].containerPort).toBe(SERVICES[service]);
        expect(container.readinessProbe?.httpGet?.path).toBe('/health/ready');
        expect(container.livenessProbe?.httpGet?.path).toBe('/health/live');
        expect(container.resources?.limits?.memory).toBeDefined();
        expect(container.env?.find((e) => e.name === 'INSTANCE_ID')?.valueFrom?.fieldRef?.fieldPath).toBe(
          'metadata.name',
        );
        expect(container.env?.find((e) => e.name === 'PORT')?.value).toBe(String(SERVICES[service]));
        const config = objects.find((o) => o.kind === 'ConfigMap') as unknown as {
          data: Record<string, string>;
        };
        expect(spec.template.spec.terminationGracePeriodSeconds * 1000).toBeGreaterThan(
          Number(config.data['SHUTDOWN_TIMEOUT_MS']),
        );
        expect(objects.some((o) => o.kind === 'PodDisruptionBudget' && o.metadata.name === service)).toBe(
          true,
        );
      }
    });
  },
);
