// Electron IPC channel names for the contract in ./contract.ts (kept free of zod so the
// sandboxed preload bundle stays tiny).
export const IPC_PREFIX = 'terminal:';
export const IPC_SNAPSHOT_CHANNEL = 'terminal:snapshot';
export const ipcChannel = (method: string): string => `${IPC_PREFIX}${method}`;
