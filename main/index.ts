// Electron's main entry (bundled to dist/app/main.cjs). Everything Electron-specific sits
// behind main/app; the headless entry is main/headless/cli.ts.
import { bootstrap } from './app/bootstrap';

bootstrap();
