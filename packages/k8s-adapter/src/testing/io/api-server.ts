/**
 * An in-process Kubernetes API server over real HTTP, for tests: the real `@kubernetes/client-node` (or
 * kubectl, or any client) talks to it. It serves list and watch with resource versions (bookmarks
 * included), the status subresource, create/replace/delete, merge, JSON and simple strategic-merge patch,
 * optimistic concurrency (409), 410 Gone for compacted history, discovery, and injectable faults:
 * restart mid-watch, slow responses, dropped or broken watches, expired watches and failed requests.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { ApiError, ObjectStore, type StoreEvent, type StoredObject } from '../store.js';
import { compileFieldSelector, compileLabelSelector } from '../selectors.js';
import {
  defaultResources,
  groupVersion,
  resourceKey,
  type ResourceSetOptions,
  type ResourceType,
} from '../resources.js';

/** Options of {@link FakeApiServer.start}. */
export interface FakeApiServerInit extends ResourceSetOptions {
  /** Port on `host`. @default 0 (any free port) */
  port?: number;
  /** Address to listen on (an end-to-end lab puts the server on a namespace's address). @default '127.0.0.1' */
  host?: string;
  /** Extra resource types to serve. */
  resources?: ResourceType[];
  /** Interval between BOOKMARK events on watches that allow them. @default 1000 — real servers use about a minute; tests want them sooner. */
  bookmarkIntervalMs?: number;
  /** Events kept for resuming watches. @default 100000 */
  historyLimit?: number;
  /** `gitVersion` reported by `/version`. @default 'v1.31.0-lbkit' */
  version?: string;
}

/** A request the server received (the log is bounded). */
export interface RequestRecord {
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly contentType: string | undefined;
  readonly body: unknown;
  readonly status: number;
}

/** A fault injected into the next matching requests. */
export interface RequestFault {
  /** Which requests fail; all when omitted. */
  match?: (method: string, path: string, query: Readonly<Record<string, string>>) => boolean;
  /** How many requests fail. @default 1 */
  times?: number;
  code: number;
  reason?: string;
  message?: string;
  /** Seconds for a `Retry-After` header (429, 503). */
  retryAfterSeconds?: number;
}

interface OpenWatch {
  readonly res: ServerResponse;
  readonly resource: string;
  close(): void;
}

const REQUEST_LOG_LIMIT = 10_000;

/** The in-process API server. */
export class FakeApiServer {
  readonly store: ObjectStore;
  readonly #init: FakeApiServerInit;
  #server: Server | undefined;
  #port = 0;
  readonly #sockets = new Set<Socket>();
  readonly #watches = new Set<OpenWatch>();
  readonly #faults: (RequestFault & { left: number })[] = [];
  #latencyMs = 0;
  #requests: RequestRecord[] = [];

  private constructor(init: FakeApiServerInit) {
    this.#init = init;
    this.store = new ObjectStore({
      resources: [...defaultResources(init), ...(init.resources ?? [])],
      wallTime: () => Date.now(),
      ...(init.historyLimit === undefined ? {} : { historyLimit: init.historyLimit }),
    });
  }

  /** Starts a server on `init.host` (127.0.0.1 unless given). */
  static async start(init: FakeApiServerInit = {}): Promise<FakeApiServer> {
    const s = new FakeApiServer(init);
    await s.#listen(init.port ?? 0);
    return s;
  }

  /** `http://<host>:<port>`. */
  get url(): string {
    const host = this.#init.host ?? '127.0.0.1';
    return `http://${host.includes(':') ? `[${host}]` : host}:${this.#port}`;
  }

