// Tests that drive the real binary need dist/ built from the current sources. Building once
// here, before any test file starts, means no test rebuilds it while another is running it.
import { execFileSync } from 'node:child_process';

export default function setup(): void {
  execFileSync('npx', ['tsc', '-p', '.'], { stdio: 'inherit' });
}
