import { existsSync, readFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { closeHeicDecoder } from '../../src/server/files/receipt-images.js';
import {
  closeReceiptOcr,
  englishLangPath,
  parseAmountToken,
  parseReceiptText,
  processAndRecognizeReceipt,
  ReceiptOcrError,
  recognizeReceipt,
  warmUpReceiptOcr,
  type ReceiptOcrResult,
} from '../../src/server/modules/expenses/ocr.js';

const dir = join(import.meta.dirname, '..', 'fixtures', 'receipts');
const fixture = (name: string): Buffer => readFileSync(join(dir, name));

/** Receipt text as OCR gives it: one line per line, trimmed. */
const receipt = (s: string): string =>
  s
    .split('\n')
    .map((l) => l.trim())
    .join('\n')
    .trim();

const fields = (r: ReceiptOcrResult) => ({ amount: r.amount?.value ?? null, date: r.date?.value ?? null, merchant: r.merchant?.value ?? null, currency: r.currency });

describe('parseAmountToken', () => {
  it.each([
    ['125.50', '125.50', 1],
    ['125,50', '125.50', 1],
    ['1,234.56', '1234.56', 1],
    ['1.234,56', '1234.56', 1],
    ['1 234,56', '1234.56', 1],
    ["1'234.50", '1234.50', 1],
    ['12,345,678.90', '12345678.90', 1],
    ['0.99', '0.99', 1],
    ['007.50', '7.50', 1],
    ['980', '980', 1],
    ['125.5', '125.50', 0.85],
    ['1,234', '1234', 0.75],
  ])('%s → %s', (token, value, certainty) => {
    expect(parseAmountToken(token)).toMatchObject({ value, certainty });
  });

  it.each(['1,234,56', '12,34.56', '1.23.45', '1,2345.00'])('refuses %s', (token) => {
    expect(parseAmountToken(token)).toBeNull();
  });
});

describe('parseReceiptText', () => {
  const bistro = receipt(`
    CORNER BISTRO & CAFE
    218 Market Street
    Springfield, IL 62701
    Tel (217) 555-0142
    Date: 11/14/2026    7:42 PM
    Table 12      Server: Maria
    2 x Margherita Pizza     38.00
    1 x Caesar Salad         14.50
    Subtotal              116.20
    Tax 8%                 9.30
    TOTAL               $125.50
    VISA **** 4242         $125.50
    Thank you! Come again`);

  it('reads a US restaurant receipt', () => {
    const r = parseReceiptText(bistro);
    expect(fields(r)).toEqual({ amount: '125.50', date: '2026-11-14', merchant: 'CORNER BISTRO & CAFE', currency: 'USD' });
    expect(r.amount!.confidence).toBeGreaterThanOrEqual(0.95);
    expect(r.date!.confidence).toBeGreaterThanOrEqual(0.9);
    expect(r.merchant!.confidence).toBeGreaterThanOrEqual(0.9);
    expect(r.confidence).toBe(Math.min(r.amount!.confidence, r.date!.confidence, r.merchant!.confidence));
    expect(r.needs_review).toBe(false);
    expect(r.text).toBe(bistro);
  });

  describe('amount', () => {
    it.each([
      ['the TOTAL line, never Subtotal or Total Tax', 'Shop\nSubtotal 116.20\nTotal Tax 9.30\nTOTAL 125.50', '125.50'],
      ['Sub-Total and Sub Total are not totals', 'Shop\nSub-Total 90.00\nSub Total 90.00\nTotal: 99.90', '99.90'],
      ['Grand Total over Total (tip added after)', 'Diner\nTotal 100.00\nTip 20.00\nGRAND TOTAL $120.00', '120.00'],
      ['Total items / qty are counts', 'Market\nTOTAL ITEMS 3\nTotal qty 7\nTOTAL 12.00', '12.00'],
      ['the right-hand amount on the line', 'Store\nTOTAL (3 items)   $45.10', '45.10'],
      ['decoration before the label', 'Store\n*** TOTAL ***  19.99', '19.99'],
      ['Total due', 'Garage\nTOTAL DUE  $1,480.00', '1480.00'],
      ['Amount due', 'Hotel\nAmount due: 310.00', '310.00'],
      ['Balance due', 'Hotel\nBalance due $1,480.00', '1480.00'],
      ['German Summe with comma decimals', 'Bäckerei\nSUMME EUR 12,40\nGegeben 20,00\nRückgeld 7,60', '12.40'],
      ['French total with space thousands', 'Hôtel du Nord\nTotal TTC   1 234,56 €', '1234.56'],
      ['Swiss apostrophe thousands', 'Zürich AG\nTotal CHF 1\'234.50', '1234.50'],
      ['European thousands with dots', 'Teatro\nTOTALE\nTOTAL 1.234,56', '1234.56'],
      ['currency code after the amount', 'Shop\nTOTAL 88.00 USD', '88.00'],
      ['lower case', 'shop\ntotal 7.25', '7.25'],
    ])('%s', (_name, text, value) => {
      const r = parseReceiptText(text);
      expect(r.amount?.value).toBe(value);
      expect(r.amount!.confidence).toBeGreaterThanOrEqual(0.8);
    });

    it('takes the amount from the next line when OCR split the columns', () => {
      const r = parseReceiptText('Taxi Co\nTOTAL\n$ 42.80\nThank you');
      expect(r.amount).toEqual({ value: '42.80', confidence: 0.9 });
    });

    it('repairs O/l read for 0/1 inside the total, less sure', () => {
      expect(parseReceiptText('Cafe\nTOTAL $125.5O').amount).toEqual({ value: '125.50', confidence: 0.85 });
      expect(parseReceiptText('Cafe\nTOTAL l25.50').amount).toEqual({ value: '125.50', confidence: 0.85 });
    });

    it('is unsure about grouping without decimals and about one decimal digit', () => {
      expect(parseReceiptText('Shop\nTOTAL 1,234').amount).toEqual({ value: '1234', confidence: 0.75 });
      expect(parseReceiptText('Shop\nTOTAL 12.5').amount).toEqual({ value: '12.50', confidence: 0.85 });
      expect(parseReceiptText('Shop\nTOTAL 980').amount).toEqual({ value: '980', confidence: 0.85 });
    });

    it('lowers confidence when two total lines disagree', () => {
      const r = parseReceiptText('Shop\nTOTAL 50.00\nTOTAL 55.00');
      expect(r.amount).toEqual({ value: '50.00', confidence: 0.6 });
    });

    it('guesses the largest amount, weakly, when there is no total line', () => {
      const r = parseReceiptText('Kiosk\nCoffee 3.50\nCake 4.20\nSUBTOTAL 7.70\nCash 10.00\nChange 2.30');
      expect(r.amount).toEqual({ value: '10.00', confidence: 0.5 });
      expect(r.needs_review).toBe(true);
    });

    it('ignores percentages and finds nothing in text without amounts', () => {
      expect(parseReceiptText('Shop\nTOTAL 20%').amount).toBeNull();
      expect(parseReceiptText('Shop\nno money here').amount).toBeNull();
    });

    it('gives a total read from a poorly recognized line its OCR confidence', () => {
      const r = parseReceiptText('Shop\nDate 2026-11-14\nTOTAL 9.99', { lineConfidences: [0.95, 0.95, 0.42] });
      expect(r.amount).toEqual({ value: '9.99', confidence: 0.42 });
      expect(r.needs_review).toBe(true);
    });
  });

  describe('currency', () => {
    it.each([
      ['TOTAL $10.00', 'USD'],
      ['TOTAL US$10.00', 'USD'],
      ['TOTAL C$10.00', 'CAD'],
      ['TOTAL A$10.00', 'AUD'],
      ['TOTAL €10,00', 'EUR'],
      ['TOTAL 10,00 €', 'EUR'],
      ['TOTAL £10.00', 'GBP'],
      ['TOTAL ¥1200', 'JPY'],
      ['TOTAL CHF 10.00', 'CHF'],
      ['TOTAL 10.00 SEK', 'SEK'],
      ['TOTAL 10.00', null],
    ])('%s → %s', (line, code) => {
      expect(parseReceiptText(`Shop\n${line}`).currency).toBe(code);
    });

    it('prefers the total line’s currency to others on the receipt', () => {
      expect(parseReceiptText('Duty Free\nRate USD 1.08\nTOTAL €45.00').currency).toBe('EUR');
      expect(parseReceiptText('Store\nPaid in GBP\nTOTAL 45.00').currency).toBe('GBP');
    });
  });

  describe('date', () => {
    it.each([
      ['2026-11-14', '2026-11-14', 0.97],
      ['2026/11/14 10:02', '2026-11-14', 0.97],
      ['14/11/2026', '2026-11-14', 0.95],
      ['11/14/2026 7:42 PM', '2026-11-14', 0.95],
      ['14.11.2026 08:12', '2026-11-14', 0.95],
      ['14-11-2026', '2026-11-14', 0.95],
      ['05/05/2026', '2026-05-05', 0.95],
      ['14.11.26', '2026-11-14', 0.9],
      ['14 Nov 2026', '2026-11-14', 0.95],
      ['14 November 2026', '2026-11-14', 0.95],
      ['14. Nov. 2026', '2026-11-14', 0.95],
      ['14-NOV-2026 19:40', '2026-11-14', 0.95],
      ['14 nov. 26', '2026-11-14', 0.9],
      ['Nov 14, 2026', '2026-11-14', 0.95],
      ['November 14th, 2026', '2026-11-14', 0.95],
      ['Sept 3 2026', '2026-09-03', 0.95],
      ['29/02/2028', '2028-02-29', 0.95],
    ])('%s → %s', (line, value, confidence) => {
      expect(parseReceiptText(`Shop\n${line}\nTOTAL 1.00`).date).toEqual({ value, confidence });
    });

    it('reads an ambiguous day/month by the currency, with low confidence', () => {
      expect(parseReceiptText('Office Depot\n03/04/2026\nTOTAL $45.00').date).toEqual({ value: '2026-03-04', confidence: 0.6 });
      expect(parseReceiptText('The Crown\n03/04/2026\nTOTAL £45.00').date).toEqual({ value: '2026-04-03', confidence: 0.6 });
      expect(parseReceiptText('Café\n03.04.2026\nTOTAL 45,00 €').date).toEqual({ value: '2026-04-03', confidence: 0.6 });
      expect(parseReceiptText('Office Depot\n03/04/2026\nTOTAL $45.00').needs_review).toBe(true);
    });

    it.each(['31/02/2026', '2026-13-01', '00/10/2026', '12/11/1890', 'Market 2026'])('no date in %s', (line) => {
      expect(parseReceiptText(`Shop\n${line}\nTOTAL 1.00`).date).toBeNull();
    });

    it('does not take card expiry, return-by or valid-until dates, nor phone numbers', () => {
      const r = parseReceiptText('Shop\nTel 217-555-0142\nReturn by 12/14/2026\nVISA exp 11/28\nValid until 2027-01-01\n2026-11-14 10:00\nTOTAL 5.00');
      expect(r.date?.value).toBe('2026-11-14');
    });

    it('prefers the line labelled Date', () => {
      const r = parseReceiptText('Hotel Plaza\nArrival 2026-11-12\nDate: 2026-11-14\nTOTAL 300.00');
      expect(r.date?.value).toBe('2026-11-14');
    });
  });

  describe('merchant', () => {
    it.each([
      ['first line', 'Blue Bottle Coffee\n123 Main St\nTOTAL 5.00', 'Blue Bottle Coffee', 0.95],
      ['decoration stripped', '*** STARBUCKS ***\nStore #1234\nTOTAL 5.00', 'STARBUCKS', 0.95],
      ['after a RECEIPT heading', 'SALES RECEIPT\nHARDWARE PLUS\nTOTAL 5.00', 'HARDWARE PLUS', 0.87],
      ['Welcome to …', 'Welcome to Joe’s Diner!\nTOTAL 5.00', 'Joe’s Diner!', 0.95],
      ['after an address and phone', '218 Market Street\nTel (217) 555-0142\nMarket Hall Deli\nTOTAL 5.00', 'Market Hall Deli', 0.79],
      ['after a web address', 'www.example.com\nThe Book Nook\nTOTAL 5.00', 'The Book Nook', 0.87],
      ['accented', 'Bäckerei Müller GmbH\nHauptstr. 5\n10115 Berlin\nSUMME 5,00', 'Bäckerei Müller GmbH', 0.95],
    ])('%s', (_name, text, value, confidence) => {
      expect(parseReceiptText(text).merchant).toEqual({ value, confidence });
    });

    it('finds none in OCR noise', () => {
      const r = parseReceiptText('~~ ,, ;\n|| 1 ||\n\n2026-11-14\nTOTAL 5.00');
      expect(r.merchant).toBeNull();
      expect(r.needs_review).toBe(true);
      expect(r.confidence).toBe(0);
    });

    it('is unsure of a name that is short or has many digits', () => {
      expect(parseReceiptText('Bar 21 Go 4\nTOTAL 5.00').merchant).toEqual({ value: 'Bar 21 Go 4', confidence: 0.75 });
      expect(parseReceiptText('Zoo\nTOTAL 5.00').merchant).toEqual({ value: 'Zoo', confidence: 0.6 });
    });
  });

  it('marks a receipt with any field missing for review, confidence 0', () => {
    const r = parseReceiptText('Corner Shop\nTOTAL 5.00');
    expect(r.date).toBeNull();
    expect(r.confidence).toBe(0);
    expect(r.needs_review).toBe(true);
  });

  it('handles empty text and CRLF line ends', () => {
    expect(parseReceiptText('')).toEqual({ text: '', amount: null, date: null, merchant: null, currency: null, confidence: 0, needs_review: true });
    const r = parseReceiptText('Corner Shop\r\n2026-11-14\r\nTOTAL $5.00\r\n');
    expect(fields(r)).toEqual({ amount: '5.00', date: '2026-11-14', merchant: 'Corner Shop', currency: 'USD' });
  });
});

describe('recognizeReceipt (tesseract.js, offline English data)', () => {
  afterAll(async () => {
    await closeReceiptOcr();
    await closeHeicDecoder();
  });

  it('reads its language data from the installed package, not the network', () => {
    const langPath = englishLangPath();
    expect(langPath.split(sep).slice(-3)).toEqual(['@tesseract.js-data', 'eng', '4.0.0_best_int']);
    expect(existsSync(join(langPath, 'eng.traineddata.gz'))).toBe(true);
  });

  it('warms up on its bundled strip of receipt text', async () => {
    await warmUpReceiptOcr();
    const r = await recognizeReceipt(readFileSync(new URL('../../src/server/modules/expenses/ocr-warmup.png', import.meta.url)));
    expect(r.amount).toMatchObject({ value: '125.50' });
    expect(r.text).toMatch(/Subtotal\s+116\.20/);
  });

  it('finds amount, date and merchant on the fixture receipt, each with confidence ≥ 0.8', async () => {
    const r = await recognizeReceipt(fixture('receipt.png'));
    expect(fields(r)).toEqual({ amount: '125.50', date: '2026-11-14', merchant: 'CORNER BISTRO & CAFE', currency: 'USD' });
    expect(r.amount!.confidence).toBeGreaterThanOrEqual(0.8);
    expect(r.date!.confidence).toBeGreaterThanOrEqual(0.8);
    expect(r.merchant!.confidence).toBeGreaterThanOrEqual(0.8);
    expect(r.confidence).toBeGreaterThanOrEqual(0.8);
    expect(r.needs_review).toBe(false);
    expect(r.text).toMatch(/Subtotal\s+116\.20/);
  });

  it('reads phone photos after processing: rotated JPEG and HEIC (the upload pipeline)', async () => {
    for (const [name, kind] of [
      ['receipt-rotated.jpg', 'jpg'],
      ['receipt.heic', 'heic'],
    ] as const) {
      const { processed, ocr, timings } = await processAndRecognizeReceipt(fixture(name), kind);
      expect([name, processed.width, processed.height]).toEqual([name, 800, 1160]);
      expect([name, fields(ocr)]).toEqual([name, { amount: '125.50', date: '2026-11-14', merchant: 'CORNER BISTRO & CAFE', currency: 'USD' }]);
      expect(ocr.needs_review).toBe(false);
      expect(timings.totalMs).toBeGreaterThanOrEqual(timings.processMs + timings.ocrMs - 1);
    }
  });

  it('marks a blurred, washed-out photo for review', async () => {
    const poor = await sharp(fixture('receipt.png')).blur(3).linear(0.3, 160).jpeg({ quality: 70 }).toBuffer();
    const r = await recognizeReceipt(poor);
    expect(r.needs_review).toBe(true);
    expect(r.confidence).toBeLessThan(0.8);
    // Whatever it made of the total, it does not claim to be sure of it.
    expect(r.amount === null || r.amount.confidence < 0.8 || r.amount.value !== '125.50').toBe(true);
  });

  it('suggests nothing for a blank page, without failing', async () => {
    const blank = await sharp({ create: { width: 600, height: 900, channels: 3, background: '#ffffff' } }).png().toBuffer();
    const r = await recognizeReceipt(blank);
    expect(r).toMatchObject({ amount: null, date: null, merchant: null, confidence: 0, needs_review: true });
  });

  it('runs concurrent calls one after another in one worker, and starts a new worker after close()', async () => {
    const png = fixture('receipt.png');
    const results = await Promise.all([recognizeReceipt(png), recognizeReceipt(png), recognizeReceipt(png)]);
    for (const r of results) expect(r.amount?.value).toBe('125.50');
    await closeReceiptOcr();
    await closeReceiptOcr(); // idempotent
    expect((await recognizeReceipt(png)).amount?.value).toBe('125.50');
  });

  it('fails a recognition in flight at once when closed, then works again', async () => {
    const running = recognizeReceipt(fixture('receipt.png')).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 50));
    const started = performance.now();
    await closeReceiptOcr();
    const err = await running;
    expect(err).toBeInstanceOf(ReceiptOcrError);
    expect(performance.now() - started).toBeLessThan(5000); // not the 30 s timeout
    expect((await recognizeReceipt(fixture('receipt.png'))).amount?.value).toBe('125.50');

    // Closed while the worker is still starting, with more queued behind.
    await closeReceiptOcr();
    const starting = recognizeReceipt(fixture('receipt.png')).catch((e: unknown) => e);
    const queued = recognizeReceipt(fixture('receipt.png')).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 20));
    await closeReceiptOcr();
    expect(await starting).toBeInstanceOf(ReceiptOcrError);
    expect(await queued).toBeInstanceOf(ReceiptOcrError);
    expect((await recognizeReceipt(fixture('receipt.png'))).amount?.value).toBe('125.50');
  });

  it('fails an unreadable image with ReceiptOcrError and keeps working for the next one', async () => {
    const bad = recognizeReceipt(Buffer.from('this is not an image')).catch((e: unknown) => e);
    const queuedBehind = recognizeReceipt(fixture('receipt.png'));
    expect(await bad).toBeInstanceOf(ReceiptOcrError);
    expect((await queuedBehind).amount?.value).toBe('125.50');
    expect((await recognizeReceipt(fixture('receipt.png'))).amount?.value).toBe('125.50');
  });
});
