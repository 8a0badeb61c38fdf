/**
 * The web dashboard: a tiny HTTP server on 127.0.0.1 (plain node:http) serving one page that polls
 * `/status.json` — the run, rounds done, plants connected and the global metrics of every round —
 * read from the coordinator's SQLite store (safe while the coordinator runs). No framework, no
 * external resources: the page draws its chart with inline SVG.
 *
 * @example
 * const dashboard = await startDashboard({ storePath: 'crucible.db', port: 0 });
 * console.log(dashboard.url); // http://127.0.0.1:43117/
 * await dashboard.close();
 */
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CrucibleError } from '../errors.js';
import { readStatus } from '../store/status.js';
import { CrucibleStore } from '../store/store.js';
import { dashboardPage } from './page.js';

export interface DashboardOptions {
  storePath: string;
  /** Run to show. Default: the newest. */
  runId?: string;
  /** Default 0 (any free port). */
  port?: number;
  /** Default 127.0.0.1: the dashboard has no authentication, so it is not exposed beyond this machine. */
  host?: string;
}

export interface RunningDashboard {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** What `/status.json` returns. */
export function dashboardStatus(storePath: string, runId?: string): object {
  const store = CrucibleStore.open(storePath);
  try {
    const status = readStatus(store, { runId });
    const rounds = status.run === undefined ? [] : store.rounds(status.run.id);
    const total = (status.run?.config as { rounds?: number } | null | undefined)?.rounds ?? null;
    return {
      run: status.run === undefined ? null : { id: status.run.id, status: status.run.status, createdAt: status.run.createdAt, rounds: total },
      roundsDone: status.roundsDone,
      plants: status.plants,
      rounds: rounds.map((r) => {
        const s = r.summary as { evaluation?: { mse?: number; rmse?: number; r2?: number } | null; fit?: { trainLoss?: number } };
        return { round: r.round, completedAt: r.completedAt, participants: r.participants, trainLoss: s.fit?.trainLoss ?? null, mse: s.evaluation?.mse ?? null, r2: s.evaluation?.r2 ?? null };
      }),
    };
  } finally {
    store.close();
  }
}

/** Starts the dashboard server. */
export async function startDashboard(options: DashboardOptions): Promise<RunningDashboard> {
  if (!existsSync(options.storePath)) throw new CrucibleError('CONFIG_INVALID', `no store at ${options.storePath} (pass --store <file>)`);
  const page = dashboardPage();
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET') {
      res.writeHead(405, { allow: 'GET' }).end();
      return;
    }
    if (path === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(page);
      return;
    }
    if (path === '/status.json') {
      try {
        const body = JSON.stringify(dashboardStatus(options.storePath, options.runId));
        res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(body);
      } catch (e) {
        res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: (e as Error).message }));
      }
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${port}/`,
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
