-- DOCX contracts (issue 5 item 2): the Word original is kept; a PDF rendition made by LibreOffice
-- (queued, one conversion at a time) is what people view and sign.
ALTER TABLE contract_versions
  ADD COLUMN pdf_file_id uuid REFERENCES files (id) ON DELETE RESTRICT,
  ADD COLUMN conversion_status varchar(10),
  ADD COLUMN conversion_error text,
  ADD CONSTRAINT contract_versions_conversion CHECK (conversion_status IN ('pending', 'done', 'failed')),
  ADD CONSTRAINT contract_versions_rendition CHECK (conversion_status IS DISTINCT FROM 'done' OR pdf_file_id IS NOT NULL);
