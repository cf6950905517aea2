// The image config: entrypoint/cmd, env, labels, history.
import type { ImageDetail } from '../../../../preload/contract';
import { formatDate } from '../../lib/format';

export function ImageConfig({ image }: { image: ImageDetail }) {
  const labels = Object.entries(image.labels ?? {});
  return (
    <>
      <dl className="details">
        {image.entrypoint?.length ? (<><dt>Entrypoint</dt><dd className="mono">{JSON.stringify(image.entrypoint)}</dd></>) : null}
        {image.cmd?.length ? (<><dt>Cmd</dt><dd className="mono">{JSON.stringify(image.cmd)}</dd></>) : null}
        {image.env?.length ? (
          <><dt>Environment</dt><dd><ul className="plain-list mono">{image.env.map((e) => <li key={e}>{e}</li>)}</ul></dd></>
        ) : null}
        {labels.length ? (
          <><dt>Labels</dt><dd><ul className="plain-list mono">{labels.map(([k, v]) => <li key={k}>{k}={v}</li>)}</ul></dd></>
        ) : null}
      </dl>
      {image.history?.length ? (
        <>
          <h3>History</h3>
          <table className="table history">
            <thead><tr><th>Created</th><th>Step</th></tr></thead>
            <tbody>
              {image.history.map((h, i) => (
                <tr key={i} className={h.emptyLayer ? 'muted' : undefined}>
                  <td className="nowrap">{formatDate(h.created)}</td>
                  <td className="mono wrap">{h.createdBy ?? h.comment ?? ''}{h.emptyLayer ? ' (no layer)' : ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
    </>
  );
}
