// Saves text as a file: a Blob download in the browser; Electron shows its save dialog for it.
export function downloadText(fileName: string, text: string, type = 'text/plain'): void {
  downloadBlob(fileName, new Blob([text], { type }));
}

/** Reads a file the user picked (config.yml, PEM files). */
export function readPickedFile(input: HTMLInputElement): Promise<string | undefined> {
  const file = input.files?.[0];
  return file ? file.text() : Promise.resolve(undefined);
}

/** Saves bytes as a file: a Blob download in the browser; Electron shows its save dialog for it. */
export function downloadBlob(fileName: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
