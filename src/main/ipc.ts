// Electron transport of the contract: one handler per method, all through dispatch(), which
// validates the untrusted payload. Only our own page may call.
import { ipcMain, type BrowserWindow, type IpcMainInvokeEvent } from 'electron';
import { dispatch, methodNames, type TerminalSnapshot } from '../shared/contract';
import { IPC_SNAPSHOT_CHANNEL, ipcChannel } from '../shared/ipc-channels';
import type { SnapshotSource } from './snapshot-source';

export function registerIpc(service: SnapshotSource, window: BrowserWindow, isOwnPage: (url: string) => boolean): () => void {
  for (const method of methodNames) {
    ipcMain.handle(ipcChannel(method), (event: IpcMainInvokeEvent, payload: unknown) => {
      if (event.sender !== window.webContents || !isOwnPage(event.senderFrame?.url ?? '')) {
        return { ok: false, message: '要求元が不正です。' };
      }
      return dispatch(service, method, payload);
    });
  }
  const push = (snapshot: TerminalSnapshot) => {
    if (!window.isDestroyed()) window.webContents.send(IPC_SNAPSHOT_CHANNEL, snapshot);
  };
  service.on('snapshot', push);
  return () => {
    service.off('snapshot', push);
    for (const method of methodNames) ipcMain.removeHandler(ipcChannel(method));
  };
}
