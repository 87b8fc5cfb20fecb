// Small helpers for writing the add-on's rules as SPL eval text (see ../addon-fields.ts). They
// keep the rule tables readable: `name('CreateUser')` instead of `eventName=="CreateUser"`.

/** A field reference, quoted so paths with dots and `{}` read as one name. */
export const f = (path: string): string => `'${path}'`;

export const rp = (path: string): string => f(`requestParameters.${path}`);
export const re = (path: string): string => f(`responseElements.${path}`);
export const ui = (path: string): string => f(`userIdentity.${path}`);
export const issuer = (path: string): string => f(`userIdentity.sessionContext.sessionIssuer.${path}`);

export const TYPE = ui('type');
export const PRINCIPAL = ui('principalId');
export const ARN = ui('arn');
export const USER_NAME = ui('userName');
export const LOGIN_TO = f('additionalEventData.LoginTo');

/** A string literal. */
export const lit = (text: string): string => `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/** eventName is one of `names`. */
export function name(...names: string[]): string {
  return names.length === 1 ? `eventName==${lit(names[0]!)}` : `eventName IN (${names.map(lit).join(', ')})`;
}

/** Names written as one space-separated string (long lists read better that way). */
export const names = (text: string): string[] => text.trim().split(/\s+/);

/** eventName matches a like() pattern (`%` any text). */
export const nameLike = (pattern: string): string => `like(eventName, ${lit(pattern)})`;

export const or = (...conditions: string[]): string => `(${conditions.join(' OR ')})`;
export const and = (...conditions: string[]): string => `(${conditions.join(' AND ')})`;

/** The i-th part of `x` split on `sep` (negative counts from the end). */
export const part = (x: string, sep: string, i: number): string => `mvindex(split(${x}, ${lit(sep)}), ${i})`;

/** The last `/` part of the last `:` part: the name at the end of an ARN. */
export const arnTail = (x: string): string => part(part(x, ':', -1), '/', -1);

/** "user alice" or "alice" after "on resource:" in an access-denied message (the rest of the text). */
export const REFUSED_RESOURCE = `replace(errorMessage, ${lit('.*resource\\s*:\\s*(?:user\\s*)?(.*)')}, ${lit('\\1')})`;

export type Branch = readonly [condition: string, value: string];

/** case() over branches in order; null when none applies. Long tables nest (case() takes 100 pairs). */
export function cases(branches: readonly Branch[]): string {
  const CHUNK = 90;
  if (branches.length <= CHUNK) return `case(${branches.map(([c, v]) => `${c}, ${v}`).join(', ')})`;
  const head = branches.slice(0, CHUNK).map(([c, v]) => `${c}, ${v}`).join(', ');
  return `case(${head}, true(), ${cases(branches.slice(CHUNK))})`;
}

/** A value for each group of event names: `{ "created": "CreateUser CreateRole" }` -> case(). */
export function byEventName(groups: Record<string, string>, fallback?: string): string {
  const branches: Branch[] = Object.entries(groups).map(([value, list]) => [name(...names(list)), lit(value)]);
  if (fallback !== undefined) branches.push(['true()', fallback]);
  return cases(branches);
}
