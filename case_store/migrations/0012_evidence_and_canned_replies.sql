-- Evidence files (evidence/): the bytes are in the blob store by SHA-256; a row per file on a
-- case, the same file on a case being one row. `not_kept` names why a file was refused (then no
-- bytes are stored): a mail's attachment is listed even when it is not kept.
CREATE TABLE evidence_files (
    attachment_id text PRIMARY KEY,
    complaint_id text NOT NULL,
    sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    size_bytes bigint NOT NULL CHECK (size_bytes >= 0),
    content_type text NOT NULL,
    file_name text NOT NULL,
    source text NOT NULL CHECK (source IN ('email', 'customer', 'staff')),
    added_by text,
    not_kept text,
    added_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX evidence_files_of_case ON evidence_files (complaint_id, added_at);

-- Canned replies: texts staff insert into a message, one row per name and language, edited by
-- supervisors; placeholders {customer_name}, {complaint_id}, {promised_at}.
CREATE TABLE canned_replies (
    name text NOT NULL CHECK (name ~ '^[a-z0-9][a-z0-9_-]{0,39}$'),
    lang text NOT NULL CHECK (lang IN ('zh', 'en')),
    title text NOT NULL,
    body text NOT NULL,
    updated_by text NOT NULL DEFAULT 'seed',
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (name, lang)
);
INSERT INTO canned_replies (name, lang, title, body) VALUES
('on-it', 'zh', '已受理，正在处理',
 '您的投诉（编号 {complaint_id}）我们已经收到，并已安排专人处理。我们会在 {promised_at} 前给您答复。'),
('on-it', 'en', 'Received, on it',
 'We have your complaint ({complaint_id}) and someone is working on it now. You will hear from us by {promised_at}.'),
('visit', 'zh', '致歉并安排上门',
 '非常抱歉给您带来不便。我们已安排工程师上门检查，会在 {promised_at} 前与您联系确认上门时间。'),
('visit', 'en', 'Apology, engineer visit',
 'We are very sorry for the trouble. We have asked an engineer to visit and will contact you by {promised_at} to agree a time.'),
('photos', 'zh', '请提供照片或视频',
 '为了尽快处理，请您在进度页面上传问题的照片或视频，或直接回复本邮件并附上（投诉编号 {complaint_id}）。'),
('photos', 'en', 'Please send photos',
 'To move faster, please upload photos or a video of the problem on your progress page, or attach them to a reply to this message (complaint {complaint_id}).'),
('refund', 'zh', '退款已办理',
 '退款已经办理，通常 3 至 5 个工作日到账。如有任何问题，请直接回复本邮件。'),
('refund', 'en', 'Refund made',
 'Your refund has been made; it usually arrives within 3 to 5 working days. If anything is wrong, just reply to this message.'),
('still-on-it', 'zh', '仍在跟进',
 '{customer_name}，感谢您的耐心等待。我们仍在跟进您的问题（{complaint_id}），下次进展通报时间为 {promised_at}。'),
('still-on-it', 'en', 'Still on it',
 'Thank you for your patience, {customer_name}. We are still working on your case ({complaint_id}) and will update you by {promised_at}.');
