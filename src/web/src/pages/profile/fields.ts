/** Value helpers of the profile forms: phone numbers, time zones, countries and languages. */

/** E.164 as the API wants it: + then country code and number, digits only. */
export const E164 = /^\+[1-9]\d{1,14}$/;

/**
 * What people type into E.164: `+1 (415) 555-0123` and `0049 30 1234567` become `+14155550123` and
 * `+49301234567`. Anything else is left for the check to refuse.
 */
export function normalizePhone(input: string): string {
  const compact = input.trim().replace(/[\s\u00a0\-.()/]/g, '');
  return compact.startsWith('00') ? `+${compact.slice(2)}` : compact;
}

export const PHONE_HELP = 'With the country code, like +1 415 555 0123 or +49 30 1234567';
export const PHONE_PROBLEM = 'Enter the number with + and the country code, like +1 415 555 0123';

/** A phone field's problem, or undefined when it is empty or fine. */
export function phoneProblem(value: string): string | undefined {
  const phone = normalizePhone(value);
  return phone && !E164.test(phone) ? PHONE_PROBLEM : undefined;
}

let zones: readonly string[] | null = null;

/** The IANA time zones this browser knows (Intl.supportedValuesOf), with UTC. */
export function timeZones(): readonly string[] {
  if (!zones) {
    const known = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
    zones = known.includes('UTC') ? known : ['UTC', ...known];
  }
  return zones;
}

/** `GMT+2`, `GMT-5`, `GMT` for a zone right now; empty when the browser does not know it. */
export function utcOffset(zone: string, at = new Date()): string {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'shortOffset' }).formatToParts(at).find((p) => p.type === 'timeZoneName')?.value ?? '';
  } catch {
    return '';
  }
}

/** This device's zone, to offer as a one-tap choice. */
export function deviceTimeZone(): string | null {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || null;
  } catch {
    return null;
  }
}

/** Languages and regions offered for the portal's formats; the person's current one is added when missing. */
export const LOCALES = [
  'en', 'en-US', 'en-GB', 'en-CA', 'en-AU', 'en-NZ', 'en-IE', 'fr-FR', 'fr-CA', 'de-DE', 'de-AT', 'de-CH', 'es-ES', 'es-MX', 'it-IT',
  'nl-NL', 'pt-PT', 'pt-BR', 'sv-SE', 'da-DK', 'nb-NO', 'fi-FI', 'pl-PL', 'cs-CZ', 'ja-JP', 'ko-KR', 'zh-CN', 'zh-TW',
] as const;

export function localeName(tag: string): string {
  try {
    return new Intl.DisplayNames(['en'], { type: 'language' }).of(tag) ?? tag;
  } catch {
    return tag;
  }
}

/** ISO 3166-1 alpha-2 codes (and XK, Kosovo). */
const COUNTRY_CODES = (
  'AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK ' +
  'CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS ' +
  'GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV ' +
  'LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM ' +
  'PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR ' +
  'TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS XK YE YT ZA ZM ZW'
).split(' ');

let countryList: { code: string; name: string }[] | null = null;

/** Countries by English name, for the address form. */
export function countries(): { code: string; name: string }[] {
  if (!countryList) {
    let names: Intl.DisplayNames | null = null;
    try {
      names = new Intl.DisplayNames(['en'], { type: 'region' });
    } catch {
      names = null;
    }
    countryList = COUNTRY_CODES.map((code) => ({ code, name: names?.of(code) ?? code })).sort((a, b) => a.name.localeCompare(b.name, 'en'));
  }
  return countryList;
}

/** Trimmed text, or null when empty (the API's "remove it"). */
export const orNull = (value: string): string | null => value.trim() || null;
