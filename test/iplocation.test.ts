import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../src/engine/engine.js';
import { GeoIp } from '../src/engine/geoip.js';
import { expectRows, sampleEngine, sqlOf } from './helpers.js';

let engine: Engine;
beforeAll(async () => {
  engine = await sampleEngine();
});
afterAll(() => engine.close());

describe('iplocation', () => {
  it('locates each distinct address once, through the engine function, and joins back', () => {
    expect(sqlOf('* | iplocation sourceIPAddress | table City')).toMatchInlineSnapshot(`
      "WITH s0 AS NOT MATERIALIZED (
        SELECT * FROM "events"
      ),
      s1 AS NOT MATERIALIZED (
        SELECT *, "sourceIPAddress" AS "__ip" FROM s0
      ),
      s3 AS (
        SELECT "__ip" FROM s1
          WHERE "__ip" IS NOT NULL
      ),
      s4 AS (
        SELECT DISTINCT * FROM s3
      ),
      s5 AS (
        SELECT "__ip", spl_iplocation("__ip", 'en') AS "__loc" FROM s4
      ),
      s6 AS (
        SELECT l.* EXCLUDE ("__ip"), struct_extract(r."__loc", 'city') AS "City^0", struct_extract(r."__loc", 'country') AS "Country^0", struct_extract(r."__loc", 'region') AS "Region^0", struct_extract(r."__loc", 'lat') AS "lat", struct_extract(r."__loc", 'lon') AS "lon"
          FROM s1 l LEFT JOIN s5 r ON r."__ip" = l."__ip"
      ),
      s7 AS (
        SELECT "City^0", "__seq" FROM s6
      )
      SELECT "City^0"
      FROM s7
      ORDER BY "__seq""
    `);
  });

  it('locates each distinct address once even when a search on Country follows (no per-event call)', async () => {
    const { compiled } = await engine.prepareWithData('* | iplocation sourceIPAddress | search Country=Germany | stats count');
    const plan = (await engine.connection.runAndReadAll(`EXPLAIN ${compiled.sql}`)).getRows().map((r) => String(r[1])).join('\n');
    // Pushed below the DISTINCT, the filter would call the function on every event's address.
    expect(plan.replace(/[\s│]+/g, '')).not.toMatch(/struct_extract\(spl_iplocation/);
    await expectRows(engine, '* | iplocation sourceIPAddress | search Country=Germany | stats count', [{ count: 50 }]);
  });

  it('gives City, Country, Region, lat, lon for public addresses (IPv4 and IPv6) and nulls for private ones and AWS service names', async () => {
    await expectRows(engine, '* | stats count by sourceIPAddress | iplocation sourceIPAddress | fields - count', [
      { sourceIPAddress: '10.20.3.41', City: null, Country: null, Region: null, lat: null, lon: null },
      { sourceIPAddress: '10.20.7.12', City: null, Country: null, Region: null, lat: null, lon: null },
      { sourceIPAddress: '185.220.101.47', City: 'Brandenburg an der Havel', Country: 'Germany', Region: 'Brandenburg', lat: 52.6171, lon: 13.1207 },
      { sourceIPAddress: '2a02:8108:1100:4e20:5d3c:9a1f:c2b0:71e4', City: 'Lubeck', Country: 'Germany', Region: 'Schleswig-Holstein', lat: 53.8638, lon: 10.6508 },
      { sourceIPAddress: '3.91.171.15', City: 'Ashburn', Country: 'United States', Region: 'Virginia', lat: 39.0469, lon: -77.4903 },
      { sourceIPAddress: '44.211.87.130', City: 'Ashburn', Country: 'United States', Region: 'Virginia', lat: 39.0469, lon: -77.4903 },
      { sourceIPAddress: '44.230.15.201', City: 'Boardman', Country: 'United States', Region: 'Oregon', lat: 45.8401, lon: -119.705 },
      { sourceIPAddress: '73.158.64.21', City: 'Hayward', Country: 'United States', Region: 'California', lat: 37.6736, lon: -122.0944 },
      { sourceIPAddress: '91.64.112.45', City: 'Munich', Country: 'Germany', Region: 'Bavaria', lat: 48.1396, lon: 11.6386 },
      { sourceIPAddress: 'AWS Internal', City: null, Country: null, Region: null, lat: null, lon: null },
      { sourceIPAddress: 'cloudtrail.amazonaws.com', City: null, Country: null, Region: null, lat: null, lon: null },
      { sourceIPAddress: 'codebuild.amazonaws.com', City: null, Country: null, Region: null, lat: null, lon: null },
      { sourceIPAddress: 'ec2.amazonaws.com', City: null, Country: null, Region: null, lat: null, lon: null },
      { sourceIPAddress: 'lambda.amazonaws.com', City: null, Country: null, Region: null, lat: null, lon: null },
      { sourceIPAddress: 's3.amazonaws.com', City: null, Country: null, Region: null, lat: null, lon: null },
      { sourceIPAddress: 'secretsmanager.amazonaws.com', City: null, Country: null, Region: null, lat: null, lon: null },
    ]);
  });

  it('names fields with prefix= and adds Continent and Timezone with allfields=t', async () => {
    await expectRows(engine, 'sourceIPAddress IN (185.220.101.47, 44.230.15.201) | stats count by sourceIPAddress | iplocation prefix=src_ allfields=t sourceIPAddress | table sourceIPAddress src_City src_Continent src_Timezone', [
      { sourceIPAddress: '185.220.101.47', src_City: 'Brandenburg an der Havel', src_Continent: 'Europe', src_Timezone: 'Europe/Berlin' },
      { sourceIPAddress: '44.230.15.201', src_City: 'Boardman', src_Continent: 'North America', src_Timezone: 'America/Los_Angeles' },
    ]);
  });

  it('an address with no location leaves the fields a result already has (a second iplocation emptied them)', async () => {
    // iplocation page: for addresses with no location, such as internal ones, no fields are added.
    // https://help.splunk.com/splunk-enterprise/search/spl-search-reference/10.0/search-commands/iplocation
    const three = '* | stats count by sourceIPAddress | search sourceIPAddress IN (3.91.171.15, 185.220.101.47, 91.64.112.45) '
      + '| eval other=case(sourceIPAddress="185.220.101.47", "10.0.0.1", sourceIPAddress="91.64.112.45", "AWS Internal", true(), "91.64.112.45")';
    await expectRows(engine, `${three} | iplocation sourceIPAddress | iplocation other | table sourceIPAddress City Country lat`, [
      { sourceIPAddress: '185.220.101.47', City: 'Brandenburg an der Havel', Country: 'Germany', lat: 52.6171 },
      { sourceIPAddress: '3.91.171.15', City: 'Munich', Country: 'Germany', lat: 48.1396 },
      { sourceIPAddress: '91.64.112.45', City: 'Munich', Country: 'Germany', lat: 48.1396 },
    ]);
  });

  it('names countries in the language lang= asks for; a bad lang is an error', async () => {
    await expectRows(engine, 'sourceIPAddress=91.64.112.45 | head 1 | iplocation lang=fr sourceIPAddress | table Country', [{ Country: 'Allemagne' }]);
    expect(() => sqlOf('* | iplocation lang=not_a_lang sourceIPAddress')).toThrow('lang=not_a_lang is not a language code');
  });

  it('treats IPv4-mapped IPv6, private, reserved and malformed addresses', () => {
    const geo = new GeoIp();
    expect(geo.locate('::ffff:3.91.171.15')?.city).toBe('Ashburn');
    for (const ip of ['192.168.1.1', '172.16.0.5', '127.0.0.1', 'fe80::1', '::1', '999.1.1.1', '', 'AWS Internal']) expect(geo.locate(ip), ip).toBeNull();
  });
});
