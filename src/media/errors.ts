/**
 * The two ways a media upload fails, kept apart because the remedy differs: a MediaInputError
 * is fixed by the caller changing its input; an UploadError happened on the way to storage.
 *
 * Both messages are written to be shown to a model as they are. They never contain the
 * signed upload URL or its token (contract §13): those are secrets, and the code that builds
 * these messages never has them in hand as text to interpolate.
 */

/** A refusal caused by the caller's input. `field` names the input field to change. */
export class MediaInputError extends Error {
  override readonly name = "MediaInputError";
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

export type UploadErrorKind =
  | "storage_rejected"
  | "expired_or_used"
  | "too_large"
  | "network"
  | "timeout"
  | "outcome_unknown";

/**
 * The PUT of the bytes to the signed URL did not succeed. `mayBeStored`: storage may have kept
 * the file all the same (the answer was lost, or came from a failing server or proxy after the
 * bytes arrived), so the result must name its path and how to remove it.
 */
export class UploadError extends Error {
  override readonly name = "UploadError";
  constructor(
    readonly kind: UploadErrorKind,
    message: string,
    readonly httpStatus?: number,
    readonly mayBeStored: boolean = kind === "outcome_unknown",
  ) {
    super(message);
  }
}
