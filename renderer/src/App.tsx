// The window: a left navigation and the current page.
import { StatusProvider, useRegistryStatus } from './api/status';
import { Icon, type IconName } from './components/Icon';
import { href, useRoute, type Route } from './lib/router';
import { CatalogPage } from './features/catalog/CatalogPage';
import { CertsPage } from './features/certs/CertsPage';
import { DockerSetupPage } from './features/docker-setup/DockerSetupPage';
import { LogsPage } from './features/logs/LogsPage';
import { RegistryPage } from './features/registry/RegistryPage';
import { StoragePage } from './features/storage/StoragePage';
import { UsersPage } from './features/users/UsersPage';

const NAV: Array<{ page: Route['page']; label: string; icon: IconName }> = [
  { page: 'registry', label: 'Registry', icon: 'home' },
  { page: 'catalog', label: 'Catalog', icon: 'catalog' },
  { page: 'storage', label: 'Storage', icon: 'storage' },
  { page: 'users', label: 'Users', icon: 'users' },
  { page: 'certs', label: 'Certificates', icon: 'certs' },
  { page: 'docker', label: 'Docker setup', icon: 'docker' },
  { page: 'logs', label: 'Logs', icon: 'logs' },
];

export function App() {
  return (
    <StatusProvider>
      <Shell />
    </StatusProvider>
  );
}

function Shell() {
  const route = useRoute();
  return (
    <div className="shell">
      <SkipLink />
      <nav className="sidebar" aria-label="Main">
        <div className="brand">
          <span className="brand-mark"><Icon name="berth" size={22} /></span> Berth
        </div>
        <ul>
          {NAV.map((item) => (
            <li key={item.page}>
              <a href={href({ page: item.page } as Route)} className={route.page === item.page ? 'active' : undefined} aria-current={route.page === item.page ? 'page' : undefined}>
                <span className="nav-icon"><Icon name={item.icon} /></span>
                {item.label}
              </a>
            </li>
          ))}
        </ul>
        <SidebarStatus />
      </nav>
      <main className="content" id="main-content" tabIndex={-1}>
        <Page route={route} />
      </main>
    </div>
  );
}

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case 'catalog':
      return <CatalogPage repository={route.repository} reference={route.reference} />;
    case 'users':
      return <UsersPage />;
    case 'certs':
      return <CertsPage />;
    case 'docker':
      return <DockerSetupPage />;
    case 'logs':
      return <LogsPage />;
    case 'storage':
      return <StoragePage />;
    default:
      return <RegistryPage />;
  }
}

// Keyboard users jump past the navigation. Routes live in the hash, so the link moves focus
// itself instead of navigating to #main-content.
function SkipLink() {
  return (
    <a
      className="skip-link"
      href="#main-content"
      onClick={(e) => {
        e.preventDefault();
        document.getElementById('main-content')?.focus();
      }}
    >
      Skip to main content
    </a>
  );
}

function SidebarStatus() {
  const { status } = useRegistryStatus();
  const state = status?.status ?? 'unknown';
  return (
    <div className={`sidebar-status status-${state}`} aria-live="polite">
      <span className="status-dot" aria-hidden="true" />
      Registry {state === 'unknown' ? '…' : state}
    </div>
  );
}
