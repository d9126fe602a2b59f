// The central server listens on loopback only (第26条: the terminal network is closed; any
// exposure beyond this machine goes through the town's own gateway, not this process).

export const LOOPBACK_HOSTS = ['127.0.0.1', '::1'] as const;
export type LoopbackHost = (typeof LOOPBACK_HOSTS)[number];
export const DEFAULT_HOST: LoopbackHost = '127.0.0.1';
export const DEFAULT_PORT = 8470;

export function isLoopbackHost(host: string): host is LoopbackHost {
  return (LOOPBACK_HOSTS as readonly string[]).includes(host);
}

export function serverUrl(host: LoopbackHost, port: number): string {
  return host.includes(':') ? `http://[${host}]:${port}` : `http://${host}:${port}`;
}
