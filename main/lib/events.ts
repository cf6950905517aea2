// VS Code-style events: `onDidX(listener)` returns a Disposable, so the Electron tray, the
// console API and tests can follow runtime state without the core knowing about them.
export interface Disposable { dispose(): void }
export type Event<T> = (listener: (value: T) => void) => Disposable;

export class Emitter<T> {
  private readonly listeners = new Set<(value: T) => void>();
  readonly event: Event<T> = (listener) => {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  };
  fire(value: T): void {
    for (const l of [...this.listeners]) l(value);
  }
}
