import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app.tsx';
import { ViewerProvider } from './auth/viewer.tsx';
import { ApiProvider } from './lib/api-provider.tsx';
import './styles.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');
createRoot(root).render(
  <StrictMode>
    <ApiProvider>
      <ViewerProvider>
        <App />
      </ViewerProvider>
    </ApiProvider>
  </StrictMode>,
);
