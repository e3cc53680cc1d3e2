/**
 * Receipt OCR: suggests the amount, date and merchant of a receipt photo, each with a confidence.
 *
 * Recognition runs in ONE long-lived tesseract.js worker (a worker thread with tesseract's
 * WebAssembly core and the English LSTM data from `@tesseract.js-data/eng`, read from disk: no
 * network, no cache written). It is created on first use, shared by every caller, runs one image
 * at a time, and is replaced after a failure. Call {@link closeReceiptOcr} at shutdown: the
 * worker thread keeps the process alive otherwise.
 *
 * Reading the fields out of the recognized text is pure ({@link parseReceiptText}) so it can be
 * tested on many receipt texts without OCR.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Worker as NodeWorker } from 'node:worker_threads';
import Tesseract from 'tesseract.js';
import { processReceiptImage, type ProcessedReceiptImage, type ReceiptImageKind } from '../../files/receipt-images.js';

export interface ReceiptField<T extends string = string> {
  value: T;
  /** 0–1: the weaker of how sure the characters were read and how sure the rule picked the right ones. */
  confidence: number;
}

export interface ReceiptOcrResult {
  /** Recognized text, one receipt line per line. */
  text: string;
  /** Exact decimal string, `.` as decimal separator, no grouping: "125.50", "1234.00", "980". */
  amount: ReceiptField | null;
  /** Calendar date of the purchase, `YYYY-MM-DD`. */
  date: ReceiptField | null;
  merchant: ReceiptField | null;
  /** ISO 4217 code from a symbol or code on the receipt ($ → USD, € → EUR, £ → GBP…), or null. */
  currency: string | null;
  /** Overall 0–1: the lowest of the three field confidences, a missing field counting 0. */
  confidence: number;
  /** True when `confidence` < {@link REVIEW_THRESHOLD} (so also when any field is missing). */
  needs_review: boolean;
}

export const REVIEW_THRESHOLD = 0.8;

// ---------------------------------------------------------------------------------------------
// Parsing (pure)
// ---------------------------------------------------------------------------------------------

export interface ParseOptions {
  /**
   * OCR confidence (0–1) of each line of `text`, in order. A field's confidence is capped by the
   * confidence of the line(s) it was read from. Missing entries count as 1.
   */
  lineConfidences?: readonly number[];
}

interface Line {
  text: string;
  ocr: number;
}

const round2 = (n: number): number => Math.round(n * 100) / 100;
const clamp01 = (n: number): number => Math.min(1, Math.max(0, Number.isFinite(n) ? n : 0));

/** Reads amount, date, merchant and currency out of receipt text. */
export function parseReceiptText(text: string, options: ParseOptions = {}): ReceiptOcrResult {
  const raw = text.replace(/\r\n?/g, '\n').split('\n');
  const lines: Line[] = raw.map((t, i) => ({
    text: t.replace(/[\u00a0\u2007\u202f\t]/g, ' ').trim(),
    ocr: clamp01(options.lineConfidences?.[i] ?? 1),
  }));

  const currency = findCurrency(lines);
  const amount = findAmount(lines);
  const date = findDate(lines, currency);
  const merchant = findMerchant(lines);

  const fields = [amount, date, merchant];
  const confidence = round2(Math.min(...fields.map((f) => f?.confidence ?? 0)));
  return {
    text: lines.map((l) => l.text).join('\n'),
    amount,
    date,
    merchant,
    currency,
    confidence,
    needs_review: confidence < REVIEW_THRESHOLD,
  };
}

// --- amounts ---------------------------------------------------------------------------------

