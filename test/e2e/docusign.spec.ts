import { expect, test } from '@playwright/test';
import { DOCUSIGN_BASE_URL, expectFitsScreen, expectNoAxeViolations, invite, registerFromInvitation, runId, signUpOrganization, snap, useSession, watchForProblems } from './support.js';

/**
 * Signing through DocuSign in the browser, against a second portal configured for DocuSign
 * (test/e2e/fixtures/docusign-server.ts: the portal's DocuSign calls checked by Prism against
 * DocuSign's Swagger file, DocuSign's own signing page and Connect sender stood in for). An artist
 * on a phone agrees, is sent to DocuSign, finishes there and comes back; the open page turns to
 * "You signed this contract" when DocuSign's delivery has been filed, without reloading.
 */
const base = DOCUSIGN_BASE_URL;
const id = runId();
const admin = { name: `DocuSign Opera ${id}`, slug: `docusign-opera-${id}`, email: `admin.${id}@example.com`, password: 'Lantern-Harbour-Viola-41', first_name: 'Dora', last_name: `Sign${id}` };
const artist = { email: `tosca.${id}@example.com`, password: 'Copper-Meadow-Tuba-93', first_name: 'Floria', last_name: `Tosca${id}` };

async function contractPdf(): Promise<Buffer> {
  const { PDFDocument, StandardFonts } = await import('pdf-lib');
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  doc.addPage([595, 842]).drawText('The artist agrees to sing Tosca in twelve performances.', { x: 56, y: 760, size: 12, font });
  return Buffer.from(await doc.save());
}

test('an artist signs in DocuSign from her phone and the portal files the signed copy', async ({ browser, request }) => {
  test.setTimeout(120_000);
  const office = await signUpOrganization(request, admin, base);
  const auth = { authorization: `Bearer ${office.tokens.access_token}` };
  const joined = await registerFromInvitation(request, await invite(request, office.tokens.access_token, artist.email, 'artist', base), artist, base);
  const made = await request.post(`${base}/api/v1/contracts`, {
    headers: auth,
    multipart: { data: JSON.stringify({ title: `Tosca ${id}` }), file: { name: 'tosca.pdf', mimeType: 'application/pdf', buffer: await contractPdf() } },
  });
  expect(made.status(), await made.text()).toBe(201);
  const contract = (await made.json()) as { id: string };
  const assigned = await request.post(`${base}/api/v1/contracts/${contract.id}/assign`, { headers: auth, data: { artist_ids: [joined.user.id] } });
  expect(assigned.status(), await assigned.text()).toBe(200);

  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  await useSession(context, joined);
  const page = await context.newPage();
  const problems = watchForProblems(page);
  await page.goto(`${base}/contracts/${contract.id}`);
  const panel = page.getByRole('region', { name: 'Sign this contract' });
  await expect(panel).toContainText("You sign on DocuSign's secure page");
  // DocuSign asks for the signature itself: no name to type, nothing to draw here.
  await expect(panel.getByRole('radio')).toHaveCount(0);
  await expectNoAxeViolations(page);
  await expectFitsScreen(page);
  await snap(page, 'contract-docusign-sign');

  // Consent first, as on the built-in page.
  await panel.getByRole('button', { name: 'Continue to DocuSign' }).click();
  await expect(panel.getByText('Tick the box to agree to sign electronically')).toBeVisible();
  await panel.getByRole('checkbox').check();
  await panel.getByRole('button', { name: 'Continue to DocuSign' }).click();

  await page.waitForURL(/\/Signing\/StartInSession\.aspx\?envelope=[0-9a-f-]{36}/);
  await expect(page.getByRole('heading', { name: 'DocuSign signing (test stand-in)' })).toBeVisible();
  await page.getByRole('button', { name: 'Finish' }).click();

  // Back on the portal: what happened at DocuSign, then the signature once DocuSign's delivery is filed.
  await page.waitForURL(`${base}/contracts/${contract.id}?signing=docusign&event=signing_complete`);
  await expect(page.getByRole('heading', { name: 'You signed this contract' })).toBeVisible({ timeout: 30_000 });
  await expect(page.getByRole('button', { name: 'Download signed PDF' })).toBeVisible();
  await snap(page, 'contract-docusign-signed');
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download signed PDF' }).click();
  const file = await (await download).createReadStream();
  const chunks: Buffer[] = [];
  for await (const chunk of file) chunks.push(chunk as Buffer);
  expect(Buffer.concat(chunks).subarray(0, 5).toString()).toBe('%PDF-');

  // The office sees it signed through DocuSign, and the contract active.
  const status = await request.get(`${base}/api/v1/contracts/${contract.id}/status`, { headers: auth });
  expect(await status.json()).toMatchObject({ status: 'active', assignments: [expect.objectContaining({ status: 'signed', signature_kind: 'docusign' })] });
  expect(problems).toEqual([]);
  await context.close();
});
