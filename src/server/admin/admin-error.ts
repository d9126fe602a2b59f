/** A refused administrative action: shown to the person at the server console (Japanese / English). */
export class AdminError extends Error {
  override name = 'AdminError';
  constructor(
    readonly code: string,
    readonly japanese: string,
    readonly english: string,
  ) {
    super(`${japanese} (${english})`);
  }
}
