// The registry at a glance: one Start/Stop control, its state, where the images are kept, where
// to push (before the first Start too) with a command to copy, where clients reach it, and
// whether TLS, auth and the proxy are on. A first run needs nothing else on the page.
import type { ClientAddress, RegistryOverview, RegistryStatus } from '../../../../preload/contract';
import { invoke } from '../../api/control';
import { useAction } from '../../api/hooks';
import { useRegistryStatus } from '../../api/status';
import { Card, Chip } from '../../components/Card';
import { CopyButton, CopyLine } from '../../components/CopyButton';
import { Notice } from '../../components/Notice';

function describe(status: RegistryStatus | undefined): string {
  switch (status?.status) {
    case 'running':
      return `Running on ${status.url}`;
    case 'starting':
      return 'Starting…';
    case 'stopping':
      return 'Stopping…';
    case 'stopped':
      return 'Stopped';
    case 'failed':
      return 'Failed to start';
    default:
      return 'Checking…';
  }
}

/** An image most Docker users have (or get with `docker pull hello-world`): the example pushes it. */
const EXAMPLE_IMAGE = 'hello-world';

/** The address this computer's Docker pushes to: loopback needs no insecure-registries entry. */
function pushAddress(addresses: ClientAddress[]): string | undefined {
  return (addresses.find((a) => a.source === 'loopback') ?? addresses[0])?.hostPort;
}

function pushCommand(hostPort: string, image = EXAMPLE_IMAGE): string {
  return `docker tag ${image} ${hostPort}/${image} && docker push ${hostPort}/${image}`;
}

export function StatusCard({ overview, dataDir }: { overview: RegistryOverview | undefined; dataDir: string | undefined }) {
  const { status, update } = useRegistryStatus();
  const toggle = useAction(async () => update(await invoke(status?.status === 'running' ? 'registry.stop' : 'registry.start', {})));
  const running = status?.status === 'running';
  const busy = toggle.busy || status?.status === 'starting' || status?.status === 'stopping';
  const login = overview?.addresses[0] && status?.status === 'running' && status.auth ? `docker login ${overview.addresses[0].hostPort}` : undefined;
  const pushTo = overview ? pushAddress(overview.addresses) : undefined;

  return (
    <Card
      title="Registry"
      actions={
        <button type="button" className={running ? 'btn btn-large' : 'btn btn-large btn-primary'} disabled={busy || !status} onClick={() => void toggle.run()}>
          {busy ? 'Working…' : running ? 'Stop registry' : 'Start registry'}
        </button>
      }
    >
      <p className={`status-line status-${status?.status ?? 'unknown'}`} data-testid="registry-status">
        <span className="status-dot" aria-hidden="true" />
        {describe(status)}
      </p>
      {status?.status === 'failed' ? <Notice kind="error">{status.error}</Notice> : null}
      {toggle.error ? <Notice kind="error">{toggle.error.message}</Notice> : null}
      <dl className="details first-run">
        <dt>Images are kept in</dt>
        <dd data-testid="data-folder">{dataDir ? <code>{dataDir}</code> : '…'}</dd>
        <dt>Push images to</dt>
        <dd data-testid="push-address">{pushTo ? <><code>{pushTo}</code> <CopyButton text={pushTo} /></> : '…'}</dd>
      </dl>
      {pushTo ? (
        <div className="push-example">
          <CopyLine text={pushCommand(pushTo)} />
          <p className="field-hint">
            {running ? 'Pushes' : 'Once started, pushes'} {EXAMPLE_IMAGE} to Berth. Any image you have works in its place (<code>docker images</code> lists them).
          </p>
        </div>
      ) : null}
      {running ? (
        <div className="chips">
          <Chip on={status.tls} label="TLS" />
          <Chip on={status.auth} label="Auth" />
          <Chip on={status.proxy} label="Proxy" />
        </div>
      ) : null}
      {running && overview && overview.addresses.length > 0 ? (
        <>
          <h3>Addresses for clients</h3>
          <table className="table addresses">
            <tbody>
              {overview.addresses.map((a) => (
                <tr key={a.url}>
                  <td className="mono">{a.hostPort}</td>
                  <td className="muted">{a.source}</td>
                  <td className="row-actions">
                    <CopyButton text={a.hostPort} label="Copy" />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {login ? (
            <p className="muted">
              Log in with <code>{login}</code> <CopyButton text={login} />
            </p>
          ) : null}
        </>
      ) : null}
    </Card>
  );
}
