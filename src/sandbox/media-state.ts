/**
 * The sandbox's uploaded objects and the signed-upload tickets that admit them. Kept apart
 * from the media routes (media.ts) so the request context can name this state without
 * importing the handlers that use the context.
 */
import type { MediaContentType } from "../contract.js";

export interface UploadTicket {
  bucket: string;
  path: string;
  accountUserId: string;
  contentType: MediaContentType;
  declaredSize: number;
  maxFileSize: number;
  expiresAtMs: number;
  expired: boolean;
  used: boolean;
  inProgress: boolean;
}

interface StoredObject {
  bytes: Buffer;
  contentType: string;
  accountUserId: string;
}

export class MediaState {
  private tickets = new Map<string, UploadTicket>();
  private objects = new Map<string, StoredObject>();
  /** Every signed URL and token handed out since start (a reset keeps them), for leak tests to search for. */
  private secrets: { url: string; token: string }[] = [];

  issued(): { url: string; token: string }[] {
    return this.secrets.map((secret) => ({ ...secret }));
  }

  recordIssued(url: string, token: string): void {
    this.secrets.push({ url, token });
  }

  get(bucket: string, path: string): Buffer | undefined {
    return this.objects.get(`${bucket}/${path}`)?.bytes;
  }

  expireUploadUrls(): void {
    for (const ticket of this.tickets.values()) ticket.expired = true;
  }

  clear(): void {
    this.tickets.clear();
    this.objects.clear();
  }

  issue(token: string, ticket: UploadTicket): void {
    this.tickets.set(token, ticket);
  }

  ticket(token: string): UploadTicket | undefined {
    return this.tickets.get(token);
  }

  store(ticket: UploadTicket, bytes: Buffer): void {
    this.objects.set(`${ticket.bucket}/${ticket.path}`, { bytes, contentType: ticket.contentType, accountUserId: ticket.accountUserId });
  }

  /** Deletes an uploaded object; false when there is none. */
  delete(bucket: string, path: string): boolean {
    return this.objects.delete(`${bucket}/${path}`);
  }
}
