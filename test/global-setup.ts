// Tests that drive the real binary need dist/ built from the current sources. Building once
// here, before any test file starts, means no test rebuilds it while another is running it.
// The build is npm run build's: tsc, then the bundle bin/spelunk.js runs (scripts/bundle.ts).
import { execFileSync } from 'node:child_process';

export default function setup(): void {
  execFileSync('npx', ['tsc', '-p', '.'], { stdio: 'inherit' });
  execFileSync(process.execPath, ['--import', 'tsx', 'scripts/bundle.ts'], { stdio: 'inherit' });
}
