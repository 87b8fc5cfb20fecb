// Which release of the Splunk Add-on for AWS the add-on fields follow. 7.10 is the add-on's own
// configuration (read from its 7.10.0 package); 5 keeps the one difference that published tstats
// searches still rely on: add-on 5.x tagged AssumeRole*, GetSessionToken and GetFederationToken as
// authentication, so they were in the Authentication data model (7.x tags only ConsoleLogin).

export type AddonProfile = '7.10' | '5';

export const ADDON_PROFILES: readonly AddonProfile[] = ['7.10', '5'];

export const DEFAULT_ADDON: AddonProfile = '7.10';

/** The profile a user typed (`7.10`, `7.10.0`, `5`, `5.x`), or undefined when it names none. */
export function addonProfile(value: string): AddonProfile | undefined {
  const v = value.trim().toLowerCase();
  if (v === '7.10' || v === '7.10.0') return '7.10';
  if (v === '5' || v === '5.x') return '5';
  return undefined;
}
