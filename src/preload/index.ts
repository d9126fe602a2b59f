// The only bridge between the sandboxed renderer and main: named functions, one per contract
// method. ipcRenderer itself is never exposed.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { TerminalClient, TerminalSnapshot } from '../shared/contract';
import { IPC_SNAPSHOT_CHANNEL, ipcChannel } from '../shared/ipc-channels';

const bridge: TerminalClient = {
  getSnapshot: (input) => ipcRenderer.invoke(ipcChannel('getSnapshot'), input),
  submitPassword: (input) => ipcRenderer.invoke(ipcChannel('submitPassword'), input),
  changePassword: (input) => ipcRenderer.invoke(ipcChannel('changePassword'), input),
  lock: (input) => ipcRenderer.invoke(ipcChannel('lock'), input),
  signOut: (input) => ipcRenderer.invoke(ipcChannel('signOut'), input),
  reportActivity: (input) => ipcRenderer.invoke(ipcChannel('reportActivity'), input),
  takeLogEvents: (input) => ipcRenderer.invoke(ipcChannel('takeLogEvents'), input),
  ackLogEvents: (input) => ipcRenderer.invoke(ipcChannel('ackLogEvents'), input),
  getLogCursor: (input) => ipcRenderer.invoke(ipcChannel('getLogCursor'), input),
  pushLogBatch: (input) => ipcRenderer.invoke(ipcChannel('pushLogBatch'), input),
  fetchResidentChanges: (input) => ipcRenderer.invoke(ipcChannel('fetchResidentChanges'), input),
  getReplicaKey: (input) => ipcRenderer.invoke(ipcChannel('getReplicaKey'), input),
  adminOpen: (input) => ipcRenderer.invoke(ipcChannel('adminOpen'), input),
  adminCall: (input) => ipcRenderer.invoke(ipcChannel('adminCall'), input),
  adminClose: (input) => ipcRenderer.invoke(ipcChannel('adminClose'), input),
  onSnapshot(listener) {
    const handler = (_event: IpcRendererEvent, snapshot: TerminalSnapshot) => listener(snapshot);
    ipcRenderer.on(IPC_SNAPSHOT_CHANNEL, handler);
    return () => ipcRenderer.removeListener(IPC_SNAPSHOT_CHANNEL, handler);
  },
};

contextBridge.exposeInMainWorld('terminalBridge', bridge);
