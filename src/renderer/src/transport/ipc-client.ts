// Electron transport: the preload exposes window.terminalBridge (named functions only).
import type { TerminalClient } from '../../../shared/contract';

declare global {
  interface Window {
    terminalBridge?: TerminalClient;
  }
}

export function ipcClient(): TerminalClient | null {
  return window.terminalBridge ?? null;
}
