// The same registry for podman (registries.conf) and containerd (hosts.toml), and in proxy
// mode containerd's mirror file for each upstream.
import { useCall } from '../../api/hooks';
import { Card } from '../../components/Card';
import { CodeBlock } from '../../components/CodeBlock';
import { CopyButton } from '../../components/CopyButton';
import { ErrorNotice } from '../../components/Notice';

export function SnippetsCard({ hostPort, tls }: { hostPort: string; tls: boolean }) {
  const snippets = useCall('docker.snippets', { hostPort, tls }, { skip: !hostPort });
  if (!hostPort) return null;
  return (
    <Card title="podman and containerd" description={`The equivalent settings for ${hostPort} in other clients.`}>
      <ErrorNotice error={snippets.error} />
      {snippets.data ? (
        <div className="snippets">
          <div>
            <h3>podman — registries.conf <CopyButton text={snippets.data.podman} /></h3>
            <p className="muted">Add to <code>/etc/containers/registries.conf</code> or <code>~/.config/containers/registries.conf</code>.</p>
            <CodeBlock label="podman registries.conf">{snippets.data.podman}</CodeBlock>
          </div>
          <div>
            <h3>containerd — hosts.toml <CopyButton text={snippets.data.containerd} /></h3>
            <p className="muted">Save as <code>/etc/containerd/certs.d/{hostPort}/hosts.toml</code>.</p>
            <CodeBlock label="containerd hosts.toml">{snippets.data.containerd}</CodeBlock>
          </div>
          {snippets.data.containerdMirrors?.map((m) => (
            <div key={m.registry}>
              <h3>containerd — mirror of {m.registry} <CopyButton text={m.hostsToml} /></h3>
              <p className="muted">Save as <code>/etc/containerd/certs.d/{m.registry}/hosts.toml</code>: pulls of {m.registry} images go through Berth first.</p>
              <CodeBlock label={`containerd hosts.toml, mirror of ${m.registry}`}>{m.hostsToml}</CodeBlock>
            </div>
          ))}
        </div>
      ) : null}
    </Card>
  );
}
