// Renderer bootstrap: pick the transport the host provides, build the stores, render.
import { createRoot } from 'react-dom/client';
import { StrictMode } from 'react';
import { RootStore, StoreContext } from './stores/root-store';
import { ipcClient } from './transport/ipc-client';
import { wsClient } from './transport/ws-client';
import { App } from './views/App';
import { createLogWriter } from './log';
import { ReplicaDb, replicaDbName } from './replica/replica-db';
import './styles.css';

let root: RootStore | null = null;
const bridge = ipcClient();
const api = bridge ?? wsClient((connected) => root?.connectionChanged(connected));
root = new RootStore(api, { openLogWriter: (terminalId, clock) => createLogWriter({ terminalId, clock }), openReplica: (terminalId) => new ReplicaDb(replicaDbName(terminalId)) });
if (bridge) root.connectionChanged(true);

setInterval(() => root?.ui.advance(), 1000);

createRoot(document.getElementById('root') as HTMLElement).render(
  <StrictMode>
    <StoreContext.Provider value={root}>
      <App />
    </StoreContext.Provider>
  </StrictMode>,
);
