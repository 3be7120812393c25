/**
 * A loopback stand-in for the Hugging Face hub, for tests: the URL layout and headers @huggingface/hub and
 * Python's huggingface_hub rely on - `GET /api/models/<repo>/revision/<rev>` (sha), `POST .../paths-info/<rev>`,
 * `GET /api/<type>s/<repo>/tree/<rev>/<folder>`, `GET /<repo>/resolve/<rev>/<file>` answering with `x-repo-commit`, `etag`, `x-linked-etag`,
 * `x-linked-size` and a redirect to `/blobs/<sha256>` (which honours Range), 404s with `X-Error-Code`.
 */
import { createHash } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface MockRepo {
  type?: 'model' | 'dataset';
  files: Record<string, Uint8Array | string>;
}

export interface MockHub {
  url: string;
  /** every request as "METHOD path" */
  requests: string[];
  /** cut the connection after half of this file's bytes (once) */
  dropOnce(file: string): void;
  close(): Promise<void>;
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

export async function startMockHub(repos: Record<string, MockRepo>): Promise<MockHub> {
  const requests: string[] = [];
  const drops = new Set<string>();
  const blobs = new Map<string, Uint8Array>();
  const table = new Map<string, { commit: string; files: Map<string, Uint8Array> }>();
  for (const [name, repo] of Object.entries(repos)) {
    const files = new Map(Object.entries(repo.files).map(([f, c]) => [f, typeof c === 'string' ? Buffer.from(c) : c]));
    const commit = createHash('sha1')
      .update(name + [...files.keys()].join())
      .digest('hex');
    table.set(`${repo.type ?? 'model'}s/${name}`, { commit, files });
    for (const c of files.values()) blobs.set(sha256(c), c);
  }
  const lookup = (type: string, name: string, rev: string) => {
    const repo = table.get(`${type}/${decodeURIComponent(name)}`);
    return repo && (rev === 'main' || rev === repo.commit) ? repo : null;
  };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url!, 'http://x');
    requests.push(`${req.method} ${url.pathname}`);
    const notFound = (code: string) => {
      res.writeHead(404, { 'X-Error-Code': code, 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ error: `${code}: ${url.pathname}` }));
    };
    let m: RegExpExecArray | null;
    if ((m = /^\/api\/(models|datasets)\/(.+)\/revision\/([^/]+)$/.exec(url.pathname))) {
      const repo = lookup(m[1], m[2], decodeURIComponent(m[3]));
      if (!repo) return notFound('RepoNotFound');
      res.writeHead(200, { 'Content-Type': 'application/json' });
      return res.end(JSON.stringify({ _id: repo.commit.slice(0, 24), id: decodeURIComponent(m[2]), sha: repo.commit, private: false, downloads: 0, likes: 0 }));
    }
    if ((m = /^\/api\/(models|datasets)\/(.+?)\/tree\/([^/]+)(?:\/(.*))?$/.exec(url.pathname))) {
      const repo = lookup(m[1], m[2], decodeURIComponent(m[3]));
      if (!repo) return notFound('RepoNotFound');
      const prefix = m[4] ? `${decodeURIComponent(m[4])}/` : '';
      const entries = [...repo.files.entries()]
        .filter(([f]) => f.startsWith(prefix) && !f.slice(prefix.length).includes('/'))
        .map(([f, c]) => ({ type: 'file', path: f, size: c.length, oid: createHash('sha1').update(c).digest('hex') }));
      if (prefix && entries.length === 0) return notFound('EntryNotFound');
      res.writeHead(200, { 'Content-Type': 'application/json' });
      return res.end(JSON.stringify(entries));
    }
    if ((m = /^\/api\/(models|datasets)\/(.+)\/paths-info\/([^/]+)$/.exec(url.pathname)) && req.method === 'POST') {
      const repo = lookup(m[1], m[2], decodeURIComponent(m[3]));
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        if (!repo) return notFound('RepoNotFound');
        const { paths } = JSON.parse(body) as { paths: string[] };
        const found = paths.filter((p) => repo.files.has(p));
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(
          JSON.stringify(
            found.map((p) => {
              const c = repo.files.get(p)!;
              return {
                type: 'file',
                path: p,
                size: c.length,
                oid: createHash('sha1').update(c).digest('hex'),
                lfs: { oid: sha256(c), size: c.length },
                lastCommit: { id: repo.commit, title: 'upload', date: '2026-01-01T00:00:00.000Z' },
              };
            }),
          ),
        );
      });
      return;
    }
    if ((m = /^\/(datasets\/)?(.+?)\/resolve\/([^/]+)\/(.+)$/.exec(url.pathname))) {
      const repo = lookup(m[1] ? 'datasets' : 'models', m[2], decodeURIComponent(m[3]));
      if (!repo) return notFound('RepoNotFound');
      const file = decodeURIComponent(m[4]);
      const c = repo.files.get(file);
      if (!c) return notFound('EntryNotFound');
      res.writeHead(302, {
        Location: `/blobs/${sha256(c)}?file=${encodeURIComponent(file)}`,
        'x-repo-commit': repo.commit,
        etag: `"${sha256(c)}"`,
        'x-linked-etag': `"${sha256(c)}"`,
        'x-linked-size': String(c.length),
      });
      return res.end();
    }
    if ((m = /^\/blobs\/([0-9a-f]{64})$/.exec(url.pathname))) {
      const c = blobs.get(m[1]);
      if (!c) return notFound('EntryNotFound');
      const headers = { etag: `"${m[1]}"`, 'Accept-Ranges': 'bytes' };
      const range = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '');
      if (range) {
        const [a, b] = [Number(range[1]), Math.min(Number(range[2]), c.length - 1)];
        res.writeHead(206, { ...headers, 'Content-Range': `bytes ${a}-${b}/${c.length}`, 'Content-Length': String(b - a + 1) });
        return res.end(Buffer.from(c.subarray(a, b + 1)));
      }
      const file = url.searchParams.get('file') ?? '';
      res.writeHead(200, { ...headers, 'Content-Length': String(c.length) });
      if (drops.has(file)) {
        drops.delete(file);
        res.write(Buffer.from(c.subarray(0, c.length >> 1)));
        return setTimeout(() => res.socket?.destroy(), 50);
      }
      return res.end(Buffer.from(c));
    }
    notFound('NotFound');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    dropOnce: (file) => drops.add(file),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
