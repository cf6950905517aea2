// A unified diff with added and removed lines marked.
import { CodeBlock } from '../../components/CodeBlock';

export function DiffView({ diff }: { diff: string }) {
  const lines = diff.split('\n');
  return (
    <CodeBlock className="diff" label="Changes to daemon.json">
      {lines.map((line, i) => {
        const kind = line.startsWith('+++') || line.startsWith('---') || line.startsWith('Index:') || line.startsWith('===') ? 'meta' : line.startsWith('+') ? 'add' : line.startsWith('-') ? 'del' : line.startsWith('@@') ? 'hunk' : 'ctx';
        return <span key={i} className={`diff-${kind}`}>{line}{'\n'}</span>;
      })}
    </CodeBlock>
  );
}
