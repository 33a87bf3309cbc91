import type { RedisOptions } from 'bullmq';
import { Redis, type RedisOptions as IoRedisOptions } from 'ioredis';
import { ConfigError } from '../config/validate.ts';

/** Where the queue lives: a parsed redis:// (or rediss://, TLS) URL. */
export interface RedisTarget {
  host: string;
  port: number;
  db: number;
  username?: string;
  password?: string;
  tls: boolean;
  /** The URL with any password masked, for messages and logs. */
  display: string;
}

const FORM = 'redis://[[user]:password@]host[:port][/db] (rediss:// for TLS)';

/**
 * Parse a queue URL; errors name `where` (the flag or option) and the form expected. A URL
 * without a password takes STALELAB_REDIS_PASSWORD from the environment (private, unlike a
 * command line, which `ps` shows to every user).
 */
export function parseRedisUrl(url: string, where = '--queue', env: NodeJS.ProcessEnv = process.env): RedisTarget {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new ConfigError(`${where}: expected ${FORM}, got ${JSON.stringify(url)}`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') {
    throw new ConfigError(`${where}: expected ${FORM}, got scheme "${u.protocol.replace(/:$/, '')}" in ${JSON.stringify(url)}`);
  }
  if (!u.hostname) throw new ConfigError(`${where}: ${JSON.stringify(url)} names no host; expected ${FORM}`);
  const port = u.port ? Number(u.port) : 6379;
  const path = u.pathname.replace(/^\//, '');
  if (path !== '' && !/^\d+$/.test(path)) throw new ConfigError(`${where}: the path of ${JSON.stringify(url)} must be a database number (e.g. /0), got "/${path}"`);
  if (u.search || u.hash) throw new ConfigError(`${where}: ${JSON.stringify(url)} has query or fragment parts; expected ${FORM}`);
  const username = u.username ? decodeURIComponent(u.username) : undefined;
  const password = u.password ? decodeURIComponent(u.password) : env.STALELAB_REDIS_PASSWORD || undefined;
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  const auth = password !== undefined ? `${username ?? ''}:***@` : username ? `${username}@` : '';
  return {
    host,
    port,
    db: path === '' ? 0 : Number(path),
    ...(username !== undefined ? { username } : {}),
    ...(password !== undefined ? { password } : {}),
    tls: u.protocol === 'rediss:',
    display: `${u.protocol}//${auth}${u.hostname}:${port}/${path === '' ? 0 : Number(path)}`,
  };
}

/** Connection options for BullMQ's long-lived connections: commands wait through a Redis restart instead of failing. */
export function connectionOptions(target: RedisTarget): RedisOptions {
  return {
    host: target.host,
    port: target.port,
    db: target.db,
    ...(target.username !== undefined ? { username: target.username } : {}),
    ...(target.password !== undefined ? { password: target.password } : {}),
    ...(target.tls ? { tls: {} } : {}),
    maxRetriesPerRequest: null,
    retryStrategy: (times: number) => Math.min(100 * times, 2000),
  };
}

/** The eviction policy, from CONFIG GET, or INFO where a managed Redis disables CONFIG. */
async function evictionPolicy(client: Redis): Promise<string | null> {
  try {
    const reply = (await client.config('GET', 'maxmemory-policy')) as string[];
    if (reply.length >= 2) return reply[1];
  } catch {
    // CONFIG is often renamed or disabled on hosted Redis; INFO still says.
  }
  const info = await client.info('memory');
  return /^maxmemory_policy:(\S+)/m.exec(info)?.[1] ?? null;
}

function unreachable(target: RedisTarget, e: Error): ConfigError {
  const msg = e.message;
  if (/NOAUTH|Authentication required/i.test(msg)) {
    return new ConfigError(`queue ${target.display}: Redis asks for a password; give it in STALELAB_REDIS_PASSWORD or in the URL, redis://:PASSWORD@${target.host}:${target.port}`);
  }
  if (/WRONGPASS|invalid password|invalid username-password/i.test(msg)) {
    return new ConfigError(`queue ${target.display}: Redis refused the user name or password in the URL (${msg})`);
  }
  return new ConfigError(
    `queue ${target.display}: cannot reach Redis (${msg}); is redis-server running there and reachable from this machine? (environment.md, "Redis and multi-machine sweeps")`,
  );
}

/**
 * Connect once to check the queue's Redis before any work starts: reachable, password accepted,
 * and `maxmemory-policy noeviction` (BullMQ's requirement: under memory pressure any other policy
 * lets Redis delete queued jobs and their locks). Returns the options for BullMQ's connections.
 */
export async function checkRedis(url: string, where = '--queue'): Promise<{ target: RedisTarget; connection: RedisOptions }> {
  const target = parseRedisUrl(url, where);
  const client = new Redis({
    ...(connectionOptions(target) as IoRedisOptions),
    lazyConnect: true,
    connectTimeout: 5000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  // The socket's error (ECONNREFUSED, a DNS failure) comes as an event; connect() then rejects with a vaguer one.
  let socketError: Error | null = null;
  client.on('error', (e: Error) => (socketError ??= e));
  try {
    try {
      await client.connect();
      await client.ping();
    } catch (e) {
      throw unreachable(target, socketError ?? (e as Error));
    }
    const policy = await evictionPolicy(client);
    if (policy !== null && policy !== 'noeviction') {
      throw new ConfigError(
        `queue ${target.display}: Redis has maxmemory-policy "${policy}"; BullMQ needs "noeviction" (any other policy lets Redis delete queued jobs when memory runs short). ` +
          `Fix: redis-cli -h ${target.host} -p ${target.port} CONFIG SET maxmemory-policy noeviction (and "maxmemory-policy noeviction" in redis.conf to keep it after a restart)`,
      );
    }
  } finally {
    client.disconnect();
  }
  return { target, connection: connectionOptions(target) };
}

/** A client of our own beside BullMQ's (run results are stored under keys of their own). */
export function openRedis(target: RedisTarget): Redis {
  const client = new Redis(connectionOptions(target) as IoRedisOptions);
  client.on('error', () => {});
  return client;
}
