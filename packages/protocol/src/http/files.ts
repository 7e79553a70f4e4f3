import { z } from 'zod';
import { AttachmentDto } from '../model/attachment';

/**
 * POST /api/files (multipart/form-data, one part named `file`): the stored upload. It belongs to the uploader
 * until a `message.send` or `message.edit` attaches it; only the uploader may fetch or attach it before that.
 */
export const UploadResponse = z.strictObject({ file: AttachmentDto });
export type UploadResponse = z.infer<typeof UploadResponse>;
