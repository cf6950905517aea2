// htpasswd user names cannot hold ':' (the field separator) or whitespace.
export function checkUserName(name: string): string | undefined {
  if (!name.trim()) return 'Enter a user name.';
  if (/[:\s]/.test(name)) return 'A user name cannot contain spaces or “:”.';
  if (name.length > 255) return 'Use at most 255 characters.';
  return undefined;
}

export function checkPasswords(password: string, repeat: string): { password?: string; repeat?: string } {
  if (!password) return { password: 'Enter a password.' };
  if (password.length < 8) return { password: 'Use at least 8 characters.' };
  if (password !== repeat) return { repeat: 'The two passwords differ.' };
  return {};
}
