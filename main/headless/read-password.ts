// Reads a password without it ever appearing in argv or on screen: from a TTY with echo off
// (asked twice for a new password, once for a login), or the first line of stdin when it is
// piped (`echo pw | berth users add u`).
import { createInterface } from 'node:readline';
import { passwordProblem } from '../../preload/contract/users';

export async function readPassword(opts: { login?: boolean } = {}): Promise<string> {
  if (!process.stdin.isTTY) {
    let text = '';
    for await (const chunk of process.stdin) text += chunk;
    return text.split(/\r?\n/)[0] ?? '';
  }
  const first = await promptHidden('Password: ');
  if (opts.login) return first;
  // Said now rather than after the repeat; the user service checks a piped password.
  const problem = passwordProblem(first);
  if (problem) throw new Error(problem);
  const second = await promptHidden('Repeat password: ');
  if (first !== second) throw new Error('the passwords do not match');
  return first;
}

function promptHidden(prompt: string): Promise<string> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
    const write = (rl as unknown as { _writeToOutput: (s: string) => void });
    process.stderr.write(prompt);
    write._writeToOutput = () => undefined; // echo nothing while typing
    rl.question('', (answer) => {
      rl.close();
      process.stderr.write('\n');
      resolve(answer);
    });
  });
}
