import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { commands } from '../../../src/cli/commands/index.js';
import { loadConfig } from '../../../src/config/load.js';
import { configSchema } from '../../../src/config/schema.js';
import { METRICS_PATH } from '../../../src/federation/node/parts/metrics.js';

/**
 * The deploy files (deploy/Dockerfile, compose.yaml, k8s/) parsed and checked
 * against each other and against the code: ports against the config defaults,
 * environment variables through the real config loader, the health check
 * through the real CLI command, images against the package version, probes
 * on gRPC health, a non-root user everywhere.
 */
const read = (path: string) => readFile(join('deploy', path), 'utf8');
const portOf = (listen: string) => Number(listen.slice(listen.lastIndexOf(':') + 1));
/** The gRPC port a node listens on by default (config schema). */
const GRPC_PORT = portOf(configSchema.parse({ id: 'x', role: 'provider', organisation: 'x' }).listen);
/** The HTTP port the deploy files serve console and /metrics on (http_listen has no default). */
const HTTP_PORT = 7480;

type Json = Record<string, any>;

/** Dockerfile instructions, continuation lines joined, comments dropped. */
function dockerInstructions(text: string): { op: string; args: string }[] {
  const joined = text.replace(/\\\n/g, ' ');
  return joined.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'))
    .map((l) => ({ op: l.split(/\s+/)[0]!.toUpperCase(), args: l.slice(l.indexOf(' ') + 1).trim() }));
}

/** A node directory whose cordon.json is `config`, loaded through the real loader with `env`. */
async function loadWith(config: Json, env: Record<string, string>) {
  const dir = await mkdtemp(join(tmpdir(), 'cordon-deploy-'));
  await writeFile(join(dir, 'cordon.json'), JSON.stringify(config));
  return loadConfig(dir, env);
}

const command = (name: string) => commands.find((c) => c.name === name);

