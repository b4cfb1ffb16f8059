import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RemoteCache {
  /** For NX_SELF_HOSTED_REMOTE_CACHE_SERVER. */
  url: string;
  /** GETs answered with an artifact so far. */
  hits(): number;
  close(): Promise<void>;
}

/**
 * Nx's self-hosted remote cache protocol (nx.dev "self-hosted caching", OpenAPI): `PUT /v1/cache/{hash}` stores a
 * task's tar archive (409 if the hash is already stored), `GET /v1/cache/{hash}` returns it or 404. Kept in memory,
 * on 127.0.0.1, for the lifetime of a test.
 */
export async function startRemoteCache(): Promise<RemoteCache> {
  const artifacts = new Map<string, Buffer>();
  let hits = 0;
  const server = createServer((request, response) => {
    const hash = /^\/v1\/cache\/([^/?]+)$/.exec(request.url ?? '')?.[1];
    if (!hash) {
      response.writeHead(404).end();
    } else if (request.method === 'GET') {
      const artifact = artifacts.get(hash);
      if (artifact) hits++;
      if (artifact) response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': artifact.length }).end(artifact);
      else response.writeHead(404).end();
    } else if (request.method === 'PUT') {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        if (artifacts.has(hash)) {
          response.writeHead(409).end();
          return;
        }
        artifacts.set(hash, Buffer.concat(chunks));
        response.writeHead(200).end();
      });
    } else {
      response.writeHead(405).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hits: () => hits,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