  /** A client-node KubeConfig for this server (no authentication). */
  kubeConfig(): KubeConfig {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'fake', server: this.url, skipTLSVerify: true }],
      users: [{ name: 'fake' }],
      contexts: [{ name: 'fake', cluster: 'fake', user: 'fake' }],
      currentContext: 'fake',
    });
    return kc;
  }

  /** Requests received so far (most recent last; at most 10,000). */
  get requests(): readonly RequestRecord[] {
    return this.#requests;
  }

  /** Forgets the request log. */
  clearRequests(): void {
    this.#requests = [];
  }

  /** Number of watches currently open. */
  get openWatches(): number {
    return this.#watches.size;
  }

  /** Delays every response (watch streams: before their headers) by this much. */
  setLatency(ms: number): void {
    this.#latencyMs = ms;
  }

  /** Makes the next matching requests fail with the given status. */
  injectFault(fault: RequestFault): void {
    this.#faults.push({ ...fault, left: fault.times ?? 1 });
  }

  /** Ends every open watch cleanly, as a server does when a watch times out: clients re-watch. */
  dropWatches(): void {
    for (const w of [...this.#watches]) w.close();
  }

  /** Cuts every open watch's connection abruptly (a network failure): clients see an error. */
  breakWatches(): void {
    for (const w of [...this.#watches]) {
      w.res.socket?.destroy();
      w.close();
    }
  }

  /** Sends 410 Expired on every open watch and ends it, as a server whose watch cache fell behind: clients relist. */
  expireWatches(): void {
    for (const w of [...this.#watches]) {
      const err = new ApiError(
        410,
        'Expired',
        `too old resource version: ${this.store.compactedVersion} (${this.store.resourceVersion})`,
      );
      w.res.write(JSON.stringify({ type: 'ERROR', object: err.toStatus() }) + '\n');
      w.close();
    }
  }

  /** Compacts the history: any watch resuming from an earlier version gets 410 Gone. */
  compact(): void {
    this.store.compact();
  }

  /**
   * Restarts the server: every connection is cut (watches mid-stream included), the port is closed for
   * `downMs`, then served again. Stored objects survive, as they would in etcd; with `compact`, history
   * does not (clients must relist).
   */
  async restart(options: { downMs?: number; compact?: boolean } = {}): Promise<void> {
    await this.#close();
    if (options.compact === true) this.store.compact();
    if ((options.downMs ?? 0) > 0) await new Promise((r) => setTimeout(r, options.downMs));
    await this.#listen(this.#port);
  }

  /** Stops the server and cuts every connection. */
  async stop(): Promise<void> {
    await this.#close();
  }

  async #close(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    for (const w of [...this.#watches]) w.close();
    for (const s of this.#sockets) s.destroy();
    this.#sockets.clear();
    if (server !== undefined) await new Promise<void>((r) => server.close(() => r()));
  }

  async #listen(port: number): Promise<void> {
    const server = createServer((req, res) => void this.#handle(req, res));
    server.keepAliveTimeout = 60_000;
    server.on('connection', (s) => {
      this.#sockets.add(s);
      s.on('close', () => this.#sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, this.#init.host ?? '127.0.0.1', () => resolve());
    });
    const addr = server.address();
    this.#port = typeof addr === 'object' && addr !== null ? addr.port : port;
    this.#server = server;
  }

  #log(rec: RequestRecord): void {
    this.#requests.push(rec);
    if (this.#requests.length > REQUEST_LOG_LIMIT) this.#requests.splice(0, this.#requests.length - REQUEST_LOG_LIMIT);
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const query = Object.fromEntries(url.searchParams.entries());
    const method = req.method ?? 'GET';
    const contentType = req.headers['content-type'];
    let body: unknown;
    const send = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      if (res.writableEnded || res.destroyed) return;
      this.#log({ method, path: url.pathname, query, contentType, body, status });
      res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
      res.end(JSON.stringify(payload));
    };
    try {
      const raw = await readBody(req);
      if (raw.length > 0) {
        try {
          body = JSON.parse(raw);
        } catch {
          throw new ApiError(400, 'BadRequest', 'the request body is not valid JSON');
        }
      }
      if (this.#latencyMs > 0) await new Promise((r) => setTimeout(r, this.#latencyMs));
      const fault = this.#faults.find(
        (f) => f.left > 0 && (f.match === undefined || f.match(method, url.pathname, query)),
      );
      if (fault !== undefined) {
        fault.left--;
        const err = new ApiError(fault.code, fault.reason ?? 'InternalError', fault.message ?? 'injected fault');
        send(
          fault.code,
          err.toStatus(),
          fault.retryAfterSeconds === undefined ? {} : { 'Retry-After': String(fault.retryAfterSeconds) },
        );
        return;
      }
      this.#route(method, url.pathname, query, contentType, body, res, send);
    } catch (err) {
      if (err instanceof ApiError) send(err.code, err.toStatus());
      else send(500, new ApiError(500, 'InternalError', String((err as Error).message ?? err)).toStatus());
    }
  }

  #route(
    method: string,
    path: string,
    query: Record<string, string>,
    contentType: string | undefined,
    body: unknown,
    res: ServerResponse,
    send: (status: number, payload: unknown, headers?: Record<string, string>) => void,
  ): void {
    const parts = path.split('/').filter((p) => p !== '');
    if (path === '/version') {
      const gitVersion = this.#init.version ?? 'v1.31.0-lbkit';
      const m = /^v(\d+)\.(\d+)/.exec(gitVersion);
      send(200, { major: m?.[1] ?? '1', minor: m?.[2] ?? '31', gitVersion, platform: 'linux/amd64' });
      return;
    }
    if (path === '/api') {
      send(200, { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] });
      return;
    }
    if (path === '/apis') {
      send(200, this.#groupList());
      return;
    }
    if (path === '/healthz' || path === '/readyz' || path === '/livez') {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end('ok');
      return;
    }
    let group: string;
    let version: string;
    let rest: string[];
    if (parts[0] === 'api' && parts.length >= 2) {
      group = '';
      version = parts[1] as string;
      rest = parts.slice(2);
    } else if (parts[0] === 'apis' && parts.length >= 3) {
      group = parts[1] as string;
      version = parts[2] as string;
      rest = parts.slice(3);
    } else if (parts[0] === 'apis' && parts.length === 2) {
      const g = this.#groupList().groups.find((x) => x.name === parts[1]);
      if (g === undefined) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
      send(200, { kind: 'APIGroup', apiVersion: 'v1', ...g });
      return;
    } else {
      throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
    }
    const served = [...this.store.resources.values()].filter((r) => r.group === group && r.versions.includes(version));
    if (served.length === 0) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
    if (rest.length === 0) {
      send(200, {
        kind: 'APIResourceList',
        apiVersion: 'v1',
        groupVersion: groupVersion(group, version),
        resources: served.flatMap((r) => {
          const verbs = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
          const main = {
            name: r.plural,
            singularName: r.kind.toLowerCase(),
            namespaced: r.namespaced,
            kind: r.kind,
            verbs,
            ...(r.shortNames === undefined ? {} : { shortNames: r.shortNames }),
          };
          return r.status
            ? [
                main,
                {
                  name: `${r.plural}/status`,
                  singularName: '',
                  namespaced: r.namespaced,
                  kind: r.kind,
                  verbs: ['get', 'patch', 'update'],
                },
              ]
            : [main];
        }),
      });
      return;
    }
    let ns: string | undefined;
    const isNamespaced = (plural: string | undefined) => served.some((r) => r.plural === plural && r.namespaced);
    if (rest[0] === 'namespaces' && rest.length >= 3 && isNamespaced(rest[2])) {
      ns = rest[1];
      rest = rest.slice(2);
    }
    const [plural, name, sub] = rest;
    const r = served.find((x) => x.plural === plural);
    if (r === undefined || rest.length > 3 || (sub !== undefined && sub !== 'status')) {
      throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
    }
    const key = resourceKey(r);
    const subresource = sub === 'status' ? ('status' as const) : undefined;
    if (name === undefined) {
      if (method === 'GET' && (query['watch'] === 'true' || query['watch'] === '1')) {
        this.#watch(r, key, version, ns, query, res, (status) =>
          this.#log({ method, path, query, contentType, body, status }),
        );
        return;
      }
      if (method === 'GET') {
        const list = this.store.list(
          key,
          { namespace: ns, labelSelector: query['labelSelector'], fieldSelector: query['fieldSelector'] },
          version,
        );
        send(200, paginate(r, group, version, list, query['limit'], query['continue'], this.store.compactedVersion));
        return;
      }
      if (method === 'POST') {
        send(201, this.store.create(key, ns, body as StoredObject, version));
        return;
      }
      throw new ApiError(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`);
    }
    switch (method) {
      case 'GET': {
        const obj = this.store.get(key, ns, name, version);
        send(200, obj);
        return;
      }
      case 'PUT':
        send(200, this.store.update(key, ns, name, body as StoredObject, subresource, version));
        return;
      case 'PATCH':
        send(200, this.store.patch(key, ns, name, contentType ?? '', body, subresource, version));
        return;
      case 'DELETE': {
        const pre = (body as { preconditions?: { resourceVersion?: string } } | undefined)?.preconditions
          ?.resourceVersion;
        send(200, this.store.delete(key, ns, name, version, pre));
        return;
      }
      default:
        throw new ApiError(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`);
    }
  }

  #groupList(): {
    kind: 'APIGroupList';
    apiVersion: 'v1';
    groups: {
      name: string;
      versions: { groupVersion: string; version: string }[];
      preferredVersion: { groupVersion: string; version: string };
    }[];
  } {
    const groups = new Map<string, Set<string>>();
    for (const r of this.store.resources.values()) {
      if (r.group === '') continue;
      const set = groups.get(r.group) ?? new Set<string>();
      r.versions.forEach((v) => set.add(v));
      groups.set(r.group, set);
    }
    return {
      kind: 'APIGroupList',
      apiVersion: 'v1',
      groups: [...groups.entries()].map(([name, vs]) => {
        const versions = [...vs]
          .sort((a, b) => versionPriority(b) - versionPriority(a))
          .map((v) => ({ groupVersion: `${name}/${v}`, version: v }));
        return { name, versions, preferredVersion: versions[0] as { groupVersion: string; version: string } };
      }),
    };
  }

  #watch(
    r: ResourceType,
    key: string,
    version: string,
    ns: string | undefined,
    query: Record<string, string>,
    res: ServerResponse,
    log: (status: number) => void,
  ): void {
    const labels = compileLabelSelector(query['labelSelector']);
    const fields = compileFieldSelector(query['fieldSelector']);
    const matches = (o: StoredObject | undefined) =>
      o !== undefined &&
      (ns === undefined || o.metadata?.namespace === ns) &&
      labels(o.metadata?.labels ?? {}) &&
      fields(o);
    log(200);
    res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
    res.flushHeaders();
    const write = (type: string, object: unknown) => {
      if (!res.writableEnded && !res.destroyed) res.write(JSON.stringify({ type, object }) + '\n');
    };
    const rvText = query['resourceVersion'];
    let backlog: StoreEvent[] = [];
    if (rvText === undefined || rvText === '' || rvText === '0') {
      for (const o of this.store.list(
        key,
        { namespace: ns, labelSelector: query['labelSelector'], fieldSelector: query['fieldSelector'] },
        version,
      ).items) {
        write('ADDED', o);
      }
    } else {
      const rv = Number(rvText);
      try {
        if (!Number.isInteger(rv) || rv < 0)
          throw new ApiError(400, 'BadRequest', `invalid resource version: ${rvText}`);
        backlog = this.store.eventsSince(key, rv);
      } catch (err) {
        const e = err instanceof ApiError ? err : new ApiError(500, 'InternalError', String(err));
        write('ERROR', e.toStatus());
        res.end();
        return;
      }
    }
    const deliver = (e: StoreEvent) => {
      const now = matches(e.object);
      const before = e.type === 'MODIFIED' ? matches(e.previous) : now;
      let type: string = e.type;
      if (e.type === 'MODIFIED' && now && !before) type = 'ADDED';
      else if (e.type === 'MODIFIED' && !now && before) type = 'DELETED';
      else if (!now) return;
      write(type, this.store.present(r, e.object, version));
    };
    backlog.forEach(deliver);
    const unsubscribe = this.store.subscribe((e) => {
      if (e.resource === key) deliver(e);
    });
    const timers: NodeJS.Timeout[] = [];
    if (query['allowWatchBookmarks'] === 'true') {
      timers.push(
        setInterval(() => {
          write('BOOKMARK', {
            kind: r.kind,
            apiVersion: groupVersion(r.group, version),
            metadata: { resourceVersion: String(this.store.resourceVersion) },
          });
        }, this.#init.bookmarkIntervalMs ?? 1000),
      );
    }
    const timeout = Number(query['timeoutSeconds']);
    const watch: OpenWatch = {
      res,
      resource: key,
      close: () => {
        if (!this.#watches.delete(watch)) return;
        unsubscribe();
        timers.forEach((t) => clearTimeout(t));
        if (!res.writableEnded) res.end();
      },
    };
    if (Number.isFinite(timeout) && timeout > 0) timers.push(setTimeout(() => watch.close(), timeout * 1000));
    this.#watches.add(watch);
    res.on('close', () => watch.close());
  }
}

/**
 * `limit`/`continue` paging. The token records the version of the first page and the last key served; a
 * token older than the compacted history is refused with 410, as a real server does. Later pages are cut
 * from the current state (a real server serves the first page's snapshot).
 */
function paginate(
  r: ResourceType,
  group: string,
  version: string,
  list: { items: StoredObject[]; resourceVersion: string },
  limitText: string | undefined,
  token: string | undefined,
  compacted: number,
): Record<string, unknown> {
  const keyOf = (o: StoredObject) => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
  let items = list.items;
  let resourceVersion = list.resourceVersion;
  if (token !== undefined && token !== '') {
    let parsed: { rv?: string; after?: string };
    try {
      parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { rv?: string; after?: string };
    } catch {
      throw new ApiError(400, 'BadRequest', 'continue key is not valid');
    }
    if (Number(parsed.rv) < compacted) {
      throw new ApiError(
        410,
        'Expired',
        'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.',
      );
    }
    resourceVersion = parsed.rv ?? resourceVersion;
    items = items.filter((o) => keyOf(o) > (parsed.after ?? ''));
  }
  const limit = Number(limitText);
  const metadata: Record<string, unknown> = { resourceVersion };
  if (Number.isInteger(limit) && limit > 0 && items.length > limit) {
    const last = items[limit - 1] as StoredObject;
    metadata['continue'] = Buffer.from(JSON.stringify({ rv: resourceVersion, after: keyOf(last) })).toString(
      'base64url',
    );
    metadata['remainingItemCount'] = items.length - limit;
    items = items.slice(0, limit);
  }
  return { kind: `${r.kind}List`, apiVersion: groupVersion(group, version), metadata, items };
}

function versionPriority(v: string): number {
  const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
  if (m === null) return 0;
  const major = Number(m[1]);
  const stage = m[2] === undefined ? 3 : m[2] === 'beta' ? 2 : 1;
  return major * 10_000 + stage * 1000 + Number(m[3] ?? 0);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