describe('deploy files', async () => {
  const version = (JSON.parse(await readFile('package.json', 'utf8')) as { version: string }).version;
  const image = `cordon:${version}`;
  const docker = dockerInstructions(await read('Dockerfile'));
  const finalStage = docker.slice(docker.map((i) => i.op).lastIndexOf('FROM'));
  const uid = Number(docker.find((i) => i.op === 'ARG' && i.args.startsWith('CORDON_UID='))!.args.split('=')[1]);

  describe('Dockerfile', () => {
    it('is multi-stage, and the final stage runs as the non-root user it creates', () => {
      expect(docker.filter((i) => i.op === 'FROM').length).toBeGreaterThanOrEqual(2);
      expect(finalStage.some((i) => i.op === 'COPY' && i.args.startsWith('--from='))).toBe(true);
      const user = finalStage.filter((i) => i.op === 'USER').at(-1)!.args;
      expect(user).toBe(`${uid}:${uid}`);
      expect(uid).toBeGreaterThan(0);
      expect(finalStage.find((i) => i.op === 'RUN' && i.args.includes('useradd'))!.args).toContain('--uid "${CORDON_UID}"');
    });

    it('exposes the config\'s gRPC port and the HTTP port, and its environment is understood by the config loader', async () => {
      expect(finalStage.find((i) => i.op === 'EXPOSE')!.args.split(/\s+/).map(Number)).toEqual([GRPC_PORT, HTTP_PORT]);
      const env = Object.fromEntries(finalStage.find((i) => i.op === 'ENV')!.args.split(/\s+/).map((kv) => kv.split('=') as [string, string]));
      const config = await loadWith({ id: 'n1', role: 'consortium', organisation: 'o' }, env);
      expect(portOf(config.listen)).toBe(GRPC_PORT);
      expect(portOf(config.http_listen!)).toBe(HTTP_PORT);
      expect(env.CORDON_NODE).toBe('/node');
    });

    it('sends the build only what it copies (its .dockerignore lets every COPY source through)', async () => {
      const allowed = (await read('Dockerfile.dockerignore')).split('\n').filter((l) => l.startsWith('!')).map((l) => l.slice(1).replace(/\/\*\*$/, ''));
      const sources = docker.filter((i) => i.op === 'COPY' && !i.args.startsWith('--from=')).flatMap((i) => i.args.split(/\s+/).slice(0, -1));
      expect(sources.length).toBeGreaterThan(0);
      for (const src of sources) expect(allowed, src).toContain(src.replace(/\/$/, ''));
    });

    it('copies patches/ in before `npm ci`, whose postinstall applies them', async () => {
      const scripts = (JSON.parse(await readFile('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts;
      expect(scripts.postinstall).toBe('patch-package');
      const ci = docker.findIndex((i) => i.op === 'RUN' && i.args.includes('npm ci'));
      const copy = docker.findIndex((i) => i.op === 'COPY' && i.args.split(/\s+/)[0] === 'patches');
      expect(copy).toBeGreaterThanOrEqual(0);
      expect(copy).toBeLessThan(ci);
    });

    it('health-checks through `cordon health` (gRPC health) and starts `cordon node start`', () => {
      const healthcheck = finalStage.find((i) => i.op === 'HEALTHCHECK')!.args;
      expect(healthcheck).toMatch(/CMD .*\/app\/src\/cli\/bin\.js health --address .*127\.0\.0\.1:\$\{CORDON_LISTEN##\*:\}/);
      expect(command('health')).toBeDefined();
      expect(JSON.parse(finalStage.find((i) => i.op === 'ENTRYPOINT')!.args)).toEqual(['node', '/app/src/cli/bin.js']);
      expect(command(JSON.parse(finalStage.find((i) => i.op === 'CMD')!.args).join(' '))).toBeDefined();
    });
  });

  describe('compose.yaml', async () => {
    const compose = parse(await read('compose.yaml'), { merge: true }) as Json;
    const services = compose.services as Record<string, Json>;
    const nodes = Object.entries(services).filter(([name]) => name !== 'postgres' && name !== 'bootstrap');
    const bootstrap = await read('bootstrap.sh');
    const initSql = await read('postgres/init.sql');

    it('runs PostgreSQL, two consortium nodes, three providers and a regulator, the nodes bootstrap.sh creates', () => {
      const list = (name: string) => bootstrap.match(new RegExp(`^${name}="([^"]+)"`, 'm'))![1]!.split(' ');
      expect(list('CONSORTIUM')).toHaveLength(2);
      expect(list('PROVIDERS')).toHaveLength(3);
      expect(list('REGULATOR')).toHaveLength(1);
      expect(nodes.map(([n]) => n).sort()).toEqual([...list('CONSORTIUM'), ...list('PROVIDERS'), ...list('REGULATOR')].sort());
      expect(services.postgres!.image).toMatch(/^postgres:\d+/);
      expect(services.postgres!.healthcheck.test).toContain('pg_isready');
      expect(services.bootstrap!.entrypoint).toEqual(['sh', '/app/deploy/bootstrap.sh']);
      expect(Object.keys(services.bootstrap!.volumes.reduce((m: Json, v: string) => ({ ...m, [v.split(':')[0]!]: 1 }), {})).sort()).toEqual(nodes.map(([n]) => n).sort());
    });

    it.each(['consortium-1', 'consortium-2', 'provider-a', 'provider-b', 'provider-c', 'regulator'])('%s: image, health check, ports, volume, database and environment agree', async (name) => {
      const s = services[name]!;
      expect(s.image).toBe(image);
      expect(s.user).toBeUndefined(); // the image's non-root user
      expect(s.healthcheck.test).toEqual(['CMD', 'node', '/app/src/cli/bin.js', 'health', '--address', `127.0.0.1:${GRPC_PORT}`]);
      expect(s.depends_on.postgres.condition).toBe('service_healthy');
      expect(s.depends_on.bootstrap.condition).toBe('service_completed_successfully');
      expect(s.volumes).toEqual([`${name}:/node`]);
      expect(compose.volumes).toHaveProperty(name);
      expect(s.environment.CORDON_NODE).toBe('/node');
      // The environment goes through the real loader: every variable is one it understands.
      const env = { ...s.environment, DATABASE_URL: s.environment.DATABASE_URL.replace('${POSTGRES_PASSWORD:-cordon}', 'pw') };
      const config = await loadWith({ id: name, role: 'provider', organisation: 'o' }, env);
      expect(portOf(config.listen)).toBe(GRPC_PORT);
      expect(portOf(config.http_listen!)).toBe(HTTP_PORT);
      const db = new URL(config.database_url!);
      expect(db.hostname).toBe('postgres');
      expect(db.pathname).toBe(`/${name}`);
      expect(initSql).toContain(`CREATE DATABASE "${name}";`);
      expect(s.ports.map((p: string) => Number(p.split(':').at(-1)))).toEqual([HTTP_PORT]);
    });

    it('starts providers only once a consortium node they publish to is healthy', () => {
      for (const [name, s] of nodes.filter(([n]) => n.startsWith('provider-'))) {
        const upstream = Object.entries(s.depends_on as Json).filter(([d]) => d.startsWith('consortium-'));
        expect(upstream.length, name).toBeGreaterThan(0);
        for (const [, d] of upstream) expect(d.condition).toBe('service_healthy');
      }
    });
  });

  describe('k8s', async () => {
    const kustomization = parse(await read('k8s/kustomization.yaml')) as Json;
    const docs = async (file: string) => parseAllDocuments(await read(`k8s/${file}`)).map((d) => d.toJS() as Json);
    const applied = (await Promise.all((kustomization.resources as string[]).map(docs))).flat();
    const secrets = await docs('secret.yaml');
    const sts = applied.find((d) => d.kind === 'StatefulSet')!;
    const pod = sts.spec.template.spec as Json;
    const container = pod.containers[0] as Json;
    const configMap = applied.find((d) => d.kind === 'ConfigMap')!;
    const nodeConfig = configSchema.parse(JSON.parse(configMap.data['cordon.json']));
    const portNamed = (name: string) => (container.ports as Json[]).find((p) => p.name === name)!.containerPort as number;

    it('runs one node per StatefulSet on a persistent volume, with external PostgreSQL from a Secret', () => {
      expect(sts.spec.replicas).toBe(1);
      expect(sts.spec.volumeClaimTemplates[0].metadata.name).toBe('node');
      expect(container.volumeMounts).toContainEqual({ name: 'node', mountPath: '/node' });
      const dbUrl = container.env.find((e: Json) => e.name === 'DATABASE_URL').valueFrom.secretKeyRef;
      const dbSecret = secrets.find((s) => s.metadata.name === dbUrl.name)!;
      expect(dbSecret.kind).toBe('Secret');
      expect(new URL(dbSecret.stringData[dbUrl.key]).protocol).toBe('postgres:');
    });

    it('takes config from the ConfigMap (valid for the config schema) and keys from a Secret', () => {
      const volume = (name: string) => (pod.volumes as Json[]).find((v) => v.name === name)!;
      expect(volume('config').configMap.name).toBe(configMap.metadata.name);
      const keys = secrets.find((s) => s.metadata.name === volume('keys').secret.secretName)!;
      expect(Object.keys(keys.stringData)).toEqual(expect.arrayContaining([nodeConfig.key_file, 'enc-key.jwk']));
      expect(volume('keys').secret.defaultMode).toBe(0o400);
      expect(pod.initContainers[0].command.join(' ')).toContain('install -m 0600');
      expect(sts.metadata.name).toBe(nodeConfig.id);
    });

    it('probes readiness, liveness and startup with native gRPC probes on the gRPC port', () => {
      expect(portNamed('grpc')).toBe(GRPC_PORT);
      expect(portOf(nodeConfig.listen)).toBe(GRPC_PORT);
      for (const probe of ['readinessProbe', 'livenessProbe', 'startupProbe']) {
        expect(container[probe].grpc, probe).toEqual({ port: GRPC_PORT });
      }
    });

    it('runs as the image\'s non-root user with a read-only root filesystem', () => {
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: uid, runAsGroup: uid, fsGroup: uid });
      for (const c of [...pod.containers, ...pod.initContainers] as Json[]) {
        expect(c.image).toBe(image);
        expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
      }
    });

    it('agrees on ports: env, config, container, Services and the metrics scrape annotations', async () => {
      const env = Object.fromEntries((container.env as Json[]).filter((e) => 'value' in e).map((e) => [e.name, e.value]));
      const config = await loadWith({ id: 'n1', role: 'consortium', organisation: 'o' }, env);
      expect(portOf(config.listen)).toBe(portNamed('grpc'));
      expect(portOf(config.http_listen!)).toBe(portNamed('http'));
      expect(portOf(nodeConfig.http_listen!)).toBe(HTTP_PORT);
      expect(portNamed('http')).toBe(HTTP_PORT);
      const annotations = sts.spec.template.metadata.annotations as Json;
      expect(annotations).toMatchObject({ 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(HTTP_PORT), 'prometheus.io/path': METRICS_PATH });
      const services = applied.filter((d) => d.kind === 'Service');
      // Peers reach the node at <id>:<port>, the endpoint the manifest advertises.
      expect(services.map((s) => s.metadata.name)).toContain(nodeConfig.id);
      expect(sts.spec.serviceName).toBe(services.find((s) => s.spec.clusterIP === 'None')!.metadata.name);
      for (const s of services) {
        expect(s.spec.selector).toEqual(sts.spec.selector.matchLabels);
        for (const p of s.spec.ports as Json[]) expect(portNamed(p.targetPort), `${s.metadata.name} ${p.name}`).toBe(p.port);
      }
    });
  });
});
