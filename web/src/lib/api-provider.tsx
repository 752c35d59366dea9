import {
  createContext,
  type ReactNode,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useState,
  useSyncExternalStore,
} from 'react';
import { Provider } from 'urql';
import { type Api, type ConnectionState, createApi } from './client.ts';

interface ApiContextValue {
  api: Api;
  /** Rebuilds both clients: call after sign-in, sign-out or password change (new cookie). */
  reset(): void;
}

const ApiContext = createContext<ApiContextValue | null>(null);

export function ApiProvider({ children }: { children: ReactNode }) {
  const [api, setApi] = useState(createApi);
  const [epoch, setEpoch] = useState(0);
  useEffect(() => () => api.dispose(), [api]);
  const reset = useCallback(() => {
    setApi(createApi());
    setEpoch((n) => n + 1);
  }, []);
  const value = useMemo(() => ({ api, reset }), [api, reset]);
  return (
    <ApiContext.Provider value={value}>
      {/* Keyed: a new signed-in user starts from a clean tree (no state from the previous one). */}
      <Provider key={epoch} value={api.urql}>
        {children}
      </Provider>
    </ApiContext.Provider>
  );
}

export function useApi(): ApiContextValue {
  const value = useContext(ApiContext);
  if (!value) throw new Error('useApi outside ApiProvider');
  return value;
}

export function useConnectionState(): ConnectionState {
  const { connection } = useApi().api;
  return useSyncExternalStore(connection.subscribe, connection.get);
}

/** Runs `callback` each time the socket is re-established after a drop (server restart, network). */
export function useOnReconnect(callback: () => void): void {
  const { connection } = useApi().api;
  useEffect(() => connection.onReconnect(callback), [connection, callback]);
}