/** A money-looking token: optional currency before/after, digits with optional grouping and decimals. */
const MONEY =
  /(?<![\w.,])(?<pre>US\$|C\$|CA\$|A\$|AU\$|[$€£¥]|USD|EUR|GBP|CHF|CAD|AUD|JPY)?\s?(?<num>\d{1,3}(?:[,.'’]\d{3})+(?:[.,]\d{1,2})?|\d{1,3}(?: \d{3})+,\d{2}|\d+(?:[.,]\d{1,2})?)(?![\d%]|[.,]\d)(?:\s?(?<post>[$€£]|(?:EUR|USD|GBP|CHF|CAD|AUD|JPY)\b))?/giu;

interface Money {
  value: string;
  /** How sure the digits' meaning is (grouping vs decimals). */
  certainty: number;
  hasDecimals: boolean;
}

/**
 * Normalizes "1,234.56", "1.234,56", "1 234,56", "1'234.50", "125,50", "125.5" to an exact
 * decimal string. Returns null for digit groups that do not look like money.
 */
export function parseAmountToken(token: string): Money | null {
  const s = token.replace(/’/g, "'").replace(/\s+/g, ' ').trim();
  const dec = /^(.*?)[.,](\d{1,2})$/.exec(s);
  let intPart = dec ? dec[1]! : s;
  let fraction = dec ? dec[2]! : '';
  let certainty = 1;
  if (fraction.length === 1) {
    fraction += '0';
    certainty = 0.85;
  }
  if (!/^\d+$/.test(intPart)) {
    // Grouped: one separator kind, groups of three after the first.
    const grouped = /^\d{1,3}(?:([,.' ])\d{3})(?:\1\d{3})*$/.exec(intPart);
    if (!grouped) return null;
    if (dec && grouped[1] === s.at(-(dec[2]!.length + 1))) return null; // "1,234,56"
    intPart = intPart.replace(/[,.' ]/g, '');
    if (!dec) certainty = Math.min(certainty, 0.75); // "1,234" / "1.234": grouping or 3 decimals?
  }
  intPart = intPart.replace(/^0+(?=\d)/, '');
  return { value: fraction ? `${intPart}.${fraction}` : intPart, certainty, hasDecimals: fraction !== '' };
}

interface MoneyMatch extends Money {
  currency: string | null;
  index: number;
}

function moneyTokens(text: string): MoneyMatch[] {
  const found: MoneyMatch[] = [];
  for (const m of text.matchAll(MONEY)) {
    const parsed = parseAmountToken(m.groups!.num!);
    if (!parsed) continue;
    found.push({ ...parsed, currency: currencyCode(m.groups!.pre ?? m.groups!.post ?? null), index: m.index });
  }
  return found;
}

/** OCR confusions inside numbers: "125.5O" → "125.50", "l25.50" → "125.50". */
function fixDigitConfusions(s: string): { text: string; changed: boolean } {
  const text = s
    .replace(/(?<=\d[.,]?)[Oo]|[Oo](?=[.,]?\d)/g, '0')
    .replace(/(?<=\d[.,]?)[lI|]|(?<![A-Za-z])[lI|](?=\d)/g, '1');
  return { text, changed: text !== s };
}

/**
 * The label that makes a line the receipt total. Anchored at the start of the line (after
 * decoration such as "*" or ">"), so "Subtotal" never matches; qualifiers that name something
 * else (tax, savings, items, tendered…) are excluded.
 */
const TOTAL_LABEL =
  /^\s*[^\p{L}\p{N}$€£]{0,3}\s*(?<label>(?<grand>grand\s*total)|total(?!\s*(?:tax|vat|gst|hst|savings?|saved|discount|items?|qty|quantity|count|pieces|pcs|points|tendered|excl\w*|before|net|weight)\b)|(?:amount|balance|total)\s+(?:due|payable|to\s+pay)|to\s+pay|gesamt(?:betrag)?|summe)\b/iu;

interface AmountCandidate {
  money: MoneyMatch;
  rank: number;
  confidence: number;
  line: number;
}

function findAmount(lines: Line[]): ReceiptField | null {
  const candidates: AmountCandidate[] = [];
  lines.forEach((line, i) => {
    const label = TOTAL_LABEL.exec(line.text);
    if (!label) return;
    const rank = label.groups!.grand ? 3 : /^total/i.test(label.groups!.label!) ? 2 : 1;
    const afterLabel = line.text.slice(label.index + label[0].length);
    const fixed = fixDigitConfusions(afterLabel);
    let tokens = moneyTokens(fixed.text);
    let confidence = fixed.changed ? 0.85 : 1;
    let ocr = line.ocr;
    const next = lines[i + 1];
    if (tokens.length === 0 && next && /^\W{0,2}\s*(?:[$€£]|[A-Z]{3})?\s*[\d.,' ]+\s*(?:[$€£]|[A-Z]{3})?$/u.test(next.text)) {
      // Label and amount recognized as separate lines (columns far apart).
      tokens = moneyTokens(next.text);
      confidence = Math.min(confidence, 0.9);
      ocr = Math.min(ocr, next.ocr);
    }
    const money = tokens.at(-1); // the right-hand column
    if (!money) return;
    confidence = Math.min(confidence, money.certainty, money.hasDecimals ? 1 : 0.85);
    candidates.push({ money, rank, confidence: Math.min(confidence, ocr), line: i });
  });

  if (candidates.length > 0) {
    const bestRank = Math.max(...candidates.map((c) => c.rank));
    const best = candidates.filter((c) => c.rank === bestRank);
    const chosen = best[0]!;
    const disagree = best.some((c) => c.money.value !== chosen.money.value);
    return { value: chosen.money.value, confidence: round2(disagree ? Math.min(chosen.confidence, 0.6) : chosen.confidence) };
  }

  // No total line: the largest amount with decimals on the receipt, as a weak guess.
  let guess: { money: MoneyMatch; ocr: number } | null = null;
  for (const line of lines) {
    for (const money of moneyTokens(line.text)) {
      if (!money.hasDecimals) continue;
      if (!guess || Number(money.value) > Number(guess.money.value)) guess = { money, ocr: line.ocr };
    }
  }
  return guess ? { value: guess.money.value, confidence: round2(Math.min(0.5, guess.ocr)) } : null;
}

// --- currency --------------------------------------------------------------------------------

const SYMBOLS: Record<string, string> = {
  $: 'USD', 'US$': 'USD', C$: 'CAD', CA$: 'CAD', A$: 'AUD', AU$: 'AUD', '€': 'EUR', '£': 'GBP', '¥': 'JPY',
};
const CODES = ['USD', 'EUR', 'GBP', 'CHF', 'CAD', 'AUD', 'JPY', 'NZD', 'SEK', 'NOK', 'DKK', 'PLN', 'CZK', 'MXN'];

function currencyCode(token: string | null): string | null {
  if (!token) return null;
  const upper = token.toUpperCase();
  return SYMBOLS[token] ?? SYMBOLS[upper] ?? (CODES.includes(upper) ? upper : null);
}

const CURRENCY_MARK = new RegExp(`(US\\$|CA?\\$|AU?\\$|[$€£¥])|\\b(${CODES.join('|')})\\b`, 'u');

function findCurrency(lines: Line[]): string | null {
  // The total line's currency first, then the first one anywhere.
  const ordered = [...lines.filter((l) => TOTAL_LABEL.test(l.text)), ...lines];
  for (const line of ordered) {
    const m = CURRENCY_MARK.exec(line.text);
    if (m) return currencyCode(m[1] ?? m[2] ?? null);
  }
  return null;
}

// --- dates -----------------------------------------------------------------------------------

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const MONTH_NAME = '(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)(?![a-z])\\.?';
const ISO_DATE = /(?<!\d)(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)/;
const NUMERIC_DATE = /(?<![\d/.-])(\d{1,2})([-/.])(\d{1,2})\2(\d{4}|\d{2})(?![\d/]|[.-]\d)/;
const DAY_MONTH_YEAR = new RegExp(`(?<!\\d)(\\d{1,2})(?:st|nd|rd|th)?[\\s.-]*${MONTH_NAME}[\\s.,-]*(\\d{4}|'?\\d{2})(?![\\d:])`, 'i');
const MONTH_DAY_YEAR = new RegExp(`\\b${MONTH_NAME}[\\s.-]*(\\d{1,2})(?:st|nd|rd|th)?,?[\\s.-]*(\\d{4})(?!\\d)`, 'i');
/** Lines whose dates are not the purchase date. */
const OTHER_DATES = /\b(exp(?:iry|ires?|\.)?|valid|return(?:s|able)?|best\s+before|use\s+by|due|until|birth|dob)\b/i;
const DATE_LABEL = /\b(date|dated|datum|fecha)\b/i;

function isoDate(y: number, m: number, d: number): string | null {
  if (y < 1990 || y > 2099 || m < 1 || m > 12 || d < 1) return null;
  const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
  if (d > days) return null;
  return `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

const fullYear = (y: string): number => (y.replace("'", '').length === 2 ? 2000 + Number(y.replace("'", '')) : Number(y));
const monthIndex = (name: string): number => MONTHS.indexOf(name.slice(0, 3).toLowerCase()) + 1;

function datesInLine(text: string, currency: string | null): ReceiptField[] {
  const out: ReceiptField[] = [];
  let m = ISO_DATE.exec(text);
  if (m) {
    const v = isoDate(Number(m[1]), Number(m[2]), Number(m[3]));
    if (v) out.push({ value: v, confidence: 0.97 });
  }
  m = NUMERIC_DATE.exec(text);
  if (m) {
    const a = Number(m[1]);
    const b = Number(m[3]);
    const sep = m[2]!;
    const year = fullYear(m[4]!);
    const shortYear = m[4]!.length === 2;
    let v: string | null;
    let confidence = 0.95;
    if (a > 12 && b <= 12) v = isoDate(year, b, a);
    else if (b > 12 && a <= 12) v = isoDate(year, a, b);
    else if (a === b) v = isoDate(year, a, b);
    else {
      // 03/04/2026: April 3rd or March 4th. US dollars and "/" suggest month first; "." is
      // day first almost everywhere it is used. Either way a person should check it.
      const monthFirst = sep === '/' && (currency === 'USD' || currency === null);
      v = monthFirst ? isoDate(year, a, b) : isoDate(year, b, a);
      confidence = 0.6;
    }
    if (shortYear) confidence = Math.min(confidence, 0.9);
    if (v) out.push({ value: v, confidence });
  }
  m = DAY_MONTH_YEAR.exec(text);
  if (m) {
    const v = isoDate(fullYear(m[3]!), monthIndex(m[2]!), Number(m[1]));
    if (v) out.push({ value: v, confidence: m[3]!.replace("'", '').length === 2 ? 0.9 : 0.95 });
  }
  m = MONTH_DAY_YEAR.exec(text);
  if (m) {
    const v = isoDate(Number(m[3]), monthIndex(m[1]!), Number(m[2]));
    if (v) out.push({ value: v, confidence: 0.95 });
  }
  return out;
}

function findDate(lines: Line[], currency: string | null): ReceiptField | null {
  let first: ReceiptField | null = null;
  let labelled: ReceiptField | null = null;
  for (const line of lines) {
    if (OTHER_DATES.test(line.text)) continue;
    const found = datesInLine(line.text, currency);
    if (found.length === 0) continue;
    const best = found.reduce((x, y) => (y.confidence > x.confidence ? y : x));
    const field = { value: best.value, confidence: round2(Math.min(best.confidence, line.ocr)) };
    first ??= field;
    if (!labelled && DATE_LABEL.test(line.text)) labelled = field;
  }
  return labelled ?? first;
}

// --- merchant --------------------------------------------------------------------------------

const NOT_MERCHANT = [
  /^(sales\s+)?receipt\b/i,
  /^(tax\s+)?invoice\b/i,
  /^(customer|merchant|store)\s+copy\b/i,
  /^(duplicate|copy|reprint|original)\b/i,
  /^(order|table|server|cashier|guest|check|bill|ticket|register|terminal|trans(action)?|invoice)\s*(no\.?|#|:|\d)/i,
  /^(thank\s+you|thanks)\b/i,
  /\b(tel|phone|ph|fax|vat\s+no|tax\s+id|abn|gst\s+no|siret)\b/i,
  /(www\.|https?:|@|\.(com|org|net|co\.uk|de|fr)\b)/i,
  /\(\d{3}\)\s*\d{3}|\b\d{3}[-. ]\d{3}[-. ]\d{4}\b/, // phone numbers
  /^\d+[\w-]*\s+\p{L}/u, // street address: "218 Market Street"
  /,\s*\p{Lu}{2}\s+\d{5}(-\d{4})?\b/u, // "Springfield, IL 62701"
  /\b\d{4,5}\s+\p{L}+$/u, // "75011 Paris"
];

function findMerchant(lines: Line[]): ReceiptField | null {
  let skipped = 0;
  for (const line of lines.slice(0, 10)) {
    const cleaned = line.text
      .replace(/^welcome\s+to\s+/i, '')
      .replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}.)'’!]+$/gu, '')
      .replace(/\s{2,}/g, ' ')
      .trim();
    if (!cleaned) continue; // blank or decoration only: not counted as skipped
    const letters = (cleaned.match(/\p{L}/gu) ?? []).length;
    const visible = cleaned.replace(/\s/g, '').length;
    const looksLikeName = letters >= 3 && letters / visible >= 0.6;
    if (!looksLikeName || NOT_MERCHANT.some((re) => re.test(cleaned)) || datesInLine(cleaned, null).length > 0) {
      skipped += 1;
      if (skipped > 4) break;
      continue;
    }
    // The first line that reads like a name; less sure the further down it was found, or when
    // it is very short or not all clean letters.
    let confidence = 0.95 - 0.08 * skipped;
    if (letters < 4) confidence = Math.min(confidence, 0.6);
    if (letters / visible < 0.75) confidence = Math.min(confidence, 0.75);
    return { value: cleaned, confidence: round2(Math.min(confidence, line.ocr)) };
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Recognition (one shared tesseract.js worker)
// ---------------------------------------------------------------------------------------------

/** Recognition failed (the worker could not start or read the image, or timed out). The API should store the receipt without suggestions. */
export class ReceiptOcrError extends Error {
  override readonly name = 'ReceiptOcrError';
}

export const OCR_TIMEOUT_MS = 30_000;

const require = createRequire(import.meta.url);

/** The LSTM-only ("best_int") English model shipped inside the npm package: 3 MB, read from disk. */
export function englishLangPath(): string {
  return join(dirname(require.resolve('@tesseract.js-data/eng')), '4.0.0_best_int');
}

let workerPromise: Promise<Tesseract.Worker> | null = null;
/** The worker `workerPromise` resolved to, once started. */
let current: Tesseract.Worker | null = null;
let queue: Promise<unknown> = Promise.resolve();

async function startWorker(): Promise<Tesseract.Worker> {
  const worker = await Tesseract.createWorker('eng', Tesseract.OEM.LSTM_ONLY, {
    langPath: englishLangPath(),
    gzip: true,
    cacheMethod: 'none',
    // Without a handler tesseract.js rethrows a failed job (e.g. an unreadable image) from the
    // worker's message listener, which would bring the whole process down. The job's own
    // promise is rejected either way, and that is what callers see.
    errorHandler: () => undefined,
  });
  // The underlying worker thread, not in the published types: if it dies (out of memory, a
  // crash in the WebAssembly core) its 'error' event must not be unhandled, and the next
  // recognition must start a fresh worker.
  const thread = (worker as unknown as { worker?: NodeWorker }).worker;
  thread?.on('error', () => undefined);
  thread?.once('exit', () => {
    if (current !== worker) return; // closed on purpose
    workerPromise = null;
    current = null;
    abandonInFlight('OCR worker stopped');
  });
  await worker.setParameters({
    // One uniform block of text: keeps "TOTAL ....... $125.50" on one line. The automatic and
    // single-column modes lost the whole right-hand column (and with it every amount) once the
    // receipt was photographed on a desk.
    tessedit_pageseg_mode: Tesseract.PSM.SINGLE_BLOCK,
    preserve_interword_spaces: '1',
    // Photos carry no usable resolution; saying so stops tesseract estimating (and logging) it.
    user_defined_dpi: '300',
  });
  return worker;
}

function getWorker(): Promise<Tesseract.Worker> {
  if (!workerPromise) {
    const starting = startWorker();
    workerPromise = starting;
    starting.then(
      (worker) => {
        if (workerPromise === starting) current = worker;
        else void worker.terminate(); // closed while it was starting
      },
      () => {
        if (workerPromise === starting) workerPromise = null;
      },
    );
  }
  return workerPromise;
}

/**
 * Starts the worker and reads a few receipt lines (`ocr-warmup.png`, 2 kB) so that the first
 * real receipt does not pay for it: a new worker's first recognition takes ≈ 0.5 s longer than
 * the next ones (WebAssembly warming up), on top of ≈ 0.4–0.8 s to start. Call it when the
 * server boots if receipts should be fast from the first one; it costs the worker's memory
 * (≈ 150 MB) from then on.
 */
export async function warmUpReceiptOcr(): Promise<void> {
  await recognizeReceipt(await readFile(new URL('./ocr-warmup.png', import.meta.url)));
}

/** Bumped by every close(): recognitions asked for before it fail instead of starting a new worker. */
let generation = 0;

/** Rejecters of recognitions in flight: a closed or dead worker never answers them. */
const inFlight = new Set<(err: ReceiptOcrError) => void>();

function abandonInFlight(reason: string): void {
  for (const reject of inFlight) reject(new ReceiptOcrError(reason));
  inFlight.clear();
}

/**
 * Terminates the worker (idempotent); recognitions running or queued fail with
 * {@link ReceiptOcrError} at once. A recognition asked for later starts a new worker.
 */
export async function closeReceiptOcr(): Promise<void> {
  generation += 1;
  abandonInFlight('OCR was shut down');
  await discardWorker();
}

/** Terminates the current worker; the next recognition starts a new one. */
async function discardWorker(): Promise<void> {
  const closing = workerPromise;
  workerPromise = null;
  current = null;
  if (!closing) return;
  try {
    await (await closing).terminate();
  } catch {
    // never started, or already gone
  }
}

/** The job's answer, unless it takes longer than `ms` or the worker is closed or dies first. */
function guarded<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  let rejecter: ((err: ReceiptOcrError) => void) | undefined;
  const stop = new Promise<never>((_, reject) => {
    rejecter = reject;
    inFlight.add(reject);
    timer = setTimeout(() => reject(new ReceiptOcrError(`OCR took longer than ${ms} ms`)), ms);
  });
  return Promise.race([promise, stop]).finally(() => {
    clearTimeout(timer);
    if (rejecter) inFlight.delete(rejecter);
  });
}

async function recognizeNow(image: Buffer, askedIn: number): Promise<ReceiptOcrResult> {
  if (askedIn !== generation) throw new ReceiptOcrError('OCR was shut down');
  try {
    // Guarded from the start, so a close() while the worker is still starting also ends it.
    const { data } = await guarded(
      getWorker().then((worker) => {
        // tesseract.js never settles a job sent to a terminated worker (and leaves an unhandled
        // rejection behind): only the live one gets it.
        if (worker !== current) throw new ReceiptOcrError('OCR was shut down');
        return worker.recognize(image, {}, { text: true, blocks: true });
      }),
      OCR_TIMEOUT_MS,
    );
    const ocrLines = (data.blocks ?? []).flatMap((b) => b.paragraphs.flatMap((p) => p.lines));
    if (ocrLines.length === 0) {
      return parseReceiptText(data.text, { lineConfidences: data.text.split('\n').map(() => data.confidence / 100) });
    }
    return parseReceiptText(ocrLines.map((l) => l.text.trim()).join('\n'), {
      lineConfidences: ocrLines.map((l) => l.confidence / 100),
    });
  } catch (err) {
    // A worker that failed or hung is not trusted again; recognitions queued behind this one
    // go to a new worker.
    await discardWorker();
    if (err instanceof ReceiptOcrError) throw err;
    throw new ReceiptOcrError(`OCR failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}

/**
 * Recognizes one receipt image (JPEG or PNG; pass the processed image from
 * `processReceiptImage`, which is upright and at most 2400 px). Calls are queued: one image at a
 * time in the shared worker.
 *
 * @throws {ReceiptOcrError} when recognition itself fails; unreadable text is not an error (the
 *   result then has null fields and `needs_review`).
 */
export function recognizeReceipt(image: Buffer): Promise<ReceiptOcrResult> {
  const askedIn = generation;
  const run = queue.then(() => recognizeNow(image, askedIn));
  queue = run.catch(() => undefined);
  return run;
}

export interface ReceiptPipelineResult {
  processed: ProcessedReceiptImage;
  ocr: ReceiptOcrResult;
  /** Milliseconds spent in each step (wall clock, including waiting for the OCR queue). */
  timings: { processMs: number; ocrMs: number; totalMs: number };
}

/**
 * The whole receipt-image path of an upload, timed: re-encode + thumbnail, then OCR on the
 * cleaned image. For the upload service and the benchmark suite.
 *
 * @throws {ImageRejectedError} from `processReceiptImage`
 * @throws {ReceiptOcrError}
 */
export async function processAndRecognizeReceipt(input: Buffer, kind: ReceiptImageKind): Promise<ReceiptPipelineResult> {
  const start = performance.now();
  const processed = await processReceiptImage(input, kind);
  const afterProcess = performance.now();
  const ocr = await recognizeReceipt(processed.image);
  const end = performance.now();
  return {
    processed,
    ocr,
    timings: { processMs: Math.round(afterProcess - start), ocrMs: Math.round(end - afterProcess), totalMs: Math.round(end - start) },
  };
}
