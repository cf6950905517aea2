// The runtime's observable state is exactly what the control contract reports, so the tray,
// the UI and the headless log all follow one type.
export type { RegistryStatus as RuntimeState } from '../../preload/contract/registry';
