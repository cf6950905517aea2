// Entry point of the renderer: pick the transport (this also moves a console token out of the
// address bar before the router reads it), then render the app.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { transport } from './api/transport';
import './styles.css';

transport();
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
