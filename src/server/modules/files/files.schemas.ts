import { z } from 'zod';

export const fileSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    content_type: z.string(),
    size_bytes: z.number().int(),
    sha256: z.string(),
    purpose: z.string(),
    uploaded_by: z.uuid().nullable(),
    created_at: z.string(),
  })
  .meta({ id: 'File' });

export const downloadLinkSchema = z.object({
  url: z.string().describe('Signed link, valid for 15 minutes'),
  expires_at: z.string(),
});

export const tokenParams = z.strictObject({ token: z.string().min(10).max(400) });
