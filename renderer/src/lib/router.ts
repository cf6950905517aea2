// Hash routes (#/registry, #/catalog/<repo>/<reference>): no server routes needed in console mode,
// and file:// or a custom protocol works the same in the desktop app.
import { useEffect, useState } from 'react';

export type Route =
  | { page: 'registry' }
  | { page: 'catalog'; repository?: string; reference?: string }
  | { page: 'users' }
  | { page: 'certs' }
  | { page: 'docker' }
  | { page: 'logs' }
  | { page: 'storage' };

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  switch (parts[0]) {
    case 'catalog':
      return { page: 'catalog', ...(parts[1] ? { repository: parts[1] } : {}), ...(parts[2] ? { reference: parts[2] } : {}) };
    case 'users':
      return { page: 'users' };
    case 'certs':
      return { page: 'certs' };
    case 'docker':
      return { page: 'docker' };
    case 'logs':
      return { page: 'logs' };
    case 'storage':
      return { page: 'storage' };
    default:
      return { page: 'registry' };
  }
}

export function href(route: Route): string {
  if (route.page === 'catalog') {
    const parts = ['catalog', route.repository, route.reference].filter((p): p is string => !!p).map(encodeURIComponent);
    return `#/${parts.join('/')}`;
  }
  return `#/${route.page}`;
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

export function navigate(route: Route): void {
  window.location.hash = href(route);
}
