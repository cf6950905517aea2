// Step 1: which Docker to configure (docker.detect).
import type { DockerTarget } from '../../../../preload/contract';

const KIND: Record<DockerTarget['kind'], string> = {
  'linux-rootful': 'Docker Engine (system)',
  'linux-rootless': 'Docker Engine (rootless)',
  'docker-desktop': 'Docker Desktop',
};

export function TargetStep({ targets, selected, onSelect }: { targets: DockerTarget[]; selected: string | undefined; onSelect(path: string): void }) {
  if (targets.length === 0) {
    return <p className="muted">No Docker installation was found on this machine. Install Docker, or use the podman and containerd snippets below.</p>;
  }
  return (
    <fieldset className="choices">
      <legend>Docker to configure</legend>
      {targets.map((t) => (
        <label key={t.path} className={selected === t.path ? 'choice selected' : 'choice'}>
          <input type="radio" name="docker-target" value={t.path} checked={selected === t.path} onChange={() => onSelect(t.path)} />
          <span>
            <strong>{KIND[t.kind]}</strong> — <code>{t.path}</code>
            <span className="choice-notes">
              {t.running ? <span className="badge badge-ok">running</span> : <span className="badge badge-muted">not running</span>}
              {!t.exists ? <span className="badge badge-muted">file will be created</span> : null}
              {t.needsElevation ? <span className="badge badge-warning">needs administrator rights</span> : null}
            </span>
          </span>
        </label>
      ))}
    </fieldset>
  );
}
